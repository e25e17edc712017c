"""Plain-text renderings for the terminal: the plan summary and a line's derivation."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Sequence

from ..core.display import PAYER_NAMES, RATE_UNITS, format_share, pad, split_text, width
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.money import format_grouped, format_plain, round_half_up
from ..core.policy import PAYERS, Policy


def table(header: list[str], rows: list[list[str]]) -> str:
    sizes = [max(width(r[i]) for r in [header] + rows) for i in range(len(header))]
    out = []
    for index, row in enumerate([header] + rows):
        out.append("  ".join(pad(cell, sizes[i], right=i > 0) for i, cell in enumerate(row)))
        if index == 0:
            out.append("  ".join("-" * s for s in sizes))
    return "\n".join(out)


def summary(policy: Policy, lines: list[Line], fund_lines: Sequence[FundLine] = ()) -> str:
    """Per year: subsidy (and fund) × payer, in 元, with row and column totals."""
    blocks = []
    names = {sid: s.name for sid, s in policy.subsidies.items()} | {fid: f.name for fid, f in policy.funds.items()}
    for year in sorted({line.year for line in lines} | {f.year for f in fund_lines}):
        sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line in lines:
            if line.year == year:
                for payer, amount in line.amounts:
                    sums[line.subsidy.id][payer] += amount
        for f in fund_lines:
            if f.year == year:
                sums[f.fund.id][f.fund.payer] += f.amount
        rows = []
        for sid, name in names.items():
            if sid in sums:
                cells = [sums[sid].get(p, 0) for p in PAYERS]
                rows.append([name] + [format_grouped(c) for c in cells] + [format_grouped(sum(cells))])
        totals = [sum(sums[s].get(p, 0) for s in sums) for p in PAYERS]
        rows.append(["合计 total"] + [format_grouped(t) for t in totals] + [format_grouped(sum(totals))])
        header = [f"{year} 年 (元)"] + [PAYER_NAMES[p] for p in PAYERS] + ["合计"]
        blocks.append(table(header, rows))
    return "\n\n".join(blocks)


def assumptions_text(policy: Policy, years: list[int]) -> str:
    """The assumptions (and the interpretations of the documents' words) in force in ``years``."""
    assumed, read = policy.assumptions_for(years), policy.interpretations_for(years)
    lines = ["假设 assumptions: none — every value is stated in the documents." if not assumed else
             "假设 assumptions (values the documents do not state; replace with real local figures):"]
    lines += [f"  - {a.what}: {a.value} — {a.note} [{a.source.short if a.source else ''}]" for a in assumed]
    if read:
        lines.append("口径说明 interpretations (how the documents' words are read):")
        lines += [f"  - {a.what}: {a.value} — {a.note} [{a.source.short if a.source else ''}]" for a in read]
    return "\n".join(lines)


def explain(policy: Policy, line: Line) -> str:
    s = line.subsidy
    out = [f"{s.name} ({s.id}) — {line.year} 年, {line.region.code} {line.region.name}", ""]
    out.append("人数 headcount:")
    for group, sign, count in line.counts:
        name = policy.groups[group].name
        out.append(f"  {'+' if sign > 0 else '−'} {count:>10,}  {group}  {name}")
    out.append(f"  = {line.headcount:>10,}")
    out.append("")
    for segment in line.segments:
        months = segment.months
        span = f"{months[0]}…{months[-1]}" if len(months) > 1 else f"{months[0]}"
        out.append(f"期间 months: {span} ({len(months)} 个月)  — {segment.period_ref.text}")
        shared = len({(r.rate_fen, r.ref) for r in segment.rates}) == 1
        for rate in segment.rates[:1] if shared else segment.rates:
            label = "" if shared else f" [{rate.group}]"
            flag = "  (假设 assumption)" if rate.ref.is_assumption else ""
            out.append(f"标准 rate{label}: {format_plain(rate.rate_fen)} {RATE_UNITS[s.unit]}  — {rate.ref.text}{flag}")
        out.append("分担 shares:")
        for step in segment.steps:
            where = policy.regions.get(step.scope)
            scope = f"{where.name} {where.code}" if where else "全省 policy-wide"
            level = "top" if not step.pool else f"pool {step.pool}"
            parts = split_text(step.split.shares)
            flag = "  (假设 assumption)" if step.ref.is_assumption else ""
            out.append(f"  {level} (set by {scope}): {parts}  — {step.ref.text}{flag}")
        out.append("  = " + split_text(segment.shares))
        out.append("")
    out.append("计算 amounts:")
    for segment in line.segments:
        factor = f"{len(segment.months)}/12" if s.unit == "year" else f"{len(segment.months)} 个月"
        terms = " ".join(f"{'+' if r.sign > 0 else '−'} {dict((g, c) for g, _, c in line.counts)[r.group]:,}"
                         f" × {format_plain(r.rate_fen)}" for r in segment.rates)
        out.append(f"  ({terms.lstrip('+ ')}) 元 × {factor}")
    exact_total = sum((v for _, v in line.exact), Fraction(0))
    out.append(f"  资金合计 total = {format_grouped(line.total)} 元"
               + ("" if exact_total == line.total else f" (exact {exact_total} 分, rounded half-up)"))
    for payer, amount in line.amounts:
        exact = dict(line.exact)[payer]
        note = "" if exact == amount else "  (apportioned: largest remainder)"
        out.append(f"  {PAYER_NAMES[payer]} {payer}: {format_grouped(amount)} 元{note}")
    return "\n".join(out)


def settlement_summary(result) -> str:
    """Per payer: planned, actual, difference (元), and the transfers' totals."""
    rows = []
    totals = [0, 0]
    for payer in PAYERS:
        planned = sum(ln.planned for ln in result.lines if ln.payer == payer)
        actual = sum(ln.actual for ln in result.lines if ln.payer == payer)
        totals[0] += planned
        totals[1] += actual
        rows.append([PAYER_NAMES[payer], format_grouped(planned), format_grouped(actual),
                     format_grouped(actual - planned)])
    rows.append(["合计 total", format_grouped(totals[0]), format_grouped(totals[1]),
                 format_grouped(totals[1] - totals[0])])
    text = table([f"{result.year} 年 (元)", result.planned_label, "应拨数 actual", "差额 difference"], rows)
    moves = []
    for payer in ("province", "city"):
        mine = [t for t in result.transfers if t.payer == payer]
        up = sum(t.amount for t in mine if t.amount > 0)
        down = -sum(t.amount for t in mine if t.amount < 0)
        moves.append(f"{PAYER_NAMES[payer]}：向县（市、区）补拨 {format_grouped(up)} 元，收回 {format_grouped(down)} 元")
    return text + "\n\n" + "\n".join(moves)


def explain_fund(line, all_lines: list) -> str:
    """How a county's share of a fund distributed by factors was derived."""
    fund = line.fund
    mine = [ln for ln in all_lines if ln.year == line.year and ln.fund.id == fund.id]
    total = fund.total_for(line.year)
    out = [f"{fund.name} ({fund.id}) — {line.year} 年, {line.region.code} {line.region.name}", "",
           f"总额 total: {format_grouped(total.total)} 元, paid by {PAYER_NAMES[fund.payer]} — {total.ref.text}"
           + ("  (假设 assumption)" if total.ref.is_assumption else ""),
           f"方法 method: 因素法 over {len(mine)} counties — {fund.ref.text}", "", "因素 factors:"]
    for i, factor in enumerate(fund.factors):
        column = sum(ln.values[i] for ln in mine)
        source = f"group {factor.group}" if factor.group else f"data {factor.data}"
        out.append(f"  {factor.name} ({source}), weight {format_share(factor.weight)}: "
                   f"{_plain(line.values[i])} of {_plain(column)} = {_share_percent(line.shares[i])}")
    out.append("加权得分 score: " + " + ".join(f"{format_share(f.weight)} × {_share_percent(sh)}"
                                              for f, sh in zip(fund.factors, line.shares))
               + f" = {_share_percent(line.score)}")
    out.append(f"总额 × 得分 = {format_grouped(total.total)} × {_share_percent(line.score)}")
    if fund.floor is not None or fund.cap is not None:
        limits = ", ".join(x for x in [f"floor {format_grouped(fund.floor)}" if fund.floor is not None else "",
                                       f"cap {format_grouped(fund.cap)}" if fund.cap is not None else ""] if x)
        out.append(f"保底/封顶 bounds: {limits} 元" + (f" — this county is held at its {line.bound}" if line.bound else ""))
    exact = format_grouped(round_half_up(line.exact * 100), 10_000, 4)
    out.append(f"金额 amount: {format_grouped(line.amount)} 元 (exact {exact} 元, to the fen by largest remainder)")
    return "\n".join(out)


def _plain(value: Fraction) -> str:
    return f"{value.numerator:,}" if value.denominator == 1 else str(float(value))


def _share_percent(value: Fraction) -> str:
    return format_grouped(round_half_up(value * 1_000_000), 10_000, 4) + "%"
