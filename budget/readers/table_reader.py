"""Table files (CSV in UTF-8 or GB18030, or XLSX) → raw rows with line/cell sources:
headcounts, and the factor data of funds distributed by factors.

Everything is read as text: a region code stays ``"610402"`` and a number is converted
exactly, never through a float.
"""

from __future__ import annotations

import codecs
import csv
import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..core.headcount_check import FIELDS, RawRow, Records
from ..core.language import Said, said
from ..core.problems import Problem, Source
from .xlsx_limits import MAX_COLUMNS, MAX_ROWS, too_many_cells, xlsx_problems


@dataclass(frozen=True)
class TableSchema:
    what: Said  # 人数 / headcount, 因素数据 / factor data
    fields: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, str]

    def allowed(self) -> Said:
        chinese = [k for k in self.aliases if not k.isascii()]
        return said("{fields}，或 {chinese}", "{fields}, or {chinese}", fields=", ".join(self.fields + self.optional),
                    chinese=", ".join(chinese))


OPTIONAL = ("region_name", "month")
ALIASES = {
    "year": "year", "年度": "year", "年份": "year",
    "region_code": "region_code", "地区代码": "region_code", "行政区划代码": "region_code", "区划代码": "region_code",
    "region_name": "region_name", "地区": "region_name", "地区名称": "region_name",
    "group": "group", "人员类别": "group", "类别": "group",
    "headcount": "headcount", "人数": "headcount",
    "month": "month", "月份": "month",
}
HEADCOUNTS = TableSchema(said("人数", "headcount"), FIELDS, OPTIONAL, ALIASES)
FACTORS = TableSchema(said("因素数据", "factor data"), ("year", "region_code", "factor", "value"), ("region_name",), {
    "year": "year", "年度": "year", "region_code": "region_code", "地区代码": "region_code",
    "region_name": "region_name", "地区": "region_name", "地区名称": "region_name",
    "factor": "factor", "因素": "factor", "value": "value", "数值": "value",
})


def _columns(header: list[str], where, schema: TableSchema) -> tuple[dict[int, str], list[Problem]]:
    problems: list[Problem] = []
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        key = schema.aliases.get(name.strip().lstrip("\ufeff"))
        if key is None:
            if name.strip():
                problems.append(Problem(where(index), said("未知的列名 '{name}'（可用：{allowed}）",
                                                           "unknown column '{name}' (allowed: {allowed})",
                                                           name=name, allowed=schema.allowed())))
            continue
        if key in columns.values():
            problems.append(Problem(where(index), said("列 '{name}' 重复", "column '{name}' given twice", name=name)))
            continue
        columns[index] = key
    for field in schema.fields:
        if field not in columns.values():
            problems.append(Problem(where(None), said("缺少列 '{field}'（需要的列：{needed}）",
                                                      "missing column '{field}' (columns needed: {needed})",
                                                      field=field, needed=", ".join(schema.fields))))
    return columns, problems


def _encoding(path: str) -> str | None:
    """UTF-8 (with or without BOM), else GB18030 as Excel saves CSV on Chinese Windows; None if
    neither, or if the file holds NUL bytes. Read in blocks: a file may be 100 MB."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    if b"\x00" in block:
                        return None
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def read_csv(path: str, schema: TableSchema = HEADCOUNTS) -> tuple[Iterable[RawRow], list[Problem]]:
    """The header is read at once; the rows are read as they are used (memory does not grow with
    the file), and problems found in them are added to the list meanwhile: use the rows first."""
    try:
        encoding = _encoding(path)
    except OSError as exc:
        return [], [Problem(Source(path), said("无法读取{what}文件：{why}", "cannot read the {what} file: {why}",
                                               what=schema.what, why=exc.strerror))]
    if encoding is None:
        return [], [Problem(Source(path), said("文件既不是 UTF-8 也不是 GB18030 文本（或含 NUL 字节）：请另存为 CSV（UTF-8）",
                                               "the file is neither UTF-8 nor GB18030 text (or holds NUL bytes): "
                                               "save it as CSV (UTF-8)"))]
    handle = open(path, encoding=encoding, newline="")
    reader = csv.reader(handle)
    problems: list[Problem] = []

    def records() -> Iterator[tuple[int, list[str]]]:
        # blank lines and "#" comment lines (the example files say they are synthetic) are skipped
        with handle:
            try:
                for row in reader:
                    # (a row whose first cell has text is not blank: the usual row is seen at once)
                    if (row and row[0].strip() or any(c.strip() for c in row)) and not row[0].startswith("#"):
                        yield reader.line_num, row
            except csv.Error as exc:
                problems.append(Problem(Source(path, reader.line_num), said("不是有效的 CSV：{why}", "not valid CSV: {why}",
                                                                            why=exc)))

    stream = records()
    first = next(stream, None)
    if first is None:
        handle.close()
        return [], problems or [Problem(Source(path), said("文件是空的：需要表头行（{fields}）和数据行",
                                                           "the file is empty: it needs a header row ({fields}) and "
                                                           "data rows", fields=",".join(schema.fields)))]
    header_line, header = first
    columns, header_problems = _columns(header, lambda i: Source(path, header_line), schema)
    if header_problems:
        handle.close()
        return [], header_problems

    def row(line: int, record: list[str]) -> RawRow | None:
        if len(record) > len(header):
            problems.append(Problem(Source(path, line), said("有 {n} 个字段，但表头只有 {m} 列",
                                                             "{n} fields, but the header has {m}",
                                                             n=len(record), m=len(header))))
            return None
        return RawRow({field: (record[i] if i < len(record) else "") for i, field in columns.items()},
                      Source(path, line))
    # by column: the headcount check takes a plain row without making a RawRow of it
    return Records(path, {field: i for i, field in columns.items()}, len(header), stream, row), problems


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def read_xlsx(path: str, schema: TableSchema = HEADCOUNTS) -> tuple[list[RawRow], list[Problem]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    too_large = xlsx_problems(path)
    if too_large:
        return [], too_large
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return [], [_unreadable(path, exc)]
    try:
        from ..core.template_layout import SHEET
        from .template_reader import read_template
        if schema is HEADCOUNTS and SHEET in book.sheetnames:  # a filled collection template (wide)
            return read_template(path, book[SHEET])
        if schema is HEADCOUNTS and "填报说明" in book.sheetnames:  # our template, its sheet renamed
            return [], [Problem(Source(path), said("找不到工作表‘{sheet}’：这是填报模板，但填报表被改了名（现有工作表："
                                                   "{names}），请改回‘{sheet}’", "the template's sheet {sheet} was "
                                                   "renamed (sheets: {names}): name it {sheet} again", sheet=SHEET,
                                                   names="、".join(book.sheetnames)))]
        sheet = book.worksheets[0]
        name = sheet.title
        records = []
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if index > MAX_ROWS or len(row) > MAX_COLUMNS:  # beyond what the sheet declared
                return [], [too_many_cells(path, name, index)]
            records.append((index, [_cell_text(c) for c in row]))
    except Exception as exc:  # read-only sheets are parsed while iterated: damaged XML shows only here
        return [], [_unreadable(path, exc)]
    finally:
        book.close()
    records = [(n, r) for n, r in records if any(c.strip() for c in r)]

    def cell(line: int, column: int | None) -> str:
        return f"{name}!{get_column_letter(column + 1)}{line}" if column is not None else f"{name}!{line}:{line}"

    if not records:
        return [], [Problem(Source(path), said("工作表 {name} 是空的：需要表头行（{fields}）",
                                               "sheet {name} is empty: it needs a header row ({fields})",
                                               name=name, fields=",".join(schema.fields)))]
    header_line, header = records[0]
    columns, problems = _columns(header, lambda i: Source(path, cell=cell(header_line, i)), schema)
    if problems:
        return [], problems
    rows = []
    for line, record in records[1:]:
        values = {field: (record[i] if i < len(record) else "") for i, field in columns.items()}
        cells = {field: cell(line, i) for i, field in columns.items()}
        rows.append(RawRow(values, Source(path, cell=cell(line, None)), cells))
    return rows, problems


def _unreadable(path: str, exc: Exception) -> Problem:
    return Problem(Source(path), said("不是可读取的 .xlsx 工作簿：文件已损坏，或不是 Excel 工作簿（{kind}）",
                                      "not a readable .xlsx workbook ({kind}: "
                                      "{why})", kind=type(exc).__name__, why=str(exc)[:200]))


def read_table(path: str, schema: TableSchema = HEADCOUNTS) -> tuple[Iterable[RawRow], list[Problem]]:
    """Rows (read lazily from a CSV: use them before looking at the problems) and problems."""
    if not os.path.exists(path):
        return [], [Problem(Source(path), said("{what}文件不存在", "the {what} file does not exist", what=schema.what))]
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if path.lower().endswith(".xlsx") or magic == b"PK\x03\x04":
        return read_xlsx(path, schema)
    if path.lower().endswith(".xls"):
        return [], [Problem(Source(path), said("不读取旧版 .xls 工作簿：请另存为 .xlsx 或 CSV",
                                               "old .xls workbooks are not read: save it as .xlsx or CSV"))]
    return read_csv(path, schema)


def read_headcounts(path: str) -> tuple[Iterable[RawRow], list[Problem]]:
    return read_table(path, HEADCOUNTS)
