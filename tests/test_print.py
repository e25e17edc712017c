"""The workbooks print legibly: A4 landscape, header rows repeated, each sheet fitted to as few pages
wide as keep its text at least 70 % of its size (read back from the files), wrapped rows as high as
their text; and LibreOffice's PDF of every sheet prints its cells at 7 points or more, nothing past
the page's edge, the title and 单位 on every page of a table, the notes under it whole, and no header
line starting with a closing bracket."""

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from conftest import EXAMPLE
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app
from budget.core.display import width

runner = CliRunner()
TABLES = {"汇总", "省级承担", "市级承担", "县级承担", "参数与依据", "清算表", "上下级结算", "决算表"}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    assert runner.invoke(app, ["plan", "-y", "2018", "--out", str(tmp / "plan"), "--no-pdf"]).exit_code == 0
    actual = tmp / "actual.csv"  # 2018's headcounts, one county's figure changed
    rows = [r for r in Path(EXAMPLE).read_text("utf-8").splitlines() if not r.startswith(("2019", "2020", "2021"))]
    actual.write_text("\n".join(rows).replace(",8535", ",8600") + "\n", "utf-8")
    result = runner.invoke(app, ["settle", "-y", "2018", "--planned", str(tmp / "plan"), "--actual", str(actual),
                                 "--out", str(tmp / "settle"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    wan = ["plan", "-y", "2018", "--unit", "万元", "--out", str(tmp / "wan"), "--no-pdf"]
    assert runner.invoke(app, wan).exit_code == 0
    (tmp / "wan" / "budget-2018-wan.xlsx").write_bytes((tmp / "wan" / "budget-2018.xlsx").read_bytes())
    return tmp, [tmp / "plan" / "budget-2018.xlsx", tmp / "settle" / "settlement-2018.xlsx",
                 tmp / "wan" / "budget-2018-wan.xlsx"]


def test_every_sheet_is_set_up_for_a4_landscape(books):
    _, paths = books
    seen = set()
    for path in paths:
        book = load_workbook(path)
        for ws in book.worksheets:
            seen.add(ws.title)
            setup = ws.page_setup
            assert setup.orientation == "landscape" and setup.paperSize == 9, ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0, ws.title
            assert (setup.fitToWidth or 1) in (1, 2, 3), ws.title
            assert ws.page_margins.left >= 0.3 and ws.page_margins.top >= 0.5
            assert "&P" in ws.oddFooter.center.text
            if ws.title in TABLES or ws.title.endswith(("保费", "部分", "资助", "保障")):
                if (setup.fitToWidth or 1) > 1:
                    assert ws.print_title_rows == "$3:$3", ws.title  # the header row on every page
                    assert ws.print_title_cols, ws.title  # and the labels on every page across
                    assert ws.title in ws.oddHeader.center.text or "年" in ws.oddHeader.center.text, ws.title
                    assert ws.title == "参数与依据" or "单位：" in ws.oddHeader.right.text, ws.title
                else:
                    assert ws.print_title_rows == "$1:$3", ws.title  # title, 单位 and header
    assert TABLES <= seen


def test_subsidy_sheets_print_the_table_not_the_helper_columns(books):
    _, paths = books
    ws = load_workbook(paths[0])["城乡居民养老保险农村困难群体代缴保费"]
    header = [c.value for c in ws[3]]
    note = header.index("备注")
    assert header[note + 1:] == ["精确数（元）", "尾差调整（元）", "省级余数", "市级余数", "县级余数"]  # allocated to the 元
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert area.split(":")[-1].startswith(f"${ws.cell(3, note + 1).column_letter}$"), area


def test_wrapped_rows_are_as_high_as_their_text(books):
    """A program's wrapped cell does not grow its row: without a height the printed rows overlap."""
    _, paths = books
    for path in paths:
        ws = load_workbook(path)["说明"]
        column = ws.column_dimensions["B"].width
        for row in range(3, ws.max_row + 1):
            text = ws.cell(row, 2).value or ""
            lines = sum(max(1, -(-width(part) // int(column * 1.3))) for part in text.split("\n"))
            assert ws.row_dimensions[row].height >= 13 * lines, (path.name, row, text)
    params = load_workbook(paths[0])["参数与依据"]
    tall = [r for r in range(4, params.max_row + 1) if (params.row_dimensions[r].height or 0) > 30]
    assert tall  # the long clauses take several lines


needs_office = pytest.mark.skipif(shutil.which("soffice") is None,
                                  reason="LibreOffice is installed by `scripts/setup.sh --test` (make test)")


def test_county_numbers_stand_apart_from_their_codes(books):
    """序号 centred beside the left-aligned 地区代码: "1 610402", not "1610402"."""
    _, paths = books
    for path in paths:
        for ws in load_workbook(path).worksheets:
            if ws.cell(3, 1).value == "序号":
                assert ws.cell(5, 1).alignment.horizontal == "center", (path.name, ws.title)


@pytest.fixture(scope="module")
def printed(books):
    tmp, paths = books
    profile = tmp / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "pdf"), *map(str, paths)], check=True, capture_output=True, timeout=240)
    return {path: tmp / "pdf" / (path.stem + ".pdf") for path in paths}


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


@needs_office
def test_nothing_prints_past_the_page_edge_and_every_table_page_has_its_title_and_unit(books, printed):
    """A long cell running off the page, a title cut where the repeated columns end, 单位 only on
    the last page across: each is a reader's missing text."""
    for path, pdf_path in printed.items():
        titles = [_flat(ws.cell(1, 1).value or "") for ws in load_workbook(path).worksheets]
        with pdfplumber.open(pdf_path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                where = (path.name, number)
                assert max(c["x1"] for c in page.chars) <= page.width - 20, where
                text = _flat(page.extract_text())
                if "序号" in text:  # a page of a table (the 说明 and 参数与依据 have none)
                    assert "单位：" in text, where
                    assert any(title in text for title in titles), where


@needs_office
def test_notes_under_the_tables_print_whole(books, printed):
    """The 依据 and 尾差核对 lines under each subsidy table, read back from LibreOffice's PDF in full."""
    for path, pdf_path in printed.items():
        notes = [_flat(row[0].value) for ws in load_workbook(path).worksheets for row in ws.iter_rows(min_row=5)
                 if isinstance(row[0].value, str) and row[0].value.startswith(("依据：", "尾差核对："))]
        if "budget" in path.name:
            assert len(notes) == 10  # five subsidies, each with its 依据 and (allocated to the 元) its check
        with pdfplumber.open(pdf_path) as pdf:
            text = "".join(_flat(page.extract_text()) for page in pdf.pages)
        for note in notes:
            assert note in text, (path.name, note)


@needs_office
def test_no_header_line_starts_with_a_closing_bracket(books, printed):
    """A wrapped header label leaves no "）" alone at the start of a line ("标准（元/人·年⏎）")."""
    for path, pdf_path in printed.items():
        with pdfplumber.open(pdf_path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                bold = [c for c in page.chars if "Bold" in c["fontname"]]
                for c in bold:
                    if c["text"] in "）〕】，、；：":
                        before = [d for d in bold if abs(d["top"] - c["top"]) < 1 and d["x1"] <= c["x0"] + 1
                                  and c["x0"] - d["x1"] < c["size"]]
                        assert before, (path.name, number, c["text"], round(c["x0"]), round(c["top"]))


@needs_office
def test_libreoffice_prints_every_page_at_seven_points_or_more(books, printed):
    for path, pdf_path in printed.items():
        with pdfplumber.open(pdf_path) as pdf:
            assert len(pdf.pages) >= 4
            for number, page in enumerate(pdf.pages, start=1):
                assert (page.width, page.height) == pytest.approx((842, 595), abs=1)  # A4 landscape
                body, _ = Counter(round(c["size"], 1) for c in page.chars).most_common(1)[0]
                assert body >= 7.0, (path.name, number, body)  # 10-point cells, scaled at least 70 %


def _starts_a_line(chars: list[dict], c: dict) -> bool:
    """No character printed just before ``c`` on its line: ``c`` begins a wrapped line."""
    return not [d for d in chars if abs(d["top"] - c["top"]) < 1 and d["x1"] <= c["x0"] + 1
                and c["x0"] - d["x1"] < c["size"]]


@pytest.fixture(scope="module")
def forms(books, tmp_path_factory):
    """The headcount template and the indicator export, printed by LibreOffice."""
    tmp, _ = books
    template = tmp / "t.xlsx"
    assert runner.invoke(app, ["template", "-y", "2018", "-o", str(template)]).exit_code == 0
    indicators = tmp / "plan" / "indicators-2018.xlsx"
    profile = tmp / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "forms"), str(template), str(indicators)],
                   check=True, capture_output=True, timeout=240)
    return {template: tmp / "forms" / "t.pdf", indicators: tmp / "forms" / "indicators-2018.pdf"}


@needs_office
def test_template_and_indicators_print_legibly_within_the_page(forms):
    """Each page within its right edge, its body at 7 points or more, and no wrapped line starting
    with closing punctuation (“（每人计一次⏎）”)."""
    for path, pdf_path in forms.items():
        with pdfplumber.open(pdf_path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                where = (path.name, number)
                assert max(c["x1"] for c in page.chars) <= page.width - 20, where
                body, _ = Counter(round(c["size"], 1) for c in page.chars).most_common(1)[0]
                assert body >= 7.0, where
                starts = [c["text"] for c in page.chars if c["text"] in "）”，。" and _starts_a_line(page.chars, c)]
                assert not starts, (where, starts)


@needs_office
def test_template_header_prints_whole(forms):
    """Every heading of the template, its lines not cut off at the top or bottom of the cell."""
    path, pdf_path = next(iter(forms.items()))
    labels = [_flat(c.value or "") for c in load_workbook(path)["县区填报"][3]]
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        text = _flat(page.extract_text())
        header = [c for c in page.chars if "Bold" in c["fontname"]]
    bottom = min(float(c["top"]) for c in page.chars if c["text"] == "6")  # the first 地区代码 61…
    for label in labels:
        assert label in text or all(ch in text for ch in label), label
    assert sum(len(label) for label in labels) <= len([c for c in header if c["top"] < bottom])


@needs_office
def test_indicators_print_one_page_wide_with_the_total_beside_its_label(forms):
    """Not in vertical strips: every page names its rows' 补助项目, and 合计 prints on the page of
    its amount."""
    path, pdf_path = list(forms.items())[1]
    ws = load_workbook(path, data_only=True).active
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == 1
    assert ws.page_setup.orientation == "landscape"
    total = next(c.value for c in ws[ws.max_row] if isinstance(c.value, (int, float)))
    with pdfplumber.open(pdf_path) as pdf:
        pages = [_flat(page.extract_text()) for page in pdf.pages]
    assert all("补助项目" in text for text in pages)
    assert [n for n, text in enumerate(pages) if "合计" in text] == [n for n, text in enumerate(pages)
                                                                    if f"{total:,.2f}" in text] == [len(pages) - 1]


@needs_office
def test_parameters_and_notes_lines_start_with_no_closing_mark(books, printed):
    """参数与依据's “是（文件未载明⏎）” and 说明's “…，⏎，按月补助…”: widths chosen so that no wrapped
    line starts with a closing bracket, quote or comma."""
    path, pdf_path = next(iter(printed.items()))
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            text = _flat(page.extract_text())
            if not text.startswith(("参数与依据", "说明")):
                continue
            starts = [c["text"] for c in page.chars if c["text"] in "）”，" and _starts_a_line(page.chars, c)]
            assert not starts, (number, starts)
