"""Indicator rows for the budget-management system (预算管理一体化): one row per receiving
county, subsidy and funding level of the money a notice hands down.

No national import format is published: the default header below is documented in the
README, and a province renames or reorders the columns to its own template with the
settings' ``indicator_columns`` mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document_settings import DocumentSettings, Subject
from .money import format_yuan
from .regions import Region
from .results import PlanResult
from .settlement import advance

INDICATOR_COLUMNS = ("本级指标文号", "上级指标文号", "文件标题", "发文日期", "补助项目", "支出功能科目", "政府经济分类",
                     "部门经济分类", "资金性质", "项目代码", "直达资金标识", "预算级次", "下达地区代码", "接收地区代码",
                     "金额（元）")
LEVELS = {"province": "省级", "city": "市级", "county": "县级"}


@dataclass(frozen=True)
class Indicator:
    number: str
    upper: str
    title: str
    date: str
    item: str
    subject: Subject | None
    level: str  # the payer whose money it is
    issuer_region: str
    region: str
    amount: int  # fen

    def cells(self) -> list[str]:
        codes = self.subject.codes if self.subject else {}
        return [self.number, self.upper, self.title, self.date, self.item, codes.get("function", ""),
                codes.get("economic_grant", ""), codes.get("department_economic", ""), codes.get("nature", ""),
                codes.get("project", ""), codes.get("direct", ""), LEVELS[self.level], self.issuer_region,
                self.region, format_yuan(self.amount)]


def mapped(columns: dict[str, str]) -> tuple[list[str], list[int]]:
    """The header a province's template wants and, for each of its columns, the default column
    it takes (the mapping lists the columns to keep, in its own order; none → the default)."""
    if not columns:
        return list(INDICATOR_COLUMNS), list(range(len(INDICATOR_COLUMNS)))
    return list(columns.values()), [INDICATOR_COLUMNS.index(default) for default in columns]


def indicator_rows(result: PlanResult, year: int, settings: DocumentSettings) -> list[Indicator]:
    """The indicators of ``year``'s notice: the money it hands down (what it advances, with an
    advance rate), per receiving county, subsidy or fund, and funding level."""
    policy = result.policy
    handed = policy.handed_down()
    issuer = policy.issuer()
    notice = settings.notice
    amounts: dict[tuple[str, str, str], int] = {}
    if result.advance_rate is not None:
        for planned in advance(result.lines, result.advance_rate, result.quantum, handed):
            if planned.line.year == year:
                for payer, amount in planned.amounts:
                    amounts[(planned.line.region.code, planned.line.item.id, payer)] = amount
    else:
        for line in result.lines:
            if line.year == year:
                for payer, amount in line.amounts:
                    amounts[(line.region.code, line.item.id, payer)] = amount
    for share in result.fund_lines:
        if share.year == year:
            amounts[(share.region.code, share.fund.id, share.fund.payer)] = share.amount
    names = {**{s.id: s.name for s in policy.subsidies.values()}, **{f.id: f.name for f in policy.funds.values()}}
    rows = []
    for (code, item, payer), amount in amounts.items():
        if payer not in handed or amount == 0:
            continue
        subject = next((s for s in settings.subjects.get(item, []) if s.applies(year)), None)
        rows.append(Indicator(notice.number, "；".join(notice.upper) if payer != issuer_level(issuer) else "",
                              notice.title, notice.date, names[item], subject, payer,
                              issuer.code if issuer else "", code, amount))
    return rows


def issuer_level(issuer: Region | None) -> str:
    return issuer.level if issuer is not None else "province"
