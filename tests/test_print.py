"""The workbooks print legibly: A4 landscape, header rows repeated, each sheet fitted to as few pages
wide as keep its text at least 70 % of its size (read back from the files), wrapped rows as high as
their text; and LibreOffice's PDF of every sheet prints its cells at 7 points or more."""

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
    return tmp, [tmp / "plan" / "budget-2018.xlsx", tmp / "settle" / "settlement-2018.xlsx"]


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
                assert ws.print_title_rows == "$3:$3", ws.title  # the header row on every page
                if (setup.fitToWidth or 1) > 1:
                    assert ws.print_title_cols, ws.title  # and the labels on every page across
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


@needs_office
def test_libreoffice_prints_every_page_at_seven_points_or_more(books):
    tmp, paths = books
    profile = tmp / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "pdf"), *map(str, paths)], check=True, capture_output=True, timeout=240)
    for path in paths:
        with pdfplumber.open(tmp / "pdf" / (path.stem + ".pdf")) as pdf:
            assert len(pdf.pages) >= 4
            for number, page in enumerate(pdf.pages, start=1):
                assert (page.width, page.height) == pytest.approx((842, 595), abs=1)  # A4 landscape
                body, _ = Counter(round(c["size"], 1) for c in page.chars).most_common(1)[0]
                assert body >= 7.0, (path.name, number, body)  # 10-point cells, scaled at least 70 %
