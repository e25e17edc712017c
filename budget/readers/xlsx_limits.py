"""Limits an .xlsx must meet before it is parsed: a workbook is a zip of XML, and a small file
can unpack to gigabytes (a "zip bomb") or declare a sheet of 16,384 × 1,048,576 cells that the
reader would fill in. The zip's declared sizes and each sheet's declared dimension are checked
first — reading the sizes costs nothing, and the zip reader never unpacks more than declared.
"""

from __future__ import annotations

import re
import zipfile

from ..core.language import said
from ..core.problems import Problem, Source

MAX_UNPACKED = 256 * 2**20  # bytes of XML in all: about a million rows of headcounts
MAX_RATIO = 200  # unpacked / packed for a part over 1 MB (honest sheets: 5–30)
MAX_PARTS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 256  # a headcount sheet has 5–15
MAX_CELLS = 10_000_000  # rows × columns a sheet declares (the reader fills the rectangle)
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def too_many_cells(path: str, sheet: str, row: int) -> Problem:
    """A row beyond what the sheet declared (found while reading it): the limits named."""
    return Problem(Source(path, cell=f"{sheet}!{row}:{row}"), said("行数或列数超过上限（{rows:,} 行、{columns} 列）",
                                                                   "more than {rows:,} rows or {columns} columns",
                                                                   rows=MAX_ROWS, columns=MAX_COLUMNS))


def xlsx_problems(path: str) -> list[Problem]:
    """What makes ``path`` too large to read, with the limit named; [] if within limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                return [Problem(Source(path), said("工作簿含 {n:,} 个部件，超过上限 {limit:,}", "the workbook has {n:,} "
                                                   "parts, more than the limit of {limit:,}", n=len(parts),
                                                   limit=MAX_PARTS))]
            total = sum(p.file_size for p in parts)
            if total > MAX_UNPACKED:
                return [Problem(Source(path), said("工作簿解压后 {size}，超过上限 {limit}：请另存为 CSV", "the workbook "
                                                   "unpacks to {size}, more than the limit of {limit}: save it as CSV",
                                                   size=_mb(total), limit=_mb(MAX_UNPACKED)))]
            for part in parts:
                ratio = part.file_size // max(part.compress_size, 1)
                if part.file_size > 2**20 and ratio > MAX_RATIO:
                    return [Problem(Source(path), said("{part} 压缩比 {ratio}:1，超过上限 {limit}:1（不是办公软件保存的"
                                                       "工作簿）", "{part} is compressed {ratio}:1, more than the limit "
                                                       "of {limit}:1 (not a workbook an office suite saved)",
                                                       part=part.filename, ratio=ratio, limit=MAX_RATIO))]
            problems = []
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    with archive.open(part) as sheet:
                        head = sheet.read(65536)  # the dimension comes before the cells
                    problems += _dimension_problems(path, part.filename, head)
            return problems
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        return [Problem(Source(path), said("不是可读取的 .xlsx 工作簿：文件已损坏，或不是 Excel 工作簿（{kind}）",
                                      "not a readable .xlsx workbook "
                                           "({kind}: {why})", kind=type(exc).__name__, why=exc))]


def _dimension_problems(path: str, part: str, head: bytes) -> list[Problem]:
    match = DIMENSION.search(head)
    if not match:
        return []
    letters = (match.group(3) or match.group(1) or b"A").decode("ascii")
    rows = int(match.group(4) or match.group(2) or 1)
    columns = _column_number(letters)
    declared = match.group(0).decode("ascii", "replace")
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        return [Problem(Source(path), said("{part} 声明了 {rows:,} 行 × {columns:,} 列，超过上限（{max_rows:,} 行、"
                                           "{max_columns} 列、共 {max_cells:,} 个单元格）", "{part} declares {rows:,} "
                                           "rows × {columns:,} columns ({declared}), more than the limits of "
                                           "{max_rows:,} rows, {max_columns} columns and {max_cells:,} cells",
                                           part=part, rows=rows, columns=columns, declared=declared,
                                           max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS))]
    return []
