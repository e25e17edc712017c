"""The CSV files: allocations.csv (and advances.csv), settlement.csv, transfers.csv, and plain
tables (indicators, the headcount files of roster and forecast); amounts in 元, two decimals.

Every CSV is written in a :class:`CsvFormat`: UTF-8 with a BOM by default (Excel on Chinese
Windows reads a CSV without one as GBK and shows 秦都区 as mojibake), GB18030 on request, and
the documented English header and ids (for programs) or Chinese headers and names (for people).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from ..core.display import PAYER_NAMES
from ..core.lines import Allocation, BudgetLine
from ..core.money import format_yuan
from ..core.results import SettlementResult

# option value → Python codec; "utf-8-sig" writes the BOM Excel needs to take the file as UTF-8
ENCODINGS = {"utf-8-bom": "utf-8-sig", "gb18030": "gb18030", "utf-8": "utf-8"}
ENCODING_NAMES = {"utf-8-bom": "UTF-8（带 BOM，Excel 可直接打开）", "gb18030": "GB18030（中文 Windows 的 Excel 默认编码）",
                  "utf-8": "UTF-8（无 BOM，供程序读取）"}
HEADERS = ("en", "zh")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV is written: its encoding (a key of :data:`ENCODINGS`) and its header language."""

    encoding: str = "utf-8-bom"
    headers: str = "en"

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"CSV 编码应为 {'、'.join(ENCODINGS)} 之一，而不是“{self.encoding}” "
                             f"(--csv-encoding must be one of: {', '.join(ENCODINGS)})")
        if self.headers not in HEADERS:
            raise ValueError(f"CSV 表头应为 en（英文，供程序读取）或 zh（中文，供人阅读），而不是“{self.headers}” "
                             f"(--csv-headers must be en or zh)")

    @property
    def zh(self) -> bool:
        return self.headers == "zh"

    def encode(self, text: str) -> bytes:
        return text.encode(ENCODINGS[self.encoding])

    def decode(self, data: bytes) -> str:
        return data.decode(ENCODINGS[self.encoding])

    def describe(self) -> str:
        """One line for SHA256SUMS and assumptions: what the folder's CSV files are."""
        heads = "中文表头和名称 (Chinese headers and names)" if self.zh else "英文表头和代码，见 README (English headers and ids)"
        return f"CSV 文件：{ENCODING_NAMES[self.encoding]}，{heads}; CSV files: {self.encoding}, headers {self.headers}"


DEFAULT_FORMAT = CsvFormat()

# A spreadsheet opens a cell starting with one of these as a formula: a region named
# =HYPERLINK("http://…"&A1,"秦都区") would run in the clerk's office suite. OWASP's rule: such a
# text cell gets a leading single quote. Only text fields pass through here: amounts are numbers
# and -100.00 must stay a number.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """``value`` as a CSV text cell no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


ALLOCATION_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount")
ALLOCATION_COLUMNS_ZH = ("年度", "区划代码", "区划名称", "补助项目", "承担级次", "人数", "金额（元）")


def _payer(payer: str, fmt: CsvFormat) -> str:
    return PAYER_NAMES.get(payer, payer) if fmt.zh else payer


def _named(item: str, names: Mapping[str, str], fmt: CsvFormat) -> str:
    """An id (subsidy, group) as the file shows it: the id, or with zh headers its Chinese name."""
    return names.get(item, item) if fmt.zh else item


def allocations_csv(rows: Iterable[Allocation], fmt: CsvFormat = DEFAULT_FORMAT,
                    names: Mapping[str, str] | None = None) -> str:
    """allocations.csv (and advances.csv); ``names``: subsidy and fund id → Chinese name, for zh headers."""
    grouped = ((r.year, r.region_code, r.region_name, r.subsidy, r.headcount, ((r.payer, r.amount),)) for r in rows)
    return "".join(_allocation_chunks(grouped, fmt, names or {}))


def allocations_bytes(lines: Iterable[BudgetLine], fmt: CsvFormat = DEFAULT_FORMAT,
                      names: Mapping[str, str] | None = None) -> bytes:
    """allocations.csv of ``lines`` (one row per line and payer), encoded as it is written —
    the same bytes as ``fmt.encode(allocations_csv(allocations(lines), …))``: a country's 34,000
    rows are never held as text too, nor as row objects."""
    raw = io.BytesIO()
    codec = ENCODINGS[fmt.encoding]
    if codec == "utf-8-sig":  # the BOM once, then plain UTF-8 chunk by chunk
        raw.write(codecs.BOM_UTF8)
        codec = "utf-8"
    rows = ((line.year, line.region.code, line.region.name, line.item.id, line.headcount, line.amounts)
            for line in lines)
    for chunk in _allocation_chunks(rows, fmt, names or {}):
        raw.write(chunk.encode(codec))
    return raw.getvalue()


CHUNK_LINES = 500  # lines encoded at a time (~1,500 rows, ~80 KB): a text stream would call the encoder once per row


def _allocation_chunks(lines: Iterable[tuple[int, str, str, str, int, Sequence[tuple[str, int]]]], fmt: CsvFormat,
                       names: Mapping[str, str]) -> Iterator[str]:
    """The rows of ``lines`` — (year, county code, its name, item id, headcount, payer → fen) —
    as CSV text, a chunk at a time. Each text cell is quoted by the csv module once per distinct
    value (:class:`_Quoted`); a row is then joined as text — the same bytes as the csv module
    writing every row, without its per-row work (a country writes ~35,000 rows)."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(ALLOCATION_COLUMNS_ZH if fmt.zh else ALLOCATION_COLUMNS)
    chunk = [header.getvalue()]
    quoted = _Quoted()
    payers: dict[str, str] = {}
    count = 0
    for year, code, name, item, headcount, amounts in lines:
        head = f"{year},{quoted(code)},{quoted(name)},{quoted(_named(item, names, fmt))},"
        for payer, amount in amounts:
            cell = payers.get(payer)
            if cell is None:
                cell = payers[payer] = quoted(_payer(payer, fmt))
            chunk.append(f"{head}{cell},{headcount},{format_yuan(amount)}\n")
        count += 1
        if count % CHUNK_LINES == 0:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


class _Quoted(dict[str, str]):
    """A text cell as the csv module writes it in a row (formulas neutralised first, then quoted
    where it holds a comma, a quote or a line break), each distinct value written once."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def __call__(self, value: str) -> str:
        found = self.get(value)
        if found is None:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._writer.writerow((text_cell(value), ""))  # (a second, empty cell: a row of one empty cell is quoted)
            found = self[value] = self._buffer.getvalue()[:-2]
        return found


SETTLEMENT_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "planned", "actual", "difference")
TRANSFER_COLUMNS = ("year", "payer", "region_code", "region_name", "amount", "direction")
TRANSFER_COLUMNS_ZH = ("年度", "承担级次", "区划代码", "区划名称", "金额（元）", "方向")


def settlement_csv(result: SettlementResult, fmt: CsvFormat = DEFAULT_FORMAT) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("年度", "区划代码", "区划名称", "补助项目", "承担级次", f"{result.planned_label}（元）", "应拨数（元）",
                     "差额（元）") if fmt.zh else SETTLEMENT_COLUMNS)
    for ln in result.lines:
        writer.writerow([ln.year, text_cell(ln.region.code), text_cell(ln.region.name),
                         text_cell(ln.subsidy.name if fmt.zh else ln.subsidy.id), text_cell(_payer(ln.payer, fmt)),
                         format_yuan(ln.planned), format_yuan(ln.actual), format_yuan(ln.difference)])
    return buffer.getvalue()


def transfers_csv(result: SettlementResult, fmt: CsvFormat = DEFAULT_FORMAT) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRANSFER_COLUMNS_ZH if fmt.zh else TRANSFER_COLUMNS)
    for t in result.transfers:
        writer.writerow([t.year, text_cell(_payer(t.payer, fmt)), text_cell(t.region.code), text_cell(t.region.name),
                         format_yuan(t.amount), text_cell(t.direction)])
    return buffer.getvalue()


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str] = ()) -> str:
    """A plain table as CSV (the indicator export; the headcount files of roster and forecast,
    whose leading ``# note`` lines say where the figures come from). Text cells are quoted
    against formulas as in every other CSV; numbers stay numbers."""
    buffer = io.StringIO()
    for note in notes:
        buffer.write(f"# {note}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([text_cell(h) for h in header])
    writer.writerows([_table_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _table_cell(value: object) -> object:
    """A cell of a plain table: text quoted against formulas, a number (also as text, -100.00) kept."""
    return _table_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=65536)  # a table repeats its texts (a country's indicators have 171,000 cells)
def _table_text(value: str) -> str:
    return value if NUMBER.fullmatch(value) else text_cell(value)


# The headcount files roster and forecast write, read back by plan: with zh headers the columns
# are the Chinese ones the headcount reader accepts (年度, 地区代码, …) and groups their names.
HEADCOUNT_COLUMNS_ZH = {"year": "年度", "region_code": "地区代码", "region_name": "地区名称", "group": "人员类别",
                        "headcount": "人数", "month": "月份"}


def headcount_table_csv(columns: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str],
                        fmt: CsvFormat = DEFAULT_FORMAT, group_names: Mapping[str, str] | None = None) -> str:
    """A headcount file (columns of :data:`HEADCOUNT_COLUMNS_ZH`) in ``fmt``'s headers."""
    if not fmt.zh:
        return rows_csv(columns, rows, notes)
    at = columns.index("group")
    names = group_names or {}
    shown = [[names.get(str(c), c) if i == at else c for i, c in enumerate(row)] for row in rows]
    return rows_csv([HEADCOUNT_COLUMNS_ZH[c] for c in columns], shown, notes)
