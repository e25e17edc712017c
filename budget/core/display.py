"""How amounts, shares, names and dates are shown: one place that every renderer uses.

The terminal, the workbooks, the CSVs and the documents all take their unit, the figure they
show for an amount, the text of a payer split and the written date from here, so two outputs
can never show the same amount or date differently (beancount's DisplayContext is the model).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Iterable

from .language import said
from .money import format_grouped, round_half_up

PAYER_NAMES = {"province": "省级", "city": "市级", "county": "县级"}
POOL_NAMES = {"local": "市县"}  # pools a city's file refines
RATE_UNITS = {"year": "元/人·年", "month": "元/人·月"}


# --- shares and splits --------------------------------------------------------------------

@lru_cache(maxsize=4096)
def format_share(share: Fraction) -> str:
    """``Fraction(1, 8)`` → ``"12.5%"``; a share with no short decimal → ``"1/3"``."""
    percent = share * 100
    for decimals in range(0, 7):
        scaled = percent * 10**decimals
        if scaled.denominator == 1:
            whole, frac = divmod(scaled.numerator, 10**decimals)
            return f"{whole}.{frac:0{decimals}d}%" if decimals else f"{whole}%"
    return f"{share.numerator}/{share.denominator}"


def party_name(name: str) -> str:
    """A payer's or pool's Chinese name: province → 省级, local → 市县."""
    return PAYER_NAMES.get(name) or POOL_NAMES.get(name, name)


def split_text(shares: Iterable[tuple[str, Fraction]], verb: str = "") -> str:
    """``(("province", 1/2), ("local", 1/2))`` → ``省级50%，市县50%`` (``verb`` 承担: 省级承担50%)."""
    return "，".join(f"{party_name(n)}{verb}{format_share(v)}" for n, v in shares)


# --- units --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """A unit amounts are shown in: 元 or 万元, with a number of decimals."""

    name: str  # 元 or 万元
    fen: int  # fen per unit
    decimals: int

    @property
    def quantum(self) -> int:
        """The smallest amount shown, in fen (1 = 分; 10,000 = 0.01 万元)."""
        return max(1, self.fen // int(10**self.decimals))

    def shown(self, fen: int) -> int:
        """The amount as shown, in fen: rounded half-up to the shown precision."""
        return round_half_up(Fraction(fen), self.quantum) if self.quantum > 1 else fen

    def value(self, fen: int) -> Fraction:
        """The shown amount in this unit, e.g. for a spreadsheet cell."""
        return Fraction(self.shown(fen), self.fen)

    def text(self, fen: int) -> str:
        """``12,345.67``: the shown amount, thousands separated."""
        return format_grouped(fen, self.fen, self.decimals)

    @property
    def number_format(self) -> str:
        """The spreadsheet number format that shows exactly these decimals."""
        return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")


UNIT_FEN = {"元": 100, "万元": 1_000_000}
UNITS = {name: Unit(name, fen, 2) for name, fen in UNIT_FEN.items()}

# The units amounts are allocated in: each line is rounded to one of these once, and every
# output shows exactly the allocated amounts (万元 with as many decimals as that takes).
ALLOCATION_UNITS = {"分": 1, "元": 100, "0.01万元": 10_000, "万元": 1_000_000}
MAX_DECIMALS = 4  # 万元 to four decimals is 元; finer would print six-decimal 万元 figures


def unit(name: str, decimals: int = 2) -> Unit:
    return Unit(name, UNIT_FEN[name], decimals)


def allocation_quantum(name: str) -> int:
    """``元`` → 100: the allocation unit in fen (ValueError naming the allowed ones)."""
    if name not in ALLOCATION_UNITS:
        raise ValueError(f"allocation unit '{name}' is not allowed (allowed: {', '.join(ALLOCATION_UNITS)})")
    return ALLOCATION_UNITS[name]


def allocation_name(quantum: int) -> str:
    return next(name for name, fen in ALLOCATION_UNITS.items() if fen == quantum)


def rounding_rule(quantum: int) -> str:
    """The allocation rule in one sentence a finance officer can check by hand."""
    name = allocation_name(quantum)
    rule = f"精确计算后四舍五入到{name}（只舍入一次）"
    if quantum > 1:
        rule += (f"；同一项目各县（市、区）舍入后之和与全部地区精确合计四舍五入到{name}不一致时，差额按各县尾数"
                 f"从大到小逐个调整一{name}，尾数相同的先调地区代码小的")
    return rule


def shown_unit(name: str, quantum: int) -> Unit:
    """The unit ``name`` with the decimals that show every amount allocated in whole ``quantum``
    fen exactly: 元 always to the 分; 万元 of amounts allocated to the 元 → four decimals, to
    0.01 万元 → two, to the 万元 → none. ValueError when 万元 would take more than four."""
    fen = UNIT_FEN[name]
    if name == "元":
        return Unit(name, fen, 2)  # 元 to the 分, as finance writes 元 whatever the allocation unit
    decimals = len(str(fen // quantum)) - 1 if quantum < fen else 0  # 万元 of 元 → 4
    if decimals > MAX_DECIMALS:
        raise ValueError(f"amounts allocated to the {allocation_name(quantum)} cannot be shown exactly in {name} "
                         f"(it would take {decimals} decimals): show 元, or allocate to the 元 or coarser "
                         f"(allocation_unit: 元)")
    return Unit(name, fen, decimals)


# --- dates --------------------------------------------------------------------------------

DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """``2018-01-08`` → a date; ValueError saying what is wrong ("must be written 2018-01-08",
    "is not a day of the calendar") for the caller to put after the date's name."""
    match = DATE.match(text.strip())
    if not match:
        raise ValueError(said("应写作 2018-01-08", "must be written 2018-01-08"))
    year, month, day = (int(x) for x in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(said("不是日历上的日期", "is not a day of the calendar")) from None


def chinese_date(iso: str) -> str:
    """``2018-01-08`` → ``2018年1月8日`` (GB/T 9704: no zero padding)."""
    try:
        day = parse_date(iso)
    except ValueError as exc:
        raise ValueError(f"date '{iso}' {exc}") from None
    return f"{day.year}年{day.month}月{day.day}日"


# --- titles ---------------------------------------------------------------------------------

# Words a title line must not be broken inside (a break between 通 and 知 reads as a mistake).
UNBREAKABLE = re.compile(
    # longer words first: the regex takes the first alternative that matches (清算表 before 清算)
    r"区域绩效目标表|上下级结算表|资金分配表|分配表|清算表|绩效目标|测算说明|实施意见|提前下达|下达|社会保险|扶贫|补助资金|资金|"
    r"预算|清算|决算|通知|城乡居民|基本养老保险|养老保险|基本医疗保险|医疗保险|医保|基础养老金|提高部分|代缴保费|缴费资助|"
    r"个人缴费|困难群体|农村|建档立卡|贫困人口|补充医疗保障|重度残疾人|关于|《[^》]*》|\d+年|[A-Za-z0-9]+")


def title_lines(title: str, per_line: int) -> list[str]:
    """``title`` in as few lines of at most ``per_line`` characters as it needs, broken only
    between words, and as even as possible (GB/T 9704 titles are set in balanced lines)."""
    if width(title) <= 2 * per_line:
        return [title]
    tokens, at = [], 0
    for match in UNBREAKABLE.finditer(title):
        tokens += list(title[at:match.start()]) + [match.group()]
        at = match.end()
    tokens += list(title[at:])
    lines_needed = -(-width(title) // (2 * per_line))
    best: list[str] | None = None
    for count in range(lines_needed, lines_needed + 3):
        target = width(title) / count
        lines: list[str] = []
        current = ""
        for token in tokens:
            if current and (width(current + token) > 2 * per_line or
                            (len(lines) < count - 1 and width(current + token) > target + 2 and width(current) >= target - 4)):
                lines.append(current)
                current = token
            else:
                current += token
        lines.append(current)
        if all(width(line) <= 2 * per_line for line in lines):
            best = lines
            break
    return best or [title]


# --- text width ---------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a spreadsheet: CJK characters two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill
