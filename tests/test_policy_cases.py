"""The hand-derived policy cases in tests/cases/*.yaml, run through the whole CLI."""

import csv
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from budget.cli import app
from conftest import XIANYANG, XIANYANG_COUNTIES, write_headcounts

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "xianyang_policy_cases.yaml").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_policy_case(case, tmp_path):
    county = case["county"]
    reported = case.get("reported_as", county)
    counties = [county if c == reported else c for c in XIANYANG_COUNTIES]
    counts = {(county, g): n for g, n in case["headcounts"].items()}
    path = write_headcounts(tmp_path / "h.csv", counts, years=(case["year"],), counties=counties)
    result = CliRunner().invoke(app, ["plan", "--year", str(case["year"]), "--headcounts", path,
                                      "--policy", XIANYANG, "--out", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "allocations.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r["region_code"] == reported and r["subsidy"] == case["subsidy"]]
    assert {r["payer"]: r["amount"] for r in rows} == case["expected"], case["clause"]
    assert all(r["year"] == str(case["year"]) for r in rows)
