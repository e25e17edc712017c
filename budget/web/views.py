"""What the preview pages show, as plain rows of text: the same sums the terminal prints."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from ..core.display import PAYER_NAMES
from ..core.language import text_in
from ..core.money import format_grouped
from ..core.policy import PAYERS
from ..core.problems import FIELD_NAMES, Problem
from ..core.results import PlanResult, SettlementResult


def shown_problems(problems: list[Problem], names: dict[str, str]) -> list[dict[str, str]]:
    """Each problem as 位置 and 说明, with the uploaded file's own name instead of the path it is
    kept under (that path means nothing to the clerk)."""
    out = []
    for problem in problems:
        message = text_in(problem.message, "zh")
        for stored, name in names.items():
            message = message.replace(stored, name)
        where = ""
        if problem.source is not None:
            source = problem.source
            where = str(replace(source, file=names.get(source.file, source.short.split(":")[0])))
            if source.field:
                where += f" [{FIELD_NAMES.get(source.field, source.field)}]"
        out.append({"where": where, "message": message,
                    "severity": "错误" if problem.severity == "error" else "提示"})
    return out


def _money(fen: int) -> str:
    return format_grouped(fen)


def plan_view(result: PlanResult) -> dict[str, Any]:
    """Per year: subsidy × payer (元) with totals, and county × payer (元) with totals."""
    policy = result.policy
    names = {sid: s.name for sid, s in policy.subsidies.items()} | {fid: f.name for fid, f in policy.funds.items()}
    years = []
    for year in result.years:
        by_item: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_county: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        county_names: dict[str, str] = {}
        for line in result.lines:
            if line.year == year:
                for payer, amount in line.amounts:
                    by_item[line.subsidy.id][payer] += amount
                    by_county[line.region.code][payer] += amount
                county_names[line.region.code] = line.region.name
        for f in result.fund_lines:
            if f.year == year:
                by_item[f.fund.id][f.fund.payer] += f.amount
                by_county[f.region.code][f.fund.payer] += f.amount
                county_names[f.region.code] = f.region.name
        items = [[name] + _cells(by_item[sid]) for sid, name in names.items() if sid in by_item]
        counties = [[code, county_names[code]] + _cells(by_county[code]) for code in sorted(by_county)]
        totals = _cells({p: sum(v.get(p, 0) for v in by_item.values()) for p in PAYERS})
        years.append({"year": year, "items": items, "counties": counties, "totals": totals})
    return {"payers": [PAYER_NAMES[p] for p in PAYERS], "years": years}


def _cells(amounts: dict[str, int]) -> list[str]:
    values = [amounts.get(p, 0) for p in PAYERS]
    return [_money(v) for v in values] + [_money(sum(values))]


def settlement_view(result: SettlementResult) -> dict[str, Any]:
    """Per payer and per county: planned, actual, difference; and the transfers."""
    by_payer = []
    for payer in PAYERS:
        planned = sum(ln.planned for ln in result.lines if ln.payer == payer)
        actual = sum(ln.actual for ln in result.lines if ln.payer == payer)
        by_payer.append([PAYER_NAMES[payer], _money(planned), _money(actual), _money(actual - planned)])
    planned = sum(ln.planned for ln in result.lines)
    actual = sum(ln.actual for ln in result.lines)
    by_payer.append(["合计", _money(planned), _money(actual), _money(actual - planned)])
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[str, str] = {}
    for line in result.lines:
        sums[line.region.code][0] += line.planned
        sums[line.region.code][1] += line.actual
        names[line.region.code] = line.region.name
    counties = [[code, names[code], _money(p), _money(a), _money(a - p)] for code, (p, a) in sorted(sums.items())]
    moves = [[PAYER_NAMES[t.payer], t.region.code, t.region.name, t.direction, _money(abs(t.amount))]
             for t in result.transfers if t.amount]
    return {"label": result.planned_label, "payers": by_payer, "counties": counties, "transfers": moves}
