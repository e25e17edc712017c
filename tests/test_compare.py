"""budget compare: the base and two shipped example scenarios side by side; the 方案比较 sheet's
formulas recalculate in LibreOffice to the values written; an empty scenario differs by zero."""

from conftest import ROOT, recalculated_by_libreoffice, same_values
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app

EXAMPLES = ROOT / "budget" / "configs" / "examples"


def test_compare_recalculates_in_libreoffice(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("scenario: {name: 空方案, reason: 不改任何参数}\n", "utf-8")
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", "--year", "2019", "--year", "2021",
                                      "--scenario", str(EXAMPLES / "scenario-contribution-100.yaml"),
                                      "--scenario", str(EXAMPLES / "scenario-county-80.yaml"),
                                      "--scenario", str(empty), "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = out / "compare.xlsx"
    mine = load_workbook(path, data_only=True)
    sheet = mine["方案比较"]
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["年度", "承担级次", "地区代码", "地区", "基准"]
    assert "空方案 差额" in header and "县级分担80% 变动率" in header
    empty_diff = header.index("空方案 差额")
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows and all(r[empty_diff] == 0 for r in rows)  # an empty scenario: zero differences
    county_diff = header.index("县级分担80% 差额")
    assert any(r[county_diff] for r in rows if r[1] == "县级")  # the counties carry more
    changed = [r for r in load_workbook(path)["方案参数"].iter_rows(min_row=4, values_only=True)]
    assert {r[0] for r in changed} == {"代缴标准提高至100元", "县级分担80%"}
    assert any("50 元" in (r[6] or "") and "100 元" in (r[7] or "") for r in changed)
    formulas = load_workbook(path)["方案比较"]
    assert str(formulas.cell(4, empty_diff + 1).value).startswith("=")
    theirs = recalculated_by_libreoffice(path, tmp_path)
    assert same_values(mine, theirs) > 100
    again = CliRunner().invoke(app, ["compare", "--year", "2019", "--year", "2021",
                                     "--scenario", str(EXAMPLES / "scenario-contribution-100.yaml"),
                                     "--scenario", str(EXAMPLES / "scenario-county-80.yaml"),
                                     "--scenario", str(empty), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0
    assert (tmp_path / "again" / "compare.xlsx").read_bytes() == path.read_bytes()
    # the appendix to the 测算说明: marked, one chart per payer and one for all, same bytes twice
    import pdfplumber

    pdf = out / "compare-appendix.pdf"
    assert pdf.read_bytes() == (tmp_path / "again" / "compare-appendix.pdf").read_bytes()
    with pdfplumber.open(pdf) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "测算方案，非正式下达" in text
    for n, payer in enumerate(("省级", "市级", "县级", "各级合计"), start=1):
        assert f"图{n} {payer}承担数" in text
