"""Document settings (issuers, 文号, dates, titles) and their defaults from the policy."""

from __future__ import annotations

from dataclasses import dataclass

from .policy import Policy


@dataclass
class NoticeSettings:
    issuers: list[str]
    number: str
    date: str  # 2018-01-08
    title: str
    addressees: str
    cc: list[str]
    printer: str
    unit: str = "万元"  # the document's unit; its decimals follow from the plan's allocation unit


@dataclass
class ExplanationSettings:
    title: str
    issuer: str = ""


@dataclass
class DocumentSettings:
    notice: NoticeSettings
    explanation: ExplanationSettings
    settlement: NoticeSettings
    source: str = "defaults"


def default_settings(policy: Policy, year: int, quantum: int = 1) -> DocumentSettings:
    """Defaults from the policy's scope: the city's finance and HR bureaus issue the notice."""
    scope = policy.regions.get(policy.scopes[0]) if len(policy.scopes) == 1 else None
    place = scope.name if scope else (policy.regions.ancestors(policy.counties()[0].code)[-1].name
                                     if policy.counties() else "")
    prefix = place[:1]
    issuers = ([f"{place}财政局", f"{place}人力资源和社会保障局"] if scope and scope.level == "city"
               else [f"{place}财政厅", f"{place}人力资源和社会保障厅"])
    printer = f"{place}财政局办公室" if scope and scope.level == "city" else f"{place}财政厅办公室"
    addressees = ("各县（市、区）财政局、人力资源和社会保障局" if scope and scope.level == "city"
                  else "各市（区）财政局、人力资源和社会保障局")
    unit = "万元" if quantum >= 100 else "元"  # 万元 shows amounts of whole 元 or coarser exactly
    return DocumentSettings(
        notice=NoticeSettings(
            issuers=list(issuers), number=f"{prefix}财社〔{year}〕1号", date=f"{year}-01-08",
            title=f"关于下达{year}年社会保险扶贫补助资金预算的通知",
            addressees=addressees, cc=[], printer=printer, unit=unit),
        explanation=ExplanationSettings(title=f"{year}年社会保险扶贫补助资金预算测算说明"),
        settlement=NoticeSettings(
            issuers=list(issuers), number=f"{prefix}财社〔{year + 1}〕2号", date=f"{year + 1}-03-01",
            title=f"关于{year}年社会保险扶贫补助资金清算的通知",
            addressees=addressees, cc=[], printer=printer, unit=unit))
