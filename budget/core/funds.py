"""Fixed sums distributed among counties by factors (因素法), exact to the fen.

Each factor's values are normalised to shares of their total; a county's score is the
weighted sum of its shares. The county's amount is total × score, bounded by an optional
floor and cap: the amounts are clamp(λ × score, floor, cap) with λ solved exactly so that they
add up to the total (what the bounds take from or give to one county is shared by the others
in proportion to their scores). The exact amounts are then apportioned to the fen by largest
remainder, ties going to the lower county code.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .headcounts import Headcounts
from .language import said
from .money import apportion, format_yuan
from .period import Reference
from .policy import Policy
from .problems import Problem, Source
from .regions import Region, RegionTree


@dataclass(frozen=True)
class Factor:
    id: str
    name: str
    weight: Fraction
    group: str | None  # a headcount group, or
    data: str | None  # a factor in the factor data file


@dataclass(frozen=True)
class FundTotal:
    year: int
    total: int  # fen
    ref: Reference


@dataclass(frozen=True)
class Fund:
    id: str
    name: str
    payer: str
    totals: tuple[FundTotal, ...]
    factors: tuple[Factor, ...]
    floor: int | None  # fen
    cap: int | None
    excluded: tuple[str, ...]
    scope: str  # '' policy-wide, else the region whose counties share the fund
    ref: Reference
    source: Source | None = None

    def total_for(self, year: int) -> FundTotal | None:
        return next((t for t in self.totals if t.year == year), None)


@dataclass(frozen=True)
class FundLine:
    year: int
    region: Region
    fund: Fund
    values: tuple[Fraction, ...]  # per factor
    shares: tuple[Fraction, ...]  # per factor: the county's share of that factor's total
    score: Fraction  # Σ weight × share
    exact: Fraction  # fen, after floor and cap
    amount: int  # fen
    bound: str  # "", "floor" or "cap"

    @property
    def item(self) -> Fund:
        return self.fund

    @property
    def amounts(self) -> tuple[tuple[str, int], ...]:
        return ((self.fund.payer, self.amount),)

    @property
    def total(self) -> int:
        return self.amount

    @property
    def headcount(self) -> int:
        return 0  # a fund is not paid per person


def _clamp(value: Fraction, floor: int | None, cap: int | None) -> Fraction:
    if floor is not None and value < floor:
        return Fraction(floor)
    if cap is not None and value > cap:
        return Fraction(cap)
    return value


def _solve(scores: list[Fraction], total: int, floor: int | None, cap: int | None) -> list[Fraction] | None:
    """Exact amounts clamp(λ × score) adding up to ``total``; None if no λ reaches it.

    The sum is non-decreasing and piecewise linear in λ, with breakpoints where a county
    reaches its floor or cap: find the piece that holds the total and solve it."""
    if floor is None and cap is None:
        weight = sum(scores, Fraction(0))
        return [total * s / weight for s in scores]

    def amount_at(lam: Fraction) -> Fraction:
        return sum((_clamp(lam * s, floor, cap) for s in scores), Fraction(0))

    points = sorted({Fraction(0)} | {Fraction(b) / s for s in scores if s > 0 for b in (floor, cap) if b is not None})
    previous, high = Fraction(0), None
    for point in points:
        if amount_at(point) >= total:
            high = point
            break
        previous = point
    if high is not None and amount_at(high) == total:
        lam = high
    else:  # inside (previous, high), or beyond the last breakpoint, no county changes state
        probe = (previous + high) / 2 if high is not None else previous + 1
        fixed = sum(_clamp(probe * s, floor, cap) for s in scores if _clamp(probe * s, floor, cap) != probe * s)
        slope = sum(s for s in scores if _clamp(probe * s, floor, cap) == probe * s)
        if slope == 0:
            return None  # every county is held at a bound and the total is not reached
        lam = (total - fixed) / slope
    return [_clamp(lam * s, floor, cap) for s in scores]


def distribute(fund: Fund, year: int, regions: list[Region], values: dict[str, dict[str, Fraction]],
               quantum: int = 1) -> tuple[list[FundLine], list[Problem]]:
    """Distribute ``fund``'s total for ``year`` among ``regions`` (county code order), in whole
    ``quantum`` fen (the plan's allocation unit). ``values``: county code → factor id → value.
    Problems name the county and factor."""
    problems: list[Problem] = []
    found = fund.total_for(year)
    if found is None or not regions:
        return [], problems
    total = found.total
    # 资金“困难群众补助”（k）2018年 / fund k, 2018
    which = said("资金“{name}”（{id}）{year}年", "fund {id}, {year}", name=fund.name, id=fund.id, year=year)
    for factor in fund.factors:
        missing = [r for r in regions if factor.id not in values.get(r.code, {})]
        for region in missing:
            problems.append(Problem(fund.source, said(
                "{which}：{code} {county} 没有因素 '{factor}'（{factor_name}）的值",
                "{which}: no value of factor '{factor}' ({factor_name}) for {code} {county}", which=which,
                factor=factor.id, factor_name=factor.name, code=region.code, county=region.name)))
        if not missing and sum(values[r.code][factor.id] for r in regions) == 0:
            problems.append(Problem(fund.source, said(
                "{which}：各县因素 '{factor}'（{factor_name}）的值都是 0，该因素的权重无从分配",
                "{which}: every county has 0 for factor '{factor}' ({factor_name}), so its weight cannot be shared",
                which=which, factor=factor.id, factor_name=factor.name)))
    n = len(regions)
    if fund.floor is not None and fund.floor * n > total:
        problems.append(Problem(fund.source, said(
            "{which}：{n} 个县的保底额合计（{floor} 元）超过总额（{total} 元）",
            "{which}: the floor for {n} counties ({floor} 元) exceeds the total ({total} 元)", which=which, n=n,
            floor=format_yuan(fund.floor * n), total=format_yuan(total))))
    if fund.cap is not None and fund.cap * n < total:
        problems.append(Problem(fund.source, said(
            "{which}：{n} 个县的上限合计（{cap} 元）小于总额（{total} 元）",
            "{which}: the cap for {n} counties ({cap} 元) is less than the total ({total} 元)", which=which, n=n,
            cap=format_yuan(fund.cap * n), total=format_yuan(total))))
    if problems:
        return [], problems
    sums = {f.id: sum(values[r.code][f.id] for r in regions) for f in fund.factors}
    shares = [[values[r.code][f.id] / sums[f.id] for f in fund.factors] for r in regions]
    scores = [sum((f.weight * s for f, s in zip(fund.factors, row)), Fraction(0)) for row in shares]
    exact = _solve(scores, total, fund.floor, fund.cap)
    if exact is None:
        return [], [Problem(fund.source, said(
            "{which}：受上限限制，得分大于 0 的县分不完全部总额",
            "{which}: with the cap, the counties with a score above 0 cannot take the whole total", which=which))]
    if total % quantum:
        return [], [Problem(fund.source, said(
            "{which}：总额 {total} 元不是分配单位（{unit} 元）的整数倍，无法整额分配",
            "{which}: the total {total} 元 is not a whole number of the allocation unit ({unit} 元), so it cannot "
            "be handed out whole", which=which, total=format_yuan(total), unit=format_yuan(quantum)))]
    parts = {code: part * quantum for code, part in
             apportion(total // quantum, [(r.code, e / quantum) for r, e in zip(regions, exact)]).items()}
    lines = []
    for region, row, score, amount in zip(regions, shares, scores, exact):
        bound = ("floor" if fund.floor is not None and amount == fund.floor and amount != total * score
                 else "cap" if fund.cap is not None and amount == fund.cap and amount != total * score else "")
        lines.append(FundLine(year, region, fund, tuple(values[region.code][f.id] for f in fund.factors),
                              tuple(row), score, amount, parts[region.code], bound))
    return lines, problems


def fund_regions(fund: Fund, counties: list[Region], tree: RegionTree) -> list[Region]:
    """The counties that share ``fund``: those within its scope, less the excluded."""
    return [r for r in counties if r.code not in fund.excluded
            and (not fund.scope or fund.scope in {a.code for a in tree.ancestors(r.code)})]


def fund_values(fund: Fund, year: int, regions: list[Region], headcounts: Headcounts,
                data: dict[tuple[int, str, str], Fraction]) -> dict[str, dict[str, Fraction]]:
    """County → factor → value: a group's headcount, or the factor data file's value."""
    out: dict[str, dict[str, Fraction]] = {}
    for region in regions:
        row = out.setdefault(region.code, {})
        for factor in fund.factors:
            if factor.group:
                count = headcounts.get(year, region.code, factor.group)
                if count is not None:
                    row[factor.id] = Fraction(count)
            elif factor.data and (year, region.code, factor.data) in data:
                row[factor.id] = data[(year, region.code, factor.data)]
    return out


def distribute_funds(policy: Policy, headcounts: Headcounts, years: list[int],
                     data: dict[tuple[int, str, str], Fraction], quantum: int = 1) -> tuple[list[FundLine], list[Problem]]:
    """Every fund's distribution for ``years`` among the counties the headcounts cover."""
    lines: list[FundLine] = []
    problems: list[Problem] = []
    for year in years:
        present = headcounts.regions(year)
        counties = [r for r in policy.counties() if r.code in present]
        for fund in policy.funds.values():
            regions = fund_regions(fund, counties, policy.regions)
            found, trouble = distribute(fund, year, regions, fund_values(fund, year, regions, headcounts, data), quantum)
            lines += found
            problems += trouble
    return lines, problems
