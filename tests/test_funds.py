"""Funds distributed by factors: hand-derived cases, properties, bad factor data, outputs."""

import csv
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import ROOT, recalculated_by_libreoffice, same_values
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app
from budget.core.funds import Factor, Fund, FundTotal, distribute
from budget.core.language import text_in
from budget.core.money import yuan_to_fen
from budget.core.period import Reference
from budget.core.regions import Region

runner = CliRunner()
LOCAL = str(ROOT / "budget" / "configs" / "examples" / "xianyang-local-example.yaml")
FACTORS = str(ROOT / "budget" / "configs" / "examples" / "xianyang-factors-synthetic.csv")


def make_fund(weights: dict, total: str, floor=None, cap=None) -> Fund:
    factors = tuple(Factor(k, k, Fraction(w[:-1]) / 100, None, k) for k, w in weights.items())
    return Fund("f", "测试资金", "city", (FundTotal(2018, yuan_to_fen(total), Reference("测试")),), factors,
                yuan_to_fen(floor) if floor else None, yuan_to_fen(cap) if cap else None, (), "", Reference("测试"))


def regions(codes):
    return [Region(c, f"县{c}", "county", "610400") for c in codes]


values_strategy = st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 1000)), min_size=2, max_size=12)


@settings(max_examples=200, deadline=None)
@given(values_strategy, st.integers(1, 10**9), st.booleans(), st.booleans())
def test_amounts_add_up_and_larger_factors_never_get_less(rows, total, use_floor, use_cap):
    n = len(rows)
    floor = total // (2 * n) if use_floor else None
    cap = -(-total * 2 // n) if use_cap else None
    fund = Fund("f", "f", "city", (FundTotal(2018, total, Reference("x")),),
                (Factor("a", "a", Fraction(1, 2), None, "a"), Factor("b", "b", Fraction(1, 2), None, "b")),
                floor, cap, (), "", Reference("x"))
    codes = [f"6104{i:02d}" for i in range(n)]
    if sum(a for a, _ in rows) == 0:
        rows[0] = (1, rows[0][1])
    values = {c: {"a": Fraction(a), "b": Fraction(b)} for c, (a, b) in zip(codes, rows)}
    lines, problems = distribute(fund, 2018, regions(codes), values)
    assert problems == []
    assert sum(ln.amount for ln in lines) == total
    for x in lines:
        assert x.amount >= 0
        if floor is not None:
            assert x.amount >= floor
        if cap is not None:
            assert x.amount <= cap
        for y in lines:
            vx, vy = values[x.region.code], values[y.region.code]
            if vx["a"] >= vy["a"] and vx["b"] >= vy["b"] and vx != vy:
                assert x.amount >= y.amount


def test_problems_with_factor_values():
    fund = make_fund({"A": "50%", "B": "50%"}, "1000", floor="600")
    lines, problems = distribute(fund, 2018, regions(["610402", "610404"]),
                                 {"610402": {"A": Fraction(0), "B": Fraction(1)}, "610404": {"A": Fraction(0)}})
    assert [text_in(p.message, "zh") for p in problems] == [
        "资金“测试资金”（f）2018年：各县因素 'A'（A）的值都是 0，该因素的权重无从分配",
        "资金“测试资金”（f）2018年：610404 县610404 没有因素 'B'（B）的值",
        "资金“测试资金”（f）2018年：2 个县的保底额合计（1200.00 元）超过总额（1000.00 元）"]
    assert [text_in(p.message, "en") for p in problems] == [
        "fund f, 2018: every county has 0 for factor 'A' (A), so its weight cannot be shared",
        "fund f, 2018: no value of factor 'B' (B) for 610404 县610404",
        "fund f, 2018: the floor for 2 counties (1200.00 元) exceeds the total (1000.00 元)"]
    assert lines == []


# --- through the CLI, with the shipped local example ------------------------------------------------

def test_local_example_fund_and_top_ups_everywhere(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "-p", LOCAL, "-f", FACTORS, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "allocations.csv", encoding="utf-8-sig")))
    fund = [r for r in rows if r["subsidy"] == "work_funds"]
    assert len(fund) == 13 and {r["payer"] for r in fund} == {"city"} and {r["headcount"] for r in fund} == {"0"}
    assert sum(Decimal(r["amount"]) for r in fund) == Decimal("2000000.00")
    topup = [r for r in rows if r["subsidy"] == "pension_contribution_topup"]
    assert [(r["region_code"], r["payer"]) for r in topup] == [("610426", "county")]
    base = next(r for r in rows if r["subsidy"] == "pension_contribution" and r["region_code"] == "610426"
                and r["payer"] == "province")
    # 50 元 on top of the 50 元 whose half the province pays: the top-up equals twice the province's part
    assert Decimal(topup[0]["amount"]) == 2 * Decimal(base["amount"])
    book = load_workbook(tmp_path / "budget-2018.xlsx", data_only=True)
    assert "社会保险工作经费困难补助资金" in book.sheetnames and "永寿县代缴保费提标部分（县级自筹）" in book.sheetnames
    sheet = book["社会保险工作经费困难补助资金"]
    assert Decimal(str(sheet["L4"].value if sheet["L4"].value else sheet["M4"].value)) == Decimal("2000000")
    import pdfplumber
    with pdfplumber.open(tmp_path / "notice-2018-征求意见稿.pdf") as pdf:
        text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\n", "")
    assert "社会保险工作经费困难补助资金分配表" in text and "按因素法分配" in text
    explained = runner.invoke(app, ["explain", "-y", "2018", "-r", "610426", "-s", "work_funds", "-p", LOCAL, "-f", FACTORS])
    assert explained.exit_code == 0 and "\n加权得分：50% × 8.8656% + 30% × 10.2545% + 20% × 7.3095% = 8.9711%\n" \
        in explained.output


def test_missing_factor_file_and_bad_values(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "-p", LOCAL, "-o", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 1 and "请用 --factors 文件 给出因素数据" in result.output
    bad = tmp_path / "f.csv"
    lines = [ln for ln in open(FACTORS, encoding="utf-8").read().splitlines()]
    lines = [ln.replace("2018,610402,performance_score,", "2018,610402,performance_score,-") for ln in lines
             if not ln.startswith("2018,610404,")]
    lines.append("2018,610424,speed,3")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "-y", "2018", "-p", LOCAL, "-f", str(bad), "-o", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 1
    assert f"{bad}:3: [数值] 数值 '-75.7' 应为不小于 0 的数（如 87.5）\n" in result.output
    assert f"{bad}:54: [因素] 未知的因素 'speed'（各项资金的数据因素：performance_score）\n" in result.output
    english = runner.invoke(app, ["--lang", "en", "plan", "-y", "2018", "-p", LOCAL, "-f", str(bad), "-o",
                                  str(tmp_path / "o"), "--no-pdf"])
    assert f"{bad}:3: [value] value '-75.7' must be a number ≥ 0 (e.g. 87.5)\n" in english.output
    assert f"{bad}:54: [factor] unknown factor 'speed' (the funds' data factors: performance_score)\n" in english.output
    assert not (tmp_path / "o").exists()


def test_a_top_up_applies_only_where_it_is_defined(tmp_path):
    result = runner.invoke(app, ["explain", "-y", "2018", "-r", "610402", "-s", "pension_contribution_topup",
                                 "-p", LOCAL, "-f", FACTORS])
    assert result.exit_code == 1
    assert result.output == "“永寿县代缴保费提标部分（县级自筹）”2018年只在永寿县执行，秦都区（610402）没有这项补助\n"


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice comes with make test")
def test_factor_sheet_formulas_recalculated_by_libreoffice(tmp_path):
    out = tmp_path / "o"
    assert runner.invoke(app, ["plan", "-y", "2018", "-p", LOCAL, "-f", FACTORS, "-o", str(out), "--no-pdf"]).exit_code == 0
    mine = load_workbook(out / "budget-2018.xlsx", data_only=True)
    theirs = recalculated_by_libreoffice(out / "budget-2018.xlsx", tmp_path)
    assert same_values(mine, theirs) > 500
    assert abs(theirs["社会保险工作经费困难补助资金"]["J4"].value - 1) < 1e-12  # the scores add up to 100%
