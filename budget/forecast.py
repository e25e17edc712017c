"""Headcount forecasts from history (`budget forecast`): per county, a small method chosen by a
backtest, low / base / high variants, "其中" groups as shares of their parent.

The history is read and checked like any headcount file (same formats, the policy's rules);
the forecast is written as headcount files that `budget plan` reads unchanged. pandas holds
the tables; the methods themselves are pure (budget.core.forecast_methods).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from .core.forecast_methods import METHOD_NAMES, METHODS, StockFlow, predict, relative_error, spread_factors, whole_people
from .core.headcount_check import check_headcounts, needed_groups
from .core.headcounts import Headcounts
from .core.language import said
from .core.policy import Policy
from .core.problems import InputError, Problem, Source, errors
from .core.results import InputFile
from .readers.input_files import make_input_file
from .readers.policy_reader import read_policy
from .readers.table_reader import read_headcounts
from .writers.csv_writer import DEFAULT_FORMAT, CsvFormat

VARIANTS = ("low", "base", "high")
VARIANT_NAMES = {"low": "低方案", "base": "基准方案", "high": "高方案"}


@dataclass
class ForecastResult:
    policy: Policy
    years: list[int]  # the forecast years
    history: pd.DataFrame  # year, region_code, region_name, group, headcount
    forecast: pd.DataFrame  # year, region_code, region_name, group, method, low, base, high
    backtest: pd.DataFrame  # region_code, region_name, backtest_year, chosen, one error column per method
    method: str  # "auto" or the one method asked for
    flows: StockFlow
    files: list[InputFile]
    notes: list[str] = field(default_factory=list)  # what the forecast assumed, said in every output


def _series(headcounts: Headcounts, code: str, group: str) -> tuple[list[int], list[float]]:
    years = [y for y in headcounts.years() if headcounts.persons(y, code, group) is not None]
    return years, [float(headcounts.persons(y, code, group) or 0) for y in years]


def _backtest(headcounts: Headcounts, code: str, groups: list[str],
              flows: StockFlow) -> tuple[int | None, dict[str, float | None]]:
    """Fit on all but the last year, predict it: each method's relative error over the county's groups."""
    errors_by: dict[str, float | None] = {}
    tested_year = None
    for method in METHODS:
        predicted: list[float] = []
        actual: list[float] = []
        fitted = False
        for group in groups:
            years, values = _series(headcounts, code, group)
            if len(years) < 2:
                continue
            guess = predict(method, years[:-1], values[:-1], [years[-1]], flows)
            fitted = fitted or guess is not None
            if guess is None:  # as in the forecast: a group the method cannot fit is carried forward
                guess = predict("last", years[:-1], values[:-1], [years[-1]], flows)
            tested_year = years[-1] if tested_year is None else max(tested_year, years[-1])
            predicted.append(guess[0] if guess else 0.0)
            actual.append(values[-1])
        errors_by[method] = relative_error(predicted, actual) if fitted and predicted else None
    return tested_year, errors_by


def _choose(errors_by: dict[str, float | None]) -> str:
    usable = [(e, METHODS.index(m), m) for m, e in errors_by.items() if e is not None and not math.isnan(e)]
    return min(usable)[2] if usable else "last"


def run_forecast(policy_paths: list[str], history_path: str, years: list[int], method: str = "auto",
                 flows: StockFlow = StockFlow(), scenarios: list[str] | None = None) -> tuple[ForecastResult, list[Problem]]:
    """Read and check the history, forecast ``years``; raises :class:`InputError` with every problem.
    ``scenarios``: scenario files whose plans will use the forecast too — the groups they count (a
    subsidy they extend or add) are forecast as well."""
    if method != "auto" and method not in METHODS:
        raise InputError([Problem(None, said("预测方法 '{method}' 未知，可选 auto、{known}",
                                             "unknown method '{method}' (known: auto, {known_en})", method=method,
                                             known="、".join(METHODS), known_en=", ".join(METHODS)))])
    rows, problems = read_headcounts(history_path)
    try:
        policy, _ = read_policy(policy_paths)
    except InputError as policy_problems:
        raise InputError(policy_problems.problems + errors(problems)) from None
    if errors(problems):
        raise InputError(problems)
    variants = [policy]
    for scenario in scenarios or []:
        variants.append(read_policy(policy_paths, scenario)[0])
    headcounts, problems = check_headcounts(rows, policy, history_path, None)
    if errors(problems):
        raise InputError(problems)
    known = headcounts.years()
    if not known:
        raise InputError([Problem(Source(history_path), said("历史数据文件没有人数行", "the history has no headcount rows"))])
    if years[0] <= known[-1]:
        raise InputError([Problem(Source(history_path), said(
            "预测年度 {first} 不晚于历史数据最后一年 {last}：只预测历史之后的年度",
            "forecast year {first} is not after the history's last year {last}: forecast years must come after it",
            first=years[0], last=known[-1]))])
    last_year = known[-1]
    names = {r.code: r.name for r in policy.counties()}
    counties = [r.code for r in policy.counties() if r.code in headcounts.regions(last_year)]
    earlier = sorted({c for y in known for c in headcounts.regions(y)} - set(counties))
    if earlier:
        named = "、".join(f"{c} {names.get(c, '')}".strip() for c in earlier)
        problems.append(Problem(Source(history_path), said("{named}：历史数据最后一年（{last}）没有人数，不予预测",
                                                           "{named}: no figures in the history's last year ({last}): "
                                                           "not forecast", named=named, last=last_year), "warning"))
    order = list(policy.groups)
    children: dict[str, list[str]] = {}
    for g in policy.groups.values():
        if g.part_of:
            children.setdefault(g.part_of, []).append(g.id)

    rows_out: list[dict[str, object]] = []
    tests: list[dict[str, object]] = []
    for code in counties:
        wanted: dict[int, list[str]] = {}
        for year in years:
            needed = {g for p in variants for g in needed_groups(p, year, code)}
            needed |= {p for g in needed if (p := policy.groups[g].part_of)}  # a part needs its parent
            wanted[year] = [g for g in order if g in needed]
        everyone = {g for gs in wanted.values() for g in gs}
        missing = sorted(g for g in everyone if not _series(headcounts, code, g)[0])
        if missing:
            problems.append(Problem(Source(history_path), said(
                "{county}：历史数据缺少 {missing}，无法预测 {span} 年", "{county}: no history for {missing_en}, groups "
                "needed in {span}", county=f"{code} {names[code]}", missing="、".join(missing),
                missing_en=", ".join(missing), span=f"{years[0]}–{years[-1]}")))
            continue
        tops = [g for g in order if g in everyone and not policy.groups[g].part_of]
        tested_year, errors_by = _backtest(headcounts, code, tops, flows)
        chosen = method if method != "auto" else _choose(errors_by)
        tests.append({"region_code": code, "region_name": names[code], "backtest_year": tested_year,
                      "chosen": chosen, **{m: errors_by[m] for m in METHODS}})
        for year in years:
            rows_out += _forecast_county(policy, headcounts, code, names[code], year, wanted[year], chosen,
                                         last_year, flows, children)
    if errors(problems):
        raise InputError(problems)

    notes = [f"预测年度 {years[0]}–{years[-1]}，历史数据 {known[0]}–{known[-1]}年；方法："
             + ("按回测误差逐县选择" if method == "auto" else f"统一采用{METHOD_NAMES[method]}"),
             f"存量流量法退出率 {flows.exit_rate:.1%}，新进入"
             + (f"率 {flows.entry_rate:.1%}" if flows.entry_rate is not None else "人数取历史隐含的年均新进入人数"),
             "低/高方案：基准预测 ×（1 + 历年同比变动率的最小值/最大值 − 其均值）^ 预测年数",
             "“其中”人数 = 上级人数 × 历史最后一年占比（向下取整），不超过上级人数",
             "政策执行期结束的人员类别（如补充医疗保障 2020年后）不再预测"]
    history = pd.DataFrame(
        [{"year": y, "region_code": c, "region_name": names.get(c, ""), "group": g, "headcount": n}
         for (y, c, g), n in headcounts.items() if c in names],
        columns=["year", "region_code", "region_name", "group", "headcount"])
    forecast = pd.DataFrame(rows_out, columns=["year", "region_code", "region_name", "group", "method", *VARIANTS])
    backtest = pd.DataFrame(tests, columns=["region_code", "region_name", "backtest_year", "chosen", *METHODS])
    files = [make_input_file("policy", p) for p in policy.files] + [make_input_file("history", history_path)]
    return ForecastResult(policy, years, history, forecast, backtest, method, flows, files, notes), problems


def _forecast_county(policy: Policy, headcounts: Headcounts, code: str, name: str, year: int, groups: list[str],
                     chosen: str, last_year: int, flows: StockFlow, children: dict[str, list[str]]) -> list[dict[str, object]]:
    """One county's rows for one forecast year: whole groups by the chosen method, then their parts."""
    values: dict[str, dict[str, int]] = {}
    methods: dict[str, str] = {}
    ahead = year - last_year
    for group in groups:
        if policy.groups[group].part_of:
            continue
        years, series = _series(headcounts, code, group)
        used = chosen
        guess = predict(chosen, years, series, [year], flows)
        if guess is None:  # e.g. a growth rate from a first year of 0 people: carried forward instead
            used = "last"
            guess = predict("last", years, series, [year], flows)
        base = guess[0] if guess else 0.0
        low, high = spread_factors(series)
        values[group] = {"low": whole_people(base * low ** ahead), "base": whole_people(base),
                         "high": whole_people(base * high ** ahead)}
        methods[group] = METHOD_NAMES[used] + ("" if used == chosen else f"（{METHOD_NAMES[chosen]}不适用）")
    _within(policy, values, [g for g in groups if not policy.groups[g].part_of])
    for parent, parts in children.items():
        if parent not in values:
            continue
        present = [p for p in parts if p in groups]
        shares = _shares(headcounts, code, parent, present)
        for part in present:
            values[part] = {v: math.floor(shares[part] * values[parent][v]) for v in VARIANTS}
            methods[part] = f"占{policy.groups[parent].label}比例 {float(shares[part]):.2%}"
        _within(policy, values, present)
    return [{"year": year, "region_code": code, "region_name": name, "group": g, "method": methods[g], **values[g]}
            for g in groups if g in values]


def _within(policy: Policy, values: dict[str, dict[str, int]], groups: list[str]) -> None:
    """A group counted within another (a subset of its people) never exceeds it, variant by variant."""
    for group in groups:
        for other in policy.groups[group].within:
            if other in values:
                values[group] = {v: min(values[group][v], values[other][v]) for v in VARIANTS}


def _shares(headcounts: Headcounts, code: str, parent: str, parts: list[str]) -> dict[str, Fraction]:
    """Each part's share of its parent in the last year where the parent had people (all parts of
    that same year, so the shares add up to at most 1)."""
    years, series = _series(headcounts, code, parent)
    for year, people in reversed(list(zip(years, series))):
        if people > 0:
            return {p: Fraction(headcounts.persons(year, code, p) or 0, int(people)) for p in parts}
    return {p: Fraction(0) for p in parts}


def variant_rows(result: ForecastResult, variant: str) -> list[tuple[int, str, str, str, int]]:
    """(year, region_code, region_name, group, headcount) of one variant, in the forecast's order."""
    return [(int(r.year), str(r.region_code), str(r.region_name), str(r.group), int(getattr(r, variant)))
            for r in result.forecast.itertuples(index=False)]


def forecast_files(result: ForecastResult, csv_format: CsvFormat = DEFAULT_FORMAT) -> dict[str, bytes]:
    """forecast-low.csv, forecast-base.csv, forecast-high.csv (in ``csv_format``) and forecast.xlsx."""
    from .core.results import sample_notes
    from .writers.forecast_outputs import forecast_csv, forecast_workbook

    history_file = result.files[-1]
    span = f"{result.years[0]}–{result.years[-1]}"
    sample = sample_notes([history_file])
    files: dict[str, bytes] = {}
    for variant in VARIANTS:
        notes = sample + [f"人数预测 {span}年（{VARIANT_NAMES[variant]} {variant}），由 budget forecast 据 {history_file.name} "
                          f"(SHA-256 {history_file.sha256[:12]}…) 测算；非实际人数 (a forecast, not actual figures)"]
        files[f"forecast-{variant}.csv"] = csv_format.encode(forecast_csv(
            variant_rows(result, variant), notes, csv_format, {g.id: g.name for g in result.policy.groups.values()}))
    labels = {g.id: g.label for g in result.policy.groups.values()}
    files["forecast.xlsx"] = forecast_workbook(
        f"{span}年人数预测", result.years[0], result.history, result.forecast, result.backtest, labels,
        METHOD_NAMES, VARIANT_NAMES, sample + result.notes + [f"输入文件 {f.name} SHA-256 {f.sha256}" for f in result.files])
    return files
