"""`budget verify CASES.yaml`: run hand-written policy cases through the real program.

A plan case is planned as `budget plan` plans it (the county's headcounts, every other
county and group 0); a settlement case is planned and settled as `budget plan` and
`budget settle` do; a fund case is distributed by the factor method. Each result is
compared with the amounts the case expects, to the fen, and every difference is named.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from .core.display import party_name
from .core.funds import Factor, Fund, FundTotal, distribute
from .core.headcount_check import needed_groups
from .core.language import Message, said
from .core.money import format_yuan
from .core.period import Reference
from .core.policy import PAYERS, parse_share
from .core.problems import InputError, Problem
from .core.regions import Region
from .outputs import write_plan_outputs
from .plan import run_plan
from .readers.cases_reader import Case
from .readers.policy_reader import read_policy
from .resources import EXAMPLE_POLICY, policy_path
from .settle import run_settlement


@dataclass(frozen=True)
class Verdict:
    case: Case
    differences: list[Message]  # empty: the program agrees with the case

    @property
    def passed(self) -> bool:
        return not self.differences


def _amount(text: object) -> str:
    """A case's amount as the CSVs write it (``22000`` → ``22000.00``)."""
    try:
        return f"{Decimal(str(text)):.2f}"
    except InvalidOperation:
        return str(text)


def _headcount_file(folder: Path, name: str, policy_paths: list[str], year: int, county: str,
                    counts: dict[str, int], monthly: dict[str, list[int]] | None = None) -> str:
    """A complete headcount file: every county and group the policy needs, 0 unless given."""
    policy, _ = read_policy(policy_paths)
    groups = list(dict.fromkeys(needed_groups(policy, year) + list(counts) + list(monthly or {})))
    renamed = policy.regions.renamed
    current = renamed[county].new_code if county in renamed else county  # the county written by an old code
    counties = [r.code for r in policy.counties() if r.code != current]
    path = folder / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "month", "region_code", "group", "headcount"])
        for code in sorted(counties + [county]):
            for group in groups:
                if monthly and group in monthly:  # month by month: for a subsidy paid per person and month
                    values = monthly[group] if code == county else [0] * 12
                    writer.writerows([year, m, code, group, v] for m, v in enumerate(values, start=1))
                else:  # the people eligible at any time in the year, each once
                    writer.writerow([year, "", code, group, counts.get(group, 0) if code == county else 0])
    return str(path)


def _differs(who: str, who_en: str, expected: object, got: object) -> Message:
    """``市级：应为 21000.01，实为 21000.00`` / ``city: expected 21000.01, got 21000.00``."""
    return said("{who}：应为 {expected}，实为 {got}", "{who_en}: expected {expected_en}, got {got_en}", who=who,
                who_en=who_en, expected=_zh(expected), got=_zh(got), expected_en=expected, got_en=got)


SETTLED = {"planned": "预算数", "actual": "决算数", "difference": "差额"}


def _zh(value: object) -> str:
    """A case's amount or amounts in Chinese: ``预算数 1.00、决算数 2.00、差额 1.00``; None → （无此行）."""
    if value is None or value == "(no row)":
        return "（无此行）"
    if isinstance(value, dict):
        return "、".join(f"{SETTLED.get(k, party_name(str(k)))} {v}" for k, v in value.items()) or "（无）"
    return str(value)


def _policy_paths(case: Case) -> list[str]:
    return [policy_path(case.policy)] if case.policy else [str(EXAMPLE_POLICY)]


def _plan_case(case: Case, folder: Path) -> list[Message]:
    paths = _policy_paths(case)
    headcounts = _headcount_file(folder, "headcounts.csv", paths, case.year, case.county, case.headcounts)
    result, _ = run_plan(paths, headcounts, [case.year])
    shown_as = case.reported_as or case.county  # an old code is planned under the county's current code
    got = {payer: format_yuan(amount) for line in result.lines
           if line.region.code == shown_as and line.subsidy.id == case.subsidy for payer, amount in line.amounts}
    expected = {payer: _amount(v) for payer, v in case.expected.items()}
    return [_differs(party_name(payer), payer, expected.get(payer, "(no row)"), got.get(payer, "(no row)"))
            for payer in PAYERS if expected.get(payer) != got.get(payer)]


def _settlement_case(case: Case, folder: Path) -> list[Message]:
    paths = _policy_paths(case)
    forecast = _headcount_file(folder, "forecast.csv", paths, case.year, case.county, case.forecast)
    actual = _headcount_file(folder, "actual.csv", paths, case.year, case.county, case.actual,
                             case.actual_monthly or None)
    rate = parse_share(case.advance_rate) if case.advance_rate else None
    planned, _ = run_plan(paths, forecast, [case.year], rate)
    write_plan_outputs(planned, folder / "plan")  # settled from its folder, as `budget settle` does
    result, _ = run_settlement(case.year, str(folder / "plan"), actual, None)
    lines = result.lines
    got = {ln.payer: {"planned": format_yuan(ln.planned), "actual": format_yuan(ln.actual),
                      "difference": format_yuan(ln.difference)}
           for ln in lines if ln.region.code == case.county and ln.subsidy.id == case.subsidy}
    differences: list[Message] = []
    for payer in PAYERS:
        want = case.expected.get(payer)
        expected = {k: _amount(v) for k, v in want.items()} if isinstance(want, dict) else None
        if expected != got.get(payer):
            differences.append(_differs(party_name(payer), payer, expected, got.get(payer)))
    moves = {t.payer: format_yuan(t.amount) for t in result.transfers if t.region.code == case.county}
    want_moves = {p: _amount(v) for p, v in case.transfers.items()}
    if moves != want_moves:
        differences.append(_differs("上解下拨（transfers）", "transfers", want_moves, moves))
    return differences


def _fund_case(case: Case) -> list[Message]:
    spec = case.fund
    weights = spec.get("factors", {})
    values = spec.get("values", {})
    if not isinstance(weights, dict) or not isinstance(values, dict):
        return [said("fund：factors 和 values 应为映射", "fund: factors and values must be maps")]
    factors = tuple(Factor(k, k, parse_share(str(w)), None, k) for k, w in weights.items())

    def fen(key: str) -> int | None:
        return int(Decimal(str(spec[key])) * 100) if spec.get(key) is not None else None

    fund = Fund("fund", case.name, "city", (FundTotal(2018, fen("total") or 0, Reference(case.clause)),), factors,
                fen("floor"), fen("cap"), (), "", Reference(case.clause))
    regions = [Region(code, code, "county", None) for code in values]
    data = {code: {k: Fraction(str(v)) for k, v in row.items()} for code, row in values.items()}
    lines, problems = distribute(fund, 2018, regions, data)
    if problems:
        return [_problem(p) for p in problems]
    got = {ln.region.code: format_yuan(ln.amount) for ln in lines}
    expected = {code: _amount(v) for code, v in case.expected.items()}
    return [_differs(code, code, expected.get(code), got.get(code))
            for code in dict.fromkeys([*expected, *got]) if expected.get(code) != got.get(code)]


def verify(cases: list[Case]) -> list[Verdict]:
    """Run every case; a case whose inputs the program refuses fails with the problems named."""
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="budget-verify-") as temp:
        for index, case in enumerate(cases):
            folder = Path(temp) / str(index)
            folder.mkdir()
            try:
                if case.kind == "fund":
                    differences = _fund_case(case)
                elif case.kind == "settlement":
                    differences = _settlement_case(case, folder)
                else:
                    differences = _plan_case(case, folder)
            except InputError as exc:
                differences = [said("程序拒绝了该案例的输入：{problem}", "the program refused the case's inputs: {problem}",
                                    problem=_problem(p)) for p in exc.problems]
            verdicts.append(Verdict(case, differences))
    return verdicts


def _problem(problem: Problem) -> Message:
    """A problem as its ``str()`` shows it, in the language chosen when shown."""
    return said("{problem}", "{problem}", problem=_Shown(problem))


class _Shown:
    """A problem put into a message: shown by ``str()`` when the message is."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def __format__(self, spec: str) -> str:
        return str(self.problem)
