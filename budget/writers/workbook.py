"""The budget workbook (xlsxwriter): 汇总, one sheet per subsidy, payer views, 参数与依据, 说明.

Every 合计 cell is a formula over the cells it sums, and each county's amounts are formulas of
its counts (writers/live_amounts.py: the engine's rounding and largest remainder), all written
with their computed values cached, so the file shows correct values in any spreadsheet program,
a reader can audit it, and an edited headcount moves the budget as the engine would.
Amounts are the engine's allocated fen values (in 元 they equal allocations.csv to the fen).
Text is always written as text, so a name such as ``=1+1`` never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import MAX_PREC, Context, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell, xl_rowcol_to_cell_fast

from .. import __version__
from ..core.display import (
    PAYER_NAMES,
    RATE_UNITS,
    UNITS,
    Unit,
    allocation_name,
    format_share,
    party_name,
    rounding_rule,
    split_text,
    width,
)
from ..core.engine import Line
from ..core.money import format_plain
from ..core.policy import PAYERS, SCENARIO_MARK, Policy, Subsidy
from ..core.results import PlanResult, sample_notes
from ..core.settlement import advance
from . import sheet_xml
from .live_amounts import base_formula, live_line, payer_formula, remainder_formula, total_formula, units_of
from .print_layout import header_width, label_height, text_units
from .sheet_xml import COLUMNS, OwnCells
from .xlsx_zip import xlsxwriter


def _num(value: Fraction) -> float:
    # The one place an amount becomes a float: the cell's IEEE double, correctly rounded from
    # the exact value, so it reads back as the same decimal.
    return value.numerator / value.denominator


def _fen_width(fen: int, unit_fen: int) -> int:
    """How wide an amount in fen is shown in a unit of ``unit_fen`` fen."""
    digits = len(str(abs(fen) // unit_fen))
    return digits + (digits - 1) // 3 + 3


def _shown_width(value: Fraction | int) -> int:
    """How wide the shown number is (digits, separators, decimals), for column widths."""
    digits = len(str(abs(int(value))))
    return digits + (digits - 1) // 3 + 3

NOTE_WIDTH = 24  # a subsidy sheet's 备注: longer notes wrap
ABOUT_WIDTH = 100  # characters of the 说明 sheet's text column
LINE_POINTS = 13.5  # a line of 10-point 宋体
# A4 landscape less the margins (297 mm − 2 × 0.4 in = 784 points) holds 112 column-width units at
# 100 % as LibreOffice prints them (measured: a unit prints 7.0 points wide, a column 3.7 more); a sheet is printed over as
# many pages wide as keep its text at least 70 % of its size (10-point cells print at 7 points or more,
# tests/test_print.py reads it from the PDF).
PAGE_WIDTH = 111  # a point short of the measured 112, for the glyphs' rounding
COLUMN_GAP = 0.53  # and each column prints 3.7 points (half a unit) wider than its width
PRINT_SCALE = 0.7


_COLUMNS = COLUMNS


class Sheet:
    """A worksheet with formats, column widths that fit Chinese text, and print set-up."""

    def __init__(self, book: "Book", name: str, title: str):
        self.book = book
        self.ws = book.wb.add_worksheet(name, worksheet_class=OwnCells)
        self.name = name
        self.widths: dict[int, int] = defaultdict(lambda: 6)
        self.labels: tuple[int, list[str], int] | None = None
        self.notes: list[tuple[int, str, int | None]] = []  # under the table: row, text, last column
        self.unit_shown = False
        self.title = f"{title}（{book.mark}）" if book.mark else title
        self.ws.write_string(0, 0, self.title, book.f["title"])
        self.ws.set_row(0, 24)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
        self.ws.center_horizontally()
        self.ws.set_footer("&C第 &P 页，共 &N 页")

    def fit(self, col: int, text: str | int) -> None:
        """Widen the column for ``text`` (or a number ``text`` characters wide)."""
        size = text if isinstance(text, int) else math.ceil(text_units(text))
        if size + 2 > self.widths[col]:
            self.widths[col] = min(60, size + 2)

    def text(self, row: int, col: int, value: str, fmt: str = "text") -> None:
        if not value:
            self.ws.put_blank(row, col, self.book.f[fmt])
            return
        self.ws.put_string(row, col, value, self.book.f[fmt])
        self.fit(col, value)

    def number(self, row: int, col: int, value: Fraction | int, fmt: str = "money") -> None:
        self.ws.put_number(row, col, value if isinstance(value, int) else _num(value), self.book.f[fmt])
        self.fit(col, _shown_width(value) - (3 if fmt == "int" else 0))  # a count has no decimals

    def money(self, row: int, col: int, fen: int, fmt: str = "money") -> None:
        """An amount given in fen, shown in the book's unit (the division is the one rounding to
        a double, correctly rounded like the spreadsheet's own ``/``). The column is fitted by its
        total (no cell is wider than the sum of the column's amounts)."""
        self.ws.put_number(row, col, fen / self.book.unit.fen, self.book.f[fmt])

    def money_formula(self, row: int, col: int, formula: str, fen: int | Fraction, fmt: str = "money",
                      exact: bool = False) -> None:
        """A formula whose value is ``fen`` (cached in the book's unit); ``exact``: a fraction of a fen
        shown with more decimals."""
        value = fen / self.book.unit.fen
        self.ws.put_formula(row, col, formula, self.book.f[("total_exact" if fmt.startswith("total") else "exact")
                                                            if exact else fmt], float(value))
        self.fit(col, _fen_width(int(fen), self.book.unit.fen) + (4 if exact else -1))

    def blank(self, row: int, col: int, fmt: str = "text") -> None:
        self.ws.put_blank(row, col, self.book.f[fmt])

    def formula(self, row: int, col: int, formula: str, value: Fraction | int, fmt: str = "money") -> None:
        """A formula of ours (references, arithmetic, comparisons and OUR_FUNCTIONS only)."""
        self.ws.put_formula(row, col, formula, self.book.f[fmt], value if isinstance(value, int) else _num(value))
        self.fit(col, _shown_width(value) - (3 if fmt.endswith("int") else 0))  # a count has no decimals

    def header(self, row: int, labels: list[str], widest: int = 24) -> None:
        """The header row (wrapped labels, at most ``widest`` wide unless a bracket would be left
        alone on a line), frozen and repeated on every printed page."""
        for col, label in enumerate(labels):
            self.ws.write_string(row, col, label, self.book.f["header"])
        self.labels = (row, labels, widest)
        self.ws.freeze_panes(row + 1, 0)
        self.ws.repeat_rows(row)

    def unit_note(self, row: int, last_col: int) -> None:
        self.unit_shown = True
        self.ws.write_string(row, last_col, f"单位：{self.book.unit.name}", self.book.f["unit"])

    def note(self, row: int, text: str, last_col: int | None = None) -> None:
        """A note under the table (依据, 方法, …): written in ``finish`` as one wrapped cell across
        the printed width (to ``last_col`` when given), its row as high as its lines."""
        self.notes.append((row, text, last_col))

    def finish(self, fixed: dict[int, float] | None = None, printed: int | None = None, label_cols: int = 0) -> None:
        """Column widths (``fixed`` ones as given), the header row's height for its wrapped labels,
        and the print set-up: A4 landscape, as many pages wide as keep the print at least
        PRINT_SCALE of its size (the first ``label_cols`` columns repeated on each), ``printed``
        columns only when given."""
        widths: dict[int, float] = dict(self.widths)
        if self.labels is not None:
            row, labels, widest = self.labels
            wanted_of: dict[int, float] = {}
            for col, label in enumerate(labels):
                if col not in (fixed or {}):
                    data = widths.get(col, 6)
                    wanted_of[col] = wanted = max(data, min(widest, math.ceil(text_units(label, bold=True)) + 1))
                    widths[col] = header_width(label, wanted, data, wanted + 8)
            # a page wide rather than a label's well-placed break on two pages: labels widened past
            # their wanted width stay within it when that keeps the sheet on one page
            sized = {**widths, **(fixed or {})}
            last_col = max(sized) if printed is None else printed
            if sum(sized.get(c, 6) + COLUMN_GAP for c in range(last_col + 1)) > PAGE_WIDTH / PRINT_SCALE >= sum(
                    min(sized.get(c, 6), wanted_of.get(c, 99)) + COLUMN_GAP for c in range(last_col + 1)):
                for col, wanted in wanted_of.items():
                    if widths[col] > wanted:
                        widths[col] = header_width(labels[col], wanted, self.widths.get(col, 6), wanted)
        widths.update(fixed or {})
        for col, size in widths.items():
            self.ws.set_column(col, col, size)
        if self.labels is not None:
            self.ws.set_row(row, max(32, max(label_height(label, widths.get(col, 6))
                                             for col, label in enumerate(labels))))
        last = max(widths) if printed is None else printed
        total = sum(widths.get(col, 6) + COLUMN_GAP for col in range(last + 1))
        labels_width = sum(widths.get(col, 6) + COLUMN_GAP for col in range(label_cols))
        # each further page repeats the label columns and may leave up to a column's width unused
        waste = labels_width + max(widths.get(col, 6) for col in range(last + 1))
        pages = 1
        while total + waste * (pages - 1) > PAGE_WIDTH / PRINT_SCALE * pages and pages < 4:
            pages += 1
        self.ws.fit_to_pages(pages, 0)
        if pages > 1 and label_cols:
            self.ws.repeat_columns(0, label_cols - 1)
        # a note spans what surely prints on the first page: a cell merged across a page break prints
        # garbled, and one long unwrapped cell is cut at the page's edge
        first_page, span = -1, 0.0
        while first_page < last and span + widths.get(first_page + 1, 6) + COLUMN_GAP <= total / pages:
            first_page += 1
            span += widths.get(first_page, 6) + COLUMN_GAP
        if pages == 1:
            first_page = last
        for note_row, text, note_last in self.notes:
            end = max(1, min(first_page if note_last is None else note_last, first_page))
            self.ws.merge_range(note_row, 0, note_row, end, text, self.book.f["note"])
            self.ws.set_row(note_row, wrapped_height(text, int(sum(widths.get(c, 6) for c in range(end + 1)))))
        if pages > 1 and self.labels is not None:
            # the title (and the unit) in the page header on every page: the cell A1 would print cut
            # off on the pages after the first, where only the label columns are repeated
            title = self.title.replace("&", "&&")
            unit = f'&R&"宋体,Regular"&10 单位：{self.book.unit.name}' if self.unit_shown else ""
            # a space after the font size: "&14" followed by "2018" would read as size 142018
            self.ws.set_header(f'&C&"宋体,Bold"&14 {title}{unit}', {"margin": 0.3})
            self.ws.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.7)
            self.ws.print_area(self.labels[0], 0, self.ws.dim_rowmax, last)
        else:
            if self.labels is not None:  # the title and 单位 above the header on every page down
                self.ws.repeat_rows(0, self.labels[0])
            if printed is not None:
                self.ws.print_area(0, 0, self.ws.dim_rowmax, last)


class Book:
    def __init__(self, stream, unit: Unit, year: int, title: str | None = None, mark: str = ""):
        self.mark = mark  # e.g. 测算方案，非正式下达: said in every sheet's title
        self.wb = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
        created = dt.datetime(year, 1, 1)  # fixed, so the same inputs give the same bytes
        self.wb.set_properties({"title": title or f"{year}年社会保险扶贫补助资金预算表", "author": "budget",
                                "created": created, "comments": "generated by budget " + __version__})
        self.unit = unit
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}
        money = {**cell, "num_format": unit.number_format}
        exact_format = "#,##0." + "0" * max(unit.decimals, 2) + "####"  # an exact amount's fraction of a fen
        self.f = {name: self.wb.add_format(spec) for name, spec in {
            "title": {**base, "bold": True, "font_size": 14},
            "header": {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"},
            "text": cell,
            "wrap": {**cell, "text_wrap": True},
            "total_text": {**cell, "bold": True, "bg_color": "#F2F2F2"},
            "money": money,
            "total_money": {**money, "bold": True, "bg_color": "#F2F2F2"},
            "exact": {**cell, "num_format": exact_format, "font_color": "#595959"},
            "total_exact": {**cell, "num_format": exact_format, "bold": True, "bg_color": "#F2F2F2"},
            "int": {**cell, "num_format": "#,##0"},
            "total_int": {**cell, "num_format": "#,##0", "bold": True, "bg_color": "#F2F2F2"},
            "rate": {**cell, "num_format": "0.00"},
            "percent": {**cell, "num_format": "0.00%"},
            "total_percent": {**cell, "num_format": "0.00%", "bold": True, "bg_color": "#F2F2F2"},
            "unit": {**base, "align": "right"},
            "note": {**base, "italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
            "index": {**cell, "num_format": "0", "align": "center"},  # 序号, apart from the 地区代码 beside it
        }.items()}


def sheet_name(text: str, used: set[str]) -> str:
    name = "".join("_" if ch in "[]:*?/\\'" else ch for ch in text)[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]}_{n}", n + 1
    used.add(candidate)
    return candidate


def column_sum(col: int, first: int, last: int) -> str:
    return f"SUM({xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)})"


def _ref(sheet: str, row: int, col: int) -> str:
    return f"'{sheet}'!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"


@dataclass
class _SubsidySheet:
    title: str  # the subsidy's or fund's name
    name: str
    first_row: int  # first county row
    total_row: int
    payer_col: dict[str, int]
    county_row: dict[str, int]
    shown: dict[tuple[str, str], int]  # (county, payer) → shown amount, fen
    totals: dict[str, int]  # payer → fen
    live: int = 0  # county rows whose amounts are formulas of their cells
    rows: int = 0


ROW = "\x01"  # the row number in a row template (no XML holds it), put in after the values


def _subsidy_sheet(book: Book, policy: Policy, subsidy: Subsidy, lines: list[Line], name: str,
                   year: int, quantum: int) -> _SubsidySheet:
    """One row per county: the counts (values a reader may edit), 人数 and the amounts as formulas
    (writers/live_amounts.py), their values cached; a line that cannot be a formula of its cells is
    written as values, which its 备注 says."""
    unit = book.unit
    fen = unit.fen
    s = Sheet(book, name, f"{year}年{subsidy.name}预算表")
    labels = ["序号", "地区代码", "地区"]
    labels += [("" if t.sign > 0 else "减：") + policy.groups[t.group].name.removeprefix("其中：") for t in subsidy.terms]
    # the rate's unit on a line of its own: wrapped where the column ends, it left "）" alone on one
    labels += ["人数", f"标准\n（{RATE_UNITS[subsidy.unit]}）", "月数", "资金合计", "省级", "市级", "县级", "备注"]
    coarse = quantum > 1
    if coarse:
        labels += [f"精确数（{unit.name}）", f"尾差调整（{unit.name}）"]
    labels += [f"{PAYER_NAMES[p]}余数" for p in PAYERS]
    header_row, total_row, first = 2, 3, 4
    n_terms = len(subsidy.terms)
    c_count = 3 + n_terms
    c_rate, c_months, c_total = c_count + 1, c_count + 2, c_count + 3
    payer_col = {p: c_total + 1 + i for i, p in enumerate(PAYERS)}
    c_note = c_total + 4
    c_exact, c_adjust = c_note + 1, c_note + 2
    rem_col = {p: c_note + 1 + 2 * coarse + i for i, p in enumerate(PAYERS)}
    s.unit_note(1, c_note)
    s.header(header_row, labels, widest=10)  # long group names wrap: the sheet prints on one page wide
    shown: dict[tuple[str, str], int] = {}
    county_row: dict[str, int] = {}
    last = first + len(lines) - 1
    live_rows = adjusted = 0
    shapes: dict = {}  # live_amounts' cache, by the lines' shared segments
    can_live = unit.quantum <= quantum  # the shown amounts are the allocated ones
    ws, f = s.ws, book.f
    # what lines sharing their segments have in common, made once (a country has 2,850 lines a sheet):
    # the rate cell, the notes, and the row's formulas with "#" for the row number
    kinds: dict[tuple[int, bool], tuple] = {}

    def kind_of(line: Line, live) -> tuple:
        rates = {r.rate_fen for seg in line.segments for r in seg.rates}
        notes = []
        if len(rates) != 1:
            for seg in line.segments:
                notes.append(f"{seg.months[0]}起 " + "，".join(
                    f"{policy.groups[r.group].name} {format_plain(r.rate_fen)}元" for r in seg.rates))
        if live is None:
            notes.append("各级金额为计算值（按分月人数或分期分类别计算，未设公式）")
        note = "；".join(notes + [split_text(line.segments[0].shares)])
        rate = Fraction(rates.pop(), 100) if len(rates) == 1 else None
        months = sum(len(seg.months) for seg in line.segments)
        if live is None:
            return rate, months, note, None
        shape = (live.per, live.terms, live.common_rate, live.weights, live.b)  # all the formulas depend on
        if shape not in formulas_of:
            formulas_of[shape] = formulas_for(live)
        return rate, months, note, formulas_of[shape]

    formulas_of: dict[tuple, dict] = {}  # the row's formulas with "#" for the row number, by the line's shape

    def formulas_for(live) -> dict:
        r = "#"
        count_cells = [f"{_COLUMNS[3 + i]}{r}" for i in range(n_terms)]
        total_cell = f"{_COLUMNS[c_total]}{r}"
        base = base_formula(live, count_cells, f"{_COLUMNS[c_count]}{r}", f"{_COLUMNS[c_rate]}{r}",
                            f"{_COLUMNS[c_months]}{r}")
        t = units_of(total_cell, quantum, fen)
        refs = {p: f"{_COLUMNS[col]}{r}" for p, col in rem_col.items()}
        weights = dict(live.weights)
        return {
            "exact": f"=({base})/{live.per * fen}",
            "total": total_formula(live, base, quantum, fen, f"{_COLUMNS[c_adjust]}{r}" if coarse else None),
            "payers": {p: payer_formula(live, p, total_cell, refs, quantum, fen) for p in weights},
            "remainders": {p: remainder_formula(t, a, live.b) for p, a in weights.items()} if len(weights) > 1 else {},
        }

    headcount = "=" + "".join(("+" if t.sign > 0 else "-") + f"{_COLUMNS[3 + i]}#"
                              for i, t in enumerate(subsidy.terms)).lstrip("+")
    written_notes: list[tuple[int, str]] = []
    fast = sheet_xml.FAST_CELLS
    templates: dict[tuple, str] = {}  # a kind of live row as one format string, by its formulas, rate and months
    kind_templates: dict[tuple[int, bool], str] = {}  # the same, by the kind's key
    last_col = max(rem_col.values())
    exact_width = code_width = name_width = 0  # the widest values of the rows written whole, fitted once
    count_fields = [f"n{k}" for k in range(n_terms)]
    payer_fields = [(payer, f"p{k}", f"m{k}") for k, payer in enumerate(PAYERS)]
    shown_of = unit.shown if unit.quantum > 1 else None  # else the amount as it is
    fast_notes: dict[str, None] = {}

    def row_template(rate: Fraction | None, months: int, formulas: dict) -> str:
        """A live row's cells as sheet_xml.put_formula/put_number/put_string/put_blank write them,
        with ROW for the row number and a field per value of the row."""
        def cell(col: int, fmt: str, rest: str) -> str:
            return f'<c r="{_COLUMNS[col]}{ROW}" s="{ws.style(f[fmt])}"{rest}</c>'

        def formula(col: int, fmt: str, text: str, field: str) -> str:
            body = sheet_xml.escape(text[1:]).replace("{", "{{").replace("}", "}}").replace("#", ROW)
            return cell(col, fmt, f"><f>{body}</f><v>{{{field}}}</v>")

        cells = [cell(0, "index", "><v>{i:.16G}</v>"), cell(1, "text", ' t="s"><v>{code}</v>'),
                 cell(2, "text", ' t="s"><v>{name}</v>')]
        cells += [cell(3 + k, "int", f"><v>{{n{k}:.16G}}</v>") for k in range(n_terms)]
        cells.append(formula(c_count, "int", headcount, "h"))
        cells.append(cell(c_rate, "text", ' t="s"><v>{rate}</v>') if rate is None
                     else cell(c_rate, "rate", f"><v>{_num(rate):.16G}</v>"))
        cells.append(cell(c_months, "int", f"><v>{months:.16G}</v>"))
        cells.append(formula(c_total, "money", formulas["total"], "t"))
        for k, payer in enumerate(PAYERS):
            cells.append(formula(payer_col[payer], "money", formulas["payers"][payer], f"p{k}")
                         if payer in formulas["payers"] else cell(payer_col[payer], "money", "><v>0</v>"))
        cells.append(cell(c_note, "wrap", ' t="s"><v>{note}</v>'))
        if coarse:
            cells.append(formula(c_exact, "exact", formulas["exact"], "x"))
            cells.append(cell(c_adjust, "money", "><v>{a:.16G}</v>"))
        for k, payer in enumerate(PAYERS):
            cells.append(formula(rem_col[payer], "int", formulas["remainders"][payer], f"m{k}")
                         if payer in formulas["remainders"] else f'<c r="{_COLUMNS[rem_col[payer]]}{ROW}" '
                         f's="{ws.style(f["text"])}"/>')
        return "".join(cells)

    for index, line in enumerate(lines):
        row = first + index
        r = str(row + 1)
        code = line.region.code
        county_row[code] = row
        live = live_line(line, quantum, shapes) if can_live else None
        key = (id(line.segments), live is None)
        if key not in kinds:
            kinds[key] = kind_of(line, live)
        rate, months, note, formulas = kinds[key]
        if (fast and live is not None and formulas is not None and len(note) <= 1000
                and 0 < len(code) <= 1000 and 0 < len(line.region.name) <= 1000):  # else a blank or a long text
            # the row's cells at once, the same XML as the cells put one by one below
            template = kind_templates.get(key)
            if template is None:
                shape_key = (id(formulas), rate, months)  # formulas_of keeps each formulas dict alive
                if shape_key not in templates:
                    templates[shape_key] = row_template(rate, months, formulas)
                template = kind_templates[key] = templates[shape_key]
            amounts = dict(line.amounts)
            values: dict[str, object] = {"i": index + 1, "code": ws.shared(code),
                                         "name": ws.shared(line.region.name), "h": line.headcount}
            code_width = max(code_width, math.ceil(text_units(code)))
            name_width = max(name_width, math.ceil(text_units(line.region.name)))
            for name_k, (_, _, count) in zip(count_fields, line.counts):
                values[name_k] = count
            if rate is None:
                values["rate"] = ws.shared("分类别/分期")
            row_total = 0
            remainders = live.remainders
            for payer, p_field, m_field in payer_fields:
                value = amounts.get(payer, 0)
                if shown_of is not None:
                    value = shown_of(value)
                shown[(code, payer)] = value
                row_total += value
                values[p_field] = value / fen
                if payer in remainders:
                    values[m_field] = remainders[payer]
            values["t"] = row_total / fen
            values["note"] = ws.shared(note)
            live_rows += 1
            if coarse:
                exact = Fraction(sum(n for _, n in line.numerators), line.denominator)
                values["x"] = float(exact / fen)
                exact_width = max(exact_width, _fen_width(int(exact), fen) + 4)
                values["a"] = live.adjust * quantum / fen
                adjusted += live.adjust * quantum
            ws.put_xml(row, 0, last_col, template.format_map(values).replace(ROW, r))
            fast_notes[note] = None
            written_notes.append((row, note))
            continue
        _county_cells(s, row, index, line.region)
        for t_index, (_, _, count) in enumerate(line.counts):
            ws.put_number(row, 3 + t_index, count, f["int"])
        ws.put_formula(row, c_count, headcount.replace("#", r), f["int"], line.headcount)
        if rate is None:
            s.text(row, c_rate, "分类别/分期")
        else:
            ws.put_number(row, c_rate, _num(rate), f["rate"])
        ws.put_number(row, c_months, months, f["int"])
        amounts = dict(line.amounts)
        row_total = 0
        for payer in PAYERS:
            shown[(code, payer)] = value = unit.shown(amounts.get(payer, 0))
            row_total += value
        if formulas is None or live is None:
            for payer, col in payer_col.items():
                s.money(row, col, shown[(code, payer)])
            s.money_formula(row, c_total, "=" + _sum_row(row, payer_col), row_total)
        else:
            live_rows += 1
            if coarse:
                s.money_formula(row, c_exact, formulas["exact"].replace("#", r),
                                Fraction(sum(n for _, n in line.numerators), line.denominator), exact=True)
                s.money(row, c_adjust, live.adjust * quantum)
                adjusted += live.adjust * quantum
            ws.put_formula(row, c_total, formulas["total"].replace("#", r), f["money"], row_total / fen)
            for payer, col in payer_col.items():
                if payer in formulas["payers"]:
                    ws.put_formula(row, col, formulas["payers"][payer].replace("#", r), f["money"],
                                   shown[(code, payer)] / fen)
                else:
                    ws.put_number(row, col, 0, f["money"])
                if payer in formulas["remainders"]:
                    ws.put_formula(row, rem_col[payer], formulas["remainders"][payer].replace("#", r), f["int"],
                                   live.remainders[payer])
                else:
                    ws.put_blank(row, rem_col[payer], f["text"])
        s.text(row, c_note, note, "wrap")
        written_notes.append((row, note))
    if templates:  # the fits of the rows written whole: a column is as wide as its widest value
        s.fit(0, _shown_width(len(lines)))
        s.fit(1, code_width)
        s.fit(2, name_width)
        for note in fast_notes:
            s.fit(c_note, note)
        if any(rate is None for _, rate, _ in templates):
            s.fit(c_rate, "分类别/分期")
        if coarse:
            s.fit(c_exact, exact_width)
    s.text(total_row, 0, "", "total_text")
    s.text(total_row, 1, "", "total_text")
    s.text(total_row, 2, "合计", "total_text")
    for col in list(range(3, c_count + 1)):
        count = sum(ln.counts[col - 3][2] for ln in lines) if col < c_count else sum(ln.headcount for ln in lines)
        s.formula(total_row, col, "=" + column_sum(col, first, last), count, "total_int")
    s.text(total_row, c_rate, "", "total_text")
    s.text(total_row, c_months, "", "total_text")
    totals = {p: sum(shown[(ln.region.code, p)] for ln in lines) for p in PAYERS}
    s.money_formula(total_row, c_total, "=" + column_sum(c_total, first, last), sum(totals.values()), "total_money")
    for payer, col in payer_col.items():
        s.money_formula(total_row, col, "=" + column_sum(col, first, last), totals[payer], "total_money")
    s.text(total_row, c_note, "", "total_text")
    for col in rem_col.values():
        s.text(total_row, col, "", "total_text")
    s.note(last + 2, "依据：" + _basis(subsidy, lines))
    if coarse:
        exact = sum((Fraction(sum(n for _, n in ln.numerators), ln.denominator) for ln in lines), Fraction(0))
        s.money_formula(total_row, c_exact, "=" + column_sum(c_exact, first, last), exact, "total_money", exact=True)
        s.money_formula(total_row, c_adjust, "=" + column_sum(c_adjust, first, last), adjusted, "total_money")
        _residue_check(s, last + 3, c_total, c_exact, total_row, quantum)
    # a width at which the notes' lines do not start with "）" (a little narrower, never wider: the sheet
    # stays one page wide)
    note_width = header_width("备注", NOTE_WIDTH, NOTE_WIDTH - 4, NOTE_WIDTH, sorted({n for _, n in written_notes}))
    for row, note in written_notes:
        if (height := label_height(note, note_width, bold=False)) > LINE_POINTS + 5:
            ws.set_row(row, height)  # a long 备注 wraps in its column rather than running off the page
    s.finish({0: 5, c_note: note_width}, printed=c_note, label_cols=3)
    return _SubsidySheet(subsidy.name, name, first, total_row, payer_col, county_row, shown, totals,
                         live_rows, len(lines))


def _residue_check(s: Sheet, row: int, c_total: int, c_exact: int, total_row: int, quantum: int) -> None:
    """Under a table allocated in units coarser than the fen: its 合计 must be the exact total
    rounded to the unit, i.e. within half a unit of it (the 尾差调整 values make it so; after an
    edit they may not, and this says so)."""
    unit = s.book.unit
    name = allocation_name(quantum)
    total, exact = xl_rowcol_to_cell(total_row, c_total), xl_rowcol_to_cell(total_row, c_exact)
    s.note(row, f"尾差核对：资金合计与精确数合计之差应不超过半个分配单位（{name}）", c_total - 1)
    # half a unit in the shown unit, with room for the doubles' last digit (only an exact tie is misjudged)
    limit = f"{quantum}/{2 * unit.fen}+1E-9"
    s.ws.write_formula(row, c_total, f'=IF(ABS({total}-{exact})<={limit},"一致","不一致：请重新运行 budget plan")',
                       s.book.f["note"], "一致")


def _fund_sheet(book: Book, fund, lines: list, name: str, year: int) -> _SubsidySheet:
    """因素法: each county's factor values, their shares, the weighted score and the amount.
    Shares and scores are formulas over the values, so a reader can follow the method."""
    unit = book.unit
    s = Sheet(book, name, f"{year}年{fund.name}分配表（因素法）")
    labels = ["序号", "地区代码", "地区"]
    for factor in fund.factors:
        labels += [f"{factor.name}", f"{factor.name}占比（权重{format_share(factor.weight)}）"]
    labels += ["加权得分", "资金合计", "省级", "市级", "县级", "备注"]
    header_row, total_row, first = 2, 3, 4
    last = first + len(lines) - 1
    s.unit_note(1, len(labels) - 1)
    s.header(header_row, labels)
    c_score = 3 + 2 * len(fund.factors)
    c_total = c_score + 1
    payer_col = {p: c_total + 1 + i for i, p in enumerate(PAYERS)}
    shown: dict[tuple[str, str], int] = {}
    county_row: dict[str, int] = {}
    for index, line in enumerate(lines):
        row = first + index
        county_row[line.region.code] = row
        _county_cells(s, row, index, line.region)
        weighted = []
        for i, (factor, value, share) in enumerate(zip(fund.factors, line.values, line.shares)):
            col = 3 + 2 * i
            s.number(row, col, value, "rate")
            total_cell = xl_rowcol_to_cell(total_row, col, row_abs=True)
            s.formula(row, col + 1, f"={xl_rowcol_to_cell(row, col)}/{total_cell}", share, "percent")
            weight = factor.weight  # exact in the formula: 3/10 rather than 0.3
            weighted.append(f"{weight.numerator}/{weight.denominator}*{xl_rowcol_to_cell(row, col + 1)}")
        s.formula(row, c_score, "=" + "+".join(weighted), line.score, "percent")
        for payer, col in payer_col.items():
            value = unit.shown(line.amount if payer == fund.payer else 0)
            shown[(line.region.code, payer)] = value
            s.money(row, col, value)
        s.money_formula(row, c_total, "=" + _sum_row(row, payer_col), shown[(line.region.code, fund.payer)])
        s.text(row, c_total + 4, {"floor": "按保底数", "cap": "按封顶数"}.get(line.bound, ""))
    s.text(total_row, 0, "", "total_text")
    s.text(total_row, 1, "", "total_text")
    s.text(total_row, 2, "合计", "total_text")
    for i in range(len(fund.factors)):
        col = 3 + 2 * i
        s.formula(total_row, col, "=" + column_sum(col, first, last), sum(ln.values[i] for ln in lines), "total_int")
        s.formula(total_row, col + 1, "=" + column_sum(col + 1, first, last), 1, "total_percent")
    s.formula(total_row, c_score, "=" + column_sum(c_score, first, last), 1, "total_percent")
    totals = {p: sum(shown[(ln.region.code, p)] for ln in lines) for p in PAYERS}
    s.money_formula(total_row, c_total, "=" + column_sum(c_total, first, last), sum(totals.values()), "total_money")
    for payer, col in payer_col.items():
        s.money_formula(total_row, col, "=" + column_sum(col, first, last), totals[payer], "total_money")
    s.text(total_row, c_total + 4, "", "total_text")
    bounds = "；".join(x for x in [f"保底{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                   f"封顶{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
    s.note(last + 2, f"方法：资金合计 = 总额 × 加权得分（{bounds or '不设保底和封顶'}，"
                     "超出或不足部分按得分在其余地区间分配），"
                     f"按最大余数法精确到分。依据：{fund.ref.text}")
    s.finish(label_cols=3)
    return _SubsidySheet(fund.name, name, first, total_row, payer_col, county_row, shown, totals)


def _county_cells(s: Sheet, row: int, index: int, region) -> None:
    """序号, 地区代码, 地区 of a county's row."""
    s.number(row, 0, index + 1, "index")
    s.text(row, 1, region.code)
    s.text(row, 2, region.name)


def _sum_row(row: int, payer_col: dict[str, int]) -> str:
    cols = sorted(payer_col.values())
    return f"SUM({xl_rowcol_to_cell(row, cols[0])}:{xl_rowcol_to_cell(row, cols[-1])})"


def _basis(subsidy: Subsidy, lines: list[Line]) -> str:
    refs: dict[str, None] = {}
    for line in lines:
        for seg in line.segments:
            refs[seg.period_ref.text] = None
            for r in seg.rates:
                refs[r.ref.text] = None
            for step in seg.steps:
                refs[step.ref.text] = None
    return "；".join(refs)


def _summary_sheet(s: Sheet, policy: Policy, sheets: dict[str, _SubsidySheet]) -> None:
    labels = ["序号", "补助项目", "省级", "市级", "县级", "合计"]
    s.unit_note(1, len(labels) - 1)
    s.header(2, labels)
    first = 4
    rows = [(sid, sheet) for sid, sheet in sheets.items()]
    last = first + len(rows) - 1
    for index, (_, sheet) in enumerate(rows):
        row = first + index
        s.number(row, 0, index + 1, "index")
        s.text(row, 1, sheet.title)
        for i, payer in enumerate(PAYERS):
            s.money_formula(row, 2 + i, "=" + _ref(sheet.name, sheet.total_row, sheet.payer_col[payer]),
                            sheet.totals[payer])
        s.money_formula(row, 5, f"=SUM({xl_rowcol_to_cell(row, 2)}:{xl_rowcol_to_cell(row, 4)})",
                        sum(sheet.totals.values()))
    s.text(3, 0, "", "total_text")
    s.text(3, 1, "合计", "total_text")
    for col in range(2, 6):
        value = (sum(sh.totals[PAYERS[col - 2]] for sh in sheets.values()) if col < 5
                 else sum(sum(sh.totals.values()) for sh in sheets.values()))
        s.money_formula(3, col, "=" + column_sum(col, first, last), value, "total_money")
    s.finish()


def _payer_sheet(book: Book, policy: Policy, payer: str, sheets: dict[str, _SubsidySheet],
                 counties: list, year: int) -> None:
    title = {"province": "省级承担", "city": "市级承担", "county": "县级承担"}[payer]
    s = Sheet(book, title, f"{year}年社会保险扶贫补助资金{PAYER_NAMES[payer]}承担数（按县区）")
    ids = [sid for sid, sh in sheets.items()]
    labels = ["序号", "地区代码", "地区"] + [sheets[sid].title for sid in ids] + ["合计"]
    s.unit_note(1, len(labels) - 1)
    s.header(2, labels, widest=14)
    first, last = 4, 4 + len(counties) - 1
    c_total = 3 + len(ids)
    # the views only point back at the subsidy sheets: each reference is made once per sheet and column
    refs = [(sheets[sid].shown, sheets[sid].county_row, f"='{sheets[sid].name}'!$"
             f"{xl_col_to_name(sheets[sid].payer_col[payer])}$") for sid in ids]
    cell = xl_rowcol_to_cell_fast
    money = s.book.f["money"]
    fen = s.book.unit.fen
    write_formula, write_number = s.ws.put_formula, s.ws.put_number
    ws = s.ws
    fast = sheet_xml.FAST_CELLS
    # the cells sheet_xml would write one by one, a row at a time: the references' text escaped once
    money_token, index_token, text_token = ws.style(money), ws.style(s.book.f["index"]), ws.style(s.book.f["text"])
    heads = [f'<c r="{_COLUMNS[3 + i]}' for i in range(len(ids))]
    escaped = [sheet_xml.escape(prefix[1:]) for _, _, prefix in refs]
    sums = f"<f>SUM(D{{r}}:{_COLUMNS[c_total - 1]}{{r}})</f>"
    for index, region in enumerate(counties):
        row = first + index
        code = region.code
        row_sum = 0
        if fast and 0 < len(code) <= 1000 and 0 < len(region.name) <= 1000:  # else a blank or a long text
            r = str(row + 1)
            xml = [f'<c r="A{r}" s="{index_token}"><v>{index + 1:.16G}</v></c><c r="B{r}" s="{text_token}" t="s">'
                   f'<v>{ws.shared(code)}</v></c><c r="C{r}" s="{text_token}" t="s"><v>{ws.shared(region.name)}</v></c>']
            for i, (shown, county_row, _) in enumerate(refs):
                source = county_row.get(code)
                if source is not None:
                    value = shown[(code, payer)]
                    xml.append(f'{heads[i]}{r}" s="{money_token}"><f>{escaped[i]}{source + 1}</f><v>{value / fen}</v></c>')
                    row_sum += value
                else:
                    xml.append(f'{heads[i]}{r}" s="{money_token}"><v>0</v></c>')
            xml.append(f'<c r="{_COLUMNS[c_total]}{r}" s="{money_token}">{sums.format(r=r)}<v>{row_sum / fen}</v></c>')
            ws.put_xml(row, 0, c_total, "".join(xml))
            continue
        _county_cells(s, row, index, region)
        for i, (shown, county_row, prefix) in enumerate(refs):
            source = county_row.get(code)
            if source is not None:
                value = shown[(code, payer)]
                write_formula(row, 3 + i, f"{prefix}{source + 1}", money, value / fen)
            else:
                value = 0
                write_number(row, 3 + i, 0, money)
            row_sum += value
        write_formula(row, c_total, f"=SUM({cell(row, 3)}:{cell(row, c_total - 1)})", money, row_sum / fen)
    if counties:  # the fits of the rows written whole: each column to its widest value
        s.fit(0, _shown_width(len(counties)))
        for col, texts in ((1, [region.code for region in counties]), (2, [region.name for region in counties])):
            if any(texts):  # an empty one is a blank, not fitted
                s.fit(col, max(math.ceil(text_units(text)) for text in texts if text))
    widest = max([sheets[sid].totals[payer] for sid in ids] + [0])
    for i in range(len(ids) + 1):
        s.fit(3 + i, _fen_width(widest if i < len(ids) else sum(sheets[sid].totals[payer] for sid in ids), fen))
    s.text(3, 0, "", "total_text")
    s.text(3, 1, "", "total_text")
    s.text(3, 2, "合计", "total_text")
    for i, sid in enumerate(ids):
        s.money_formula(3, 3 + i, "=" + column_sum(3 + i, first, last), sheets[sid].totals[payer], "total_money")
    grand = sum(sheets[sid].totals[payer] for sid in ids)
    s.money_formula(3, c_total, "=" + column_sum(c_total, first, last), grand, "total_money")
    s.finish({0: 5}, label_cols=3)


def _parameters_sheet(book: Book, policy: Policy, year: int) -> None:
    s = Sheet(book, "参数与依据", "参数与依据（每一标准、比例及其文件依据）")
    labels = ["补助项目", "参数", "适用范围", "起始", "截止", "数值", "依据", "是否假设", "说明"]
    s.header(2, labels)
    rows: list[list[str]] = []

    def scope_name(scope: str) -> str:
        region = policy.regions.get(scope)
        return f"{region.name}（{region.code}）" if region else "全省"

    for rule in policy.counted_once:
        order = " > ".join(policy.groups[g].label.removeprefix("其中：") for g in rule.groups)
        rows.append(["人员口径", "同属多类的计入次序（每人计一次）", "全省", "", "", order, rule.ref.text,
                     "是（文件未载明）" if rule.ref.is_assumption else "否", rule.ref.assumption or ""])
    for subsidy in policy.subsidies.values():
        items = [("执行期间", "", e, "") for e in subsidy.period.entries]
        for key, scoped in subsidy.rates.items():
            label = "补助标准" + ("" if key == "*" else f"：{policy.groups[key].name}")
            for scope, history in scoped.by_scope.items():
                items += [(label, scope, e, f"{format_plain(e.value)} {RATE_UNITS[subsidy.unit]}") for e in history.entries]
        for scope, history in subsidy.shares.by_scope.items():
            items += [("分担比例", scope, e, _split_text(e.value)) for e in history.entries]
        for pool, scoped in subsidy.pools.items():
            for scope, history in scoped.by_scope.items():
                items += [(f"{party_name(pool)}部分再分担", scope, e, _split_text(e.value)) for e in history.entries]
        for label, scope, entry, value in items:
            if not (entry.start.year <= year and (entry.end is None or entry.end.year >= year)):
                continue  # the workbook's year only
            note = "；".join(x for x in (entry.ref.assumption, entry.ref.interpretation) if x)
            rows.append([subsidy.name, label, scope_name(scope), str(entry.start), str(entry.end or ""), value,
                         entry.ref.text, "是（文件未载明）" if entry.ref.is_assumption else "否", note])
    # widths near the wanted ones at which no wrapped line starts with "）" or "”" ("是（文件未载明⏎）")
    widths = {col: header_width(label, wanted, wanted - 4, wanted + 4, [r[col] for r in rows])
              for col, (label, wanted) in enumerate(zip(labels, PARAMETER_WIDTHS.values()))}
    for row, cells in enumerate(rows, start=3):
        _parameter_row(s, row, cells, widths)
    s.finish(widths, label_cols=2)


PARAMETER_WIDTHS = {0: 20, 1: 20, 2: 14, 3: 9, 4: 9, 5: 24, 6: 36, 7: 10, 8: 36}


def _parameter_row(s: Sheet, row: int, cells: list[str], widths: dict[int, float]) -> None:
    """Every cell wrapped in its column, the row as high as its longest cell."""
    for col, text in enumerate(cells):
        s.text(row, col, text, "wrap")
    s.ws.set_row(row, max(cell_height(text, widths[col]) for col, text in enumerate(cells)))


def _split_text(split) -> str:
    return split_text(split.shares)




@lru_cache(maxsize=65536)  # pure: the 参数与依据 sheet repeats its names, scopes and references
def cell_height(text: str, column_width: float) -> float:
    """A wrapped cell's row height: the taller of our estimates (print_layout's greedy wrap, and
    characters per line), since Latin words wrap whole."""
    return max(wrapped_height(text, int(column_width)), label_height(text, column_width, bold=False))


def wrapped_height(text: str, column_width: int) -> float:
    """The row height that shows ``text`` wrapped in a column ``column_width`` wide: spreadsheets do
    not grow a row for wrapped text written by a program, so printed rows would overlap. A CJK
    character is two widths; a little slack, since fonts differ."""
    per_line = max(4, int(column_width * 1.15) - 2)  # a 10-point CJK character is ~1.7 units wide
    lines = sum(max(1, -(-width(part) // per_line)) for part in text.split("\n"))
    return LINE_POINTS * lines + 4


def _about_sheet(book: Book, result: PlanResult, year: int, sheets: dict[str, _SubsidySheet]) -> None:
    s = Sheet(book, "说明", "说明")
    policy = result.policy
    rows = [("程序", f"budget {__version__}"), ("预算年度", str(year)), ("金额单位", book.unit.name)]
    rows += [("政策文件", f"{d.number} {d.title}（{os.path.basename(d.file)}）") for d in policy.documents]
    rows += [(f"输入文件（{f.role}）", f"{f.name}  SHA-256 {f.sha256}" + "".join(f"\n{n}" for n in f.notes))
             for f in result.files]
    if sample_notes(result.files):
        rows.insert(0, ("示例", "本表所用数据为虚构的示例数据，不是统计数：" + "；".join(sample_notes(result.files))))
    excluded = [f"{c} {region.name if (region := policy.regions.get(c)) else ''}：{why}" for c, why in policy.excluded.items()]
    rows += [("未列入地区", e) for e in excluded]
    planned = {ln.region.code for ln in result.lines if ln.year == year}
    rows += [("地区更名", f"{r.new_code} {new.name}：原{r.old_name}（{r.old_code}），{r.since.year}年{r.since.month}月更名"
              f"{'（' + r.ref + '）' if r.ref else ''}；本表用现名，成文日期在更名之前的公文用当时的名称")
             for r in policy.regions.renamed.values()
             if r.new_code in planned and r.since.year >= year and (new := policy.regions.get(r.new_code))]
    rows += [("假设", f"{a.what}：{a.value}。{a.note}") for a in policy.assumptions_for([year])]
    rows += [("口径说明", f"{a.what}：{a.value}。{a.note}") for a in policy.interpretations_for([year])]
    allocated_in = allocation_name(result.quantum)
    rows.append(("分配单位", f"{allocated_in}：每个县（市、区）每个项目的资金合计{rounding_rule(result.quantum)}；"
                         f"各级分摊数按最大余数法取整到{allocated_in}。本表、通知、测算说明和 "
                         "allocations.csv 所列各数均为分配数，各合计为所列各数之和。"))
    scenario = policy.scenario
    if scenario is not None:
        rows.insert(0, ("测算方案", f"{scenario.name}：{scenario.reason}（{os.path.basename(scenario.file)}）"
                        + ("" if scenario.adopted else f"。{SCENARIO_MARK}")))
        rows[1:1] = [("方案参数", f"{c.what}{'（' + c.scope + '）' if c.scope else ''}"
                                 f"{'：' + str(c.start) + '起' if c.start else ''}{'至' + str(c.end) if c.end else ''}"
                                 f"：{c.old or '（无）'} → {c.new}{'。依据：' + c.ref if c.ref else ''}")
                     for c in scenario.changes]
    if result.advance_rate is not None:
        rows.append(("预拨", f"按预算的{format_share(result.advance_rate)}预拨（提前下达），见“预拨数”表和 advances.csv。"))
    rows.append(("计算方法", "人数 × 标准 × 执行月数（年标准按月数/12折算）= 资金合计，按分担比例在省、市、县之间分摊；"
                          "按年补助的人数为年度内有过资格的人数（每人计一次），按月补助按人月数；"
                          "分摊采用最大余数法，各级金额之和精确等于资金合计。"))
    allocated = allocation_name(result.quantum)
    live = sum(sh.live for sh in sheets.values())
    rows.append(("公式", f"各项目表中，人数为各类人员人数之加减；资金合计 = 人数 × 标准 × 月数（按年标准时 ÷ 12），"
                       f"四舍五入到{allocated}，只舍入一次（公式用整数：INT((2 × 精确数 + 1{allocated}) ÷ (2 × 1{allocated}))）；"
                       f"省级、市级、县级 = 资金合计按分担比例取整到{allocated}，余下的{allocated}按各级余数"
                       "（“省级余数”等列：资金合计 × 比例的余数）从大到小逐个分给各级，余数相同的先省级、后市级。"
                       "修改某县（市、区）的人数后，该表、汇总表和各级承担表随之重算，与按修改后人数运行 "
                       "budget plan 的结果一致（到分）。"))
    not_live = sum(sh.rows - sh.live for sh in sheets.values() if sh.rows)
    if not_live:
        rows.append(("未设公式", f"{not_live} 行（见各行备注）按分月人数的人月数或分期分类别标准计算，各级金额为计算值，"
                              "不随人数变化：修改人数后请重新运行 budget plan。"))
    if result.quantum > 1 and live:
        rows.append(("尾差调整", f"“尾差调整”列是 budget plan 算得的数值，不是公式：各县（市、区）舍入到{allocated}后之和"
                              f"与全部地区精确合计舍入到{allocated}不一致时，差额按全表各县的尾数排序逐个调整。"
                              "这一步要在数千个分数之间排序比较，其乘积超出电子表格双精度数能精确表示的范围，"
                              "不能用公式精确表达，故保留为数值；表下“尾差核对”用公式检查资金合计与精确数合计之差"
                              f"不超过半个{allocated}。修改人数后尾差调整不变，“尾差核对”显示“不一致”时，请按修改后的"
                              "人数重新运行 budget plan。"))
    if result.fund_lines or result.advance_rate is not None:
        rows.append(("数值", "因素法分配表和预拨数表为计算值，不随人数变化。"))
    # a width near ABOUT_WIDTH at which no line starts with "，" or "）"
    about = header_width("", ABOUT_WIDTH, ABOUT_WIDTH - 20, ABOUT_WIDTH + 6, [value for _, value in rows])
    for index, (key, value) in enumerate(rows):
        s.text(index + 2, 0, key, "total_text")
        s.text(index + 2, 1, value, "wrap")
        s.ws.set_row(index + 2, cell_height(value, about))
    s.finish({1: about})


def workbook_bytes(result: PlanResult, year: int, unit: Unit = UNITS["元"]) -> bytes:
    """The budget workbook of ``year``."""
    stream = io.BytesIO()
    policy = result.policy
    book = Book(stream, unit, year, mark=SCENARIO_MARK if policy.scenario and policy.scenario.marked else "")
    lines = [ln for ln in result.lines if ln.year == year]
    used = {"汇总", "省级承担", "市级承担", "县级承担", "预拨数", "参数与依据", "说明"}
    summary = Sheet(book, "汇总", f"{year}年社会保险扶贫补助资金预算汇总表")  # first tab, filled last
    sheets: dict[str, _SubsidySheet] = {}
    for sid, subsidy in policy.subsidies.items():
        sub_lines = [ln for ln in lines if ln.subsidy.id == sid]
        if sub_lines:
            sheets[sid] = _subsidy_sheet(book, policy, subsidy, sub_lines, sheet_name(subsidy.name, used), year,
                                         result.quantum)
    for fid, fund in policy.funds.items():
        fund_lines = [f for f in result.fund_lines if f.year == year and f.fund.id == fid]
        if fund_lines:
            sheets[fid] = _fund_sheet(book, fund, fund_lines, sheet_name(fund.name, used), year)
    _summary_sheet(summary, policy, sheets)
    counties = sorted({ln.region for ln in lines}, key=lambda r: r.code)
    for payer in PAYERS:
        _payer_sheet(book, policy, payer, sheets, counties, year)
    if result.advance_rate is not None:
        _advance_sheet(book, result, year)
    _parameters_sheet(book, policy, year)
    _about_sheet(book, result, year, sheets)
    book.wb.close()
    return stream.getvalue()


def _advance_sheet(book: Book, result: PlanResult, year: int) -> None:
    """预拨数: what is advanced (提前下达) of the money handed down, per county, subsidy and
    payer; the lower level's own share is budgeted in full by itself (应安排), advanced by nobody."""
    rate = result.advance_rate or Fraction(0)
    handed = [p for p in PAYERS if p in result.policy.handed_down()]
    own = [p for p in PAYERS if p not in handed]
    s = Sheet(book, "预拨数", f"{year}年社会保险扶贫补助资金预拨数（按预算的{format_share(rate)}提前下达）")
    labels = (["序号", "地区代码", "地区", "补助项目", "预算数"] + [f"{PAYER_NAMES[p]}提前下达" for p in handed]
              + ["提前下达合计"] + [f"{PAYER_NAMES[p]}应安排" for p in own])
    s.unit_note(1, len(labels) - 1)
    s.header(2, labels)
    planned = [p for p in advance(result.lines, rate, result.quantum, handed) if p.line.year == year]
    first, last = 4, 4 + len(planned) - 1
    c_sum = 5 + len(handed)
    columns = {p: 5 + i for i, p in enumerate(handed)} | {p: c_sum + 1 + i for i, p in enumerate(own)}
    for index, item in enumerate(planned):
        row = first + index
        _county_cells(s, row, index, item.line.region)
        s.text(row, 3, item.line.subsidy.name)
        s.number(row, 4, book.unit.value(item.line.total))
        amounts = dict(item.amounts)
        for payer, col in columns.items():
            s.number(row, col, book.unit.value(amounts.get(payer, 0)))
        s.formula(row, c_sum, f"=SUM({xl_rowcol_to_cell(row, 5)}:{xl_rowcol_to_cell(row, c_sum - 1)})",
                  book.unit.value(sum(amounts.get(p, 0) for p in handed)))
    for col in range(4):
        s.text(3, col, "合计" if col == 2 else "", "total_text")
    sums = {4: sum(p.line.total for p in planned),
            c_sum: sum(dict(p.amounts).get(q, 0) for p in planned for q in handed)}
    sums |= {col: sum(dict(p.amounts).get(payer, 0) for p in planned) for payer, col in columns.items()}
    for col, value in sorted(sums.items()):
        s.formula(3, col, "=" + column_sum(col, first, last), book.unit.value(value), "total_money")
    s.finish(label_cols=4)


def rows_workbook(title: str, header: list[str], rows: list[list[str]], year: int, amount_column: int | None) -> bytes:
    """A plain table as a workbook (the indicator export): text cells as text, the amount column
    as numbers in 元 with a 合计 formula under it."""
    stream = io.BytesIO()
    book = Book(stream, UNITS["元"], year, title)
    s = Sheet(book, "指标", title)
    s.header(2, header)
    # one page wide at PRINT_SCALE or more (a second page across would carry no 补助项目 or 地区 to
    # tell its rows apart): the longest text columns wrap at the width that leaves for them
    columns = [dict.fromkeys(r[c] for r in rows) for c in range(len(header))]  # each distinct text once
    natural = [max([math.ceil(text_units(text)) + 2 for text in columns[c] if c != amount_column] + [6])
               for c in range(len(header))]
    natural = [max(n, math.ceil(text_units(label, bold=True)) // 2 + 2) for n, label in zip(natural, header)]
    if amount_column is not None:
        natural[amount_column] = max([_shown_width(int(Decimal(a))) + 2 for a in columns[amount_column]] + [10])
    room = PAGE_WIDTH / PRINT_SCALE - COLUMN_GAP * len(header) - 1
    cap: float = max(natural)
    while cap > 6 and sum(min(n, cap) for n in natural) > room:
        cap -= 0.5
    widths = {c: float(min(n, cap)) if c == amount_column or n <= cap else
              header_width(header[c], cap, cap - 3, cap, [r[c] for r in rows]) for c, n in enumerate(natural)}
    _table_rows(s, rows, amount_column, widths)
    if amount_column is not None and rows:
        last = 3 + len(rows)
        s.text(last, 0, "合计", "total_text")
        with localcontext(Context(prec=MAX_PREC)):  # exact
            total = sum((Decimal(r[amount_column]) for r in rows), Decimal(0))
        s.formula(last, amount_column, "=" + column_sum(amount_column, 3, last - 1), Fraction(total), "total_money")
    s.finish(widths)
    book.wb.close()
    return stream.getvalue()


def _table_rows(s: Sheet, rows: list[list[str]], amount_column: int | None, widths: dict[int, float]) -> None:
    """rows_workbook's rows from row 4 on: text wrapped in its column (a blank when empty), the
    amounts as numbers, each row as high as its tallest cell. The columns' widths are given, so
    no cell widens its column. A column's texts repeat (the same document, subsidy, level on every
    row): each distinct text is measured, and its cell's XML made, once; a column with one text
    throughout is the same part of every row."""
    ws, wrap = s.ws, s.book.f["wrap"]
    texts = [c for c in range(len(widths)) if c != amount_column]
    distinct = {c: dict.fromkeys(r[c] for r in rows) for c in texts}
    height_of = {c: {text: cell_height(text, widths[c]) - 4 if text else 0.0 for text in distinct[c]} for c in texts}
    steady = [c for c in texts if len(distinct[c]) == 1]
    varying = [c for c in texts if len(distinct[c]) > 1]
    lowest = max([LINE_POINTS] + [height for c in steady for height in height_of[c].values()])
    fast = sheet_xml.FAST_CELLS
    heads = [f'<c r="{sheet_xml.column(c)}' for c in range(len(widths))]
    wrap_token, money_token = ws.style(wrap), ws.style(s.book.f["money"])
    tails: list[dict[str, tuple[str, bool]]] = [{} for _ in widths]  # text → its cell's XML after the row number
    strings = ws.str_table
    template, steady_strings = None, 0  # a row's XML with fields for the row and its varying cells
    for r, row in enumerate(rows, start=3):
        height = max([lowest, *(height_of[c][row[c]] for c in varying)])
        if not fast or max(map(len, row)) > 1000:
            for c, cell in enumerate(row):
                if c == amount_column:
                    s.number(r, c, Fraction(cell))
                else:
                    s.text(r, c, cell, "wrap")
            ws.set_height(r, height)
            continue
        number = str(r + 1)
        # the double nearest the decimal, as Fraction(cell) divided out (-0.00 as 0)
        amount = "" if amount_column is None else f"{float(row[amount_column]) or 0.0:.16G}"
        if template is not None:
            values = {"r": number, "a": amount}
            for c in varying:
                cell = row[c]
                known = tails[c].get(cell)
                if known is None:  # a new text: its shared string's index (and use) in column order
                    known = tails[c][cell] = _tail(ws, wrap_token, cell)
                elif known[1]:
                    strings.count += 1  # one more use of a shared string already indexed
                values[f"v{c}"] = known[0]
            strings.count += steady_strings
            ws.put_xml(r, 0, len(row) - 1, template.format_map(values))
            ws.set_height(r, height)
            continue
        xml = []
        for c, cell in enumerate(row):
            if c == amount_column:
                xml.append(f'{heads[c]}{number}" s="{money_token}"><v>{amount}</v></c>')
                continue
            known = tails[c].get(cell)
            if known is None:
                known = tails[c][cell] = _tail(ws, wrap_token, cell)
            elif known[1]:
                strings.count += 1
            xml.append(heads[c] + number + known[0])
        ws.put_xml(r, 0, len(row) - 1, "".join(xml))
        ws.set_height(r, height)
        # the first row made each steady column's cell: the rows after it are one format each
        parts = []
        for c in range(len(widths)):
            if c == amount_column:
                parts.append(f'{heads[c]}{{r}}" s="{money_token}"><v>{{a}}</v></c>')
            elif c in varying:
                parts.append(f"{heads[c]}{{r}}{{v{c}}}")
            else:
                parts.append(f"{heads[c]}{{r}}" + tails[c][row[c]][0].replace("{", "{{").replace("}", "}}"))
        template = "".join(parts)
        steady_strings = sum(tails[c][row[c]][1] for c in steady)


def _tail(ws: OwnCells, token: str, text: str) -> tuple[str, bool]:
    """A text cell's XML after its row number (a blank when empty), and whether it is a shared string."""
    if text:
        return f'" s="{token}" t="s"><v>{ws.shared(text)}</v></c>', True
    return f'" s="{token}"/>', False


def rolling_workbook_bytes(result: PlanResult, unit: Unit = UNITS["元"]) -> bytes:
    """中期财政规划: each payer's amount per subsidy (and fund) for every planned year side by side,
    a block per payer and one for all payers; totals are formulas with their values cached."""
    from ..core.lines import all_lines

    years = result.years
    stream = io.BytesIO()
    policy = result.policy
    span = f"{years[0]}—{years[-1]}年"
    book = Book(stream, unit, years[0], f"{span}社会保险扶贫补助资金中期财政规划",
                mark=SCENARIO_MARK if policy.scenario and policy.scenario.marked else "")
    s = Sheet(book, "中期财政规划", f"{span}社会保险扶贫补助资金中期财政规划（按承担级次）")
    lines = all_lines(result.lines, result.fund_lines)
    items: dict[str, str] = {}
    shown: dict[tuple[str, str, int], Fraction] = {}  # each county's amount as shown, then added up
    for line in lines:
        items.setdefault(line.item.id, line.item.name)
        for payer, amount in line.amounts:
            key = (line.item.id, payer, line.year)
            shown[key] = shown.get(key, Fraction(0)) + unit.value(amount)
    order = [i for i in [*policy.subsidies, *policy.funds] if i in items]
    labels = ["承担级次", "项目"] + [f"{y}年" for y in years] + [f"{len(years)}年合计"]
    last_col = len(labels) - 1
    s.unit_note(1, last_col)
    s.header(2, labels)
    row = 3
    for payer in [*PAYERS, ""]:
        name = PAYER_NAMES[payer] if payer else "各级合计"
        first = row
        for item in order:
            s.text(row, 0, name)
            s.text(row, 1, items[item])
            values = []
            for c, year in enumerate(years, start=2):
                payers = [payer] if payer else list(PAYERS)
                value = sum((shown.get((item, p, year), Fraction(0)) for p in payers), Fraction(0))
                values.append(value)
                s.number(row, c, value)
            s.formula(row, last_col, f"=SUM({xl_rowcol_to_cell(row, 2)}:{xl_rowcol_to_cell(row, last_col - 1)})",
                      sum(values, Fraction(0)))
            row += 1
        s.text(row, 0, name, "total_text")
        s.text(row, 1, "小计", "total_text")
        for c in range(2, last_col + 1):
            in_years = years if c == last_col else [years[c - 2]]
            total = sum((shown.get((i, p, y), Fraction(0)) for i in order for p in ([payer] if payer else PAYERS)
                         for y in in_years), Fraction(0))
            s.formula(row, c, "=" + column_sum(c, first, row - 1), total, "total_money")
        row += 2
    s.note(row, "各年金额与当年预算表（budget-YEAR.xlsx）各承担级次合计相同；人数为预测数时，"
                "本表为滚动规划的测算，须逐年按实际人数编制预算。")
    s.finish()
    book.wb.close()
    return stream.getvalue()
