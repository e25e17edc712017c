"""Policy test cases (YAML, written by hand from the documents) → :class:`Case` values.

One format for three kinds of case, told apart by their keys:

- a plan case gives ``headcounts`` of one county and the ``expected`` amount per payer;
- a settlement case gives ``forecast`` and ``actual`` (or ``actual_monthly``) headcounts, an
  optional ``advance_rate``, the ``expected`` planned / actual / difference per payer and the
  ``transfers`` of the province and the city;
- a fund case gives a ``fund`` (total, factors and weights, each county's factor values,
  optional floor and cap) and the ``expected`` amount per county.

Every key is checked (unknown keys are errors naming the allowed ones), with file:line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.language import Message, said
from ..core.problems import InputError, Problem, Source
from . import located_yaml
from .located_yaml import Map, Node, Scalar, Seq
from .yaml_checks import NodeChecker

COMMON = ("name", "clause", "note", "policy")
PLAN_KEYS = COMMON + ("year", "county", "reported_as", "subsidy", "headcounts", "expected")
SETTLEMENT_KEYS = COMMON + ("year", "county", "subsidy", "forecast", "actual", "actual_monthly", "advance_rate",
                            "expected", "transfers")
FUND_KEYS = COMMON + ("fund", "expected")


@dataclass(frozen=True)
class Case:
    kind: str  # "plan", "settlement" or "fund"
    name: str
    clause: str
    source: Source
    policy: str | None = None  # a path (relative to the case file) or a shipped policy's name
    year: int = 0
    county: str = ""
    reported_as: str = ""  # the code the county is written with in the headcounts (an old code)
    subsidy: str = ""
    headcounts: dict[str, int] = field(default_factory=dict)  # plan case: group → persons
    forecast: dict[str, int] = field(default_factory=dict)
    actual: dict[str, int] = field(default_factory=dict)
    actual_monthly: dict[str, list[int]] = field(default_factory=dict)
    advance_rate: str | None = None
    expected: dict[str, object] = field(default_factory=dict)  # payer → 元, or payer → {planned, …}, or county → 元
    transfers: dict[str, str] = field(default_factory=dict)
    fund: dict[str, object] = field(default_factory=dict)


def _plain(node: Node | None) -> object:
    """A node as plain Python values (texts stay texts)."""
    if isinstance(node, Map):
        return {key: _plain(value) for key, value in node.items.items()}
    if isinstance(node, Seq):
        return [_plain(item) for item in node.items]
    if isinstance(node, Scalar):
        return None if node.is_null else node.text
    return None


def _counts(c: NodeChecker, node: Node | None, what: Message) -> dict[str, int]:
    out: dict[str, int] = {}
    if node is None:
        return out
    if not isinstance(node, Map):
        c.error(node.source, said("{what}应为“人员类别: 人数”的映射", "{what} must map groups to headcounts", what=what))
        return out
    for group, value, _ in node.entries():
        text = c.text(value, said("{what}中 {group} 的人数", "{what} {group}", what=what, group=group))
        if text is not None and not text.isdigit():
            c.error(value.source, said("{what}中 {group} 的人数 '{text}' 应为不小于 0 的整数",
                                       "{what} {group} '{text}' must be a whole number ≥ 0", what=what, group=group,
                                       text=text))
        elif text is not None:
            out[group] = int(text)
    return out


def read_cases(path: str) -> list[Case]:
    """Every case of ``path``; raises :class:`InputError` with every problem."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(Source(path), said("无法读取案例文件：{exc}", "cannot read the case file: {exc}",
                                                     exc=str(exc)))]) from None
    root = located_yaml.load(path, text, c.problems)
    cases = []
    for node in c.seq(root, said("案例文件（案例的列表）", "the case file (a list of cases)")) if root is not None else []:
        if not isinstance(node, Map):
            c.error(node.source, said("每个案例应为键的映射（name, clause, …）",
                                      "a case must be a map of keys (name, clause, …)"))
            continue
        kind = "fund" if "fund" in node.items else "settlement" if "forecast" in node.items else "plan"
        keys = {"plan": PLAN_KEYS, "settlement": SETTLEMENT_KEYS, "fund": FUND_KEYS}[kind]
        required = {"plan": ("name", "year", "county", "subsidy", "headcounts", "expected"),
                    "settlement": ("name", "year", "county", "subsidy", "forecast", "expected", "transfers"),
                    "fund": ("name", "fund", "expected")}[kind]
        case = {"plan": said("计划案例", "a plan case"), "settlement": said("清算案例", "a settlement case"),
                "fund": said("因素法资金案例", "a fund case")}[kind]
        body = c.map(node, case, required=required, optional=tuple(k for k in keys if k not in required))
        if body is None:
            continue
        items = body.items
        year_text = c.text(items.get("year"), "year") if "year" in items else None
        if year_text is not None and not (year_text.isdigit() and len(year_text) == 4):
            c.error(items["year"].source, said("年度 '{year}' 应为 4 位年份", "year '{year}' must be a 4-digit year",
                                               year=year_text))
            year_text = None
        policy = c.text(items.get("policy"), "policy") if "policy" in items else None
        if policy and (os.sep in policy or "/" in policy):  # a path: relative to the case file
            policy = os.path.normpath(os.path.join(os.path.dirname(path), policy))
        monthly = _plain(items.get("actual_monthly")) or {}
        if kind == "settlement" and "actual" not in items and "actual_monthly" not in items:
            c.error(body.source, said("清算案例须给出 actual（全年享受人数）和/或 actual_monthly（逐月人数）",
                                      "a settlement case gives actual (people in the year) and/or actual_monthly"))
        cases.append(Case(
            kind=kind, name=c.text(items.get("name"), "name") or "", clause=c.text(items.get("clause"), "clause") or "",
            source=body.source, policy=policy, year=int(year_text) if year_text else 0,
            county=c.text(items.get("county"), "county") or "" if "county" in items else "",
            reported_as=c.text(items.get("reported_as"), "reported_as") or "" if "reported_as" in items else "",
            subsidy=c.text(items.get("subsidy"), "subsidy") or "" if "subsidy" in items else "",
            headcounts=_counts(c, items.get("headcounts"), "headcounts"),
            forecast=_counts(c, items.get("forecast"), "forecast"),
            actual=_counts(c, items.get("actual"), "actual"),
            actual_monthly={g: [int(v) for v in vs] for g, vs in monthly.items()} if isinstance(monthly, dict) else {},
            advance_rate=c.text(items.get("advance_rate"), "advance_rate") if "advance_rate" in items else None,
            expected=_plain(items.get("expected")) or {},  # type: ignore[arg-type]
            transfers=_plain(items.get("transfers")) or {},  # type: ignore[arg-type]
            fund=_plain(items.get("fund")) or {}))  # type: ignore[arg-type]
    if c.problems:
        raise InputError(c.problems)
    return cases
