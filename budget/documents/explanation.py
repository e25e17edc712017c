"""The 测算说明: method, parameters with their clauses, assumptions, totals, a chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.display import PAYER_NAMES, RATE_UNITS, chinese_date, party_name, split_text
from ..core.document_settings import ExplanationSettings
from ..core.money import chinese_uppercase, format_grouped, format_plain
from ..core.policy import PAYERS, Policy, quoted_title
from ..core.results import PlanResult, sample_notes
from .tables import cited_documents


@dataclass
class Parameter:
    subsidy: str
    what: str
    value: str
    period: str
    basis: str
    assumed: bool


def parameters(policy: Policy, year: int) -> list[Parameter]:
    out = []
    for subsidy in policy.subsidies.values():
        def period(e) -> str:
            return f"{e.start}起" + (f"至{e.end}" if e.end else "")
        def applies(e) -> bool:
            return e.start.year <= year and (e.end is None or e.end.year >= year)
        for e in subsidy.period.entries:
            if applies(e):
                out.append(Parameter(subsidy.name, "执行期间", period(e), period(e), e.ref.text, e.ref.is_assumption))
        for key, scoped in subsidy.rates.items():
            for history in scoped.by_scope.values():
                for e in history.entries:
                    if applies(e):
                        what = "补助标准" + ("" if key == "*" else f"（{policy.groups[key].name}）")
                        out.append(Parameter(subsidy.name, what, f"{format_plain(e.value)}{RATE_UNITS[subsidy.unit]}",
                                             period(e), e.ref.text, e.ref.is_assumption))
        splits = [("分担比例", s, h) for s, h in subsidy.shares.by_scope.items()]
        splits += [(f"{party_name(pool)}部分再分担", s, h) for pool, sc in subsidy.pools.items() for s, h in sc.by_scope.items()]
        for what, scope, history in splits:
            region = policy.regions.get(scope)
            where = f"（{region.name}）" if region else ""
            for e in history.entries:
                if applies(e):
                    value = split_text(e.value.shares)
                    out.append(Parameter(subsidy.name, what + where, value, period(e), e.ref.text, e.ref.is_assumption))
    return out


@dataclass
class Explanation:
    settings: ExplanationSettings
    year: int
    date_text: str
    documents: list[str]
    parameters: list[Parameter]
    assumptions: list[str]
    summary_rows: list[list[str]]  # subsidy, payers…, total (元)
    summary_total: list[str]
    county_rows: list[list[str]]
    chart: "Chart"
    grand_total_upper: str
    sample: str = ""


@dataclass
class Chart:
    """Stacked bars: each county's amount by payer (元)."""

    labels: list[str]
    series: list[tuple[str, str, list[int]]]  # payer label, colour, fen per county
    totals: list[int]  # fen per county
    max_total: int


COLOURS = {"province": "#C00000", "city": "#ED7D31", "county": "#4472C4"}


def explanation(result: PlanResult, year: int, settings: ExplanationSettings, date: str) -> Explanation:
    policy = result.policy
    lines = [ln for ln in result.lines if ln.year == year]
    sums = defaultdict(lambda: defaultdict(int))
    by_county = defaultdict(lambda: defaultdict(int))
    names = {}
    for line in lines:
        names[line.region.code] = line.region.name
        for p, a in line.amounts:
            sums[line.subsidy.id][p] += a
            by_county[line.region.code][p] += a
    rows = []
    for sid, subsidy in policy.subsidies.items():
        if sid in sums:
            rows.append([subsidy.name] + [format_grouped(sums[sid].get(p, 0)) for p in PAYERS]
                        + [format_grouped(sum(sums[sid].values()))])
    totals = [sum(s.get(p, 0) for s in sums.values()) for p in PAYERS]
    codes = sorted(by_county)
    county_rows = [[names[c]] + [format_grouped(by_county[c].get(p, 0)) for p in PAYERS]
                   + [format_grouped(sum(by_county[c].values()))] for c in codes]
    chart = Chart([names[c] for c in codes],
                  [(PAYER_NAMES[p], COLOURS[p], [by_county[c].get(p, 0) for c in codes]) for p in PAYERS],
                  [sum(by_county[c].values()) for c in codes],
                  max((sum(by_county[c].values()) for c in codes), default=0))
    return Explanation(
        settings=settings, year=year, date_text=chinese_date(date),
        documents=[quoted_title(d) for d in cited_documents(policy)],
        parameters=parameters(policy, year),
        assumptions=[f"{a.what}：{a.value}。{a.note}" for a in policy.assumptions],
        summary_rows=rows, summary_total=["合计"] + [format_grouped(t) for t in totals] + [format_grouped(sum(totals))],
        county_rows=county_rows, chart=chart, grand_total_upper=chinese_uppercase(sum(totals)),
        sample="；".join(sample_notes(result.files)))
