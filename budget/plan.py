"""The library's plan entry points: load and check inputs, compute a plan, read a plan folder.

load → validate → compute; the CLI and the output writers call these, nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from .core.display import allocation_quantum
from .core.engine import Line, all_segments, compute
from .core.factor_check import check_factors
from .core.funds import FundLine, distribute_funds
from .core.headcount_check import check_headcounts
from .core.headcounts import Headcounts
from .core.manifest import MANIFEST, Manifest
from .core.policy import Policy, parse_share
from .core.problems import InputError, Problem, Source, errors
from .core.results import PlanResult
from .readers.input_files import input_files, make_input_file
from .readers.policy_reader import read_policy
from .readers.table_reader import FACTORS, read_headcounts, read_table


@dataclass
class Inputs:
    policy: Policy
    headcounts: Headcounts
    years: list[int]
    warnings: list[Problem]
    segments: dict | None = None  # the checked rates and shares, reused by the computation


def load_inputs(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None,
                scenario: str | None = None, adopt: str | None = None) -> Inputs:
    """Read and check everything; raise :class:`InputError` listing every problem. ``scenario``:
    a scenario file read over the policy files; ``adopt``: its name, when it is adopted."""
    rows, problems = read_headcounts(headcounts_path)
    try:
        policy, _ = read_policy(policy_paths, scenario)
    except InputError as policy_problems:  # report the file's own problems too, all at once
        raise InputError(policy_problems.problems + errors(problems)) from None
    if adopt is not None:
        if policy.scenario is None or policy.scenario.name != adopt:
            found = f"方案名为“{policy.scenario.name}”" if policy.scenario else "未给出测算方案 (no --scenario)"
            raise InputError([Problem(Source(policy.scenario.file if policy.scenario else "--adopt"),
                                      f"--adopt “{adopt}” 与测算方案名称不符：{found} (adopt a scenario by its exact name)")])
        policy.scenario = replace(policy.scenario, adopted=True)
    if errors(problems):
        raise InputError(problems)
    headcounts, problems = check_headcounts(rows, policy, headcounts_path, years)
    chosen = years if years is not None else headcounts.years()
    if not errors(problems) and not chosen:
        problems.append(Problem(None, f"{headcounts_path} has no headcount rows"))
    missing_years = [y for y in chosen if y not in headcounts.years()]
    for year in missing_years:
        problems.append(Problem(None, f"{headcounts_path} has no rows for {year} "
                                      f"(years in the file: {', '.join(map(str, headcounts.years())) or 'none'})"))
    segments, coverage = all_segments(policy, chosen)
    problems += coverage
    for year in chosen:
        continued = policy.continued_rules(year)
        if continued:
            problems.append(Problem(None, f"{year}年已超出文件规定的执行期（脱贫攻坚期至2020年）：{'、'.join(continued)}"
                                          "系按假设延续测算，见假设清单 (planned by carrying the rules on: assumptions)",
                                    "warning"))
    if errors(problems):
        raise InputError(problems)
    return Inputs(policy, headcounts, chosen, problems, segments)


def compute_plan(inputs: Inputs, quantum: int = 1) -> list[Line]:
    """Every subsidy line of the checked inputs, allocated in whole ``quantum`` fen."""
    return compute(inputs.policy, inputs.headcounts, inputs.years, inputs.segments, quantum)


def run_plan(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None,
             advance_rate: Fraction | None = None, factors_path: str | None = None, quantum: int = 1,
             scenario: str | None = None, adopt: str | None = None) -> tuple[PlanResult, list[Problem]]:
    """Load, check and compute, allocating in whole ``quantum`` fen (1 = 分, 100 = 元, …);
    returns the result and the warnings."""
    inputs = load_inputs(policy_paths, headcounts_path, years, scenario, adopt)
    fund_lines = plan_funds(inputs, factors_path, quantum)
    lines = compute_plan(inputs, quantum)
    files = input_files(inputs.policy, headcounts_path)
    if factors_path:
        files.append(make_input_file("factors", factors_path))
    return PlanResult(inputs.policy, lines, inputs.years, files, inputs.headcounts, advance_rate,
                      fund_lines, quantum), inputs.warnings


def plan_funds(inputs: Inputs, factors_path: str | None, quantum: int = 1) -> list[FundLine]:
    """Every fund's distribution for the planned years; raises with every problem."""
    policy = inputs.policy
    if not policy.funds:
        return []
    data: dict[tuple[int, str, str], Fraction] = {}
    problems: list[Problem] = []
    needs_data = any(f.data for fund in policy.funds.values() for f in fund.factors)
    if factors_path:
        rows, problems = read_table(factors_path, FACTORS)
        if not errors(problems):
            data, problems = check_factors(rows, policy)
    elif needs_data:
        problems.append(Problem(None, "the policy's funds use factor data: give it with --factors FILE "
                                      "(columns year,region_code,factor,value)"))
    lines: list[FundLine] = []
    if not errors(problems):
        lines, trouble = distribute_funds(policy, inputs.headcounts, inputs.years, data, quantum)
        problems += trouble
    if errors(problems):
        raise InputError(problems)
    return lines


@dataclass
class PlanFolder:
    """What a plan's output folder says about how it was made."""

    result: PlanResult
    manifest: Manifest


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        return Manifest.from_text(path.read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError([Problem(Source(str(path)), f"not a plan's output folder (cannot read {MANIFEST}: {exc})")]) from None


def load_plan_folder(folder: Path) -> PlanFolder:
    """A plan's result again, from the inputs its manifest names; refuses changed inputs."""
    manifest = read_manifest(folder)
    try:
        rate = parse_share(manifest.advance_rate) if manifest.advance_rate else None
    except ValueError as exc:
        raise InputError([Problem(Source(str(folder / MANIFEST)), f"advance_rate: {exc}")]) from None
    try:
        quantum = allocation_quantum(manifest.allocation_unit)
    except ValueError as exc:
        raise InputError([Problem(Source(str(folder / MANIFEST)), str(exc))]) from None
    result, _ = run_plan(manifest.policy, manifest.headcounts, manifest.years, rate, manifest.factors, quantum)
    changed = [f.path for f in result.files if manifest.sha256.get(f.path) != f.sha256]
    if changed:
        raise InputError([Problem(Source(p), "changed since the plan was made: run budget plan again") for p in changed])
    return PlanFolder(result, manifest)
