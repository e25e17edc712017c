"""Plain-text renderings for the terminal: the plan summary and a line's derivation."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Sequence

from ..core.display import PAYER_NAMES, RATE_UNITS, format_share, pad, party_name, split_text, width
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.language import said
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


def _t(zh: str, en: str, **values) -> str:
    """Terminal text in the chosen language (rendered now: it is printed at once)."""
    return str(said(zh, en, **values))


def _payer(payer: str) -> str:
    return _t("{name}", "{payer}", name=PAYER_NAMES.get(payer, payer), payer=payer)


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
        rows.append([_t("合计", "total")] + [format_grouped(t) for t in totals] + [format_grouped(sum(totals))])
        header = [_t("{year} 年（元）", "{year} (元)", year=year)] + [_payer(p) for p in PAYERS] + [_t("合计", "total")]
        blocks.append(table(header, rows))
    return "\n\n".join(blocks)


def assumptions_text(policy: Policy, years: list[int]) -> str:
    """The assumptions (and the interpretations of the documents' words) in force in ``years``, as
    assumptions.txt keeps them (both languages: a file's bytes do not follow the reader's language)."""
    assumed, read = policy.assumptions_for(years), policy.interpretations_for(years)
    lines = ["假设 assumptions: none — every value is stated in the documents." if not assumed else
             "假设 assumptions (values the documents do not state; replace with real local figures):"]
    lines += [f"  - {a.what}: {a.value} — {a.note} [{a.source.short if a.source else ''}]" for a in assumed]
    if read:
        lines.append("口径说明 interpretations (how the documents' words are read):")
        lines += [f"  - {a.what}: {a.value} — {a.note} [{a.source.short if a.source else ''}]" for a in read]
    return "\n".join(lines)


def assumptions_shown(policy: Policy, years: list[int]) -> str:
    """The same list for the terminal, in the chosen language."""
    assumed, read = policy.assumptions_for(years), policy.interpretations_for(years)
    lines = [_t("假设：无——所有数值均见于文件。", "assumptions: none — every value is stated in the documents.")
             if not assumed else _t("假设（文件未规定的数值，请以本地实际数据替换）：",
                                    "assumptions (values the documents do not state; replace with real local figures):")]
    lines += [_item(a) for a in assumed]
    if read:
        lines.append(_t("口径说明（对文件用语的理解）：", "interpretations (how the documents' words are read):"))
        lines += [_item(a) for a in read]
    return "\n".join(lines)


def _item(a) -> str:
    return _t("  - {what}：{value}——{note} [{source}]", "  - {what}: {value} — {note} [{source}]", what=a.what,
              value=a.value, note=a.note, source=a.source.short if a.source else "")


def explain(policy: Policy, line: Line) -> str:
    s = line.subsidy
    out = [_t("{name}（{id}）——{year} 年，{code} {region}", "{name} ({id}) — {year}, {code} {region}", name=s.name,
              id=s.id, year=line.year, code=line.region.code, region=line.region.name), ""]
    out.append(_t("人数：", "headcount:"))
    for group, sign, count in line.counts:
        name = policy.groups[group].name
        out.append(f"  {'+' if sign > 0 else '−'} {count:>10,}  {group}  {name}")
    out.append(f"  = {line.headcount:>10,}")
    out.append("")
    assumed = _t("（假设）", "  (assumption)")
    for segment in line.segments:
        months = segment.months
        span = f"{months[0]}…{months[-1]}" if len(months) > 1 else f"{months[0]}"
        out.append(_t("期间：{span}（{n} 个月）——{ref}", "months: {span} ({n} months) — {ref}", span=span,
                      n=len(months), ref=segment.period_ref.text))
        shared = len({(r.rate_fen, r.ref) for r in segment.rates}) == 1
        for rate in segment.rates[:1] if shared else segment.rates:
            named = policy.groups[rate.group].name if rate.group in policy.groups else rate.group
            label = "" if shared else _t("（{name}）", " [{name}]", name=named)
            flag = assumed if rate.ref.is_assumption else ""
            out.append(_t("标准{label}：{rate} {unit}——{ref}{flag}", "rate{label}: {rate} {unit} — {ref}{flag}",
                          label=label, rate=format_plain(rate.rate_fen), unit=RATE_UNITS[s.unit], ref=rate.ref.text,
                          flag=flag))
        out.append(_t("分担：", "shares:"))
        for step in segment.steps:
            where = policy.regions.get(step.scope)
            scope = (_t("{name}（{code}）", "{name} {code}", name=where.name, code=where.code) if where
                     else _t("全省", "policy-wide"))
            level = (_t("第一层", "top") if not step.pool else
                     _t("{name}部分", "pool {pool}", name=party_name(step.pool), pool=step.pool))
            flag = assumed if step.ref.is_assumption else ""
            out.append(_t("  {level}，{scope}规定：{parts}——{ref}{flag}", "  {level} (set by {scope}): {parts} — {ref}{flag}",
                          level=level, scope=scope, parts=split_text(step.split.shares), ref=step.ref.text, flag=flag))
        out.append("  = " + split_text(segment.shares))
        out.append("")
    out.append(_t("计算：", "amounts:"))
    for segment in line.segments:
        n = len(segment.months)
        factor = f"{n}/12" if s.unit == "year" else _t("{n} 个月", "{n} months", n=n)
        terms = " ".join(f"{'+' if r.sign > 0 else '−'} {dict((g, c) for g, _, c in line.counts)[r.group]:,}"
                         f" × {format_plain(r.rate_fen)}" for r in segment.rates)
        out.append(f"  ({terms.lstrip('+ ')}) 元 × {factor}")
    exact_total = sum((v for _, v in line.exact), Fraction(0))
    out.append(_t("  资金合计 = {total} 元", "  total = {total} 元", total=format_grouped(line.total))
               + ("" if exact_total == line.total else
                  _t("（精确值 {exact} 分，四舍五入）", " (exact {exact} 分, rounded half-up)", exact=exact_total)))
    for payer, amount in line.amounts:
        exact = dict(line.exact)[payer]
        note = "" if exact == amount else _t("（按最大余数法分配）", "  (apportioned: largest remainder)")
        out.append(_t("  {name}：{amount} 元{note}", "  {payer}: {amount} 元{note}", name=PAYER_NAMES[payer], payer=payer,
                      amount=format_grouped(amount), note=note))
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
        rows.append([_payer(payer), format_grouped(planned), format_grouped(actual),
                     format_grouped(actual - planned)])
    rows.append([_t("合计", "total"), format_grouped(totals[0]), format_grouped(totals[1]),
                 format_grouped(totals[1] - totals[0])])
    planned_label = _t("{label}", "{label_en}", label=result.planned_label,
                       label_en="advanced" if result.planned_label == "预拨数" else "planned")
    text = table([_t("{year} 年（元）", "{year} (元)", year=result.year), planned_label, _t("应拨数", "actual"),
                  _t("差额", "difference")], rows)
    moves = []
    for payer in ("province", "city"):
        mine = [t for t in result.transfers if t.payer == payer]
        up = sum(t.amount for t in mine if t.amount > 0)
        down = -sum(t.amount for t in mine if t.amount < 0)
        # only the movements there are: "收回 0.00 元" reads as if something were taken back
        if up and down:
            moves.append(_t("{name}：向县（市、区）补拨 {up} 元，收回 {down} 元",
                            "{payer}: {up} 元 paid to the counties, {down} 元 taken back", name=PAYER_NAMES[payer],
                            payer=payer, up=format_grouped(up), down=format_grouped(down)))
        elif up or down:
            moves.append(_t("{name}：向县（市、区）{verb} {amount} 元", "{payer}: {amount} 元 {verb_en}",
                            name=PAYER_NAMES[payer], payer=payer, amount=format_grouped(up or down),
                            verb="补拨" if up else "收回",
                            verb_en="paid to the counties" if up else "taken back from the counties"))
        else:
            moves.append(_t("{name}：无需补拨或收回", "{payer}: nothing to pay or take back", name=PAYER_NAMES[payer],
                            payer=payer))
    return text + "\n\n" + "\n".join(moves)


def explain_fund(line, all_lines: list) -> str:
    """How a county's share of a fund distributed by factors was derived."""
    fund = line.fund
    mine = [ln for ln in all_lines if ln.year == line.year and ln.fund.id == fund.id]
    total = fund.total_for(line.year)
    out = [_t("{name}（{id}）——{year} 年，{code} {region}", "{name} ({id}) — {year}, {code} {region}", name=fund.name,
              id=fund.id, year=line.year, code=line.region.code, region=line.region.name), "",
           _t("总额：{total} 元，由{name}负担——{ref}{flag}", "total: {total} 元, paid by {payer} — {ref}{flag}",
              total=format_grouped(total.total), name=PAYER_NAMES[fund.payer], payer=fund.payer, ref=total.ref.text,
              flag=_t("（假设）", "  (assumption)") if total.ref.is_assumption else ""),
           _t("方法：因素法，{n} 个县（市、区）参与分配——{ref}", "method: factor method over {n} counties — {ref}",
              n=len(mine), ref=fund.ref.text), "", _t("因素：", "factors:")]
    for i, factor in enumerate(fund.factors):
        column = sum(ln.values[i] for ln in mine)
        source = (_t("人员类别 {group}", "group {group}", group=factor.group) if factor.group
                  else _t("数据 {data}", "data {data}", data=factor.data))
        out.append(_t("  {name}（{source}），权重 {weight}：{value} / {column} = {share}",
                      "  {name} ({source}), weight {weight}: {value} of {column} = {share}", name=factor.name,
                      source=source, weight=format_share(factor.weight), value=_plain(line.values[i]),
                      column=_plain(column), share=_share_percent(line.shares[i])))
    out.append(_t("加权得分：", "score: ") + " + ".join(f"{format_share(f.weight)} × {_share_percent(sh)}"
                                                   for f, sh in zip(fund.factors, line.shares))
               + f" = {_share_percent(line.score)}")
    out.append(_t("总额 × 得分 = {total} × {score}", "total × score = {total} × {score}",
                  total=format_grouped(total.total), score=_share_percent(line.score)))
    if fund.floor is not None or fund.cap is not None:
        limits = [_t("保底 {floor}", "floor {floor}", floor=format_grouped(fund.floor)) if fund.floor is not None else "",
                  _t("封顶 {cap}", "cap {cap}", cap=format_grouped(fund.cap)) if fund.cap is not None else ""]
        held = _t("——本县按{bound}计", " — this county is held at its {bound_en}",
                  bound="保底" if line.bound == "floor" else "封顶", bound_en=line.bound) if line.bound else ""
        out.append(_t("保底/封顶：{limits} 元{held}", "bounds: {limits} 元{held}",
                      limits=_t("，", ", ").join(x for x in limits if x), held=held))
    exact = format_grouped(round_half_up(line.exact * 100), 10_000, 4)
    out.append(_t("金额：{amount} 元（精确值 {exact} 元，按最大余数法精确到分）",
                  "amount: {amount} 元 (exact {exact} 元, to the fen by largest remainder)",
                  amount=format_grouped(line.amount), exact=exact))
    return "\n".join(out)


def _plain(value: Fraction) -> str:
    return f"{value.numerator:,}" if value.denominator == 1 else str(float(value))


def _share_percent(value: Fraction) -> str:
    return format_grouped(round_half_up(value * 1_000_000), 10_000, 4) + "%"
