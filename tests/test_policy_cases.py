"""The hand-derived policy cases in tests/cases/*.yaml (plan, settlement and fund cases), run
through `budget verify`: the real program, from headcount files to the plan folder and the
settlement, compared to the fen with what the documents say."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from budget.cli import app
from budget.readers.cases_reader import read_cases
from budget.verify import verify

CASE_FILES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
CASES = [case for path in CASE_FILES for case in read_cases(str(path))]
runner = CliRunner()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}: {c.name}" for c in CASES])
def test_case(case):
    [verdict] = verify([case])
    assert verdict.differences == [], case.clause


def test_every_kind_of_case_is_there():
    assert {c.kind for c in CASES} == {"plan", "settlement", "fund"}


def test_budget_verify_reports_a_wrong_expectation_with_its_clause(tmp_path):
    text = (Path(__file__).parent / "cases" / "xianyang_policy_cases.yaml").read_text("utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace('expected: {province: "21000.00", city: "21000.00", county: "28000.00"}',
                                  'expected: {province: "21000.00", city: "21000.01", county: "28000.00"}'), "utf-8")
    result = runner.invoke(app, ["verify", str(wrong)])
    assert result.exit_code == 1
    assert "✗ 补充医疗保障70元，省市县3:3:4" in result.output
    assert "    市级：应为 21000.01，实为 21000.00\n    依据：S60 二（二）“" in result.output
    assert "共 12 个案例，1 个不符。" in result.output
    english = runner.invoke(app, ["--lang", "en", "verify", str(wrong)])
    assert "    city: expected 21000.01, got 21000.00\n    clause: S60 二（二）“" in english.output
    assert "12 case(s), 1 failed." in english.output


def test_budget_verify_names_a_bad_case_file_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: x\n  year: 2018\n  county: '610402'\n  subsidy: s\n  headcount: {}\n  expected: {}\n", "utf-8")
    result = runner.invoke(app, ["verify", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5: 计划案例中有未知的键 'headcount'（允许的键：name, year, county, subsidy, headcounts, expected, clause, " \
           "note, policy, reported_as）\n" in result.output
    assert f"{bad}:1: 计划案例缺少必填的键 'headcounts'\n" in result.output
    english = runner.invoke(app, ["--lang", "en", "verify", str(bad)])
    assert f"{bad}:5: unknown key 'headcount' in a plan case (allowed: name, year, county, subsidy, headcounts, " \
           "expected, clause, note, policy, reported_as)\n" in english.output
    assert f"{bad}:1: a plan case lacks the required key 'headcounts'\n" in english.output
