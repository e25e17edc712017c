"""A worksheet that writes its own cells' XML: the same bytes xlsxwriter writes, in a fraction of
its time (a country workbook holds ~500,000 cells).

xlsxwriter stores every cell as a tuple in a dict of dicts and, when the workbook is closed,
formats each one through a chain of generic calls. Here each cell becomes its ``<c>`` element as
it is written (one f-string), or a writer hands over a whole row's cells as one string
(``put_xml``: the county rows, made from a template per kind of row); the rows are joined once,
and xlsxwriter writes everything around ``<sheetData>`` (columns, panes, merges, print set-up,
styles, shared strings) as before.

Two things xlsxwriter decides only when it writes the file are kept as it decides them:

- a format's style index is given in the order formats are first met in the written sheets (row
  by row, column by column): a cell's XML carries a token for its format, replaced by the index
  once the sheet's rows are joined, the formats numbered in the order their tokens first occur;
- a shared string's index is given as the string is written, as xlsxwriter does.

Cells written through xlsxwriter's public methods (titles, headers, merged notes) are converted
the same way when the sheet is written. With FAST_CELLS off, everything takes xlsxwriter's own
path (the writers then put their rows cell by cell too), and tests/test_workbook.py checks that
both give the same bytes.
"""

from __future__ import annotations

import re

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    RowInfo,
    Worksheet,
)

FAST_CELLS = True  # tests turn it off to compare with xlsxwriter's own cell writer

COLUMNS = [xl_col_to_name(col) for col in range(256)]  # our sheets are narrower
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")
# functions of Excel 2007 that xlsxwriter leaves as they are: our formulas use these only
OUR_FUNCTIONS = {"SUM", "INT", "ROUND", "IF", "ABS"}
_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")


def column(col: int) -> str:
    return COLUMNS[col] if col < 256 else xl_col_to_name(col)


def escape(text: str) -> str:
    """xlsxwriter's escaping of element text (quotes stay as they are)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class OwnCells(Worksheet):
    """A worksheet whose formulas are all ours (cell references, + - * /, comparisons and
    OUR_FUNCTIONS) and whose cells' XML it writes itself."""

    def __init__(self) -> None:
        super().__init__()
        self.own: dict[int, dict[int, str]] = {}  # row → column → the cell's <c> element
        self.styles: dict[Format, str] = {}  # format → its token in the cells' XML
        self.joined: set[int] = set()  # rows in ``own`` given a run of cells as one string (put_xml)
        self.whole: dict[int, tuple[int, int, str]] = {}  # a row put_xml made alone: first, last column, XML
        self.heights: dict[int, RowInfo] = {}  # pixels → the row set-up of set_height

    def _prepare_formula(self, formula, expand_future_functions=False):
        # xlsxwriter rewrites every formula for Excel's future and dynamic-array functions (about
        # thirty regular expression substitutions each); none of those can occur in ours
        body = formula[1:] if formula.startswith("=") else formula
        if not body.startswith("{") and set(_FUNCTION.findall(body)) <= OUR_FUNCTIONS:
            return body
        return super()._prepare_formula(formula, expand_future_functions)

    def style(self, cell_format: Format) -> str:
        """The token standing for ``cell_format``'s style index in this sheet's cells (a NUL,
        which no XML can hold, so nothing else reads as a token)."""
        token = self.styles.get(cell_format)
        if token is None:
            token = self.styles[cell_format] = f"\x00{len(self.styles)}\x00"
        return token

    def cells_of(self, row: int) -> dict[int, str]:
        """The row's cells, to put several ``<c>`` elements at once (with ``grow``)."""
        cells = self.own.get(row)
        if cells is None:
            cells = self.own[row] = {}
        return cells

    def grow(self, row: int, col: int) -> None:
        # _check_dimensions for a cell inside the sheet's bounds
        if self.dim_rowmin is None:
            self._check_dimensions(row, col)
            return
        if row > self.dim_rowmax:  # type: ignore[has-type]
            self.dim_rowmax = row
        if col > self.dim_colmax:  # type: ignore[has-type]
            self.dim_colmax = col

    # The cells our writers make. With FAST_CELLS off they take xlsxwriter's public path.

    def put_number(self, row: int, col: int, number: float | int, cell_format: Format) -> None:
        if not FAST_CELLS:
            self.write_number(row, col, number, cell_format)
            return
        self.grow(row, col)
        self.cells_of(row)[col] = f'<c r="{column(col)}{row + 1}" s="{self.style(cell_format)}"><v>{number:.16G}</v></c>'

    def put_string(self, row: int, col: int, string: str, cell_format: Format) -> None:
        if not FAST_CELLS or len(string) > 1000:
            self.write_string(row, col, string, cell_format)
            return
        self.grow(row, col)
        index = self.str_table._get_shared_string_index(string)
        self.cells_of(row)[col] = f'<c r="{column(col)}{row + 1}" s="{self.style(cell_format)}" t="s"><v>{index}</v></c>'

    def put_blank(self, row: int, col: int, cell_format: Format) -> None:
        if not FAST_CELLS:
            self.write_blank(row, col, None, cell_format)
            return
        self.grow(row, col)
        self.cells_of(row)[col] = f'<c r="{column(col)}{row + 1}" s="{self.style(cell_format)}"/>'

    def put_formula(self, row: int, col: int, formula: str, cell_format: Format, value: float | int) -> None:
        """``formula`` starts with "=" and calls OUR_FUNCTIONS only; ``value`` is a number."""
        if not FAST_CELLS:
            self.write_formula(row, col, formula, cell_format, value)
            return
        self.grow(row, col)
        self.cells_of(row)[col] = (f'<c r="{column(col)}{row + 1}" s="{self.style(cell_format)}">'
                                   f'<f>{escape(formula[1:])}</f><v>{value}</v></c>')

    def shared(self, string: str) -> int:
        """The shared string's index, counted as one more use (as xlsxwriter's write_string does)."""
        return self.str_table._get_shared_string_index(string)

    def put_xml(self, row: int, first: int, last: int, xml: str) -> None:
        """The <c> elements of the row's columns ``first`` to ``last``, in column order, made by
        the caller (style tokens from ``style``, string indices from ``shared``) as one string."""
        self.grow(row, first)
        self.grow(row, last)
        if row not in self.own and row not in self.whole:
            self.whole[row] = (first, last, xml)  # the usual case: the row is this string
            return
        self._join(row, first, last, xml)

    def _join(self, row: int, first: int, last: int, xml: str) -> None:
        cells = self.cells_of(row)
        if any(first <= col <= last for col in cells):
            raise RuntimeError(f"cells {column(first)}{row + 1}:{column(last)}{row + 1} written twice")
        cells[first] = xml
        if last != first:
            cells[last] = ""  # the row's span reaches its last column
        self.joined.add(row)

    def set_height(self, row: int, height: float) -> None:
        """set_row(row, height) for a row inside the sheet's bounds: what it records, without its
        checks and options (a country's indicator sheet sets 11,400 rows)."""
        pixels = int(height * 4.0 / 3.0 + 0.5)  # as set_row rounds it
        if not FAST_CELLS or pixels <= 0 or self.dim_rowmin is None or not self.dim_rowmin <= row <= self.dim_rowmax:
            self.set_row(row, height)
            return
        info = self.heights.get(pixels)
        if info is None:
            info = self.heights[pixels] = RowInfo(height=pixels)
        self.row_info[row] = info
        self.row_sizes[row] = [pixels, False]

    def _cell_xml(self, row: int, col: int, cell) -> str:
        """xlsxwriter's _write_cell for a cell in its table, as a string with a style token."""
        kind = type(cell)
        head = f'<c r="{column(col)}{row + 1}"'
        if cell.format is not None:
            head += f' s="{self.style(cell.format)}"'
        elif (row in self.row_info and self.row_info[row].row_format) or (
                col in self.col_info and self.col_info[col].column_format is not None):
            raise NotImplementedError("a cell without a format in a formatted row or column")
        if kind is CellNumberTuple:
            return f"{head}><v>{cell.number:.16G}</v></c>"
        if kind is CellStringTuple:
            return f'{head} t="s"><v>{cell.string}</v></c>'
        if kind is CellBlankTuple:
            return f"{head}/>"
        if kind is CellFormulaTuple:
            value = cell.value
            if isinstance(value, bool):
                head += ' t="b"'
                value = int(value)
            elif isinstance(value, str):
                if value in _ERRORS:
                    head += ' t="e"'
                elif value:
                    head += ' t="str"'
                value = escape(value)
            return f"{head}><f>{escape(cell.formula)}</f><v>{value}</v></c>"
        raise NotImplementedError(f"a {kind.__name__} cell")

    def _row_xml(self, row: int, span: str | None, empty: bool) -> str:
        """xlsxwriter's _write_row: the <row> element's start (or the whole of an empty one)."""
        info = self.row_info.get(row)
        key = (id(info), span, empty)  # a row set-up is shared by the rows of the same height (set_height)
        rest = self._row_rest.get(key)
        if rest is None:
            rest = self._row_rest[key] = self._row_attributes(info, span, empty)
        return f'<row r="{row + 1}"{rest}'

    def _row_attributes(self, info: RowInfo | None, span: str | None, empty: bool) -> str:
        height = info.height if info is not None else None
        if height is None:
            height = self.default_row_height
        xml = ""
        if span:
            xml += f' spans="{span}"'
        if info is not None and info.row_format:
            raise NotImplementedError("a row format")
        custom = height != self.original_row_height or height != self.default_row_height
        if custom:
            xml += f' ht="{height * 0.75:.16g}"'
        if info is not None and info.hidden:
            xml += ' hidden="1"'
        if custom:
            xml += ' customHeight="1"'
        if info is not None and info.level:
            xml += f' outlineLevel="{info.level}"'
        if info is not None and info.collapsed:
            xml += ' collapsed="1"'
        if self.excel_version == 2010:
            xml += ' x14ac:dyDescent="0.25"'
        return xml + ("/>" if empty else ">")

    def _write_sheet_data(self) -> None:
        own, whole = self.own, self.whole
        if not own and not whole:
            super()._write_sheet_data()
            return
        if self.comments:
            raise NotImplementedError("comments")
        for row in [row for row in whole if row in own or self.table.get(row)]:  # a row with other cells too
            self._join(row, *whole.pop(row))
        for row, cells in self.table.items():  # the cells written through xlsxwriter's methods
            if cells:
                mine = self.cells_of(row)
                for col, cell in cells.items():
                    if col in mine or (row in self.joined and min(mine) <= col <= max(mine)):
                        raise RuntimeError(f"cell {column(col)}{row + 1} written twice")
                    mine[col] = self._cell_xml(row, col, cell)
        self._row_rest: dict[tuple, str] = {}
        low, high = self.dim_rowmin, self.dim_rowmax
        rows = sorted(r for r in {*own, *whole, *self.row_info} if low <= r <= high)
        spans: dict[int, tuple[int, int]] = {}  # a block of 16 rows → its first and last column
        for row in rows:
            run = whole.get(row)
            cells = own.get(row)
            if run is not None or cells:
                block = row >> 4
                first, last = (run[0], run[1]) if run is not None else (min(cells or (0,)), max(cells or (0,)))
                known = spans.get(block)
                if known is not None:
                    first, last = min(first, known[0]), max(last, known[1])
                spans[block] = (first, last)
        shown = {block: f"{first + 1}:{last + 1}" for block, (first, last) in spans.items()}
        parts = []
        row_info = self.row_info
        plain = self.default_row_height == self.original_row_height and self.excel_version != 2010
        for row in rows:
            cells = own.get(row)
            span = shown.get(row >> 4)
            run = whole.get(row)
            if run is not None:
                if row in row_info or not (span and plain):
                    parts.append(self._row_xml(row, span, False))
                else:
                    parts.append(f'<row r="{row + 1}" spans="{span}">')
                parts.append(run[2])
                parts.append("</row>")
                continue
            if not cells:
                parts.append(self._row_xml(row, span, True))
                continue
            if row in row_info:
                parts.append(self._row_xml(row, span, False))
            elif span and plain:
                parts.append(f'<row r="{row + 1}" spans="{span}">')
            else:
                parts.append(self._row_xml(row, span, False))
            parts.append("".join([cells[col] for col in sorted(cells)]) + "</row>")
        # the style indices, given in the order xlsxwriter's writer would first meet the formats:
        # the tokens are the odd pieces between NULs
        pieces = "".join(parts).split("\x00")
        tokens = pieces[1::2]
        formats = {token[1:-1]: cell_format for cell_format, token in self.styles.items()}
        index = {n: str(formats[n]._get_xf_index()) for n in dict.fromkeys(tokens)}
        pieces[1::2] = map(index.__getitem__, tokens)
        self.fh.write(f"<sheetData>{''.join(pieces)}</sheetData>")
