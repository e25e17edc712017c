"""Scenarios side by side (`budget compare`): the base plan and each scenario's plan on the same
headcounts, per year, county and payer, in one workbook (方案比较, 方案参数, 说明)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .core.language import said
from .core.lines import all_lines
from .core.policy import SCENARIO_MARK, Scenario
from .core.problems import InputError, Problem, Source
from .core.results import InputFile, PlanResult
from .plan import run_plan

Key = tuple[int, str, str, str]  # year, county code, county name, payer


@dataclass
class Comparison:
    base: PlanResult
    scenarios: list[PlanResult]
    totals: list[dict[Key, int]]  # base first, then each scenario: fen per year, county and payer

    @property
    def names(self) -> list[str]:
        return [s.policy.scenario.name for s in self.scenarios if s.policy.scenario is not None]

    @property
    def files(self) -> list[InputFile]:
        seen: dict[str, InputFile] = {}
        for result in [self.base, *self.scenarios]:
            for f in result.files:
                seen.setdefault(f.path, f)
        return list(seen.values())


def totals(result: PlanResult) -> dict[Key, int]:
    """Fen per year, county and payer, over every subsidy and fund."""
    out: dict[Key, int] = defaultdict(int)
    for line in all_lines(result.lines, result.fund_lines):
        for payer, amount in line.amounts:
            out[(line.year, line.region.code, line.region.name, payer)] += amount
    return dict(out)


def run_compare(policy_paths: list[str], headcounts_path: str, scenarios: list[str], years: list[int] | None = None,
                quantum: int = 1, factors_path: str | None = None) -> tuple[Comparison, list[Problem]]:
    """The base plan and one plan per scenario; raises :class:`InputError` with every problem of every scenario."""
    base, warnings = run_plan(policy_paths, headcounts_path, years, None, factors_path, quantum)
    problems: list[Problem] = []
    results: list[PlanResult] = []
    for path in scenarios:
        try:
            result, _ = run_plan(policy_paths, headcounts_path, years, None, factors_path, quantum, path)
            results.append(result)
        except InputError as exc:
            problems += exc.problems
    names = [r.policy.scenario.name for r in results if r.policy.scenario is not None]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(Problem(Source(scenarios[names.index(name)]), said(
            "两个测算方案同名“{name}”：请改名以便区分", "two scenarios share the name “{name}”: rename one", name=name)))
    if problems:
        raise InputError(problems)
    return Comparison(base, results, [totals(base)] + [totals(r) for r in results]), warnings


def changes_rows(scenarios: list[Scenario]) -> list[list[str]]:
    """方案参数: every value each scenario changes."""
    rows = []
    for s in scenarios:
        for c in s.changes:
            rows.append([s.name, s.reason, c.what, c.scope or "全部", str(c.start or ""), str(c.end or ""),
                         c.old or "（无）", c.new, c.ref, c.source.short if c.source else ""])
    return rows


def compare_files(comparison: Comparison, pdf: bool = True, allow_missing_glyphs: bool = False) -> dict[str, bytes]:
    """compare.xlsx, and (``pdf``) compare-appendix.pdf: the appendix to the 测算说明 with a chart per payer."""
    from .core.display import allocation_name
    from .writers.compare_workbook import compare_workbook

    scenarios = [r.policy.scenario for r in comparison.scenarios if r.policy.scenario is not None]
    years = comparison.base.years
    notes = [f"{SCENARIO_MARK}：本表为测算方案比较，不作为资金下达依据。",
             f"基准：政策文件 {'、'.join(f.name for f in comparison.base.files if f.role == 'policy')}，"
             f"人数 {'、'.join(f.name for f in comparison.base.files if f.role == 'headcounts')}。",
             f"金额单位：元；各方案按同一人数、同一分配单位（{allocation_name(comparison.base.quantum)}）测算。",
             "差额 = 方案 − 基准（公式）；变动率 = 差额 ÷ 基准（公式，基准为0时空白）。"]
    notes += [f"方案“{s.name}”：{s.reason}（{s.file.replace(chr(92), '/').rsplit('/', 1)[-1]}）" for s in scenarios]
    notes += [f"输入文件 {f.name} SHA-256 {f.sha256}" + "".join(f"（{n}）" for n in f.notes) for f in comparison.files]
    keys = sorted(set().union(*comparison.totals), key=lambda k: (k[0], ("province", "city", "county").index(k[3])
                                                                    if k[3] in ("province", "city", "county") else 9, k[1]))
    rows = [(k, [t.get(k, 0) for t in comparison.totals]) for k in keys]
    files = {"compare.xlsx": compare_workbook(years[0], [s.name for s in scenarios], rows, changes_rows(scenarios), notes)}
    if pdf:
        from .documents.compare_appendix import compare_appendix
        from .writers.pdf import render_html, render_pdf

        appendix = compare_appendix(years, [s.name for s in scenarios], [s.reason for s in scenarios],
                                    comparison.totals, changes_rows(scenarios), notes)
        date = f"{years[0]}-01-01"  # from the inputs, never the clock: the same inputs give the same PDF
        files["compare-appendix.pdf"] = render_pdf(render_html("compare.html", a=appendix, date=date),
                                                   allow_missing_glyphs, date=date).pdf
    return files
