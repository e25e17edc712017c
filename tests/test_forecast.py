"""budget forecast on a SYNTHETIC history made here (invented figures, not statistics): the variants
are ordered, "其中" stays within its parent, ended groups are not forecast, the base variant plans
unchanged, and the same inputs give the same bytes."""

import csv
import random
import zipfile
from pathlib import Path

import pytest
from conftest import GROUPS, XIANYANG, XIANYANG_COUNTIES
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app
from budget.core.forecast_methods import predict, relative_error, spread_factors
from budget.forecast import VARIANTS, forecast_files, run_forecast
from budget.plan import run_plan

HISTORY_YEARS = (2015, 2016, 2017, 2018, 2019)


def synthetic_history(path: Path, seed: int = 17, years=HISTORY_YEARS, counties=XIANYANG_COUNTIES) -> str:
    """Invented headcounts with a trend and noise per county: parents first, parts as shares of them."""
    rng = random.Random(seed)
    rows = []
    for code in counties:
        trend = {g: rng.uniform(-0.12, 0.08) for g in GROUPS}
        level = {g: rng.randint(800, 12000) for g in GROUPS}
        for i, year in enumerate(years):
            n = {g: max(0, round(level[g] * (1 + trend[g]) ** i * rng.uniform(0.95, 1.05))) for g in GROUPS}
            n["poor_pension_contributors_contiguous"] = round(n["poor_pension_contributors"] * 0.04 * rng.uniform(0.8, 1.2))
            n["poor_pension_contributors_disabled"] = min(n["disabled_pension_contributors"],
                                                          round(n["poor_pension_contributors"] * 0.07))
            n["medical_poor"] = min(n["medical_poor"], n["rural_registered_poor"])
            rows += [(year, code, g, n[g]) for g in GROUPS]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("# SYNTHETIC test history — invented figures (虚构)\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "region_code", "group", "headcount"])
        writer.writerows(rows)
    return str(path)


def read_variant(path: Path) -> dict[tuple[int, str, str], int]:
    lines = [ln for ln in path.read_text("utf-8-sig").splitlines() if not ln.startswith("#")]
    return {(int(r["year"]), r["region_code"], r["group"]): int(r["headcount"]) for r in csv.DictReader(lines)}


def test_methods_by_hand():
    years, values = [2016, 2017, 2018, 2019], [100.0, 110.0, 121.0, 133.1]
    assert predict("last", years, values, [2020, 2021]) == [133.1, 133.1]
    assert predict("growth", years, values, [2020]) == pytest.approx([146.41])
    assert predict("loglinear", years, values, [2020]) == pytest.approx([146.41])
    # stock-flow with exit rate 10 %: entrants implied = mean(110 − 90, 121 − 99, 133.1 − 108.9) = 22.066…
    assert predict("stockflow", years, values, [2020]) == pytest.approx([133.1 * 0.9 + (20 + 22 + 24.2) / 3])
    assert predict("growth", [2018, 2019], [0.0, 5.0], [2020]) is None  # no growth rate from zero
    low, high = spread_factors([100, 110, 100, 120])
    assert low <= 1 <= high
    assert relative_error([90, 110], [100, 100]) == pytest.approx(0.1)


def test_forecast_is_ordered_within_parents_and_plans(tmp_path):
    history = synthetic_history(tmp_path / "history.csv")
    result, _ = run_forecast([XIANYANG], history, [2020, 2021, 2022])
    files = forecast_files(result)
    out = tmp_path / "out"
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
    variants = {v: read_variant(out / f"forecast-{v}.csv") for v in VARIANTS}
    assert variants["low"].keys() == variants["base"].keys() == variants["high"].keys()
    for key in variants["base"]:
        assert 0 <= variants["low"][key] <= variants["base"][key] <= variants["high"][key], key
    for v, counts in variants.items():
        for (year, code, group), n in counts.items():
            if group.startswith("poor_pension_contributors_"):
                assert n <= counts[(year, code, "poor_pension_contributors")], (v, year, code, group)
            if group == "poor_pension_contributors_disabled":
                assert n <= counts[(year, code, "disabled_pension_contributors")]
            if group == "medical_poor" and (year, code, "rural_registered_poor") in counts:
                assert n <= counts[(year, code, "rural_registered_poor")]
        parts = [counts[(y, c, g)] for (y, c, g) in counts if g.startswith("poor_pension_contributors_")]
        assert sum(parts) <= sum(n for (y, c, g), n in counts.items() if g == "poor_pension_contributors")
    # supplementary medical ends in 2020: its group is forecast for 2020 only
    assert {y for (y, _, g) in variants["base"] if g == "rural_registered_poor"} == {2020}
    assert len(result.backtest) == len(XIANYANG_COUNTIES)
    assert result.backtest["backtest_year"].eq(2019).all()
    # the base variant plans unchanged, every year, and says it is synthetic
    plan, _ = run_plan([XIANYANG], str(out / "forecast-base.csv"))
    assert plan.years == [2020, 2021, 2022]
    assert any(f.is_sample for f in plan.files)
    # the workbook: history, forecast, method and backtest error per county, a chart
    book = load_workbook(out / "forecast.xlsx")
    assert book.sheetnames == ["历史数据", "预测结果", "方法与回测", "图表", "说明"]
    assert book["方法与回测"].max_row >= len(XIANYANG_COUNTIES) + 1
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(out / "forecast.xlsx").namelist())


def test_one_method_for_all_and_same_bytes(tmp_path):
    history = synthetic_history(tmp_path / "history.csv", seed=3)
    runner = CliRunner()
    first = runner.invoke(app, ["forecast", "--history", history, "--years", "2020-2021", "--out",
                                str(tmp_path / "a"), "--method", "growth"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["forecast", "--history", history, "--years", "2020-2021", "--out",
                                 str(tmp_path / "b"), "--method", "growth"])
    assert second.exit_code == 0
    for name in ("forecast-low.csv", "forecast-base.csv", "forecast-high.csv", "forecast.xlsx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert "年均增长率" in first.output


def test_errors_are_named_and_nothing_is_written(tmp_path):
    history = synthetic_history(tmp_path / "history.csv")
    text = Path(history).read_text("utf-8-sig").replace("2017,610404,pension_recipients,", "2017,610404,pension_recipients,-")
    Path(history).write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["forecast", "--history", history, "--years", "2019-2021",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "history.csv:70: [人数] 人数 '-3325' 应为不小于 0 的整数" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    ok = synthetic_history(tmp_path / "ok.csv")
    result = CliRunner().invoke(app, ["forecast", "--history", ok, "--years", "2019-2021", "--out", str(tmp_path / "o2")])
    assert result.exit_code == 1 and f"{ok}: 预测年度 2019 不晚于历史数据最后一年 2019：只预测历史之后的年度\n" in result.output
    result = CliRunner().invoke(app, ["--lang", "en", "forecast", "--history", ok, "--years", "2019-2021", "--out",
                                      str(tmp_path / "o2")])
    assert f"{ok}: forecast year 2019 is not after the history's last year 2019: forecast years must come after it\n" \
        in result.output


def test_rolling_plan_of_the_forecast_puts_the_years_side_by_side(tmp_path):
    """中期财政规划: plan --years with the base variant; each payer's 小计 per year equals allocations.csv,
    and the sheet recalculates in LibreOffice to the same values."""
    from conftest import recalculated_by_libreoffice, same_values

    history = synthetic_history(tmp_path / "history.csv")
    runner = CliRunner()
    made = runner.invoke(app, ["forecast", "--history", history, "--years", "2020-2022", "--out", str(tmp_path / "fc")])
    assert made.exit_code == 0, made.output
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", "--headcounts", str(tmp_path / "fc" / "forecast-base.csv"), "--years",
                                 "2020-2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pdfplumber

    with pdfplumber.open(out / "explanation-2021.pdf") as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "七、中期财政规划" in text and "3年合计" in text
    fen: dict[tuple[str, int], int] = {}
    with open(out / "allocations.csv", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            key = (row["payer"], int(row["year"]))
            fen[key] = fen.get(key, 0) + round(float(row["amount"]) * 100)
    book = load_workbook(out / "budget-2020-2022.xlsx", data_only=True)
    sheet = book["中期财政规划"]
    subtotals = {r[0]: r[2:6] for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] == "小计"}
    assert set(subtotals) == {"省级", "市级", "县级", "各级合计"}
    for payer, name in (("province", "省级"), ("city", "市级"), ("county", "县级")):
        for i, year in enumerate((2020, 2021, 2022)):
            assert round(subtotals[name][i] * 100) == fen[(payer, year)], (payer, year)
        assert round(subtotals[name][3] * 100) == sum(fen[(payer, y)] for y in (2020, 2021, 2022))
    assert same_values(book, recalculated_by_libreoffice(out / "budget-2020-2022.xlsx", tmp_path)) > 20
    wrong = runner.invoke(app, ["plan", "--years", "2022-2020", "--out", str(tmp_path / "w")])
    assert wrong.exit_code == 2


def test_groups_a_scenario_counts_are_forecast_too(tmp_path):
    """A scenario extending supplementary medical to 2021 needs rural_registered_poor in 2021."""
    from conftest import ROOT

    extended = str(ROOT / "budget" / "configs" / "examples" / "scenario-contribution-100.yaml")
    history = synthetic_history(tmp_path / "history.csv")
    result, _ = run_forecast([XIANYANG], history, [2020, 2021, 2022], scenarios=[extended])
    years = set(result.forecast[result.forecast["group"] == "rural_registered_poor"]["year"])
    assert years == {2020, 2021}


def test_zeros_and_a_short_history(tmp_path):
    """A group with 0 people in its first year (no growth rate, no logarithm) is carried forward by those
    methods without ruling them out for the whole county; two years of history still forecast."""
    path = tmp_path / "history.csv"
    synthetic_history(path)
    lines = path.read_text("utf-8-sig").splitlines()
    zeroed = [ln if not (ln.startswith("2015,610402,medical_tekun,")) else "2015,610402,medical_tekun,0" for ln in lines]
    path.write_text("\n".join(zeroed) + "\n", "utf-8")
    result, _ = run_forecast([XIANYANG], str(path), [2020, 2021])
    row = result.backtest.set_index("region_code").loc["610402"]
    assert row["growth"] is not None and row["loglinear"] is not None
    base = result.forecast.set_index(["region_code", "group", "year"])
    assert "不适用" in base.loc[("610402", "medical_tekun", 2020), "method"] or row["chosen"] in ("last", "stockflow")
    short = tmp_path / "short.csv"
    short.write_text("\n".join(ln for ln in lines if not ln[:4].isdigit() or ln[:4] in ("2018", "2019")) + "\n", "utf-8")
    result, _ = run_forecast([XIANYANG], str(short), [2020])
    assert set(result.backtest["chosen"]) == {"last"}  # one year to fit on: every method is the last value
    assert (result.forecast["low"] <= result.forecast["base"]).all()
    assert (result.forecast["base"] <= result.forecast["high"]).all()


def test_a_history_with_monthly_figures(tmp_path):
    """pension_recipients given by month only (a monthly subsidy's people): the year's figure is the
    months' average, and the forecast is read by plan as usual."""
    path = tmp_path / "history.csv"
    synthetic_history(path)
    out = []
    for line in path.read_text("utf-8-sig").splitlines():
        if line.startswith("year,"):
            out.append(line + ",month")
        elif ",pension_recipients," in line:
            year, code, group, n = line.split(",")
            out += [f"{year},{code},{group},{int(n) + (1 if m % 2 else -1)},{m}" for m in range(1, 13)]  # average n
        else:
            out.append(line + ("," if line[:1].isdigit() else ""))
    path.write_text("\n".join(out) + "\n", "utf-8")
    result, _ = run_forecast([XIANYANG], str(path), [2020])
    history = result.history.set_index(["year", "region_code", "group"])["headcount"]
    original = read_variant(Path(synthetic_history(tmp_path / "plain.csv")))
    assert history.loc[(2019, "610402", "pension_recipients")] == original[(2019, "610402", "pension_recipients")]
    files = forecast_files(result)
    (tmp_path / "base.csv").write_bytes(files["forecast-base.csv"])
    plan, _ = run_plan([XIANYANG], str(tmp_path / "base.csv"))
    assert plan.years == [2020]
