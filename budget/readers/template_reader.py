"""A filled headcount collection template (see core/template_layout.py) → raw rows whose
sources are cells such as ``县区填报!G7``."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..core.headcount_check import RawRow
from ..core.language import said
from ..core.problems import Problem, Source
from ..core.template_layout import SHEET
from .xlsx_limits import MAX_COLUMNS, MAX_ROWS, too_many_cells, xlsx_problems


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


TOTAL_LABELS = {"合计", "总计", "合计数", "总合计", "全市合计"}
ROW_CHECK = "合计"  # field of the problems a typed 合计 row raises: they do not stop the rows being checked


def _is_total(label: str) -> bool:
    """合计, 合 计, 合　计, 合计：, 总计 … — how a clerk labels the total row."""
    plain = "".join(unicodedata.normalize("NFKC", label).split()).rstrip(":：")
    plain = re.sub(r"[(（][^)）]*[)）]$", "", plain)  # 合计（人）
    return plain in TOTAL_LABELS


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
            return [], [too_many_cells(path, SHEET, index)]
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
    as_text: dict[int, list[tuple[str, str, int]]] = {c: [] for c in columns}  # numbers stored as text
    labels = [_text(v).strip() for v in grid[id_row - 1]] if id_row > 0 else []
    for r in range(id_row + 1, len(grid)):
        record = grid[r]
        code = _text(record[0] if record else None).strip()
        name = _text(record[1] if len(record) > 1 else None).strip()
        figures = {c: _text(record[c] if c < len(record) else None).strip() for c in columns}
        if _is_total(code) or _is_total(name):  # a total a clerk typed under the table: checked, not read as a county
            for c in columns:
                typed = _whole(figures[c])
                if figures[c] and typed != sums[c]:
                    label = labels[c].split("\n")[0] if c < len(labels) and labels[c] else ids[c]
                    problems.append(_total_problem(path, address(r, c), label, figures[c], typed, sums[c], as_text[c]))
            continue
        if not code:
            if any(figures.values()):
                problems.append(Problem(Source(path, cell=address(r, 0), field=ROW_CHECK),
                                        said("这一行有人数但没有地区代码（合计行请在地区代码或名称处写“合计”）",
                                             "numbers in a row with no region code (label a total row 合计)")))
            continue
        if not any(figures.values()):
            continue  # a county row left entirely blank: that county is not planned (said in a warning)
        plain = unicodedata.normalize("NFKC", code)
        if not (plain.isascii() and plain.isdigit()):  # 小计, 合计（人）, a note: one message, not one per column
            problems.append(Problem(Source(path, cell=address(r, 0), field=ROW_CHECK),
                                    said("'{code}' 不是地区代码，这一行未读取（合计行请写“合计”，小计行请删去）",
                                         "'{code}' is not a region code; this row was not read (label a total row "
                                         "合计, delete subtotal rows)", code=code)))
            continue
        for c in columns:
            sums[c] += _whole(figures[c]) or 0
            raw = record[c] if c < len(record) else None
            if isinstance(raw, str) and _whole(raw) is not None:
                as_text[c].append((address(r, c), raw.strip(), _whole(raw) or 0))
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


def _total_problem(path: str, where: str, label: str, shown: str, typed: int | None, total: int,
                   as_text: list[tuple[str, str, int]]) -> Problem:
    """A typed 合计 that is not the counties' sum; when it is the sum without the numbers stored as
    text (a spreadsheet's SUM skips text, this program reads them as numbers), the cells are named."""
    hint_zh = hint_en = ""
    skipped = sum(n for _, _, n in as_text)
    if as_text and typed == total - skipped:
        cells = "、".join(f"{a} '{t}'" for a, t, _ in as_text[:5]) + ("等" if len(as_text) > 5 else "")
        hint_zh = f"；差额来自以文本保存的数字 {cells}：电子表格求和不计入文本，本程序按数字读取，请把这些单元格改为数字"
        hint_en = (f"; the difference is the numbers stored as text ({cells}): a spreadsheet's SUM skips text, this "
                   "program reads them as numbers — make those cells numbers")
    typed_shown = f"{typed:,}" if typed is not None else shown
    return Problem(Source(path, cell=where, field=ROW_CHECK),
                   said("“{label}”列填写的合计 {typed} 不等于各县之和 {total:,}{hint}",
                        "the total {typed} typed in column “{label}” is not the sum of the counties above ({total:,})"
                        "{hint_en}", label=label, typed=typed_shown, total=total, hint=hint_zh, hint_en=hint_en))


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
