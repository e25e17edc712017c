"""Settlement: hand-derived cases, properties, bad input, and the outputs read back."""

import csv
import re
from decimal import Decimal
from fractions import Fraction

import pdfplumber
import pytest
from conftest import GROUPS, ROOT, XIANYANG, XIANYANG_COUNTIES, recalculated_by_libreoffice, same_values, write_headcounts
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app
from budget.core.engine import compute
from budget.core.headcounts import Headcounts
from budget.core.settlement import advance, budgeted, settle, transfers
from budget.readers.policy_reader import read_policy

runner = CliRunner()


def monthly_file(path, year, county, monthly):
    """Actual headcounts month by month: every county and group, 0 unless given."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "month", "region_code", "group", "headcount"])
        for code in XIANYANG_COUNTIES:
            for group in GROUPS:
                for month in range(1, 13):
                    values = monthly.get(group) if code == county else None
                    writer.writerow([year, month, code, group, values[month - 1] if values else 0])
    return str(path)


@pytest.fixture(scope="module")
def policy():
    return read_policy([XIANYANG])[0]


counts = st.lists(st.integers(0, 50_000), min_size=len(GROUPS), max_size=len(GROUPS))


def consistent(values):
    c = dict(zip(GROUPS, values))
    c["poor_pension_contributors_contiguous"] = min(c["poor_pension_contributors_contiguous"], c["poor_pension_contributors"])
    c["poor_pension_contributors_disabled"] = min(c["poor_pension_contributors_disabled"],
                                                  c["poor_pension_contributors"] - c["poor_pension_contributors_contiguous"],
                                                  c["disabled_pension_contributors"])
    return c


@settings(max_examples=40, deadline=None)
@given(counts, counts, st.sampled_from([None, Fraction(9, 10), Fraction(1, 3), Fraction(1)]))
def test_planned_plus_difference_is_actual_and_transfers_settle_every_difference(policy, a, b, rate):
    forecast = Headcounts({(2018, code, g): n for code in XIANYANG_COUNTIES[:3] for g, n in consistent(a).items()}
                          | {(2018, code, g): 0 for code in XIANYANG_COUNTIES[3:] for g in GROUPS})
    actual = Headcounts({(2018, code, g): n for code in XIANYANG_COUNTIES[:3] for g, n in consistent(b).items()}
                        | {(2018, code, g): 1 for code in XIANYANG_COUNTIES[3:] for g in GROUPS})
    planned_lines = compute(policy, forecast, [2018])
    planned = advance(planned_lines, rate) if rate else budgeted(planned_lines)
    for p in planned:  # each level advances its own share × rate, rounded half-up to the fen once
        budget = dict(p.line.amounts)
        for payer, amount in p.amounts:
            want = (budget[payer] * rate.numerator * 2 + rate.denominator) // (2 * rate.denominator) if rate else budget[payer]
            assert amount == want
    lines = settle(planned, compute(policy, actual, [2018]))
    for line in lines:
        assert line.planned + line.difference == line.actual
    moved = {(t.payer, t.region.code): t.amount for t in transfers(lines)}
    for payer in ("province", "city"):
        for code in XIANYANG_COUNTIES:
            owed = sum(ln.difference for ln in lines if ln.payer == payer and ln.region.code == code)
            assert moved.get((payer, code), 0) == owed


# --- bad input ---------------------------------------------------------------------------------------

@pytest.fixture()
def plan_folder(tmp_path):
    forecast = write_headcounts(tmp_path / "forecast.csv", {"pension_recipients": 10})
    assert runner.invoke(app, ["plan", "-y", "2018", "-H", forecast, "-p", XIANYANG, "-o", str(tmp_path / "plan"),
                               "--no-pdf"]).exit_code == 0
    return tmp_path / "plan"


def settle_cli(tmp_path, planned, actual, *extra):
    return runner.invoke(app, ["settle", "-y", "2018", "--planned", str(planned), "--actual", str(actual),
                               "-o", str(tmp_path / "s"), "--no-pdf", *extra])


def test_actuals_for_a_year_the_plan_does_not_have(tmp_path, plan_folder):
    actual = write_headcounts(tmp_path / "actual.csv", {}, years=(2018, 2019))
    result = settle_cli(tmp_path, plan_folder, actual)
    assert result.exit_code == 1
    assert f"{actual}: 有 2019 年的实际人数，但测算没有该年度（其年度：2018）" in result.output
    assert not (tmp_path / "s").exists()


def test_actuals_with_unknown_region_group_and_impossible_values(tmp_path, plan_folder):
    actual = write_headcounts(tmp_path / "actual.csv", {})
    with open(actual, "a", encoding="utf-8") as handle:
        handle.write("2018,610502,pension_recipients,5\n2018,610402,retired_cats,5\n")
    text = open(actual, encoding="utf-8").read().replace("2018,610404,pension_recipients,0", "2018,610404,pension_recipients,-4")
    open(actual, "w", encoding="utf-8").write(text)
    result = settle_cli(tmp_path, plan_folder, actual)
    assert result.exit_code == 1
    assert "地区代码 '610502' 不在区划表中" in result.output
    assert "未知的人员类别 'retired_cats'" in result.output
    assert "人数 '-4' 应为不小于 0 的整数" in result.output


def test_actuals_that_leave_out_a_planned_county(tmp_path, plan_folder):
    actual = write_headcounts(tmp_path / "actual.csv", {}, counties=XIANYANG_COUNTIES[1:])
    result = settle_cli(tmp_path, plan_folder, actual)
    assert result.exit_code == 1
    assert "缺少 610402 秦都区 的实际人数，测算中有这些地区（没有符合条件的人员请填 0）" in result.output


def test_a_plan_made_with_another_policy_version(tmp_path, plan_folder):
    actual = write_headcounts(tmp_path / "actual.csv", {})
    other = str(ROOT / "tests" / "fixtures" / "xianyang-rate-change.yaml")
    result = settle_cli(tmp_path, plan_folder, actual, "--policy", other)
    assert result.exit_code == 1
    assert "该测算使用的是另一版本的政策文件（shaanxi-2017-60.yaml " in result.output


def test_a_plan_whose_inputs_changed(tmp_path, plan_folder):
    """The plan keeps a copy of its inputs (the original may move or change); the copy is checked."""
    actual = write_headcounts(tmp_path / "actual.csv", {})
    copy = plan_folder / "inputs" / "headcounts" / "forecast.csv"
    copy.write_text(copy.read_text("utf-8") + "\n", "utf-8")
    result = settle_cli(tmp_path, plan_folder, actual)
    assert result.exit_code == 1 and "在测算之后被修改（SHA-256 与 plan.json 不符）" in result.output


def test_incomplete_monthly_actuals(tmp_path, plan_folder):
    actual = monthly_file(tmp_path / "actual.csv", 2018, "610402", {})
    lines = open(actual, encoding="utf-8-sig").read().splitlines()
    lines = [ln for ln in lines if not ln.startswith("2018,7,610402,pension_recipients,")]
    open(actual, "w", encoding="utf-8").write("\n".join(lines) + "\n")
    result = settle_cli(tmp_path, plan_folder, actual)
    assert result.exit_code == 1
    assert "2018, 610402, 城乡居民养老保险领取待遇人员（pension_recipients）：按月人数缺少 7 月（12 个月都要填，没有的填 0）" \
        in result.output


# --- outputs read back ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("settled")
    forecast = write_headcounts(tmp / "forecast.csv", {"poor_pension_contributors": 1000, "pension_recipients": 5000,
                                                      "rural_registered_poor": 800, "medical_poor": 300})
    actual = write_headcounts(tmp / "actual.csv", {"poor_pension_contributors": 950, "pension_recipients": 5100,
                                                  ("610402", "rural_registered_poor"): 700, "rural_registered_poor": 810,
                                                  "medical_poor": 300})
    assert runner.invoke(app, ["plan", "-y", "2018", "-H", forecast, "-o", str(tmp / "plan"), "--no-pdf",
                               "--advance-rate", "90%"]).exit_code == 0
    result = runner.invoke(app, ["settle", "-y", "2018", "--planned", str(tmp / "plan"), "--actual", actual,
                                 "-o", str(tmp / "s")])
    assert result.exit_code == 0, result.output
    return tmp / "s"


def test_settlement_workbook_matches_the_csv(settled):
    rows = list(csv.DictReader(open(settled / "settlement.csv", encoding="utf-8-sig")))
    values = load_workbook(settled / "settlement-2018.xlsx", data_only=True)
    formulas = load_workbook(settled / "settlement-2018.xlsx")
    assert values.sheetnames == ["清算表", "上下级结算", "决算表", "说明"]
    sheet = values["清算表"]
    header = [c.value for c in sheet[3]]
    assert header[4:7] == ["省级预拨数", "省级应拨数", "省级差额"]
    total_diff = sum(Decimal(r["difference"]) for r in rows)
    assert Decimal(str(sheet.cell(4, header.index("合计差额") + 1).value)).quantize(Decimal("0.01")) == total_diff
    assert formulas["清算表"].cell(5, 7).value == "=F5-E5"
    final = values["决算表"]
    head = [c.value for c in final[3]]
    assert head[2:6] == ["省级预算数", "省级预拨数", "省级决算数", "省级完成率"]
    # 完成率 is measured against the budget (预算数), not against what was advanced
    budget = sum(Decimal(r["amount"]) for r in csv.DictReader(open(settled.parent / "plan" / "allocations.csv",
                                                                    encoding="utf-8-sig")))
    advanced = sum(Decimal(r["planned"]) for r in rows)
    actual = sum(Decimal(r["actual"]) for r in rows)
    assert Decimal(str(final.cell(4, head.index("合计预算数") + 1).value)).quantize(Decimal("0.01")) == budget
    assert Decimal(str(final.cell(4, head.index("合计预拨数") + 1).value)).quantize(Decimal("0.01")) == advanced
    col = head.index("合计完成率") + 1
    assert abs(Decimal(str(final.cell(4, col).value)) - actual / budget) < Decimal("1e-9")
    assert final.cell(4, col).number_format == "0.00%"


def test_settlement_notice(settled):
    with pdfplumber.open(settled / "settlement-notice-2018.pdf") as pdf:
        first = pdf.pages[0].extract_text().replace(" ", "")
        assert "关于2018年社会保险扶贫补助资金清算的通知" in first.replace("\n", "")
        labels = [p.extract_text().split("\n")[0].replace(" ", "") for p in pdf.pages]
        assert [ln for ln in labels if re.fullmatch(r"附件\d+", ln)] == [f"附件{n}" for n in range(1, 7)]
        body = "".join(p.extract_text() for p in pdf.pages[:3]).replace(" ", "").replace("\n", "")
        assert "多退少补" in body and "预拨数" in body
        for page in pdf.pages:
            if page.extract_text().replace(" ", "").startswith("附件6"):
                table = page.extract_tables()[0]
                total, rows = table[1], table[2:]
                for col in (2, 3, 4):
                    column = sum(Decimal(r[col].replace(",", "")) for r in rows)
                    assert Decimal(total[col].replace(",", "")) == column


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice comes with make test")
def test_settlement_workbook_recalculated_by_libreoffice(settled, tmp_path):
    mine = load_workbook(settled / "settlement-2018.xlsx", data_only=True)
    assert same_values(mine, recalculated_by_libreoffice(settled / "settlement-2018.xlsx", tmp_path)) > 100


def test_what_was_advanced_is_the_plans_fact(tmp_path):
    """A plan advanced 90%: settling it at 80% would settle money never handed down — refused;
    and a plan that advanced nothing cannot be settled as if it had."""
    forecast = write_headcounts(tmp_path / "f.csv", {"poor_pension_contributors": 100}, years=(2019,))
    actual = write_headcounts(tmp_path / "a.csv", {"poor_pension_contributors": 90}, years=(2019,))
    for name, extra in (("p90", ["--advance-rate", "90%"]), ("p0", [])):
        assert runner.invoke(app, ["plan", "-y", "2019", "-H", forecast, "-o", str(tmp_path / name), "--no-pdf"]
                             + extra).exit_code == 0
    refused = runner.invoke(app, ["settle", "-y", "2019", "--planned", str(tmp_path / "p90"), "--actual", actual,
                                  "--advance-rate", "80%", "-o", str(tmp_path / "s"), "--no-pdf"])
    assert refused.exit_code == 1
    assert "该测算按 90% 预拨；--advance-rate 80% 会按从未下达的资金清算。预拨数以测算的记录为准" in refused.output
    refused = runner.invoke(app, ["settle", "-y", "2019", "--planned", str(tmp_path / "p0"), "--actual", actual,
                                  "--advance-rate", "90%", "-o", str(tmp_path / "s"), "--no-pdf"])
    assert refused.exit_code == 1 and "该测算未预拨；--advance-rate 90% 会按从未下达的资金清算" in refused.output
    assert not (tmp_path / "s").exists()
    settled = runner.invoke(app, ["settle", "-y", "2019", "--planned", str(tmp_path / "p90"), "--actual", actual,
                                  "-o", str(tmp_path / "s"), "--no-pdf"])
    assert settled.exit_code == 0, settled.output
    # an edited advances.csv is not a record of what was advanced
    advances = tmp_path / "p90" / "advances.csv"
    advances.write_text(advances.read_text("utf-8").replace(",province,", ",province,1", 1), "utf-8")
    edited = runner.invoke(app, ["settle", "-y", "2019", "--planned", str(tmp_path / "p90"), "--actual", actual,
                                 "-o", str(tmp_path / "s2"), "--no-pdf"])
    assert edited.exit_code == 1 and "advances.csv 与测算的预拨数不一致（测算后被改动过？）" in edited.output


def test_monthly_figures_alone_for_an_annual_subsidy_are_an_error_naming_the_row(tmp_path):
    path = tmp_path / "a.csv"
    lines = ["year,month,region_code,group,headcount"]
    lines += [f"2019,{m},610402,poor_pension_contributors,{100 if m >= 7 else 0}" for m in range(1, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-y", "2019", "-H", str(path)])
    assert result.exit_code == 1
    assert (f"{path}:2: 2019年 610402 秦都区，参保缴费农村困难群体（建档立卡未标注脱贫人口、低保对象、特困人员）"
            "（poor_pension_contributors）：只有按月人数，但“城乡居民养老保险农村困难群体代缴保费”按人按年补助：请加一行月份"
            "留空的年度人数（2019年内任一时间符合条件的人数，每人计一次）") in result.output


def test_the_years_figure_and_the_months_must_agree(tmp_path):
    path = tmp_path / "a.csv"
    lines = ["year,month,region_code,group,headcount", "2019,,610402,pension_recipients,50"]
    lines += [f"2019,{m},610402,pension_recipients,60" for m in range(1, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-y", "2019", "-H", str(path)])
    assert result.exit_code == 1
    assert (f"{path}:2: [人数] 2019年 610402 秦都区，城乡居民养老保险领取待遇人员（pension_recipients）：年度人数 50 少于 "
            "1 月的 60 人") in result.output
