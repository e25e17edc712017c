"""A filled headcount collection template (see core/template_layout.py) → raw rows whose
sources are cells such as ``县区填报!G7``."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..core.headcount_check import RawRow
from ..core.language import said
from ..core.problems import Problem, Source
from ..core.template_layout import SHEET
from .xlsx_limits import MAX_COLUMNS, MAX_ROWS, xlsx_problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _whole(text: str) -> int | None:
    """A typed whole number (full-width digits and thousands separators allowed), else None."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if plain.endswith(".0"):
        plain = plain[:-2]
    return int(plain) if plain.isascii() and plain.isdigit() else None


def read_template(path: str, sheet: Any) -> tuple[list[RawRow], list[Problem]]:
    """Rows of a filled template (openpyxl read-only worksheet ``sheet``)."""
    from openpyxl.utils import get_column_letter

    def address(row: int, col: int) -> str:
        return f"{SHEET}!{get_column_letter(col + 1)}{row + 1}"

    def cell(row: int, col: int) -> Source:
        return Source(path, cell=address(row, col))

    grid = []
    for index, r in enumerate(sheet.iter_rows(values_only=True), start=1):
        if index > MAX_ROWS or len(r) > MAX_COLUMNS:  # beyond what the sheet declared
            return [], [Problem(Source(path, cell=f"{SHEET}!{index}:{index}"),
                                said("行数或列数超过上限（{rows:,} 行、{columns} 列）", "more than {rows:,} rows or "
                                     "{columns} columns", rows=MAX_ROWS, columns=MAX_COLUMNS))]
        grid.append(list(r))
    problems: list[Problem] = []
    id_row = next((i for i, r in enumerate(grid) if r and _text(r[0]).strip() == "region_code"), None)
    if id_row is None or len(grid) < 2:
        return [], [Problem(Source(path), said("工作表 {sheet} 中找不到字段代码行（region_code, …）：模板的第 4 行是否被改动？",
                                               "sheet {sheet} has no row of field codes (region_code, …): was the "
                                               "template's row 4 changed?", sheet=SHEET))]
    year = _text(grid[1][1] if len(grid[1]) > 1 else None)
    ids = [_text(v).strip() for v in grid[id_row]]
    rows: list[RawRow] = []
    columns = [c for c, gid in enumerate(ids) if c >= 2 and gid not in ("", "check")]
    sums = dict.fromkeys(columns, 0)
    for r in range(id_row + 1, len(grid)):
        record = grid[r]
        code = _text(record[0] if record else None).strip()
        name = _text(record[1] if len(record) > 1 else None).strip()
        figures = {c: _text(record[c] if c < len(record) else None).strip() for c in columns}
        if "合计" in (code, name):  # a total a clerk typed under the table: checked, not read as a county
            for c in columns:
                typed = _whole(figures[c])
                if figures[c] and typed != sums[c]:
                    problems.append(Problem(cell(r, c), said("合计 {typed} 不等于各县之和 {sum:,}", "the total {typed} "
                                                             "typed here is not the sum of the counties above ({sum:,})",
                                                             typed=figures[c], sum=sums[c])))
            continue
        if not code:
            if any(figures.values()):
                problems.append(Problem(cell(r, 0), said("这一行有人数但没有地区代码", "numbers in a row with no region code")))
            continue
        if not any(figures.values()):
            continue  # a county row left entirely blank: that county is not planned (said in a warning)
        for c in columns:
            sums[c] += _whole(figures[c]) or 0
        for col, gid in enumerate(ids):
            if col < 2 or gid in ("", "check"):
                continue
            value = record[col] if col < len(record) else None
            rows.append(RawRow(
                values={"year": year, "region_code": code, "region_name": name, "group": gid,
                        "headcount": _text(value)},
                row=cell(r, col),
                cells={"year": address(1, 1), "region_code": address(r, 0), "region_name": address(r, 1),
                       "group": address(id_row, col), "headcount": address(r, col)}))
    return rows, problems


UNREADABLE = said("不是本程序能读取的工作簿", "it is not a workbook budget can read")


def filled_cell(path: str) -> str | None:
    """Why ``path`` is not an untouched collection template — the first filled cell (``县区填报!C5``)
    or what it is instead — or None if it is one (then writing a new template over it loses nothing)."""
    from openpyxl import load_workbook

    if xlsx_problems(path):
        return str(UNREADABLE)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        return str(UNREADABLE)
    try:
        if SHEET not in book.sheetnames:
            return str(said("没有工作表 {sheet}，不是填报模板", "it has no sheet {sheet}: it is not a collection template",
                            sheet=SHEET))
        rows, problems = read_template(path, book[SHEET])
    finally:
        book.close()
    if problems:
        return str(problems[0])
    filled = next((r for r in rows if r.values["headcount"].strip()), None)
    where = filled.cells["headcount"] if filled and filled.cells else SHEET
    return str(said("{where} 已填有人数", "{where} holds a figure", where=where)) if filled else None
