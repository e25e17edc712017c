"""The budget workbook read back: values equal allocations.csv, totals are formulas, layout."""

import csv
import shutil
from decimal import Decimal

import pytest
from conftest import EXAMPLE, ROOT, XIANYANG, recalculated_by_libreoffice, same_values, soffice_convert, write_regions
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()
PAYER_COLUMNS = ("省级", "市级", "县级")
PAYERS = ("province", "city", "county")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    result = runner.invoke(app, ["plan", "--year", "2018", "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out / "allocations.csv", encoding="utf-8-sig")))
    return out, rows


def header_index(ws, row=3):
    return {c.value: c.column for c in ws[row] if c.value}


def test_subsidy_sheets_equal_allocations_csv(planned):
    out, rows = planned
    values = load_workbook(out / "budget-2018.xlsx", data_only=True)
    formulas = load_workbook(out / "budget-2018.xlsx")
    expected = {(r["subsidy"], r["region_code"], r["payer"]): Decimal(r["amount"]) for r in rows}
    from budget.readers.policy_reader import read_policy
    policy, _ = read_policy([XIANYANG])
    checked = 0
    for sid, subsidy in policy.subsidies.items():
        ws, wf = values[subsidy.name], formulas[subsidy.name]
        cols = header_index(ws)
        county_rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
        assert len(county_rows) == 13
        for r in county_rows:
            code = ws.cell(r, 2).value
            assert isinstance(code, str)
            for name, payer in zip(PAYER_COLUMNS, PAYERS):
                cell = ws.cell(r, cols[name]).value
                assert Decimal(str(cell)) == expected.get((sid, code, payer), Decimal(0)), (sid, code, payer)
                checked += 1
            # live: 人数 × 标准 × 月数 rounded once to the unit (+ the residue, a value), the payers' shares formulas too
            assert wf.cell(r, cols["资金合计"]).value.startswith("=INT((2*(")
            assert all(str(wf.cell(r, cols[name]).value).startswith("=") or ws.cell(r, cols[name]).value == 0
                       for name in PAYER_COLUMNS)
        # the 合计 row (row 4) is a SUM formula over the county rows, its cached value their sum
        for name in PAYER_COLUMNS + ("资金合计",):
            col = cols[name]
            assert wf.cell(4, col).value == f"=SUM({wf.cell(5, col).column_letter}5:{wf.cell(5, col).column_letter}17)"
            assert Decimal(str(ws.cell(4, col).value)) == sum(Decimal(str(ws.cell(r, col).value)) for r in county_rows)
        assert ws.cell(4, 3).value == "合计"
    assert checked == len([k for k in expected]) + sum(1 for _ in ()) or checked >= len(expected)


def test_summary_and_payer_views(planned):
    out, rows = planned
    ws = load_workbook(out / "budget-2018.xlsx", data_only=True)
    wf = load_workbook(out / "budget-2018.xlsx")
    assert ws.sheetnames[0] == "汇总"
    assert {"省级承担", "市级承担", "县级承担", "参数与依据", "说明"} <= set(ws.sheetnames)
    by_payer = {p: sum(Decimal(r["amount"]) for r in rows if r["payer"] == p) for p in PAYERS}
    summary = ws["汇总"]
    assert summary["B4"].value == "合计"
    for col, payer in zip("CDE", PAYERS):
        assert Decimal(str(summary[f"{col}4"].value)) == by_payer[payer]
        assert wf["汇总"][f"{col}5"].value.startswith("='城乡居民养老保险农村困难群体代缴保费'!$")
    assert Decimal(str(summary["F4"].value)) == sum(by_payer.values())
    city = ws["市级承担"]
    cols = header_index(city)
    for r in range(5, 18):
        code = city.cell(r, 2).value
        mine = sum(Decimal(x["amount"]) for x in rows if x["region_code"] == code and x["payer"] == "city")
        assert Decimal(str(city.cell(r, cols["合计"]).value)) == mine
    assert Decimal(str(city.cell(4, cols["合计"]).value)) == by_payer["city"]


def test_parameters_and_about_sheets(planned):
    out, _ = planned
    ws = load_workbook(out / "budget-2018.xlsx")
    params = [[c.value for c in row] for row in ws["参数与依据"].iter_rows(min_row=4)]
    expected = ["建档立卡农村贫困人口补充医疗保障", "分担比例", "全省", "2018-01", None, "省级30%，市级30%，县级40%"]
    assert any(p[:6] == expected for p in params)
    assumed = [p for p in params if p[7] == "是（文件未载明）"]
    # 2018's assumed values (the medical groups' order, two starting dates, the pension increase's local split,
    # three medical rates, the medical split), each with its note; nothing of other years
    assert len(assumed) == 8 and all(p[8] for p in assumed)
    assert not any(p[3] and p[3] > "2018-12" for p in params)
    about = {r[0].value: r[1].value for r in ws["说明"].iter_rows(min_row=3) if r[0].value}
    assert about["预算年度"] == "2018" and about["金额单位"] == "元"
    assert any(k.startswith("输入文件") and "SHA-256" in v for k, v in about.items())
    assert not any(str(ROOT) in v or "/tmp" in v for v in about.values() if isinstance(v, str)), "a path leaked"
    assert any(p[1] == "市县部分再分担" for p in params) and not any("local" in str(p) for p in params)


def test_formats_and_print_setup(planned):
    out, _ = planned
    ws = load_workbook(out / "budget-2018.xlsx")["城乡居民养老保险农村困难群体代缴保费"]
    assert ws["K5"].number_format == "#,##0.00"
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    # three groups' columns still fit one page wide at 70 % (tests/test_print.py reads the PDF)
    assert (ws.page_setup.fitToWidth or 1) == 1 and not ws.print_title_cols
    assert ws.print_title_rows == "$1:$3"  # title, 单位 and header on every page
    assert "&P" in ws.oddFooter.center.text
    # the long Chinese header wraps in a narrow column, and its row is as high as the lines it takes
    from budget.core.display import width
    column = ws.column_dimensions["D"].width
    assert 10 <= column <= 16
    assert ws.row_dimensions[3].height >= 13 * -(-width(ws["D3"].value) // int(column * 1.3))


def test_same_inputs_same_workbook_bytes(tmp_path):
    for name in "ab":
        assert runner.invoke(app, ["plan", "-y", "2018", "--out", str(tmp_path / name), "--no-pdf"]).exit_code == 0
    assert (tmp_path / "a" / "budget-2018.xlsx").read_bytes() == (tmp_path / "b" / "budget-2018.xlsx").read_bytes()


def test_wan_yuan_cells_are_the_allocated_amounts(tmp_path):
    """Allocated to the 元 (the shipped document settings), the workbook in 万元 shows four decimals:
    every cell is the allocated amount itself, and every total the sum of the cells."""
    result = runner.invoke(app, ["plan", "-y", "2018", "--unit", "万元", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    ws = load_workbook(tmp_path / "budget-2018.xlsx", data_only=True)["城乡居民养老保险农村困难群体代缴保费"]
    cols = header_index(ws)
    allocated = {r["region_code"]: Decimal(r["amount"]) for r in csv.DictReader(open(tmp_path / "allocations.csv"))
                 if r["subsidy"] == "pension_contribution" and r["payer"] == "city"}
    shown = {ws.cell(r, 2).value: Decimal(str(ws.cell(r, cols["市级"]).value)) for r in range(5, 18)}
    assert {code: v * 10000 for code, v in shown.items()} == allocated
    assert all(v == int(v) for v in allocated.values())  # whole 元
    assert Decimal(str(ws.cell(4, cols["市级"]).value)) == sum(shown.values())
    assert ws.cell(4, cols["市级"]).number_format == "#,##0.0000"
    assert ws.cell(2, 14).value == "单位：万元"
    about = {r[0].value: r[1].value for r in load_workbook(tmp_path / "budget-2018.xlsx")["说明"].iter_rows(min_row=3)}
    assert about["分配单位"].startswith("元：") and "四舍五入到元" in about["分配单位"]


def test_bad_unit_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["plan", "--unit", "千元", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--unit 千元：只能是 元、万元" in result.output


def test_hostile_names_stay_text(tmp_path):
    write_regions(tmp_path / "regions.yaml", [("610402", '=HYPERLINK("http://x","y")'), ("610404", "+1-2"),
                                              ("610422", "-cmd|' /C calc'!A0")], city=("610400", "@SUM(1)"))
    policy = tmp_path / "p.yaml"
    policy.write_text("""\
document: {number: 测试〔2018〕1号, title: 测试, issuers: [测试厅], date: 2018-01-02}
regions: {file: regions.yaml}
groups: {people: {name: "=1+1"}}
subsidies:
  s:
    name: "=2+2"
    unit: year
    population: {add: [people]}
    period: [{from: 2018-01, ref: "=3+3"}]
    rate: [{from: 2018-01, value: 10, ref: 条款}]
    shares: [{from: 2018-01, split: {county: 100%}, ref: 条款}]
""", encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("year,region_code,group,headcount\n" + "".join(
        f"2018,{c},people,1\n" for c in ("610402", "610404", "610422")), encoding="utf-8")
    result = runner.invoke(app, ["plan", "-p", str(policy), "-H", str(people), "--out", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "o" / "budget-2018.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@" and cell.data_type == "f":
                    starts = ("=SUM(", "='", "=D", "=E", "=F", "=G", "=H", "=I")
                    assert cell.value.startswith(starts), (ws.title, cell.coordinate, cell.value)
    sheet = book["=2+2"]
    assert sheet["C5"].value == '=HYPERLINK("http://x","y")' and sheet["C5"].data_type == "s"
    assert sheet["D3"].value == "=1+1" and sheet["D3"].data_type == "s"


# --- the collection template ---------------------------------------------------------------------

def example_counts(year):
    return {(r["region_code"], r["group"]): int(r["headcount"])
            for r in csv.DictReader(ln for ln in open(EXAMPLE, encoding="utf-8-sig") if not ln.startswith("#"))
            if r["year"] == str(year)}


def fill_template(path, counts, out):
    book = load_workbook(path)
    ws = book["县区填报"]
    ids = [c.value for c in ws[4]]
    for r in range(5, ws.max_row + 1):
        code = ws.cell(r, 1).value
        for col, gid in enumerate(ids, start=1):
            if gid not in ("region_code", "region_name", "check"):
                ws.cell(r, col).value = counts[(code, gid)]
    book.save(out)


def test_template_layout_validation_and_protection(tmp_path):
    result = runner.invoke(app, ["template", "--year", "2018", "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["县区填报", "填报说明"]
    ws = book["县区填报"]
    assert ws["B2"].value == 2018
    assert [c.value for c in ws[4]][:5] == ["region_code", "region_name", "poor_pension_contributors",
                                            "poor_pension_contributors_contiguous", "poor_pension_contributors_disabled"]
    assert ws["D3"].value.startswith("其中：")
    assert [ws.cell(r, 1).value for r in range(5, 18)][0] == "610402" and ws.max_row == 17
    assert ws.protection.sheet and ws["A5"].protection.locked and not ws["C5"].protection.locked
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert rules["C5:C17"].type == "whole" and rules["C5:C17"].operator == "greaterThanOrEqual"
    assert rules["D5:D17"].formula2 == "$C5"          # 其中 ≤ its parent
    assert rules["E5:E17"].formula2 == "MIN($C5,$F5)"  # disabled poor ≤ poor and ≤ all disabled


def test_filled_template_plans_like_the_csv(tmp_path):
    runner.invoke(app, ["template", "--year", "2018", "--out", str(tmp_path / "t.xlsx")])
    fill_template(tmp_path / "t.xlsx", example_counts(2018), tmp_path / "filled.xlsx")
    a = runner.invoke(app, ["plan", "-y", "2018", "-H", str(tmp_path / "filled.xlsx"), "--out", str(tmp_path / "a"), "--no-pdf"])
    b = runner.invoke(app, ["plan", "-y", "2018", "-H", EXAMPLE, "--out", str(tmp_path / "b"), "--no-pdf"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output
    assert (tmp_path / "a" / "allocations.csv").read_bytes() == (tmp_path / "b" / "allocations.csv").read_bytes()


def test_bad_template_cell_is_reported_by_address(tmp_path):
    runner.invoke(app, ["template", "--year", "2018", "--out", str(tmp_path / "t.xlsx")])
    counts = example_counts(2018)
    fill_template(tmp_path / "t.xlsx", counts, tmp_path / "filled.xlsx")
    book = load_workbook(tmp_path / "filled.xlsx")
    book["县区填报"]["G7"] = "约三千"
    book["县区填报"]["H9"] = None
    book.save(tmp_path / "filled.xlsx")
    result = runner.invoke(app, ["plan", "-H", str(tmp_path / "filled.xlsx"), "--out", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'filled.xlsx'}:县区填报!G7: [人数] 人数 '约三千' 应为不小于 0 的整数" in result.output
    assert f"{tmp_path / 'filled.xlsx'}:县区填报!H9: [人数] 未填写：请填写人数，没有的填0" in result.output


def _filled_template(tmp_path):
    """The 2018 template filled with the example's figures: (counts, workbook, its sheet, field ids)."""
    runner.invoke(app, ["template", "--year", "2018", "--out", str(tmp_path / "t.xlsx")])
    counts = example_counts(2018)
    fill_template(tmp_path / "t.xlsx", counts, tmp_path / "filled.xlsx")
    book = load_workbook(tmp_path / "filled.xlsx")
    ws = book["县区填报"]
    return counts, book, ws, [c.value for c in ws[4]]


def test_a_forgiving_template_never_guesses_a_number(tmp_path):
    """Full-width digits read as digits; a county row left blank is not planned; a 合计 row under the
    table is checked, not read as a county; a renamed sheet is named."""
    counts, book, ws, ids = _filled_template(tmp_path)
    ws["C5"] = "８，５３５"  # 秦都区's 8535, typed with a Chinese input method
    for col in range(3, len(ids)):  # 渭城区 (row 6) left entirely blank
        ws.cell(6, col).value = None
    total_row = ws.max_row + 1
    ws.cell(total_row, 1).value = "合计"
    ws.cell(total_row, 3).value = sum(counts[(ws.cell(r, 1).value, ids[2])] for r in range(5, total_row) if r != 6)
    ws.cell(total_row, 4).value = 1  # a wrong total
    book.save(tmp_path / "filled.xlsx")
    result = runner.invoke(app, ["check", "-y", "2018", "-H", str(tmp_path / "filled.xlsx")])
    assert result.exit_code == 1
    assert (f"{tmp_path / 'filled.xlsx'}:县区填报!D{total_row}: [合计] “其中：已享受集中连片特困地区缴费补助（陕办发〔2012〕4号）"
            "（不含重度残疾人）”列填写的合计 1 不等于各县之和") in result.output
    ws.cell(total_row, 4).value = None
    book.save(tmp_path / "filled.xlsx")
    result = runner.invoke(app, ["plan", "-y", "2018", "-H", str(tmp_path / "filled.xlsx"), "-o", str(tmp_path / "o"),
                                 "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "610404 渭城区" in result.output and "没有任何人数，不纳入本次测算" in result.output
    rows = list(csv.DictReader(open(tmp_path / "o" / "allocations.csv", encoding="utf-8-sig")))
    assert "610404" not in {r["region_code"] for r in rows}
    assert {r["headcount"] for r in rows if r["region_code"] == "610402" and r["subsidy"] == "pension_contribution"} == \
        {str(8535 - counts[("610402", "poor_pension_contributors_contiguous")]
             - counts[("610402", "poor_pension_contributors_disabled")])}
    book["县区填报"].title = "Sheet1"
    book.save(tmp_path / "renamed.xlsx")
    result = runner.invoke(app, ["check", "-y", "2018", "-H", str(tmp_path / "renamed.xlsx")])
    assert result.exit_code == 1 and "找不到工作表‘县区填报’" in result.output


@pytest.mark.parametrize("label", ["合计", "合 计", "合\u3000计", "合计：", "总计", "合计（人）"])
def test_a_typed_total_is_checked_and_every_other_problem_still_said(tmp_path, label):
    """A 合计 row, however the clerk spells it, is checked against the counties and never read as a
    county; a total that disagrees does not hide the other problems of the sheet (all at once); when
    it disagrees because a spreadsheet's SUM skipped numbers stored as text, those cells are named."""
    counts, book, ws, ids = _filled_template(tmp_path)
    ws["C5"] = "８５３５"  # a number stored as text: LibreOffice's SUM skips it
    total_row = ws.max_row + 1
    ws.cell(total_row, 1 if label != "合\u3000计" else 2).value = label
    column_c = sum(counts[(ws.cell(r, 1).value, ids[2])] for r in range(5, total_row))
    ws.cell(total_row, 3).value = column_c - 8535  # what the spreadsheet's own SUM shows
    ws.cell(total_row, 4).value = sum(counts[(ws.cell(r, 1).value, ids[3])] for r in range(5, total_row))  # right
    ws["E7"] = None  # an empty cell
    ws["G9"] = "abc"  # text in a number cell
    book.save(tmp_path / "filled.xlsx")
    result = runner.invoke(app, ["check", "-y", "2018", "-H", str(tmp_path / "filled.xlsx")])
    assert result.exit_code == 1
    out = result.output
    assert (f"县区填报!C{total_row}: [合计] “参保缴费农村困难群体（建档立卡未标注脱贫人口、低保对象、特困人员）”列填写的合计 "
            f"{column_c - 8535:,} 不等于各县之和 {column_c:,}；差额来自以文本保存的数字 县区填报!C5 '８５３５'") in out
    assert "县区填报!E7: [人数] 未填写：请填写人数，没有的填0" in out
    assert "县区填报!G9: [人数] 人数 'abc' 应为不小于 0 的整数" in out
    assert f"县区填报!D{total_row}" not in out  # the right total passes
    assert "地区代码 '" not in out and "没有地区代码" not in out  # the total row is not read as a county
    assert "发现 3 个问题" in out


def test_a_subtotal_row_is_one_message_not_one_per_column(tmp_path):
    counts, book, ws, ids = _filled_template(tmp_path)
    row = ws.max_row + 1
    ws.cell(row, 1).value = "小计"
    ws.cell(row, 3).value = 100
    book.save(tmp_path / "filled.xlsx")
    result = runner.invoke(app, ["check", "-y", "2018", "-H", str(tmp_path / "filled.xlsx")])
    assert result.exit_code == 1
    assert result.output.endswith(f"filled.xlsx:县区填报!A{row}: [合计] '小计' 不是地区代码，这一行未读取（合计行请写“合计”，"
                                  "小计行请删去）\n发现 1 个问题。\n")


# --- a real office suite --------------------------------------------------------------------------

needs_office = pytest.mark.skipif(shutil.which("soffice") is None,
                                  reason="LibreOffice is installed by `scripts/setup.sh --test` (make test)")


@needs_office
def test_libreoffice_recalculates_to_the_same_values(planned, tmp_path):
    out, rows = planned
    theirs = recalculated_by_libreoffice(out / "budget-2018.xlsx", tmp_path)
    assert same_values(load_workbook(out / "budget-2018.xlsx", data_only=True), theirs) > 500
    assert Decimal(str(theirs["汇总"]["F4"].value)) == sum(Decimal(r["amount"]) for r in rows)


@needs_office
def test_template_saved_again_by_libreoffice_is_read(tmp_path):
    runner.invoke(app, ["template", "--year", "2018", "--out", str(tmp_path / "t.xlsx")])
    fill_template(tmp_path / "t.xlsx", example_counts(2018), tmp_path / "filled.xlsx")
    resaved = soffice_convert(tmp_path / "filled.xlsx", tmp_path / "lo", tmp_path / "profile")
    a = runner.invoke(app, ["plan", "-y", "2018", "-H", str(resaved), "--out", str(tmp_path / "a"), "--no-pdf"])
    b = runner.invoke(app, ["plan", "-y", "2018", "-H", EXAMPLE, "--out", str(tmp_path / "b"), "--no-pdf"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output
    assert (tmp_path / "a" / "allocations.csv").read_bytes() == (tmp_path / "b" / "allocations.csv").read_bytes()


def test_the_template_asks_for_each_person_once_and_the_right_count(tmp_path):
    assert runner.invoke(app, ["template", "-y", "2019", "-o", str(tmp_path / "t.xlsx")]).exit_code == 0
    book = load_workbook(tmp_path / "t.xlsx")
    headings = {c.value.split("\n")[0]: c.value for c in book["县区填报"][3] if c.value}
    assert headings["其中：已享受集中连片特困地区缴费补助（陕办发〔2012〕4号）（不含重度残疾人）"].endswith(
        "年度内符合条件人数（每人计一次）")
    assert "城乡居民医保参保建档立卡农村贫困人口（不含特困人员、农村低保对象）" in headings
    assert headings["城乡居民养老保险领取待遇人员"].endswith("预计每月人数")
    assert any(k.startswith("参保缴费农村困难群体") for k in headings)
    notes = " ".join(c.value or "" for row in book["填报说明"].iter_rows() for c in row)
    assert "同一人全年只计一次" in notes and "《转发〈关于切实做好社会保险扶贫工作的实施意见〉的通知》" in notes


def test_the_fast_cell_writer_writes_xlsxwriters_bytes(monkeypatch):
    """Our own cells' XML (writers/sheet_xml.py) and formula preparation give byte for byte the
    workbooks xlsxwriter's own code gives (with the advance sheet and 万元, every kind of cell we
    write; and the indicator workbook, whose rows are written whole)."""
    from fractions import Fraction

    from budget.core.display import UNITS
    from budget.outputs import Documents, indicator_files, settings_for
    from budget.plan import run_plan
    from budget.writers import sheet_xml, workbook

    result, _ = run_plan([XIANYANG], EXAMPLE, [2018], advance_rate=Fraction(9, 10), quantum=100)
    settings = settings_for(result, 2018, Documents())

    def books() -> list[bytes]:
        return [*(workbook.workbook_bytes(result, 2018, UNITS[u]) for u in ("元", "万元")),
                indicator_files(result, 2018, settings)["indicators-2018.xlsx"]]

    fast = books()
    monkeypatch.setattr(sheet_xml, "FAST_CELLS", False)
    monkeypatch.setattr(sheet_xml.OwnCells, "_prepare_formula", sheet_xml.Worksheet._prepare_formula)
    assert fast == books()


def test_a_plain_table_written_row_by_row_has_xlsxwriters_bytes(monkeypatch):
    """rows_workbook writes most rows as one format string: the same bytes as each cell written by
    xlsxwriter, with rows of one column only, blanks, a text too long for the fast path, a text
    first seen in a later row, and no amount column."""
    from budget.writers import sheet_xml, workbook

    long = "很长的说明" * 250
    tables = [
        (["文号", "项目", "地区", "金额（元）"],
         [["省财社〔2018〕1号", "甲", "610402", "12.50"], ["省财社〔2018〕1号", "乙", "", "-0.01"],
          ["省财社〔2018〕1号", long, "610403", "1000000.00"], ["省财社〔2018〕1号", "甲", "610404", "0.10"],
          ["省财社〔2018〕1号", "丙（新）", "610404", "3"]], 3),
        (["项目"], [["甲"], ["乙"], ["甲"]], None),
        (["项目", "金额"], [["甲", "1.00"]], 1),
        (["项目", "金额"], [], 1),
    ]

    def books() -> list[bytes]:
        return [workbook.rows_workbook("指标", header, rows, 2018, amount) for header, rows, amount in tables]

    fast = books()
    monkeypatch.setattr(sheet_xml, "FAST_CELLS", False)
    assert fast == books()


def _own_cells_book(fast: bool, clash: bool = False) -> bytes:
    """Rows written as one run of cells (put_xml) beside single cells, xlsxwriter's own cells,
    heights and an empty row; with FAST_CELLS off, the same cells one by one through xlsxwriter."""
    import io

    import xlsxwriter

    from budget.writers import sheet_xml

    stream = io.BytesIO()
    wb = xlsxwriter.Workbook(stream, {"in_memory": True})
    bold, boxed = wb.add_format({"bold": True}), wb.add_format({"border": 1})
    ws = wb.add_worksheet("表", worksheet_class=sheet_xml.OwnCells)
    ws.write_string(0, 0, "标题", bold)
    for row in range(1, 40):
        if fast:
            ws.put_xml(row, 1, 2, f'<c r="B{row + 1}" s="{ws.style(boxed)}"><v>{row}</v></c><c r="C{row + 1}" '
                                  f's="{ws.style(bold)}" t="s"><v>{ws.shared(f"项{row % 3}")}</v></c>')
        else:
            ws.write_number(row, 1, row, boxed)
            ws.write_string(row, 2, f"项{row % 3}", bold)
        if row % 2:
            ws.put_number(row, 4, row * 1.5, boxed)
        if row % 5 == 0:
            ws.write_string(row, 6, "注", boxed)
        if row % 7 == 0:
            ws.set_height(row, 30)
    if clash:
        ws.write_string(3, 2, "重写", bold)
    ws.set_row(45, 20)
    wb.close()
    return stream.getvalue()


def test_runs_of_cells_beside_single_cells_give_xlsxwriters_bytes(monkeypatch):
    from budget.writers import sheet_xml

    fast = _own_cells_book(True)
    monkeypatch.setattr(sheet_xml, "FAST_CELLS", False)
    assert fast == _own_cells_book(False)


def test_a_cell_written_over_a_run_of_cells_is_refused():
    with pytest.raises(RuntimeError, match="C4"):
        _own_cells_book(True, clash=True)


def test_the_workbook_says_which_county_was_renamed(tmp_path):
    """The workbook uses a county's present name (彬州市) while a notice dated before the rename says
    彬县: the 说明 sheet says so for the year of the rename (陕政函〔2018〕93号, May 2018), not later."""
    result = runner.invoke(app, ["plan", "-y", "2018", "-y", "2019", "--no-pdf", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for year, expected in ((2018, True), (2019, False)):
        about = load_workbook(tmp_path / f"budget-{year}.xlsx")["说明"]
        notes = [r[1] for r in about.iter_rows(values_only=True) if r[0] == "地区更名"]
        assert notes == (["610482 彬州市：原彬县（610427），2018年5月更名（陕政函〔2018〕93号）；本表用现名，成文日期在更名之前的"
                          "公文用当时的名称"] if expected else [])


def test_workbooks_are_deflated_at_level_4(tmp_path):
    """The workbooks' parts are deflated at level 4 (faster than zlib's default, ~10 % larger):
    every part of the budget workbook is exactly its XML deflated at that level."""
    import zipfile
    import zlib

    from typer.testing import CliRunner

    from budget.cli import app
    from budget.writers.xlsx_zip import LEVEL

    assert CliRunner().invoke(app, ["plan", "--year", "2018", "--no-pdf", "--out", str(tmp_path / "o")]).exit_code == 0
    with zipfile.ZipFile(tmp_path / "o" / "budget-2018.xlsx") as book:
        for info in book.infolist():
            data = book.read(info)
            packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            assert info.compress_size == len(packer.compress(data) + packer.flush()), info.filename
