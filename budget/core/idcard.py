"""Resident identity numbers (公民身份号码, GB 11643-1999): normalise, 15 → 18 digits, check digit,
birth date; masking for outputs. Pure: the roster's SQL does the same per row (budget/roster.py),
and a test holds the two to the same answers.

The region part (first six digits) is NOT checked against today's GB/T 2260 codes: older people
carry codes of counties that were merged or renamed long ago, and their numbers stay valid.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # check character for (Σ digit × weight) mod 11
EARLIEST_BIRTH = dt.date(1880, 1, 1)

# what a clerk's spreadsheet adds around a number: spaces of any width, an apostrophe (Excel's
# "keep as text" mark), full-width digits and X, a lower-case x
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘxＸ", "0123456789XXXX")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# 6.10402E+17, 6.104021950E17: a number the spreadsheet showed in scientific notation
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d{1,2}$")

# what the problems say (Chinese first; the code is what the SQL returns, too)
REASONS = {
    "empty": "身份证号为空 (ID number is empty)",
    "number": "身份证号以数字存储，第15位以后的数字已丢失，请将该列设为文本后重新导出 "
              "(ID stored as a number: digits after the 15th are lost)",
    "format": "身份证号不是15位或18位 (not a 15- or 18-digit ID number)",
    "birth": "身份证号中的出生日期无效 (birth date in the ID is not a valid date)",
    "check": "身份证号校验码错误 (check digit does not match, GB 11643-1999)",
}


def normalise(text: str) -> str:
    """Spaces removed, full-width digits and X made plain, x upper-cased, a leading ' dropped."""
    return _SPACES.sub("", text.translate(_FULLWIDTH)).lstrip("'")


def check_digit(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def _birth_ok(yyyymmdd: str, latest_year: int) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return EARLIEST_BIRTH <= born <= dt.date(latest_year, 12, 31)


@dataclass(frozen=True)
class IdResult:
    id18: str | None  # the 18-character number, when valid
    reason: str | None  # a key of REASONS, when not
    was15: bool = False


def parse(text: str, latest_year: int = 9999) -> IdResult:
    """Check one ID as written in a list. ``latest_year``: nobody on a list for that year was
    born after it."""
    value = normalise(text)
    if not value:
        return IdResult(None, "empty")
    if _SCIENTIFIC.match(value):
        return IdResult(None, "number")
    if len(value) == 15 and value.isascii() and value.isdigit():
        if not _birth_ok("19" + value[6:12], latest_year):
            return IdResult(None, "birth")
        first17 = value[:6] + "19" + value[6:]
        return IdResult(first17 + check_digit(first17), None, was15=True)
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit() or value[17] not in "0123456789X":
        return IdResult(None, "format")
    if not _birth_ok(value[6:14], latest_year):
        return IdResult(None, "birth")
    if check_digit(value[:17]) != value[17]:
        return IdResult(None, "check")
    return IdResult(value, None)


STARS = "*" * 10


def mask_id(text: str) -> str:
    """610402**********1234: the region and the last four kept, birth date and sequence hidden.
    Anything shorter than 15 characters is hidden whole."""
    value = normalise(text)
    if _SCIENTIFIC.match(value):  # the spreadsheet's own rounding of a number
        digits = value.split("E")[0].replace(".", "")
        return (digits[:6] + STARS) if len(digits) >= 6 else STARS
    if len(value) < 15:
        return STARS
    return value[:6] + STARS + value[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character kept."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


# runs of 15–18 digits (an X may end one), for scrubbing text that might quote a number
_ID_RUN = re.compile(r"(?<![0-9０-９])[0-9０-９]{15,17}[0-9０-９XxＸｘ](?![0-9０-９])|(?<![0-9])[0-9]{15}(?![0-9])")


def scrub(text: str) -> str:
    """``text`` with anything that looks like an ID number masked (e.g. an engine's message that
    quotes a line of a list)."""
    return _ID_RUN.sub(lambda m: mask_id(m.group(0)), text)
