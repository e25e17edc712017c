"""The 测算说明: method, parameters with their clauses, assumptions, totals, a chart.

It counts everything the plan hands out — subsidies and funds distributed by factors — in the
notice's unit, so its totals and 大写 are the notice's."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..core.display import PAYER_NAMES, RATE_UNITS, Unit, chinese_date, party_name, rounding_rule, split_text
from ..core.document_settings import ExplanationSettings
from ..core.lines import all_lines
from ..core.money import chinese_uppercase, format_plain
from ..core.period import Dated
from ..core.policy import PAYERS, Policy, quoted_title
from ..core.results import PlanResult, sample_notes
from .tables import cited_documents, dated_names, renamed_note


@dataclass
class Parameter:
    subsidy: str
    what: str
    value: str
    period: str
    basis: str
    assumed: bool


def _period(e: Dated[Any]) -> str:
    return f"{e.start}起" + (f"至{e.end}" if e.end else "")


def parameters(policy: Policy, year: int) -> list[Parameter]:
    out = []
    for rule in policy.counted_once:
        order = " > ".join(policy.groups[g].label.removeprefix("其中：") for g in rule.groups)
        out.append(Parameter("人员口径", "同属多类的计入次序（每人计一次）", order, "", rule.ref.text, rule.ref.is_assumption))
    for subsidy in policy.subsidies.values():
        def applies(e: Dated[Any]) -> bool:
            return e.start.year <= year and (e.end is None or e.end.year >= year)
        for period in subsidy.period.entries:
            if applies(period):
                out.append(Parameter(subsidy.name, "执行期间", _period(period), _period(period), period.ref.text,
                                     period.ref.is_assumption))
        for key, scoped in subsidy.rates.items():
            for history in scoped.by_scope.values():
                for rate in history.entries:
                    if applies(rate):
                        what = "补助标准" + ("" if key == "*" else f"（{policy.groups[key].name}）")
                        out.append(Parameter(subsidy.name, what, f"{format_plain(rate.value)}{RATE_UNITS[subsidy.unit]}",
                                             _period(rate), rate.ref.text, rate.ref.is_assumption))
        splits = [("分担比例", s, h) for s, h in subsidy.shares.by_scope.items()]
        splits += [(f"{party_name(pool)}部分再分担", s, h) for pool, sc in subsidy.pools.items() for s, h in sc.by_scope.items()]
        for what, scope, history in splits:
            region = policy.regions.get(scope)
            where = f"（{region.name}）" if region else ""
            for split in history.entries:
                if applies(split):
                    out.append(Parameter(subsidy.name, what + where, split_text(split.value.shares), _period(split),
                                         split.ref.text, split.ref.is_assumption))
    return out


@dataclass
class Chart:
    """Stacked bars: each county's amount by payer."""

    labels: list[str]
    series: list[tuple[str, str, list[int]]]  # payer label, colour, fen per county
    totals: list[str]  # each county's total as shown
    values: list[int]  # fen per county
    max_total: int


@dataclass
class Explanation:
    settings: ExplanationSettings
    year: int
    date_text: str
    unit: str  # 单位 of every table and the chart
    documents: list[str]
    parameters: list[Parameter]
    assumptions: list[str]
    interpretations: list[str]
    summary_rows: list[list[str]]  # subsidy or fund, payers…, total
    summary_total: list[str]
    county_rows: list[list[str]]
    county_total: list[str]
    chart: Chart
    grand_total: str
    grand_total_upper: str  # the 大写 of grand_total, printed beside it
    allocation_rule: str
    sample: str = ""
    renamed: str = ""  # a county shown by its name on the document's date, not the data's (彬县/彬州市)
    rolling_years: list[str] = field(default_factory=list)  # 中期财政规划: the plan's years, side by side
    rolling_rows: list[list[str]] = field(default_factory=list)  # payer, each year, the years' total


COLOURS = {"province": "#C00000", "city": "#ED7D31", "county": "#4472C4"}


def rolling(result: PlanResult, unit: Unit) -> tuple[list[str], list[list[str]]]:
    """中期财政规划 in the 测算说明: each payer's amount in every planned year and the years' total."""
    fen: dict[tuple[str, int], int] = defaultdict(int)
    for line in all_lines(result.lines, result.fund_lines):
        for p, a in line.amounts:
            fen[(p, line.year)] += a
    rows = []
    for payer in [*PAYERS, ""]:
        values = [sum(fen[(p, y)] for p in ([payer] if payer else PAYERS)) for y in result.years]
        rows.append([PAYER_NAMES[payer] if payer else "合计"] + [unit.text(v) for v in values] + [unit.text(sum(values))])
    return [f"{y}年" for y in result.years] + [f"{len(result.years)}年合计"], rows


def explanation(result: PlanResult, year: int, settings: ExplanationSettings, date: str, unit: Unit) -> Explanation:
    """The 测算说明 of ``year``: subsidies and funds alike (every line the plan hands out), in
    ``unit`` — the unit of the notice it explains, so both show the same figures."""
    policy = result.policy
    lines = [ln for ln in all_lines(result.lines, result.fund_lines) if ln.year == year]
    name_of = dated_names(policy, date)
    by_item: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_county: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names, items = {}, {}
    for line in lines:
        names[line.region.code] = name_of(line.region)
        items[line.item.id] = line.item.name
        for p, a in line.amounts:
            by_item[line.item.id][p] += a
            by_county[line.region.code][p] += a
    order = [i for i in [*policy.subsidies, *policy.funds] if i in by_item]

    def row(label: str, amounts: dict[str, int]) -> list[str]:
        return [label] + [unit.text(amounts.get(p, 0)) for p in PAYERS] + [unit.text(sum(amounts.values()))]

    totals = {p: sum(a.get(p, 0) for a in by_item.values()) for p in PAYERS}
    grand = sum(totals.values())
    codes = sorted(by_county)
    chart = Chart([names[c] for c in codes],
                  [(PAYER_NAMES[p], COLOURS[p], [by_county[c].get(p, 0) for c in codes]) for p in PAYERS],
                  [unit.text(sum(by_county[c].values())) for c in codes],
                  [sum(by_county[c].values()) for c in codes],
                  max((sum(by_county[c].values()) for c in codes), default=0))
    return Explanation(
        settings=settings, year=year, date_text=chinese_date(date), unit=unit.name,
        documents=[quoted_title(d) for d in cited_documents(policy)],
        parameters=parameters(policy, year),
        assumptions=[f"{_named(policy, a.what)}：{a.value}。{a.note}" for a in policy.assumptions_for([year])],
        interpretations=[f"{a.what}：{a.value}。{a.note}" for a in policy.interpretations_for([year])],
        summary_rows=[row(items[i], by_item[i]) for i in order], summary_total=row("合计", totals),
        county_rows=[row(names[c], by_county[c]) for c in codes], county_total=row("合计", totals),
        chart=chart, grand_total=unit.text(grand), grand_total_upper=chinese_uppercase(grand),
        allocation_rule=rounding_rule(result.quantum),
        sample="；".join(sample_notes(result.files)), renamed=renamed_note(policy, date, codes))


def _named(policy: Policy, what: str) -> str:
    """``610403不列入分配表`` → ``杨陵区（610403）不列入分配表``: a reader knows counties by name."""
    code = re.match(r"\d{6}(?!\d)", what)
    region = policy.regions.get(code.group()) if code else None
    return f"{region.name}（{region.code}）{what[6:]}" if region else what
