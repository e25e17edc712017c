"""The library's settlement entry point: a plan (its folder, or forecast headcounts) and the
actual headcounts → settlement lines and the transfers that settle them."""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from pathlib import Path

from .core.display import allocation_name, format_share
from .core.headcount_check import needed_groups
from .core.language import said
from .core.manifest import INPUTS, MANIFEST
from .core.problems import InputError, Problem, Source, errors
from .core.results import PlanResult, SettlementResult
from .core.settlement import advance, budgeted, settle, transfers
from .outputs import ADVANCES, advances_file
from .plan import compute_plan, load_inputs, load_plan_folder, run_plan
from .readers.input_files import make_input_file
from .resources import EXAMPLE_POLICY
from .writers.csv_writer import CsvFormat


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_settlement(year: int, planned: str, actual: str, policy_paths: list[str] | None,
                   advance_rate: Fraction | None = None, quantum: int | None = None
                   ) -> tuple[SettlementResult, list[Problem]]:
    """Settle ``year``. ``planned``: a plan's output folder — what it budgeted, and what it
    advanced if it advanced (a recorded fact: another ``advance_rate`` is refused) — or forecast
    headcounts (then ``policy_paths`` say which policy, ``advance_rate`` what was advanced and
    ``quantum`` the allocation unit). Raises :class:`InputError` with every problem."""
    problems: list[Problem] = []
    if Path(planned).is_dir():
        if not (Path(planned) / MANIFEST).exists():
            raise InputError([Problem(Source(planned), said("不是测算（budget plan）的输出文件夹：其中没有 {manifest}",
                                                            "not a plan's output folder: it has no {manifest}",
                                                            manifest=MANIFEST))])
        folder = load_plan_folder(Path(planned))
        plan_result = folder.result
        if policy_paths:  # each file named must be one the plan was made with (by content: the plan keeps copies)
            given = {os.path.abspath(p): _digest(p) for p in policy_paths}
            made_with = {p: folder.manifest.sha256.get(p, "") for p in folder.manifest.policy}
            if not set(given.values()) <= set(made_with.values()):
                raise InputError([Problem(Source(planned), said(
                    "该测算使用的是另一版本的政策文件（{made}），本次给出的是 {given}：请用测算时的政策文件清算，或重新测算",
                    "the plan was made with another policy version ({made}); this run names {given}: settle with the "
                    "plan's policy, or plan again",
                    made=", ".join(f"{os.path.basename(p)} {d[:12]}" for p, d in made_with.items()),
                    given=", ".join(f"{os.path.basename(p)} {d[:12]}" for p, d in given.items())))])
        policy_paths = [f.path for f in plan_result.files if f.role == "policy"]
        within = str(Path(planned) / INPUTS)
        rate = plan_result.advance_rate
        if advance_rate is not None and advance_rate != rate:
            made = (said("按 {rate} 预拨", "advanced {rate} of the budget", rate=format_share(rate)) if rate is not None
                    else said("未预拨", "advanced nothing"))
            raise InputError([Problem(Source(planned), said(
                "该测算{made}；--advance-rate {given} 会按从未下达的资金清算。预拨数以测算的记录为准：清算时不要给 "
                "--advance-rate", "the plan {made}; --advance-rate {given} would settle against money that was never "
                "handed down. What was advanced is recorded by the plan: settle without --advance-rate",
                made=made, given=format_share(advance_rate)))])
        if quantum is not None and quantum != plan_result.quantum:
            raise InputError([Problem(Source(planned), said("该测算的分配单位是{unit}；清算沿用测算的分配单位（不要给 "
                                                            "--allocation-unit）", "the plan allocated in {unit}; a "
                                                            "settlement uses the plan's allocation unit",
                                                            unit=allocation_name(plan_result.quantum)))])
        _check_recorded_advances(Path(planned), plan_result, rate, folder.csv_format)
    else:
        policy_paths = policy_paths or [str(EXAMPLE_POLICY)]  # as budget plan does
        plan_result, _ = run_plan(policy_paths, planned, [year], advance_rate, quantum=quantum or 1)
        rate = advance_rate
        within = None
    if year not in plan_result.years:
        raise InputError([Problem(Source(planned), said("该测算没有 {year} 年（其年度：{years}）", "the plan has no {year} "
                                                        "(its years: {years})", year=year,
                                                        years=", ".join(map(str, plan_result.years))))])
    actual_inputs = load_inputs(policy_paths, actual, [year], within, only_years=False)  # other years: refused
    problems += actual_inputs.warnings
    problems += _beyond_the_plan(plan_result, actual_inputs.headcounts, actual, year)
    if errors(problems):
        raise InputError(problems)
    actual_lines = compute_plan(actual_inputs, plan_result.quantum)
    planned_lines = [ln for ln in plan_result.lines if ln.year == year]
    planned_amounts = (advance(planned_lines, rate, plan_result.quantum, plan_result.policy.handed_down()) if rate is not None
                       else budgeted(planned_lines))
    lines = settle(planned_amounts, [ln for ln in actual_lines if ln.year == year])
    files = plan_result.files + [make_input_file("actual", actual)]
    budget = {(ln.year, ln.region.code, ln.subsidy.id, payer): amount
              for ln in planned_lines for payer, amount in ln.amounts}
    return SettlementResult(plan_result.policy, year, "预拨数" if rate is not None else "预算数", lines,
                            transfers(lines), files, rate, plan_result.quantum, budget), problems


def _check_recorded_advances(folder: Path, plan_result: PlanResult, rate: Fraction | None, fmt: CsvFormat) -> None:
    """The plan folder's advances.csv is what was handed down: it must be what the plan's rate
    gives, written as the plan wrote its CSV files (``fmt``, from plan.json); a folder whose
    file was edited, or lost, is refused rather than guessed."""
    path = folder / ADVANCES
    if rate is None:
        return
    if not path.exists():
        raise InputError([Problem(Source(str(path)), said("该测算有预拨，但缺少 advances.csv：请重新运行 budget plan",
                                                          "the plan advanced money but its advances.csv is missing: "
                                                          "run budget plan again"))])
    expected = fmt.decode(advances_file(plan_result, fmt)).lstrip("\ufeff")
    try:
        found = fmt.decode(path.read_bytes()).lstrip("\ufeff")  # a BOM or none: the same table
    except UnicodeDecodeError:
        found = None
    if found != expected:
        raise InputError([Problem(Source(str(path)), said("advances.csv 与测算的预拨数不一致（测算后被改动过？）：请重新"
                                                          "运行 budget plan", "advances.csv differs from what the plan "
                                                          "advanced (edited after the plan was made?): run budget plan "
                                                          "again"))])


def _beyond_the_plan(plan_result: PlanResult, actual, actual_path: str, year: int) -> list[Problem]:
    """Actual rows for a year, county or group the plan does not have."""
    problems = []
    forecast = plan_result.headcounts
    planned_keys = forecast.keys() if forecast is not None else set()
    planned_groups = {g for y, _, g in planned_keys if y == year} or set(needed_groups(plan_result.policy, year))
    planned_regions = {c for y, c, _ in planned_keys if y == year}
    for y in sorted({y for y, _, _ in actual.keys()} - set(plan_result.years)):
        problems.append(Problem(Source(actual_path), said("有 {y} 年的实际人数，但测算没有该年度（其年度：{years}）",
                                                          "actual headcounts for {y}, which the plan does not have "
                                                          "(its years: {years})", y=y,
                                                          years=", ".join(map(str, plan_result.years)))))
    extra_groups = sorted({g for y, _, g in actual.keys() if y == year} - planned_groups)
    if extra_groups:
        groups = plan_result.policy.groups
        named = ", ".join(f"{groups[g].name}（{g}）" if g in groups else g for g in extra_groups)
        problems.append(Problem(Source(actual_path), said("有人员类别 {named} 的实际人数，但测算的预测人数中没有",
                                                          "actual headcounts for group(s) {named}, which the plan's "
                                                          "forecasts do not have", named=named)))
    actual_regions = {c for y, c, _ in actual.keys() if y == year}
    extra_regions = sorted(actual_regions - planned_regions)
    if planned_regions and extra_regions:
        problems.append(Problem(Source(actual_path), said("有地区 {regions} 的实际人数，但测算中没有这些地区",
                                                          "actual headcounts for region(s) {regions}, which the plan "
                                                          "does not have", regions=_named(plan_result, extra_regions))))
    lacking = sorted(planned_regions - actual_regions)
    if lacking:  # settling them at 0 would claw back everything: refuse instead
        problems.append(Problem(Source(actual_path), said("缺少 {regions} 的实际人数，测算中有这些地区（没有符合条件的人员"
                                                          "请填 0）", "no actual headcounts for {regions}, which the "
                                                          "plan has (give 0 where nobody qualified)",
                                                          regions=_named(plan_result, lacking))))
    return problems


def _named(plan_result: PlanResult, codes: list[str]) -> str:
    """``610402 秦都区, 610404 渭城区``."""
    return ", ".join(plan_result.policy.regions.label(c) for c in codes)
