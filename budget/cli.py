"""Command line: parse options, call the library, print problems, set the exit code.

Exit codes: 0 done, 1 problems in the input (all listed, nothing written), 2 usage errors.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .core.engine import allocations
from .core.problems import InputError, Problem
from .explain import assumptions_text, explain as explain_line, summary
from .io.csv_writer import write_allocations
from .io.atomic import write_text
from .plan import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY, load_inputs, load_policy, plan as compute_plan

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan and settle social-insurance poverty-alleviation subsidies, exact to the fen.")

PolicyOption = typer.Option(None, "--policy", "-p", help="Policy YAML (repeat for several cities). "
                            "Default: the shipped Xianyang configuration.")
HeadcountOption = typer.Option(None, "--headcounts", "-h", help="Headcounts CSV or XLSX: "
                               "year,region_code,group,headcount[,region_name]. Default: the shipped synthetic example.")
YearOption = typer.Option(None, "--year", "-y", help="Budget year (repeatable). Default: every year in the headcounts.")


def _policies(paths: Optional[List[Path]]) -> list[str]:
    return [str(p) for p in paths] if paths else [str(EXAMPLE_POLICY)]


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)


def _fail(exc: InputError) -> None:
    _report(exc.problems)
    count = sum(1 for p in exc.problems if p.severity == "error")
    typer.echo(f"{count} problem(s) found; nothing was written. 发现 {count} 个问题，未写出任何文件。", err=True)
    raise typer.Exit(1)


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@app.command()
def plan(
    year: Optional[List[int]] = YearOption,
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder (created if needed)."),
) -> None:
    """Compute every payer's amount per subsidy and county; write allocations.csv."""
    policy_paths = _policies(policy)
    headcount_path = str(headcounts or EXAMPLE_HEADCOUNTS)
    try:
        inputs = load_inputs(policy_paths, headcount_path, year or None)
        lines = compute_plan(inputs)
    except InputError as exc:
        _fail(exc)
        return
    _report(inputs.warnings)
    write_allocations(out / "allocations.csv", allocations(lines))
    sources = [f"policy: {p} sha256={_sha256(p)}" for p in inputs.policy.files]
    sources.append(f"headcounts: {headcount_path} sha256={_sha256(headcount_path)}")
    write_text(out / "assumptions.txt", "\n".join(
        [f"budget {__version__}", *sources, "", assumptions_text(inputs.policy), ""]))
    typer.echo(summary(inputs.policy, lines))
    typer.echo("")
    typer.echo(assumptions_text(inputs.policy))
    typer.echo(f"\nwritten: {out / 'allocations.csv'}, {out / 'assumptions.txt'}")


@app.command()
def check(
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    year: Optional[List[int]] = YearOption,
) -> None:
    """Validate the policy and the headcounts without computing anything."""
    try:
        inputs = load_inputs(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), year or None)
    except InputError as exc:
        _fail(exc)
        return
    _report(inputs.warnings)
    counties = len(inputs.policy.counties())
    typer.echo(f"OK: {len(inputs.policy.files)} policy file(s), {len(inputs.policy.subsidies)} subsidies, "
               f"{counties} counties, years {', '.join(map(str, inputs.years))}.")


@app.command()
def explain(
    year: int = typer.Option(..., "--year", "-y", help="Budget year."),
    region: str = typer.Option(..., "--region", "-r", help="County code, e.g. 610402."),
    subsidy: str = typer.Option(..., "--subsidy", "-s", help="Subsidy id, e.g. pension_contribution."),
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
) -> None:
    """Show how each payer's amount for one county, subsidy and year was derived."""
    try:
        inputs = load_inputs(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), [year])
        lines = compute_plan(inputs)
    except InputError as exc:
        _fail(exc)
        return
    known = inputs.policy.subsidies
    if subsidy not in known:
        typer.echo(f"unknown subsidy '{subsidy}' (known: {', '.join(known)})", err=True)
        raise typer.Exit(1)
    code = inputs.policy.regions.renamed[region].new_code if region in inputs.policy.regions.renamed else region
    found = [l for l in lines if l.region.code == code and l.subsidy.id == subsidy]
    if not found:
        counties = ", ".join(r.code for r in inputs.policy.counties())
        typer.echo(f"no line for {subsidy} in {year} at {region}: either the subsidy is not in force "
                   f"that year or the region is not a county of this plan ({counties})", err=True)
        raise typer.Exit(1)
    typer.echo(explain_line(inputs.policy, found[0]))


@app.command()
def version() -> None:
    """Print the program version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
