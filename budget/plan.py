"""The library's plan entry points: load and check inputs, compute a plan, read a plan folder.

load → validate → compute; the CLI and the output writers call these, nothing here prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .core.display import allocation_quantum
from .core.engine import Line, all_segments, compute
from .core.factor_check import check_factors
from .core.funds import FundLine, distribute_funds
from .core.headcount_check import RawRow, Records, check_headcounts, year_of_text
from .core.headcounts import Headcounts
from .core.language import said
from .core.manifest import INPUTS, MANIFEST, MAX_MANIFEST_BYTES, Manifest
from .core.policy import Policy, parse_share
from .core.problems import InputError, Problem, Source, errors
from .core.results import InputFile, PlanResult
from .policy_cache import read_policy_kept
from .prefetch import take as take_policy
from .readers.input_files import file_digest, input_files, make_input_file
from .readers.policy_reader import read_policy
from .readers.table_reader import FACTORS, read_headcounts, read_table
from .readers.template_reader import ROW_CHECK
from .writers.csv_writer import CsvFormat


@dataclass
class Inputs:
    policy: Policy
    headcounts: Headcounts
    years: list[int]
    warnings: list[Problem]
    segments: dict | None = None  # the checked rates and shares, reused by the computation


def load_inputs(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None,
                within: str | None = None, only_years: bool = True, scenario: str | None = None,
                adopt: str | None = None, policy_read: Callable[[Policy], None] | None = None) -> Inputs:
    """Read and check everything; raise :class:`InputError` listing every problem. ``within``:
    a plan folder's inputs/, outside which no policy file is read. With ``years`` and
    ``only_years``, rows of other years are passed over after a look at their year, so memory
    grows with the years kept, not with the file. ``scenario``: a scenario file read over the
    policy files; ``adopt``: its name, when it is adopted; ``policy_read``: told the policy as
    soon as it is read, before the headcounts are checked."""
    rows, read_problems = read_headcounts(headcounts_path)  # rows are read as they are checked
    try:
        policy = take_policy(policy_paths, scenario, within)  # read ahead as the command started
        if policy is None and within is None:
            policy = read_policy_kept(policy_paths, scenario)  # (kept from an earlier run when no file changed)
        elif policy is None:  # a plan folder's copies: read, never taken from a cache
            policy, _ = read_policy(policy_paths, scenario, within)
    except InputError as policy_problems:  # report the file's own problems too, all at once
        for _ in rows:
            pass
        raise InputError(policy_problems.problems + errors(read_problems)) from None
    if adopt is not None:
        if policy.scenario is None or policy.scenario.name != adopt:
            found = (said("方案名为“{name}”", "the scenario is named “{name}”", name=policy.scenario.name)
                     if policy.scenario else said("未给出测算方案", "no --scenario given"))
            raise InputError([Problem(Source(policy.scenario.file if policy.scenario else "--adopt"),
                                      said("--adopt “{adopt}” 与测算方案名称不符：{found}", "--adopt “{adopt}” does not "
                                           "match the scenario's name: {found} (adopt a scenario by its exact name)",
                                           adopt=adopt, found=found))])
        policy.scenario = replace(policy.scenario, adopted=True)
    if policy_read is not None:
        policy_read(policy)
    in_file: set[int] = set()
    if years is not None and only_years:
        rows = _of_years(rows, set(years), in_file)
    headcounts, problems = check_headcounts(rows, policy, headcounts_path, years)
    if any(p.source is None or p.source.field != ROW_CHECK for p in errors(read_problems)):
        raise InputError(read_problems)  # the file itself is broken: its problems alone, as they say why
    problems = read_problems + problems  # a typed 合计 that disagrees: said with every other problem
    in_file |= set(headcounts.years())
    chosen = years if years is not None else headcounts.years()
    if not errors(problems) and not chosen:
        problems.append(Problem(None, said("{path} 中没有人数行", "{path} has no headcount rows", path=headcounts_path)))
    missing_years = [y for y in chosen if y not in headcounts.years()]
    for year in missing_years:
        problems.append(Problem(None, said("{path} 中没有 {year} 年的人数（文件中的年度：{years}）", "{path} has no rows "
                                           "for {year} (years in the file: {years})", path=headcounts_path, year=year,
                                           years=", ".join(map(str, sorted(in_file))) or "—")))
    segments, coverage = all_segments(policy, chosen)
    problems += coverage
    for year in chosen:
        continued = policy.continued_rules(year)
        if continued:
            problems.append(Problem(None, said("{year}年已超出文件规定的执行期（脱贫攻坚期至2020年）：{rules}系按假设延续"
                                               "测算，见假设清单", "{year} lies past the documents' own period (to 2020): "
                                               "{rules} planned by carrying the rules on, as assumptions (listed)",
                                               year=year, rules="、".join(continued)), "warning"))
    if errors(problems):
        raise InputError(problems)
    return Inputs(policy, headcounts, chosen, problems, segments)


def _of_years(rows: Iterable[RawRow], years: set[int], seen: set[int]) -> Iterable[RawRow]:
    """The rows of ``years`` (and rows whose year is unreadable, to be reported); ``seen``
    collects every year of the file, for messages."""
    if isinstance(rows, Records):  # a CSV's records, filtered by column as they are checked
        return replace(rows, keep_years=frozenset(years), years_seen=seen)
    return _rows_of_years(rows, years, seen)


def _rows_of_years(rows: Iterable[RawRow], years: set[int], seen: set[int]) -> Iterator[RawRow]:
    for row in rows:
        year = year_of_text(row.values.get("year", ""), seen)
        if year is None or year in years:
            yield row


def compute_plan(inputs: Inputs, quantum: int = 1) -> list[Line]:
    """Every subsidy line of the checked inputs, allocated in whole ``quantum`` fen."""
    return compute(inputs.policy, inputs.headcounts, inputs.years, inputs.segments, quantum)


def run_plan(policy_paths: list[str], headcounts_path: str, years: list[int] | None = None,
             advance_rate: Fraction | None = None, factors_path: str | None = None, quantum: int = 1,
             scenario: str | None = None, adopt: str | None = None, within: str | None = None,
             loaded: Callable[[Policy, list[InputFile]], None] | None = None) -> tuple[PlanResult, list[Problem]]:
    """Load, check and compute, allocating in whole ``quantum`` fen (1 = 分, 100 = 元, …);
    returns the result and the warnings. ``within``: the only folder files may be read from;
    ``scenario``/``adopt``: a scenario read over the policy, and its name when adopted;
    ``loaded``: told the input files as soon as the policy is read, before the headcounts are
    checked and the plan computed (the CLI starts copying them into the plan folder meanwhile:
    creating a country's ~335 files waits on the disk; if a check then fails, the copies are
    thrown away)."""
    named: list[list[InputFile]] = []

    def files_of(policy: Policy) -> list[InputFile]:
        files = input_files(policy, headcounts_path)
        if factors_path:
            files.append(make_input_file("factors", factors_path))
        return files

    def policy_read(policy: Policy) -> None:
        if loaded is None:
            return
        try:
            named.append(files_of(policy))
        except (OSError, InputError):  # (a headcounts file that cannot be read: said with every other problem)
            return
        loaded(policy, named[0])

    inputs = load_inputs(policy_paths, headcounts_path, years, within, scenario=scenario, adopt=adopt,
                         policy_read=policy_read)
    fund_lines = plan_funds(inputs, factors_path, quantum)
    if named:
        files = named[0]
    else:
        files = files_of(inputs.policy)
        if loaded is not None:
            loaded(inputs.policy, files)
    lines = compute_plan(inputs, quantum)
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
        rows = list(rows)  # a small file: read whole, so its problems are known
        if not errors(problems):
            data, problems = check_factors(rows, policy)
    elif needs_data:
        problems.append(Problem(None, said("政策中的资金按因素法分配：请用 --factors 文件 给出因素数据（列：year,region_code,"
                                           "factor,value）", "the policy's funds use factor data: give it with --factors "
                                           "FILE (columns year,region_code,factor,value)")))
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
    documents: str | None = None  # the verified copy of the document settings, if the plan had some
    csv_format: CsvFormat = CsvFormat("utf-8")  # how the plan wrote its CSV files


def csv_format_of(folder: Path, manifest: Manifest) -> CsvFormat:
    """How the plan in ``folder`` wrote its CSV files, as its plan.json records."""
    try:
        return CsvFormat(manifest.csv_encoding, manifest.csv_headers)
    except ValueError as exc:
        raise InputError([Problem(Source(str(folder / MANIFEST)), f"csv: {exc}")]) from None


def plan_csv_format(folder: Path) -> CsvFormat:
    """The CSV format a plan folder was written in (settle writes its own CSV files the same way)."""
    return csv_format_of(folder, read_manifest(folder))


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError([Problem(Source(str(folder)), said("测算文件夹不存在", "the plan folder does not exist"))])
    if not path.exists():
        raise InputError([Problem(Source(str(folder)), said("不是测算（budget plan）的输出文件夹：其中没有 {manifest}",
                                                            "not a plan's output folder: it has no {manifest}",
                                                            manifest=MANIFEST))])
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise ValueError(f"larger than {MAX_MANIFEST_BYTES:,} bytes")
        return Manifest.from_text(data.decode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        what = exc.strerror if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
        raise InputError([Problem(Source(str(path)), said("不是可用的测算文件夹（无法读取 {manifest}：{what}）",
                                                          "not a usable plan folder (cannot read {manifest}: {what})",
                                                          manifest=MANIFEST, what=what))]) from None


def verified_inputs(folder: Path, manifest: Manifest) -> dict[str, str]:
    """The copies of the plan's inputs, each checked: a plain file inside the folder (no link
    out of it) with the digest plan.json records. Returns relative path → path on this machine.
    Messages name the file, never its content."""
    problems = []
    found = {}
    root = os.path.realpath(folder)
    for rel, digest in manifest.sha256.items():
        path = os.path.join(root, *rel.split("/"))
        if os.path.realpath(path) != path or not os.path.isfile(path):
            problems.append(Problem(Source(str(folder / rel)), said("缺失，或不是测算文件夹中的普通文件",
                                                                    "is missing or not a plain file inside the plan "
                                                                    "folder")))
        elif file_digest(path) != digest:
            problems.append(Problem(Source(str(folder / rel)), said("在测算之后被修改（SHA-256 与 plan.json 不符）：请重新"
                                                                    "运行 budget plan", "changed since the plan was made "
                                                                    "(its SHA-256 differs from plan.json): run budget "
                                                                    "plan again")))
        else:
            found[rel] = path
    if problems:
        raise InputError(problems)
    return found


def load_plan_folder(folder: Path) -> PlanFolder:
    """A plan's result again, from the copies of its inputs in the folder; refuses changed copies."""
    manifest = read_manifest(folder)
    try:
        rate = parse_share(manifest.advance_rate) if manifest.advance_rate else None
    except ValueError as exc:
        raise InputError([Problem(Source(str(folder / MANIFEST)), f"advance_rate: {exc}")]) from None
    try:
        quantum = allocation_quantum(manifest.allocation_unit)
    except ValueError as exc:
        raise InputError([Problem(Source(str(folder / MANIFEST)), str(exc))]) from None
    csv_format = csv_format_of(folder, manifest)
    files = verified_inputs(folder, manifest)
    result, _ = run_plan([files[p] for p in manifest.policy], files[manifest.headcounts], manifest.years, rate,
                         files[manifest.factors] if manifest.factors else None, quantum, within=str(folder / INPUTS))
    unlisted = sorted(({f.path for f in result.files} | set(result.policy.region_files)) - set(files.values()))
    if unlisted:  # read from inputs/ but not in plan.json: not verified
        raise InputError([Problem(Source(p), "is not listed in plan.json, so it cannot be verified") for p in unlisted])
    documents = files[manifest.documents] if manifest.documents else None
    return PlanFolder(result, manifest, documents, csv_format)


def plan_documents(folder: Path) -> str | None:
    """The verified copy of the document settings a plan folder was made with, if any."""
    manifest = read_manifest(folder)
    return verified_inputs(folder, manifest)[manifest.documents] if manifest.documents else None
