"""Scenarios (测算方案) read over the policy files: an empty one changes nothing; each shipped example
equals editing the policy files by hand, to the fen, for every payer; outputs are marked and carry
no notice unless the scenario is adopted by name."""

import shutil
from pathlib import Path

from conftest import EXAMPLE, ROOT, XIANYANG
from typer.testing import CliRunner

from budget.cli import app
from budget.core.lines import all_lines, allocations
from budget.plan import run_plan

CONFIGS = ROOT / "budget" / "configs"
RATE_100 = str(CONFIGS / "examples" / "scenario-contribution-100.yaml")
COUNTY_80 = str(CONFIGS / "examples" / "scenario-county-80.yaml")


def amounts(policy_paths, scenario=None, headcounts=EXAMPLE, quantum=1):
    result, _ = run_plan(policy_paths, headcounts, None, quantum=quantum, scenario=scenario)
    rows = allocations(all_lines(result.lines, result.fund_lines))
    return {(a.year, a.region_code, a.subsidy, a.payer): a.amount for a in rows}


def edited_copy(tmp_path: Path, edits: dict[str, list[tuple[str, str]]], append: dict[str, str] | None = None) -> str:
    """The shipped policy files copied and edited by hand (each edit must apply exactly once)."""
    copy = tmp_path / "configs"
    shutil.copytree(CONFIGS, copy)
    for name, pairs in edits.items():
        text = (copy / name).read_text("utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (copy / name).write_text(text + (append or {}).get(name, ""), "utf-8")
    return str(copy / "xianyang-2017-303.yaml")


def test_an_empty_scenario_changes_nothing(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("scenario: {name: 空方案, reason: 不改任何参数}\n", "utf-8")
    base = amounts([XIANYANG])
    assert amounts([XIANYANG], str(empty)) == base
    assert sum(base.values()) > 0


def test_a_rate_and_a_period_equal_editing_the_files_by_hand(tmp_path):
    by_hand = edited_copy(tmp_path, {"shaanxi-2017-60.yaml": [
        ("- {from: 2018-01, value: 50, ref:",
         "- {from: 2019-01, value: 100, ref: 手改}\n      - {from: 2018-01, to: 2018-12, value: 50, ref:"),
        ("to: 2020-12, ref: 陕人社发〔2017〕60号 二（二） “2018年至2020年”", "to: 2021-12, ref: 手改"),
    ]})
    scenario = amounts([XIANYANG], RATE_100)
    assert scenario == amounts([by_hand])
    assert scenario != amounts([XIANYANG])
    assert any(key[0] == 2021 and key[2] == "supplementary_medical" for key in scenario)


def test_a_share_and_a_county_top_up_equal_editing_the_files_by_hand(tmp_path):
    by_hand = edited_copy(tmp_path, {"xianyang-2017-303.yaml": [
        ("        - from: 2018-01\n          split: {city: 25%, county: 75%}\n"
         "          ref: 咸人社发〔2017〕303号 二 “其余部分由市县两级财政承担",
         "        - {from: 2019-01, split: {city: 20%, county: 80%}, ref: 手改}\n        - from: 2018-01\n          to: 2018-12\n"
         "          split: {city: 25%, county: 75%}\n          ref: 咸人社发〔2017〕303号 二 “其余部分由市县两级财政承担"),
    ]}, {"xianyang-2017-303.yaml": """
overrides:
  "610426":
    subsidies:
      yongshou_topup:
        name: 永寿县代缴保费自行提标
        unit: year
        population:
          add: [poor_pension_contributors]
          subtract: [poor_pension_contributors_contiguous, poor_pension_contributors_disabled]
        period: [{from: 2019-01, ref: 手改}]
        rate: [{from: 2019-01, value: 20, ref: 手改}]
        shares: [{from: 2019-01, split: {county: 100%}, ref: 手改}]
"""})
    for quantum in (1, 100):
        scenario = amounts([XIANYANG], COUNTY_80, quantum=quantum)
        assert scenario == amounts([by_hand], quantum=quantum)
    assert {k for k in scenario if k[2] == "yongshou_topup"} == {(y, "610426", "yongshou_topup", "county")
                                                                 for y in (2019, 2020, 2021)}


def test_scenario_outputs_are_marked_and_carry_no_notice_unless_adopted(tmp_path):
    runner = CliRunner()
    out = tmp_path / "trial"
    result = runner.invoke(app, ["plan", "--scenario", COUNTY_80, "--year", "2019", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "测算方案，非正式下达" in result.output
    names = {p.name for p in out.iterdir()}
    assert not any(n.startswith("notice") or n.startswith("indicators") for n in names)
    assert "explanation-2019.pdf" in names
    assert "测算方案，非正式下达" in (out / "assumptions.txt").read_text("utf-8")
    wrong = runner.invoke(app, ["plan", "--scenario", COUNTY_80, "--adopt", "别的方案", "--no-pdf",
                                "--out", str(tmp_path / "wrong")])
    assert wrong.exit_code == 1 and "县级分担80%" in wrong.output
    assert not (tmp_path / "wrong").exists()
    adopted = tmp_path / "adopted"
    result = runner.invoke(app, ["plan", "--scenario", COUNTY_80, "--adopt", "县级分担80%", "--year", "2019",
                                 "--out", str(adopted)])
    assert result.exit_code == 0, result.output
    assert any(p.name.startswith("notice-2019") for p in adopted.iterdir())


def test_scenario_problems_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: {name: 坏方案}\nsubsidies:\n  pension_contribution:\n"
                   "    rate: [{from: 2019-13, value: 100, ref: x}]\n    colour: red\n", "utf-8")
    result = CliRunner().invoke(app, ["plan", "--scenario", str(bad), "--no-pdf", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.yaml:1" in result.output and "reason" in result.output
    assert "bad.yaml:4" in result.output and "bad.yaml:5" in result.output
    assert not (tmp_path / "o").exists()


def test_an_assumed_value_a_scenario_replaces_is_no_longer_listed_for_those_years(tmp_path):
    """The city's 市县 split of the pension increase is an assumption; a scenario setting it from 2019
    leaves the assumption listed for 2018 only, and the scenario's value in the plan."""
    from budget.readers.policy_reader import read_policy

    scenario = tmp_path / "split.yaml"
    scenario.write_text("scenario: {name: 基础养老金分担, reason: 按本市原政策测算}\nsubsidies:\n"
                        "  basic_pension_increase:\n    pools:\n      local:\n"
                        "        - {from: 2019-01, split: {city: 40%, county: 60%}, ref: 咸政办发〔2014〕1号（方案假定）}\n",
                        "utf-8")
    base, _ = read_policy([XIANYANG])
    trial, _ = read_policy([XIANYANG], str(scenario))

    def assumed(policy, year):
        return [(a.what, a.value, a.note) for a in policy.assumptions_for([year])
                if "城乡居民基础养老金提高部分" in a.what and "分担" in a.what]

    assert assumed(base, 2018) and assumed(base, 2019)
    assert assumed(trial, 2018) == assumed(base, 2018)
    assert assumed(trial, 2019) == []
    change = trial.scenario.changes[0]
    assert (change.old, change.new, str(change.start)) == ("市级25%，县级75%", "市级40%，县级60%", "2019-01")
