"""The library's entry points: load and check inputs, compute a plan, explain a line.

load → validate → compute; the CLI and the writers call these, nothing here prints.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .core.engine import Line, all_segments, allocations, compute
from .core.headcounts import Headcounts
from .core.factor_check import check_factors
from .core.funds import FundLine, distribute, fund_regions, fund_values
from .core.headcount_check import check_headcounts
from .core.policy import Policy, parse_share
from .core.problems import InputError, Problem, Source, errors
from .io.table_reader import FACTORS, read_headcounts, read_table
from .io.policy_reader import read_policy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = ROOT / "configs" / "xianyang-2017-303.yaml"
EXAMPLE_HEADCOUNTS = ROOT / "configs" / "examples" / "xianyang-headcounts-synthetic.csv"
EXAMPLE_DOCUMENTS = ROOT / "configs" / "documents" / "xianyang-2018.yaml"


@dataclass
class Inputs:
    policy: Policy
    headcounts: Headcounts
    years: list[int]
    warnings: list[Problem]
    segments: dict | None = None  # the checked rates and shares, reused by the computation


def load_inputs(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None) -> Inputs:
    """Read and check everything; raise :class:`InputError` listing every problem."""
    rows, problems = read_headcounts(headcounts_path)
    try:
        policy, _ = read_policy(policy_paths)
    except InputError as policy_problems:  # report the file's own problems too, all at once
        raise InputError(policy_problems.problems + errors(problems)) from None
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
    if errors(problems):
        raise InputError(problems)
    return Inputs(policy, headcounts, chosen, problems, segments)


def plan(inputs: Inputs) -> list[Line]:
    return compute(inputs.policy, inputs.headcounts, inputs.years, inputs.segments)


@dataclass(frozen=True)
class InputFile:
    role: str  # "policy", "headcounts", "factors" or "actual"
    path: str
    sha256: str
    notes: tuple[str, ...] = ()  # the file's own leading "#" comments, e.g. "SYNTHETIC EXAMPLE DATA"

    @property
    def name(self) -> str:
        """The file's name without the folders: outputs show it, never a path of this machine."""
        return os.path.basename(self.path)

    @property
    def is_sample(self) -> bool:
        """The file says it holds invented figures: outputs made from it must say so too."""
        return any(word in note.upper() or word in note for note in self.notes
                   for word in ("SYNTHETIC", "虚构", "示例数据"))


def make_input_file(role: str, path: str) -> InputFile:
    data = Path(path).read_bytes()
    notes = []
    if role != "policy" and not data.startswith(b"PK"):  # a CSV of figures: its leading comment lines
        for line in data[:4096].decode("utf-8", "replace").lstrip("\ufeff").splitlines():
            if not line.startswith("#"):
                break
            notes.append(line.lstrip("#").strip())
    return InputFile(role, path, hashlib.sha256(data).hexdigest(), tuple(notes))


def sample_notes(files: list[InputFile]) -> list[str]:
    return [note for f in files if f.is_sample for note in f.notes]


@dataclass
class PlanResult:
    """Everything the writers need: the policy, the computed lines, and what produced them."""

    policy: Policy
    lines: list[Line]
    years: list[int]
    files: list[InputFile]
    headcounts: Headcounts | None = None
    advance_rate: Fraction | None = None  # 预拨: the share of the budget advanced
    fund_lines: list[FundLine] = field(default_factory=list)  # funds distributed by factors


def input_files(policy: Policy, headcounts_path: str) -> list[InputFile]:
    return ([make_input_file("policy", p) for p in policy.files] + [make_input_file("headcounts", headcounts_path)])


def run_plan(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None,
             advance_rate: Fraction | None = None, factors_path: str | None = None
             ) -> tuple[PlanResult, list[Problem]]:
    """Load, check and compute; returns the result and the warnings."""
    inputs = load_inputs(policy_paths, headcounts_path, years)
    fund_lines = distribute_funds(inputs, factors_path)
    lines = plan(inputs)
    files = input_files(inputs.policy, headcounts_path)
    if factors_path:
        files.append(make_input_file("factors", factors_path))
    return PlanResult(inputs.policy, lines, inputs.years, files, inputs.headcounts, advance_rate,
                      fund_lines), inputs.warnings


def distribute_funds(inputs: Inputs, factors_path: str | None) -> list[FundLine]:
    """Every fund's distribution for the planned years; raises with every problem."""
    policy = inputs.policy
    if not policy.funds:
        return []
    data, problems = {}, []
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
        for year in inputs.years:
            for fund in policy.funds.values():
                present = inputs.headcounts.regions(year)
                counties = [r for r in policy.counties() if r.code in present]
                regions = fund_regions(fund, counties, policy.regions)
                found, trouble = distribute(fund, year, regions, fund_values(fund, year, regions, inputs.headcounts, data))
                lines += found
                problems += trouble
    if errors(problems):
        raise InputError(problems)
    return lines


MANIFEST = "plan.json"


@dataclass
class PlanFolder:
    """What a plan's output folder says about how it was made."""

    result: PlanResult
    documents: str | None  # the document settings it used
    policy_digests: dict[str, str]  # policy file → SHA-256


def load_plan_folder(folder: Path) -> PlanFolder:
    """A plan's result again, from the inputs its manifest names; refuses changed inputs."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
        policies, headcounts, years = data["policy"], data["headcounts"], data["years"]
        digests, settings = data["sha256"], data.get("documents")
        rate = parse_share(data["advance_rate"]) if data.get("advance_rate") else None
        factors = data.get("factors")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError([Problem(Source(str(path)), f"not a plan's output folder (cannot read {MANIFEST}: {exc})")])
    result, _ = run_plan(policies, headcounts, years, rate, factors)
    changed = [f.path for f in result.files if digests.get(f.path) != f.sha256]
    if changed:
        raise InputError([Problem(Source(p), "changed since the plan was made: run budget plan again") for p in changed])
    return PlanFolder(result, settings, {p: digests[p] for p in policies})


__all__ = ["Inputs", "PlanResult", "load_inputs", "plan", "run_plan", "allocations", "EXAMPLE_POLICY",
           "EXAMPLE_HEADCOUNTS"]
