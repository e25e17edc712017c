"""Attachment tables (序号 | 地区 | … | 备注, 合计 first) and the small texts documents share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from ..core.display import PAYER_NAMES, Unit, format_share, split_text
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.money import format_grouped, format_plain, round_half_up
from ..core.policy import PAYERS, Policy


@dataclass
class Table:
    """An attachment table: 序号 | 地区 | … | 备注, the 合计 row first."""

    label: str  # 附件1
    title: str
    unit: str
    columns: list[str]
    numeric: list[bool]  # right-aligned columns
    total: list[str]
    rows: list[list[str]]
    note: str
    wide: bool
    shown_totals: dict[str, int] = field(default_factory=dict)  # payer → shown total in fen


def _share_text(line: Line) -> str:
    return split_text(line.segments[0].shares)


def short_ref(text: str) -> str:
    """``陕人社发〔2017〕60号 二（一） “……”`` → ``陕人社发〔2017〕60号 二（一）``."""
    return text.split("“")[0].strip().replace(" ", "")  # a space would be stretched by justify


def cited_documents(policy: Policy) -> list:
    """The documents a notice cites: all of them for one city's plan; for a run over several
    cities (a province's notice), the province's own, not each city's forwarding notice."""
    return policy.documents if len(policy.scopes) <= 1 else policy.documents[:1]


def allocation_table(policy: Policy, lines: list[Line], label: str, title: str, unit: Unit) -> Table:
    subsidy = lines[0].subsidy
    payers = [p for p in PAYERS if any(dict(ln.amounts).get(p) is not None for ln in lines)]
    by_group = len(subsidy.terms) > 1
    show = unit.text

    rows, sums = [], defaultdict(int)
    count_sums = [0] * len(subsidy.terms)
    usual = _share_text(lines[0])
    for index, line in enumerate(lines, start=1):
        amounts = dict(line.amounts)
        shown = {p: unit.shown(amounts.get(p, 0)) for p in payers}
        for p in payers:
            sums[p] += shown[p]
        for i, (_, _, count) in enumerate(line.counts):
            count_sums[i] += count
        shares = _share_text(line)
        rows.append([str(index), line.region.name] + ([f"{c:,}" for _, _, c in line.counts] if by_group else [])
                    + [f"{line.headcount:,}", show(sum(shown.values()))] + [show(shown[p]) for p in payers]
                    + [shares if shares != usual else ""])
    grand = sum(sums.values())
    total = (["", "合计"] + ([f"{c:,}" for c in count_sums] if by_group else [])
             + [f"{sum(ln.headcount for ln in lines):,}", show(grand)] + [show(sums[p]) for p in payers] + [""])
    exact = sum(ln.total for ln in lines)
    notes = [f"分担比例：{usual}（备注栏列出与此不同的地区）。"]
    if grand != exact:
        notes.append(f"各数按四舍五入保留{unit.decimals}位小数，合计为所列各数之和，与精确合计"
                     f"{format_grouped(exact)}元相差{format_grouped(grand - exact)}元。")
    group_labels = ([("减：" if t.sign < 0 else "") + policy.groups[t.group].label.removeprefix("其中：")
                     for t in subsidy.terms] if by_group else [])
    columns = ["序号", "地区"] + group_labels + ["人数", "资金合计"] + [PAYER_NAMES[p] for p in payers] + ["备注"]
    return Table(label, title, unit.name, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 total, rows, "注：" + "".join(notes), wide=len(columns) > 8, shown_totals=dict(sums))


def fund_table(lines: list[FundLine], label: str, title: str, unit: Unit) -> Table:
    """因素法 attachment: each county's factor values, weighted score and amount."""
    fund = lines[0].fund
    rows, total = [], 0
    for index, line in enumerate(lines, start=1):
        amount = unit.shown(line.amount)
        total += amount
        rows.append([str(index), line.region.name] + [_number(v) for v in line.values]
                    + [_percent(line.score), unit.text(amount),
                       {"floor": "保底", "cap": "封顶"}.get(line.bound, "")])
    sums = [_number(sum(ln.values[i] for ln in lines)) for i in range(len(fund.factors))]
    columns = (["序号", "地区"] + [f"{f.name}（{format_share(f.weight)}）" for f in fund.factors]
               + ["加权得分", f"{PAYER_NAMES[fund.payer]}安排", "备注"])
    bounds = "，".join(x for x in [f"保底{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                   f"封顶{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
    note = (f"注：按因素法分配，加权得分 = Σ 权重 × 该地区因素值占全部地区之比；分配额 = 总额 × 加权得分"
            f"{'（' + bounds + '，超出或不足部分按得分在其余地区间分配）' if bounds else ''}，精确到分。")
    return Table(label, title, unit.name, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 ["", "合计"] + sums + ["100.00%", unit.text(total), ""], rows, note,
                 wide=len(columns) > 8, shown_totals={fund.payer: total})


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return format_grouped(round_half_up(value * 100), 100, 2)


def _percent(value: Fraction) -> str:
    return format_grouped(round_half_up(value * 10000), 100, 2) + "%"
