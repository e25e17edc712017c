"""Person lists (CSV in UTF-8, UTF-8 with BOM or GB18030; XLSX) made ready for the engine.

A plain UTF-8 CSV whose lines are its rows (no quotes, no blank or comment lines between rows) is
read by DuckDB itself, its lines numbered by position. Anything else — GB18030, quoted fields
that may hold line breaks, workbooks — is read here in Python and written as a UTF-8 CSV with a
``__line`` column into the run's private folder (it holds ID numbers: the caller removes the
folder). An ID cell stored as a *number* in a workbook is marked so that the engine reports the
cell (its digits past the 15th are lost).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

from ..core.language import said
from ..core.problems import Problem, Source
from ..core.roster_rules import FIELD_NAMES, ListSpec

CHUNK = 8 << 20


@dataclass
class PreparedList:
    spec: ListSpec
    sha256: str
    size: int
    kind: str  # "csv" or "xlsx"
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    path: str  # what DuckDB reads
    columns: dict[str, int]  # needed header → its index in ``path``'s rows
    direct: bool  # DuckDB reads the original file; lines = header_line + row number
    header_line: int  # line (or sheet row) of the header
    skip: int = 0  # lines before the header (direct reading)
    width: int = 0  # fields in the header
    sheet: str = ""
    letters: dict[str, str] = field(default_factory=dict)  # header → column letter (workbooks)
    notes: list[str] = field(default_factory=list)  # leading "#" comments of a CSV
    row_problems: list[Problem] = field(default_factory=list)  # rows refused while reading (bad width)
    rows: int = -1  # data lines of a directly read file: DuckDB must read exactly as many rows

    def place(self, line: int, header: str | None = None) -> Source:
        if self.kind == "xlsx":
            return Source(self.spec.path, cell=f"{self.sheet}!{self.letters.get(header or '', '')}{line}"
                          if header else f"{self.sheet}!{line}:{line}")
        return Source(self.spec.path, line)


def _hash_and_shape(path: str) -> tuple[str, int, bool, int, bytes, int]:
    """SHA-256, size, whether the file is 'simple' (no quote, no blank line), where its last
    line starting with "#" begins (-1: none), its first chunk and its number of lines."""
    digest = hashlib.sha256()
    size = 0
    simple = True
    tail = b""
    first = b""
    last_comment = -1
    newlines = 0
    last = b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            if not first:
                first = chunk
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            window = tail + chunk
            if simple and (b'"' in chunk or b"\n\n" in window or b"\n\r\n" in window or b"\r\r" in window):
                simple = False
            hit = window.rfind(b"\n#")
            if hit >= 0:
                last_comment = size - len(tail) + hit + 1
            size += len(chunk)
            tail = chunk[-2:]
    return digest.hexdigest(), size, simple, last_comment, first, newlines + (1 if last not in (b"", b"\n") else 0)


def _leading(first: bytes) -> int:
    """Bytes taken by the blank and "#" lines before the header."""
    offset = 3 if first.startswith(b"\xef\xbb\xbf") else 0
    while offset < len(first):
        end = first.find(b"\n", offset)
        end = len(first) if end < 0 else end + 1
        line = first[offset:end].strip()
        if line and not line.startswith(b"#"):
            break
        offset = end
    return offset


def _needed(spec: ListSpec, extra: list[str]) -> list[str]:
    return list(dict.fromkeys(list(spec.columns.values()) + extra))


def _check_header(spec: ListSpec, header: list[str], needed: list[str], where) -> tuple[dict[str, int], list[Problem]]:
    problems = []
    index: dict[str, int] = {}
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    for name in needed:
        hits = [i for i, h in enumerate(cleaned) if h == name]
        field = next((f for f, h in spec.columns.items() if h == name), None)
        what = (said("{field_name}（配置 lists.{id}.columns.{field}）", "for {field} (lists.{id}.columns.{field})",
                     field_name=FIELD_NAMES[field], id=spec.id, field=field) if field
                else said("（lists.{id} 的 where 条件）", "(a where condition of lists.{id})", id=spec.id))
        if not hits:
            problems.append(Problem(where(None), said("缺少列 '{name}' {what}（文件中的列：{columns}）",
                                                      "missing column '{name}' {what} (columns in the file: {columns})",
                                                      name=name, what=what, columns=", ".join(h for h in cleaned if h))))
        elif len(hits) > 1:
            problems.append(Problem(where(hits[1]), said("列 '{name}' 出现了 {count} 次", "column '{name}' is given {count} "
                                                         "times", name=name, count=len(hits))))
        else:
            index[name] = hits[0]
    return index, problems


def prepare(spec: ListSpec, extra: list[str], workdir: str, number: int) -> tuple[PreparedList | None, list[Problem]]:
    """Check the file and its header; return how the engine reads it, or the problems."""
    path = spec.path
    if not os.path.exists(path):
        return None, [Problem(spec.source, said("名单文件不存在：{path}", "list file does not exist: {path}", path=path))]
    try:
        sha, size, simple, last_comment, first, line_count = _hash_and_shape(path)
    except OSError as exc:
        return None, [Problem(Source(path), said("无法读取名单文件：{why}", "cannot read the list: {why}",
                                                 why=exc.strerror))]
    if first[:4] == b"PK\x03\x04" or path.lower().endswith(".xlsx"):
        return _prepare_xlsx(spec, extra, workdir, number, sha, size)
    if path.lower().endswith(".xls"):
        return None, [Problem(Source(path), said("不读取旧版 .xls 工作簿，请另存为 .xlsx 或 CSV",
                                                 "an old .xls workbook is not read: save it as .xlsx or CSV"))]
    if first.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
        try:
            with open(path, encoding="utf-8") as handle:
                while handle.read(CHUNK):
                    pass
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        head = first.decode(encoding, errors="strict") if encoding != "gb18030" else first.decode("gb18030", "replace")
    except UnicodeDecodeError:  # a chunk cut inside a character
        head = first.decode(encoding, errors="ignore")
    if "\x00" in head:
        return None, [Problem(Source(path), said("文件含有 NUL 字节，不是 CSV 文本", "the file has NUL bytes: not a CSV "
                                                 "text file"))]
    lines = head.lstrip("\ufeff").splitlines()
    notes: list[str] = []
    header_at = 0
    while header_at < len(lines) and (not lines[header_at].strip() or lines[header_at].startswith("#")):
        if lines[header_at].startswith("#"):
            notes.append(lines[header_at].lstrip("#").strip())
        header_at += 1
    if header_at >= len(lines):
        return None, [Problem(Source(path), said("文件为空，需要表头行和数据行", "the file is empty: it needs a header row "
                                                 "and data rows"))]
    header = next(csv.reader([lines[header_at]]))
    needed = _needed(spec, extra)
    index, problems = _check_header(spec, header, needed, lambda i: Source(path, header_at + 1))
    if problems:
        return None, problems
    # DuckDB numbers rows, not lines: only when every line after the header is a row (no "#" line
    # after the header, no blank line, no quoted field that could hold a line break)
    direct = simple and encoding != "gb18030" and last_comment < _leading(first)
    prepared = PreparedList(spec, sha, size, "csv", encoding, path, index, direct, header_at + 1, header_at,
                            len(header), notes=notes, rows=line_count - header_at - 1)
    if direct:
        return prepared, []
    return transcode_csv(prepared, workdir, number)


def transcode_csv(prepared: PreparedList, workdir: str, number: int) -> tuple[PreparedList | None, list[Problem]]:
    """Rewrite the needed columns as UTF-8 with their line numbers (GB18030, quoted fields, …)."""
    source = prepared.spec.path
    target = os.path.join(workdir, f"list{number}.csv")
    needed = list(prepared.columns)
    positions = [prepared.columns[h] for h in needed]
    width = prepared.width
    problems: list[Problem] = []
    encoding = "utf-8-sig" if prepared.encoding == "utf-8-sig" else prepared.encoding
    try:
        with open(source, encoding=encoding, newline="") as raw, open(target, "w", encoding="utf-8", newline="") as out:
            reader = csv.reader(raw)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["__line", "__num"] + [f"c{i}" for i in range(len(needed))])
            start = reader.line_num
            for record in reader:
                line = start + 1
                start = reader.line_num
                if line <= prepared.header_line or not any(c.strip() for c in record) or record[0].startswith("#"):
                    continue
                if len(record) > width:
                    problems.append(Problem(Source(source, line), f"该行有 {len(record)} 个字段，表头只有 {width} 个，"
                                            "整行未读入 (more fields than the header: row left out)", "row"))
                    continue
                writer.writerow([line, ""] + [record[p] if p < len(record) else "" for p in positions])
    except csv.Error as exc:
        return None, [Problem(Source(source, start + 1), said("不是有效的 CSV：{exc}", "not valid CSV: {exc}",
                                                              exc=str(exc)))]
    except UnicodeDecodeError:
        return None, [Problem(Source(source), said("文件既不是 UTF-8 也不是 GB18030 文本",
                                                   "the file is neither UTF-8 nor GB18030 text"))]
    prepared.path = target
    prepared.columns = {h: i + 2 for i, h in enumerate(needed)}
    prepared.row_problems = problems
    return prepared, []


def _cell_text(value: object, as_date: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _prepare_xlsx(spec: ListSpec, extra: list[str], workdir: str, number: int, sha: str,
                  size: int) -> tuple[PreparedList | None, list[Problem]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = spec.path
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return None, [Problem(Source(path), said("不是可读取的 .xlsx 工作簿（{kind}）", "not a readable workbook: {kind}",
                                                 kind=type(exc).__name__))]
    try:
        if spec.sheet is not None and spec.sheet not in book.sheetnames:
            return None, [Problem(spec.source, said("工作簿中没有工作表 '{sheet}'（各工作表：{sheets}）",
                                                    "no sheet '{sheet}' in the workbook (sheets: {sheets})",
                                                    sheet=spec.sheet, sheets=", ".join(book.sheetnames)))]
        sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
        name = sheet.title
        rows = sheet.iter_rows(values_only=True)
        header_row = 0
        header: list[str] = []
        for number_row, values in enumerate(rows, start=1):
            if any(v is not None and str(v).strip() for v in values):
                header = [_cell_text(v) for v in values]
                header_row = number_row
                break
        if not header:
            return None, [Problem(Source(path, cell=f"{name}!1:1"), said("工作表为空，需要表头行",
                                                                         "the sheet is empty: it needs a header row"))]
        needed = _needed(spec, extra)
        def where(i: int | None) -> Source:
            return Source(path, cell=f"{name}!{get_column_letter(i + 1)}{header_row}" if i is not None
                          else f"{name}!{header_row}:{header_row}")

        index, problems = _check_header(spec, header, needed, where)
        if problems:
            return None, problems
        id_at = index[spec.columns["id"]]
        date_at = {index[spec.columns[f]] for f in ("from", "to") if f in spec.columns}
        positions = [index[h] for h in needed]
        target = os.path.join(workdir, f"list{number}.csv")
        with open(target, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["__line", "__num"] + [f"c{i}" for i in range(len(needed))])
            for line, values in enumerate(rows, start=header_row + 1):
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                cell = values[id_at] if id_at < len(values) else None
                # a 15-digit number is exact in a spreadsheet; longer ones have lost their last digits
                lost = isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 10**15
                texts = [_cell_text(values[p] if p < len(values) else None, p in date_at) for p in positions]
                if lost:
                    texts[needed.index(spec.columns["id"])] = _number_text(cell)
                writer.writerow([line, "1" if lost else ""] + texts)
    finally:
        book.close()
    letters = {h: get_column_letter(i + 1) for h, i in index.items()}
    return PreparedList(spec, sha, size, "xlsx", "xlsx", target, {h: i + 2 for i, h in enumerate(needed)}, False,
                        header_row, width=len(header), sheet=name, letters=letters), []


def _number_text(value: object) -> str:
    """What is left of an ID stored as a number: its first digits (the rest are lost anyway)."""
    text = f"{int(value):d}" if isinstance(value, (int, float)) else str(value)  # type: ignore[call-overload]
    return text
