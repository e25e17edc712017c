"""Attachment tables (序号 | 地区 | … | 备注, 合计 first) and the small texts documents share.

Every amount a table shows is an allocated amount, shown exactly (the unit has the decimals
the allocation unit needs); every 合计 is the sum of the rows above it, so a table always
foots and never needs a "相差" note.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from ..core.display import PAYER_NAMES, Unit, format_share, parse_date, split_text, width
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.money import format_grouped, format_plain, round_half_up
from ..core.period import Month
from ..core.policy import PAYERS, Document, Policy
from ..core.regions import Region

RegionName = Callable[[Region], str]  # a county's name as of the document's date


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
    wide: bool  # on a landscape page
    totals: dict[str, int] = field(default_factory=dict)  # payer → the table's total in fen (as shown)
    dense: bool = False  # in 10 pt rather than 12 pt
    note_pt: float = 0.0  # the 备注 column's width when its notes need more than the usual (0: the usual)

    def __post_init__(self) -> None:
        self.note_pt = note_width(self.rows, self.numeric)
        self.wide, self.dense = layout(self.columns, [self.total] + self.rows, self.numeric, self.note_pt)


NOTE_PT, NOTE_MAX = 9, 16  # 备注 cells are set in 9 pt; a note longer than 16 characters wraps


def note_width(rows: list[list[str]], numeric: list[bool]) -> float:
    """Points the 备注 column takes to hold its longest note on one line (up to NOTE_MAX characters),
    or 0 when the usual width does: a narrow 备注 whose every note wraps doubles each row's height
    and pushes the last rows onto a page of their own."""
    if not numeric or numeric[-1]:
        return 0.0
    longest = max((width(r[-1]) for r in rows if r), default=0) / 2
    if longest <= 4:
        return 0.0
    return min(longest, NOTE_MAX) * NOTE_PT + 9  # 4 pt padding each side, a little air


PORTRAIT_EM, LANDSCAPE_EM = 156 / 25.4 * 72 / 12, 225 / 25.4 * 72 / 12  # the text area in 12 pt characters


def layout(columns: list[str], rows: list[list[str]], numeric: list[bool], note_pt: float = 0.0) -> tuple[bool, bool]:
    """(landscape, dense): the narrowest page and size the table fits on, from the width of its
    widest cells (numbers do not wrap; 序号 and 地区 have fixed widths, 备注 its notes' width; other headers wrap
    between words)."""
    need = 0.0
    for i, name in enumerate(columns):
        cells = [r[i] for r in rows if i < len(r)]
        widest = max((width(c) for c in cells), default=0) / 2 * 1.1  # half-width digits, a little air
        if i == 0:
            need += 2.6
        elif i == 1:
            need += 5.5
        elif i == len(columns) - 1 and not numeric[i]:
            need += max(7, note_pt / 12)
        else:
            need += max(widest, min(width(name) / 2, 4.0)) + 0.7  # padding
    if need <= PORTRAIT_EM:
        return False, False
    return True, need > LANDSCAPE_EM


# 文号 and the clause cited in it: 陕人社发〔2017〕60号 二（一）
CITATION = re.compile(r"(\S+?〔\d{4}〕\d+号)\s*((?:[一二三四五六七八九十]+(?:（[一二三四五六七八九十]+）)*)?)")


def short_refs(text: str) -> list[str]:
    """The citations of a reference, document and clause only: ``医保发〔2018〕2号 个人缴费每人每年220元；
    陕人社发〔2017〕60号 二（二）`` → ``["医保发〔2018〕2号", "陕人社发〔2017〕60号二（二）"]`` — what a
    document says (a rate, a quotation) is not part of its citation."""
    out = []
    for part in re.split(r"[；;]", text):
        part = part.strip()
        found = CITATION.match(part)
        # no 文号 (a reference such as 政府收支分类科目): as written, before any quotation
        out.append(found.group(1) + found.group(2) if found else part.split("“")[0].strip().replace(" ", ""))
    return [r for r in out if r]


def short_ref(text: str) -> str:
    """``陕人社发〔2017〕60号 二（一） “……”`` → ``陕人社发〔2017〕60号二（一）`` (several: joined by ；)."""
    return "；".join(dict.fromkeys(short_refs(text)))


def renamed_note(policy: Policy, date: str, codes: list[str]) -> str:
    """A note for a document naming a county by the name it had on the document's date when the
    data (allocations.csv, the workbook) use its present name: 彬县 in a notice of January 2018 is
    610482 彬州市 from May 2018 on. The note names the county by the data's code, not by a name the
    county did not yet bear on the document's date."""
    day = parse_date(date)
    when = Month(day.year, day.month)
    notes = []
    for renamed in policy.regions.renamed.values():
        region = policy.regions.get(renamed.new_code)
        if renamed.new_code in codes and region is not None and when < renamed.since:
            approval = f"（{renamed.ref}）" if renamed.ref else ""
            notes.append(f"{renamed.old_name}于{renamed.since.year}年{renamed.since.month}月撤县设市{approval}，"
                         f"数据文件中代码为{renamed.new_code}；本表列成文日期的名称")  # short: two lines with the share note
    return "；".join(notes)


def cited_documents(policy: Policy) -> list[Document]:
    """The documents a notice cites: all of them for one city's plan; for a run over several
    cities (a province's notice), the province's own, not each city's forwarding notice."""
    return policy.documents if len(policy.scopes) <= 1 else policy.documents[:1]


def dated_names(policy: Policy, date: str) -> RegionName:
    """Region names as of ``date`` (2018-01-08): a county renamed later keeps its old name."""
    day = parse_date(date)
    when = Month(day.year, day.month)
    return lambda region: policy.regions.name_at(region.code, when)


def allocation_table(policy: Policy, lines: list[Line], label: str, title: str, unit: Unit,
                     name_of: RegionName, handed: tuple[str, ...],
                     advanced: dict[tuple[str, str], int] | None = None, renamed: str = "") -> Table:
    """A subsidy's 资金分配表: per county the people, the budget, the money handed down by each
    level in ``handed`` (with ``advanced``: what is handed down now, 提前下达) and their
    subtotal, and what the lower levels budget themselves (应安排) — never "下达"."""
    subsidy = lines[0].subsidy
    payers = [p for p in PAYERS if any(dict(ln.amounts).get(p) is not None for ln in lines)]
    down = [p for p in payers if p in handed]
    own = [p for p in payers if p not in handed]
    by_group = len(subsidy.terms) > 1
    rows: list[list[str]] = []
    sums: dict[str, int] = defaultdict(int)  # payer → money handed down (or advanced) to the counties
    kept: dict[str, int] = defaultdict(int)  # payer → what the lower levels budget themselves
    count_sums = [0] * len(subsidy.terms)
    usual = split_text(lines[0].segments[0].shares)
    for index, line in enumerate(lines, start=1):
        amounts = dict(line.amounts)
        now = {p: (advanced or {}).get((line.region.code, p), 0) if advanced is not None else amounts.get(p, 0)
               for p in down}
        for p in down:
            sums[p] += now[p]
        for p in own:
            kept[p] += amounts.get(p, 0)
        for i, (_, _, count) in enumerate(line.counts):
            count_sums[i] += count
        shares = split_text(line.segments[0].shares)
        rows.append([str(index), name_of(line.region)] + ([f"{c:,}" for _, _, c in line.counts] if by_group else [])
                    + [f"{line.headcount:,}", unit.text(line.total)] + [unit.text(now[p]) for p in down]
                    + ([unit.text(sum(now.values()))] if len(down) > 1 else [])
                    + [unit.text(amounts.get(p, 0)) for p in own] + [shares if shares != usual else ""])
    total = (["", "合计"] + ([f"{c:,}" for c in count_sums] if by_group else [])
             + [f"{sum(ln.headcount for ln in lines):,}", unit.text(sum(ln.total for ln in lines))]
             + [unit.text(sums[p]) for p in down] + ([unit.text(sum(sums.values()))] if len(down) > 1 else [])
             + [unit.text(kept[p]) for p in own] + [""])
    group_labels = ([("减：" if t.sign < 0 else "") + policy.groups[t.group].label.removeprefix("其中：")
                     for t in subsidy.terms] if by_group else [])
    verb = "提前下达" if advanced is not None else "下达"
    columns = (["序号", "地区"] + group_labels + ["人数", "资金合计"] + [f"{PAYER_NAMES[p]}{verb}" for p in down]
               + ([f"{verb}小计"] if len(down) > 1 else []) + [f"{PAYER_NAMES[p]}应安排" for p in own] + ["备注"])
    note = f"注：分担比例{usual}（备注栏列出与此不同的地区）" + (
        "；“应安排”为县（市、区）本级应安排的配套资金，不在本通知下达之列。" if own else "。")
    note += _also(renamed)
    return Table(label, title, unit.name, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 total, rows, note, wide=False, totals=dict(sums))


def _also(renamed: str) -> str:
    """The renamed-county note as a further sentence of a table's note."""
    return f"{renamed}。" if renamed else ""


def fund_table(lines: list[FundLine], label: str, title: str, unit: Unit, name_of: RegionName,
               renamed: str = "") -> Table:
    """因素法 attachment: each county's factor values, weighted score and amount."""
    fund = lines[0].fund
    rows, total = [], 0
    for index, line in enumerate(lines, start=1):
        total += line.amount
        rows.append([str(index), name_of(line.region)] + [_number(v) for v in line.values]
                    + [_percent(line.score), unit.text(line.amount), {"floor": "保底", "cap": "封顶"}.get(line.bound, "")])
    sums = [_number(sum((ln.values[i] for ln in lines), Fraction(0))) for i in range(len(fund.factors))]
    columns = (["序号", "地区"] + [f"{f.name}（{format_share(f.weight)}）" for f in fund.factors]
               + ["加权得分", f"{PAYER_NAMES[fund.payer]}安排", "备注"])
    bounds = "，".join(x for x in [f"保底{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                   f"封顶{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
    note = (f"注：按因素法分配，加权得分 = Σ 权重 × 该地区因素值占全部地区之比；分配额 = 总额 × 加权得分"
            f"{'（' + bounds + '，超出或不足部分按得分在其余地区间分配）' if bounds else ''}，按最大余数法取整。"
            + _also(renamed))
    return Table(label, title, unit.name, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 ["", "合计"] + sums + ["100.00%", unit.text(total), ""], rows, note,
                 wide=False, totals={fund.payer: total})


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return format_grouped(round_half_up(value * 100), 100, 2)


def _percent(value: Fraction) -> str:
    return format_grouped(round_half_up(value * 10000), 100, 2) + "%"
