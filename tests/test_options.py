"""Command-line values that must be refused (issue 12, items 1 and 10): each was accepted before
and gave wrong or unreadable outputs."""

import csv

import pdfplumber
import pytest
from conftest import XIANYANG
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()


def test_a_repeated_year_is_refused_not_planned_twice(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--year", "2019", "--year", "2019", "--out", str(out), "--no-pdf"])
    assert result.exit_code == 2
    assert "--year 2019 重复给出，每个值只能给一次" in result.output and "is given twice" not in result.output
    english = runner.invoke(app, ["--lang", "en", "plan", "--year", "2019", "--year", "2019", "--out", str(out)])
    assert english.exit_code == 2 and english.output.strip() == "--year 2019 is given twice: give each value once"
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["check", "-y", "2018", "-y", "2018"],
    ["check", "-p", XIANYANG, "-p", XIANYANG],
    ["check", "-p", XIANYANG, "-p", "xianyang-2017-303"],  # the same file, named two ways
    ["plan", "--no-pdf", "--issuer", "咸阳市财政局", "--issuer", "咸阳市财政局"],
    ["plan", "--no-pdf", "--cc", "市审计局", "--cc", "市审计局"],
])
def test_other_repeatable_options_refuse_a_repeated_value(tmp_path, args):
    result = runner.invoke(app, args + (["-o", str(tmp_path / "out")] if args[0] == "plan" else []))
    assert result.exit_code == 2 and "重复给出，每个值只能给一次" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_distinct_years_still_plan(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "-y", "2019", "-o", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "allocations.csv", encoding="utf-8-sig")))
    assert {r["year"] for r in rows} == {"2018", "2019"}
    keys = [(r["year"], r["region_code"], r["subsidy"], r["payer"]) for r in rows]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("args", [
    ["template", "--year", "19"], ["template", "--year", "1999"], ["template", "--year", "9999"],
    ["plan", "--year", "1000", "--no-pdf"], ["check", "--year", "19"],
    ["explain", "--year", "3000", "-r", "610402", "-s", "pension_contribution"],
])
def test_years_out_of_range_are_refused(tmp_path, args):
    result = runner.invoke(app, args + ["-o", str(tmp_path / "t.xlsx")] if args[0] in ("template", "plan") else args)
    assert result.exit_code == 2, result.output
    assert "年度须在 2000–2100 之间" in result.output
    assert not (tmp_path / "t.xlsx").exists()


def test_a_template_for_a_year_with_nothing_in_force_is_refused(tmp_path):
    result = runner.invoke(app, ["template", "--year", "2005", "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2
    assert "--year 2005：该年度没有在执行的补助（政策自 2018 年起执行），模板将没有任何人员类别" in result.output
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("date", ["2019-13-45", "2019-02-30", "2019-2-30", "30.01.2019", "{year}-02-29"])
def test_impossible_dates_are_refused(tmp_path, date):
    result = runner.invoke(app, ["plan", "-y", "2019", "--date", date, "-o", str(tmp_path / "out")])
    assert result.exit_code in (1, 2), result.output
    assert "不是有效的日期" in result.output
    assert "2019年13月" not in result.output and not (tmp_path / "out").exists()


def test_year_in_number_and_title_on_the_command_line(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "-y", "2018", "-y", "2019", "--number", "咸财社〔{year}〕3号",
                                 "--title", "关于下达{year}年补助资金的通知", "--date", "{year}-01-08", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for year in (2018, 2019):
        text = "".join(p.extract_text() for p in pdfplumber.open(out / f"notice-{year}-征求意见稿.pdf").pages)
        assert f"咸财社〔{year}〕3号" in text and f"关于下达{year}年补助资金的通知" in text.replace("\n", "")
        assert "{year}" not in text and f"{year}年1月8日" in text
