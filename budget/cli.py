"""Command line: parse options, call the library, print problems, set the exit code.

Exit codes: 0 done, 1 problems in the input (all listed, nothing written), 2 usage errors.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .core.display import UNITS, allocation_quantum, parse_date
from .core.manifest import MANIFEST, Manifest
from .core.money import format_grouped
from .core.period import parse_years
from .core.policy import parse_share
from .core.problems import InputError, Problem
from .core.results import sample_notes
from .core.template_layout import template_groups
from .outputs import Documents, render_documents, scenario_lines, write_plan_outputs, write_settlement_outputs
from .plan import load_inputs, load_plan_folder, run_plan
from .readers.cases_reader import read_cases
from .readers.document_settings import read_allocation_unit
from .readers.policy_reader import read_policy
from .resources import EXAMPLE_DOCUMENTS, EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY, policy_path
from .settle import run_settlement
from .verify import verify as run_verify
from .writers.atomic import staged, write_bytes
from .writers.fonts import FontError
from .writers.template import template_bytes
from .writers.text import assumptions_text, explain_fund, settlement_summary, summary
from .writers.text import explain as explain_line

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan and settle social-insurance poverty-alleviation subsidies, exact to the fen.")

PolicyOption = typer.Option(None, "--policy", "-p", help="Policy YAML (repeat for several cities). "
                            "Default: the shipped Xianyang configuration.")
HeadcountOption = typer.Option(None, "--headcounts", "-h", help="Headcounts CSV or XLSX: "
                               "year,region_code,group,headcount[,region_name]. Default: the shipped synthetic example.")
YearOption = typer.Option(None, "--year", "-y", help="Budget year (repeatable). Default: every year in the headcounts.")


def _policies(paths: Optional[List[Path]]) -> list[str]:
    return [policy_path(str(p)) for p in paths] if paths else [str(EXAMPLE_POLICY)]


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)


@contextmanager
def _problems_exit(out: Path | None = None):
    """Input problems, missing fonts and unwritable outputs end the command with exit code 1
    and a message, never a traceback."""
    try:
        yield
    except InputError as exc:
        _fail(exc)
    except FontError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        where = exc.filename or out
        typer.echo(f"cannot write to {out if out else where}: {exc.strerror or exc} ({where})", err=True)
        raise typer.Exit(1) from None


def _say_if_sample(files) -> None:
    for note in sample_notes(files):
        typer.echo(f"示例 sample: {note} — the outputs say so too", err=True)


def _fail(exc: InputError) -> None:
    _report(exc.problems)
    count = sum(1 for p in exc.problems if p.severity == "error")
    typer.echo(f"{count} problem(s) found; nothing was written. 发现 {count} 个问题，未写出任何文件。", err=True)
    raise typer.Exit(1)


DocumentsOption = typer.Option(None, "--documents", "-d", help="Document settings YAML (issuers, 文号, date, "
                               "addressees, cc, title). Default: the shipped example's, or defaults from the policy.")
NumberOption = typer.Option(None, "--number", help="The notice's 文号, e.g. 咸财社〔2018〕12号 (over --documents).")
DateOption = typer.Option(None, "--date", help="The notice's date, 2018-01-08 (over --documents).")
TitleOption = typer.Option(None, "--title", help="The notice's title (over --documents).")
IssuerOption = typer.Option(None, "--issuer", help="An issuer of the notice; repeat for joint issuers (over --documents).")
AddresseesOption = typer.Option(None, "--addressees", help="主送机关 (over --documents).")
CcOption = typer.Option(None, "--cc", help="抄送机关; repeat for each (over --documents).")


def _notice_options(number, date, title, issuer, addressees, cc) -> dict:
    """Document settings given on the command line; the date is checked here."""
    if date is not None:
        try:
            parse_date(date)
        except ValueError as exc:
            typer.echo(f"--date '{date}' {exc}", err=True)
            raise typer.Exit(2) from None
    given = {"number": number, "date": date, "title": title, "issuers": list(issuer or []) or None,
             "addressees": addressees, "cc": list(cc or []) or None}
    return {k: v for k, v in given.items() if v}


AllowGlyphsOption = typer.Option(False, "--allow-missing-glyphs", help="Render even if no installed font has "
                                 "some character (it would print as a box).")


FinalOption = typer.Option(False, "--final", help="正式稿: refuse while any value is an assumption (each named with "
                           "its file:line) or the notice lacks what an issued one carries; without it a notice built "
                           "on assumptions is a draft (征求意见稿).")
AllocationUnitOption = typer.Option(None, "--allocation-unit", help="分配单位: each line's amount is rounded "
                                    "to this once — 分, 元, 0.01万元 or 万元 (over the document settings' "
                                    "allocation_unit; default 分).")


def _quantum(given: Optional[str], settings_path: Optional[str]) -> int:
    """The allocation unit in fen: the option, else the document settings', else 分."""
    name = given or (read_allocation_unit(settings_path) if settings_path else None) or "分"
    try:
        return allocation_quantum(name)
    except ValueError as exc:
        typer.echo(f"--allocation-unit: {exc}", err=True)
        raise typer.Exit(2) from None


ScenarioOption = typer.Option(None, "--scenario", help="A scenario (测算方案, YAML): dated changes of rates, shares, "
                              "periods or a new local top-up, read over the policy files, with its name and reason.")
AdvanceOption = typer.Option(None, "--advance-rate", "-a", help="预拨: advance this share of the budget "
                             "(e.g. 90%); written to advances.csv and used by settle.")


def _rate(text: Optional[str]):
    if text is None:
        return None
    try:
        rate = parse_share(text)
    except ValueError as exc:
        typer.echo(f"--advance-rate: {exc}", err=True)
        raise typer.Exit(2) from None
    if not 0 < rate <= 1:
        typer.echo(f"--advance-rate must be more than 0 and at most 100% (got {text})", err=True)
        raise typer.Exit(2)
    return rate


@app.command()
def plan(
    year: Optional[List[int]] = YearOption,
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder (created if needed)."),
    unit: str = typer.Option("元", "--unit", "-u", help="Amount unit of the workbook: 元 or 万元."),
    documents: Optional[Path] = DocumentsOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Write the notice and explanation PDFs."),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    advance_rate: Optional[str] = AdvanceOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", help="Factor data for funds distributed by "
                                           "factors (因素法): year,region_code,factor,value."),
    allocation_unit: Optional[str] = AllocationUnitOption,
    final: bool = FinalOption,
    number: Optional[str] = NumberOption, date: Optional[str] = DateOption, title: Optional[str] = TitleOption,
    issuer: Optional[List[str]] = IssuerOption, addressees: Optional[str] = AddresseesOption,
    cc: Optional[List[str]] = CcOption,
    years: Optional[str] = typer.Option(None, "--years", help="中期财政规划: a range of years such as 2020-2022 (a "
                                        "forecast's years); adds budget-2020-2022.xlsx with the years side by side."),
    scenario: Optional[Path] = ScenarioOption,
    adopt: Optional[str] = typer.Option(None, "--adopt", help="Adopt the scenario by its name: the plan is then a "
                                        "real one (a notice, no mark)."),
) -> None:
    """Compute every payer's amount per subsidy and county; write allocations.csv, the
    workbook and the PDF documents (and advances.csv with --advance-rate). With --scenario,
    the outputs are marked 测算方案，非正式下达 and no notice is written unless --adopt names it."""
    if unit not in UNITS:
        typer.echo(f"--unit must be one of: {', '.join(UNITS)} (got {unit!r})", err=True)
        raise typer.Exit(2)
    rate = _rate(advance_rate)
    if years is not None:
        if year:
            typer.echo("give either --year (repeatable) or --years (a range), not both", err=True)
            raise typer.Exit(2)
        try:
            year = parse_years(years)
        except ValueError as exc:
            typer.echo(f"--years: {exc}", err=True)
            raise typer.Exit(2) from None
    notice_settings = _notice_options(number, date, title, issuer, addressees, cc)
    settings = str(documents) if documents else (str(EXAMPLE_DOCUMENTS) if not policy else None)
    with _problems_exit(out):
        quantum = _quantum(allocation_unit, settings)
        result, warnings = run_plan(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), year or None, rate,
                                    str(factors) if factors else None, quantum, str(scenario) if scenario else None,
                                    adopt)
        names, fonts = write_plan_outputs(result, out, unit,
                                          Documents(settings, allow_missing_glyphs, notice_settings, final) if pdf else None,
                                          settings, rolling=years is not None)
    _report(warnings)
    _say_if_sample(result.files)
    if result.policy.scenario is not None:
        typer.echo("\n".join(scenario_lines(result.policy.scenario)))
    typer.echo(summary(result.policy, result.lines, result.fund_lines))
    typer.echo("")
    typer.echo(assumptions_text(result.policy, result.years))
    if fonts:
        typer.echo(f"\nfonts: {fonts}")
    typer.echo(f"\nwritten to {out}: {', '.join(names)}")


@app.command()
def report(
    plan_folder: Path = typer.Option(Path("out"), "--from", "-f", help="A plan's output folder."),
    documents: Optional[Path] = DocumentsOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write the PDFs (default: the plan's folder)."),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    number: Optional[str] = NumberOption, date: Optional[str] = DateOption, title: Optional[str] = TitleOption,
    issuer: Optional[List[str]] = IssuerOption, addressees: Optional[str] = AddresseesOption,
    cc: Optional[List[str]] = CcOption,
) -> None:
    """Render the notice and explanation PDFs again from a plan's output folder, e.g. with
    other document settings. Refuses if the plan's inputs changed since."""
    target = out or plan_folder
    notice_settings = _notice_options(number, date, title, issuer, addressees, cc)
    with _problems_exit(target):
        folder = load_plan_folder(plan_folder)
        files, fonts = render_documents(folder.result, Documents(str(documents) if documents else folder.manifest.documents,
                                                                 allow_missing_glyphs, notice_settings))
        with staged(target) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    typer.echo(f"fonts: {fonts}\nwritten to {target}: {', '.join(files)}")


@app.command()
def settle(
    year: int = typer.Option(..., "--year", "-y", help="The year to settle."),
    planned: Path = typer.Option(..., "--planned", help="A plan's output folder, or the forecast headcounts."),
    actual: Path = typer.Option(..., "--actual", help="Actual headcounts (CSV or XLSX; a month column for "
                                "monthly figures)."),
    policy: Optional[List[Path]] = typer.Option(None, "--policy", "-p", help="Policy YAML, with forecast headcounts "
                                                "(default: the shipped Xianyang one); with a plan folder it must be the plan's."),
    out: Path = typer.Option(Path("out-settlement"), "--out", "-o", help="Output folder."),
    advance_rate: Optional[str] = AdvanceOption,
    documents: Optional[Path] = DocumentsOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Write the settlement notice PDF."),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    allocation_unit: Optional[str] = AllocationUnitOption,
) -> None:
    """Settle a year: what was budgeted or advanced against what is due on actual headcounts
    (多退少补); write settlement.csv, transfers.csv, the 清算/决算 workbook and the notice.
    Against a plan folder, what it advanced and its allocation unit are the plan's."""
    rate = _rate(advance_rate)
    with _problems_exit(out):
        settings = str(documents) if documents else _plan_documents(planned)
        quantum = _quantum(allocation_unit, settings) if (allocation_unit or not planned.is_dir()) else None
        result, warnings = run_settlement(year, str(planned), str(actual),
                                          [policy_path(str(p)) for p in policy] if policy else None, rate, quantum)
        names, fonts = write_settlement_outputs(result, out, Documents(settings, allow_missing_glyphs) if pdf else None)
    _report(warnings)
    _say_if_sample(result.files)
    typer.echo(settlement_summary(result))
    if fonts:
        typer.echo(f"\nfonts: {fonts}")
    typer.echo(f"\nwritten to {out}: {', '.join(names)}")


def _plan_documents(planned: Path) -> str | None:
    """The document settings a plan folder was made with, if any."""
    try:
        return Manifest.from_text((planned / MANIFEST).read_text("utf-8")).documents
    except (OSError, ValueError, KeyError, TypeError):
        return None


@app.command()
def check(
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    year: Optional[List[int]] = YearOption,
) -> None:
    """Validate the policy and the headcounts without computing anything."""
    with _problems_exit():
        inputs = load_inputs(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), year or None)
    _report(inputs.warnings)
    counties = len(inputs.policy.counties())
    typer.echo(f"OK: {len(inputs.policy.files)} policy file(s), {len(inputs.policy.subsidies)} subsidies, "
               f"{counties} counties, years {', '.join(map(str, inputs.years))}.")


@app.command()
def explain(
    year: int = typer.Option(..., "--year", "-y", help="Budget year."),
    region: str = typer.Option(..., "--region", "-r", help="County code, e.g. 610402."),
    subsidy: str = typer.Option(..., "--subsidy", "-s", help="Subsidy or fund id, e.g. pension_contribution."),
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", help="Factor data, for funds."),
) -> None:
    """Show how each payer's amount for one county, subsidy (or fund) and year was derived."""
    with _problems_exit():
        result, _ = run_plan(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), [year],
                             factors_path=str(factors) if factors else None)
    known = list(result.policy.subsidies) + list(result.policy.funds)
    if subsidy not in known:
        typer.echo(f"unknown subsidy '{subsidy}' (known: {', '.join(known)})", err=True)
        raise typer.Exit(1)
    renamed = result.policy.regions.renamed
    code = renamed[region].new_code if region in renamed else region
    if subsidy in result.policy.funds:
        shares = [f for f in result.fund_lines if f.region.code == code and f.fund.id == subsidy]
        if shares:
            typer.echo(explain_fund(shares[0], result.fund_lines))
            return
    found = [ln for ln in result.lines if ln.region.code == code and ln.subsidy.id == subsidy]
    if not found:
        counties = ", ".join(r.code for r in result.policy.counties())
        typer.echo(f"no line for {subsidy} in {year} at {region}: either it is not in force that year there "
                   f"or the region is not a county of this plan ({counties})", err=True)
        raise typer.Exit(1)
    typer.echo(explain_line(result.policy, found[0]))


@app.command()
def template(
    year: int = typer.Option(..., "--year", "-y", help="The year the counties fill in."),
    policy: Optional[List[Path]] = PolicyOption,
    out: Path = typer.Option(..., "--out", "-o", help="The .xlsx file to write."),
) -> None:
    """Write the headcount collection workbook (one row per county, one column per group)."""
    with _problems_exit(out):
        loaded, _ = read_policy(_policies(policy))
        write_bytes(out, template_bytes(loaded, year))
    typer.echo(f"written: {out} ({len(loaded.counties())} counties, "
               f"{len(template_groups(loaded, year))} groups for {year})")


@app.command()
def verify(
    cases: List[Path] = typer.Argument(..., help="Case files (YAML): plan, settlement and fund cases."),
) -> None:
    """Run hand-written policy cases through the program and compare every amount to the fen."""
    with _problems_exit():
        loaded = [case for path in cases for case in read_cases(str(path))]
    verdicts = run_verify(loaded)
    for verdict in verdicts:
        mark = "✓" if verdict.passed else "✗"
        typer.echo(f"{mark} {verdict.case.name}  [{verdict.case.source}]")
        for difference in verdict.differences:
            typer.echo(f"    {difference}")
        if not verdict.passed and verdict.case.clause:
            typer.echo(f"    依据 clause: {verdict.case.clause}")
    failed = sum(1 for v in verdicts if not v.passed)
    typer.echo(f"{len(verdicts)} case(s), {failed} failed. 共 {len(verdicts)} 个案例，{failed} 个不符。")
    if failed:
        raise typer.Exit(1)


@app.command()
def roster(
    lists: Path = typer.Option(..., "--lists", "-l", help="Roster configuration (YAML): the person lists, their "
                               "columns and the rules that make each headcount group."),
    year: int = typer.Option(..., "--year", "-y", help="The year to count."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (created if needed)."),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="Leave out rows that cannot be counted (bad "
                                       "ID, date or region) and write the results; problems.csv lists every such row."),
    person_rows: str = typer.Option("flagged", "--person-rows", help="Masked person rows in the workbook: flagged "
                                    "(on several lists, part of the year, duplicates, moved), all, or none."),
    memory_limit: str = typer.Option("1GB", "--memory-limit", help="DuckDB's memory limit; beyond it, it spills to "
                                     "a private temporary folder."),
) -> None:
    """Match person lists by ID number (人员台账比对) into a headcount file for plan and settle,
    with a problems file, a roster workbook (masked) and an audit log."""
    from .roster import PERSON_ROWS, refuse_bad_rows, roster_outputs, run_roster

    if person_rows not in PERSON_ROWS:
        typer.echo(f"--person-rows must be one of: {', '.join(PERSON_ROWS)} (got {person_rows!r})", err=True)
        raise typer.Exit(2)
    with _problems_exit(out):
        result = run_roster(str(lists), year, person_rows, memory_limit)
        if not skip_bad_rows:
            refuse_bad_rows(result)
        files = roster_outputs(result)
        with staged(out) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    rows = [p for p in result.row_problems if p.severity == "row"]
    for problem in rows[:20] + result.notes[:20]:
        typer.echo(str(problem), err=True)
    if len(rows) > 20 or len(result.notes) > 20:
        typer.echo(f"… 共 {len(rows)} 行未计入、{len(result.notes)} 条提示，见 problems.csv", err=True)
    total = sum(result.annual.values())
    typer.echo(f"{year}: {len(result.lists)} 份名单 lists, {sum(result.rows_read.values())} 行 rows read, "
               f"{len(rows)} 行未计入 left out; {total} person-groups counted")
    typer.echo(f"written to {out}: {', '.join(files)}")


@app.command()
def compare(
    scenario: List[Path] = typer.Option(..., "--scenario", "-s", help="A scenario (测算方案, YAML); repeat for several."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: compare.xlsx."),
    headcounts: Optional[Path] = typer.Option(None, "--base", "--headcounts", "-h", help="The base headcounts every "
                                              "plan uses, e.g. a forecast's forecast-base.csv. Default: the shipped example."),
    policy: Optional[List[Path]] = PolicyOption,
    year: Optional[List[int]] = YearOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", help="Factor data for funds (因素法)."),
    allocation_unit: Optional[str] = AllocationUnitOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Write compare-appendix.pdf (an appendix to the 测算说明)."),
    allow_missing_glyphs: bool = AllowGlyphsOption,
) -> None:
    """Scenarios side by side (方案比较): the base plan and each scenario on the same headcounts, per county
    and payer, with differences and rates as formulas, and every changed value (方案参数)."""
    from .compare import compare_files, run_compare

    with _problems_exit(out):
        quantum = _quantum(allocation_unit, None)
        comparison, warnings = run_compare(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS),
                                           [str(s) for s in scenario], year or None, quantum,
                                           str(factors) if factors else None)
        files = compare_files(comparison, pdf, allow_missing_glyphs)
        with staged(out) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    _report(warnings)
    _say_if_sample(comparison.files)
    typer.echo("测算方案，非正式下达 — 合计 (元)  基准 " + "  ".join(comparison.names))
    for year_ in comparison.base.years:
        sums = [sum(v for k, v in t.items() if k[0] == year_) for t in comparison.totals]
        typer.echo(f"{year_}: " + "  ".join(format_grouped(s) for s in sums))
    typer.echo(f"\nwritten to {out}: {', '.join(files)}")


@app.command()
def forecast(
    history: Path = typer.Option(..., "--history", help="Actual headcounts of past years (the formats plan reads)."),
    years: str = typer.Option(..., "--years", help="Years to forecast, e.g. 2020-2022."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: forecast-low/base/high.csv and forecast.xlsx."),
    policy: Optional[List[Path]] = PolicyOption,
    method: str = typer.Option("auto", "--method", "-m", help="auto (per county, by a backtest), last, growth, "
                               "loglinear or stockflow (one method for all)."),
    exit_rate: str = typer.Option("10%", "--exit-rate", help="Stock-flow: share of last year's people who leave."),
    entry_rate: Optional[str] = typer.Option(None, "--entry-rate", help="Stock-flow: new entrants as a share of last "
                                             "year's people (default: the average the history implies)."),
    scenario: Optional[List[Path]] = typer.Option(None, "--scenario", help="A scenario the forecast will be planned "
                                                  "with too (repeat): the groups it counts are forecast as well."),
) -> None:
    """Forecast headcounts from history (人数预测): per county a small method chosen by a backtest,
    low / base / high variants, "其中" groups as shares of their parent."""
    from .core.forecast_methods import METHOD_NAMES, StockFlow
    from .forecast import forecast_files, run_forecast

    try:
        wanted = parse_years(years)
        rates = [parse_share(exit_rate)] + ([parse_share(entry_rate)] if entry_rate else [])
    except ValueError as exc:
        typer.echo(f"--years / --exit-rate / --entry-rate: {exc}", err=True)
        raise typer.Exit(2) from None
    if not all(0 <= r <= 1 for r in rates):
        typer.echo("--exit-rate and --entry-rate must be between 0 and 100%", err=True)
        raise typer.Exit(2)
    flows = StockFlow(float(rates[0]), float(rates[1]) if entry_rate else None)
    with _problems_exit(out):
        result, warnings = run_forecast(_policies(policy), str(history), wanted, method, flows,
                                        [str(s) for s in scenario or []])
        files = forecast_files(result)
        with staged(out) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    _report(warnings)
    _say_if_sample(result.files)
    typer.echo("地区代码  地区名称    选用方法        回测年度  回测误差")
    for row in result.backtest.itertuples(index=False):
        error = getattr(row, str(row.chosen))
        shown = f"{error:.2%}" if error is not None and error == error else "—"
        tested = int(row.backtest_year) if row.backtest_year == row.backtest_year and row.backtest_year else "—"
        typer.echo(f"{row.region_code}  {row.region_name:<8}  {METHOD_NAMES[str(row.chosen)]:<12}  {tested}  {shown}")
    typer.echo(f"\nwritten to {out}: {', '.join(files)}")


@app.command()
def version() -> None:
    """Print the program version."""
    typer.echo(__version__)


def main() -> None:
    """The console script: a bug shows as one clear line (BUDGET_DEBUG=1 for the traceback)."""
    import os
    import sys

    try:
        app()
    except Exception as exc:  # noqa: BLE001 — the last resort: input problems are handled above
        if os.environ.get("BUDGET_DEBUG"):
            raise
        print(f"budget: internal error ({type(exc).__name__}: {exc}). This is a bug in budget, not in your "
              "files; run again with BUDGET_DEBUG=1 and report the traceback.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
