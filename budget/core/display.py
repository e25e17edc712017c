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


def unit(name: str, decimals: int = 2) -> Unit:
    return Unit(name, UNIT_FEN[name], decimals)


# --- dates --------------------------------------------------------------------------------

DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """``2018-01-08`` → a date; ValueError saying what is wrong ("must be written 2018-01-08",
    "is not a day of the calendar") for the caller to put after the date's name."""
    match = DATE.match(text.strip())
    if not match:
        raise ValueError("must be written 2018-01-08")
    year, month, day = (int(x) for x in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError("is not a day of the calendar") from None


def chinese_date(iso: str) -> str:
    """``2018-01-08`` → ``2018年1月8日`` (GB/T 9704: no zero padding)."""
    try:
        day = parse_date(iso)
    except ValueError as exc:
        raise ValueError(f"date '{iso}' {exc}") from None
    return f"{day.year}年{day.month}月{day.day}日"


# --- text width ---------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a spreadsheet: CJK characters two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill
