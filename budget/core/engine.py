"""The allocation engine: headcounts × rates × months, split among payers, exact to the fen.

For one year, county and subsidy the exact cost of every payer is computed as a Fraction of
a fen; the total is rounded once (half-up) and apportioned among the payers by largest
remainder, so the payers' amounts always add up to the total. City and province totals are
sums of county lines, never computed on their own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

from .headcounts import Headcounts
from .money import apportion_int, round_half_up_ratio
from .period import Dated, Month, Reference
from .policy import PAYERS, Policy, Split, Subsidy
from .problems import InputError, Problem
from .regions import Region

MAX_POOL_DEPTH = 8


@dataclass(frozen=True)
class ShareStep:
    """One level of the split: which scope set it, the pool it refines ('' = top), its clause."""

    scope: str
    pool: str
    split: Split
    ref: Reference


@dataclass(frozen=True)
class TermRate:
    group: str
    sign: int
    rate_fen: int
    ref: Reference


@dataclass(frozen=True)
class Segment:
    """Months of a year in which the same rates and shares apply."""

    months: tuple[Month, ...]
    rates: tuple[TermRate, ...]
    shares: tuple[tuple[str, Fraction], ...]  # payer → share of the total, payers with share > 0
    steps: tuple[ShareStep, ...]
    period_ref: Reference


@dataclass(frozen=True)
class Line:
    """What one county pays and receives for one subsidy in one year, with its derivation."""

    year: int
    region: Region
    subsidy: Subsidy
    counts: tuple[tuple[str, int, int], ...]  # (group, sign, headcount)
    headcount: int
    segments: tuple[Segment, ...]
    numerators: tuple[tuple[str, int], ...]  # payer → exact fen × denominator
    denominator: int
    amounts: tuple[tuple[str, int], ...]  # payer → fen, summing to total
    total: int

    @property
    def item(self) -> Subsidy:
        return self.subsidy

    @property
    def exact(self) -> tuple[tuple[str, Fraction], ...]:
        """Payer → the exact amount in fen, before rounding and apportionment."""
        return tuple((p, Fraction(n, self.denominator)) for p, n in self.numerators)


def scope_chain(policy: Policy, code: str) -> list[str]:
    return [r.code for r in policy.regions.ancestors(code)] + [""]


def resolve_shares(subsidy: Subsidy, chain: list[str], month: Month, region: Region,
                   has_city: bool) -> tuple[dict[str, Fraction], list[ShareStep]] | str:
    """Leaf payer shares for ``month``, or a message saying what is missing."""
    found = subsidy.shares.at(chain, month)
    if found is None:
        return f"no shares set for {month}"
    leaves: dict[str, Fraction] = defaultdict(Fraction)
    steps: list[ShareStep] = []

    def expand(scope: str, pool: str, entry: Dated[Split], weight: Fraction, depth: int) -> str | None:
        steps.append(ShareStep(scope, pool, entry.value, entry.ref))
        if depth > MAX_POOL_DEPTH:
            return f"pools refine each other in a cycle ({pool})"
        for name, share in entry.value.shares:
            if name in PAYERS:
                leaves[name] += weight * share
                continue
            scoped = subsidy.pools.get(name)
            sub = scoped.at(chain, month) if scoped else None
            if sub is None:
                return (f"the split of pool '{name}' is not set for {region.code} {region.name} "
                        f"in {month} (a city or county file must say how it is shared)")
            problem = expand(sub[0], name, sub[1], weight * share, depth + 1)
            if problem:
                return problem
        return None

    problem = expand(found[0], "", found[1], Fraction(1), 0)
    if problem:
        return problem
    if not has_city and leaves.get("city"):
        return f"{region.code} {region.name} has no city, but the split gives the city a share in {month}"
    return {p: leaves[p] for p in PAYERS if leaves.get(p)}, steps


def _change_months(subsidy: Subsidy, year: int) -> list[Month]:
    """The months of ``year`` at which some value of ``subsidy`` may change (January, and
    every start and every month after an end); between two of them everything is the same."""
    histories = [subsidy.period, *(h for scoped in (*subsidy.rates.values(), subsidy.shares,
                                                      *subsidy.pools.values())
                                   for h in scoped.by_scope.values())]
    changes = {1}
    for history in histories:
        for entry in history.entries:
            if entry.start.year == year:
                changes.add(entry.start.month)
            if entry.end is not None and entry.end.year == year and entry.end.month < 12:
                changes.add(entry.end.month + 1)
    return [Month(year, m) for m in sorted(changes)]


StateKey = tuple[tuple[TermRate, ...], tuple[tuple[str, Fraction], ...], tuple[ShareStep, ...], Reference]


def _month_state(subsidy: Subsidy, chain: list[str], month: Month, region: Region,
                 has_city: bool) -> tuple[StateKey | None, str | None]:
    """(key, problem): the rates and shares in force in ``month``; key None when not in force."""
    period = subsidy.period.at(month)
    if period is None:
        return None, None
    rates = []
    for term in subsidy.terms:
        key = subsidy.rate_key(term.group)
        found = subsidy.rates[key].at(chain, month) if key in subsidy.rates else None
        if found is None:
            return None, f"no rate set for group {term.group} in {month}"
        rates.append(TermRate(term.group, term.sign, found[1].value, found[1].ref))
    shares = resolve_shares(subsidy, chain, month, region, has_city)
    if isinstance(shares, str):
        return None, shares
    leaf, steps = shares
    return (tuple(rates), tuple(leaf.items()), tuple(steps), period.ref), None


def year_segments(policy: Policy, subsidy: Subsidy, region: Region, year: int,
                  changes: list[Month] | None = None) -> tuple[list[Segment], list[str]]:
    """The segments of ``year`` in which ``subsidy`` is in force for ``region``, and problems."""
    chain = scope_chain(policy, region.code)
    if subsidy.scope and subsidy.scope not in chain:
        return [], []  # a local subsidy of another city or county
    has_city = policy.regions.city_of(region.code) is not None
    grouped: dict[StateKey, list[Month]] = {}
    problems: list[str] = []
    changes = changes if changes is not None else _change_months(subsidy, year)
    for index, start in enumerate(changes):
        stop = changes[index + 1].month if index + 1 < len(changes) else 13
        key, problem = _month_state(subsidy, chain, start, region, has_city)
        if problem:
            problems.append(problem)
        elif key is not None:
            grouped.setdefault(key, []).extend(Month(year, m) for m in range(start.month, stop))
    segments = [Segment(tuple(months), key[0], key[1], key[2], key[3]) for key, months in grouped.items()]
    return segments, problems


def _used_scopes(subsidy: Subsidy) -> set[str]:
    scopes = set(subsidy.shares.by_scope)
    for scoped in (*subsidy.rates.values(), *subsidy.pools.values()):
        scopes |= set(scoped.by_scope)
    return scopes


def all_segments(policy: Policy, years: Iterable[int]
                 ) -> tuple[dict[tuple[int, str, str], list[Segment]], list[Problem]]:
    """Segments per (year, subsidy, county), and every county, year and subsidy in force
    whose rate or split is not fully set. Counties whose scopes set nothing of their own
    share one computation."""
    result: dict[tuple[int, str, str], list[Segment]] = {}
    problems: list[Problem] = []
    cache: dict[tuple[object, ...], tuple[list[Segment], list[str]]] = {}
    for year in years:
        for subsidy in policy.subsidies.values():
            used = _used_scopes(subsidy)
            changes = _change_months(subsidy, year)
            for region in policy.counties():
                chain = scope_chain(policy, region.code)
                has_city = policy.regions.city_of(region.code) is not None
                key = (year, subsidy.id, tuple(s for s in chain if s in used or s == subsidy.scope), has_city)
                if key not in cache or cache[key][1]:  # recompute problems to name the county
                    cache[key] = year_segments(policy, subsidy, region, year, changes)
                segments, messages = cache[key]
                result[(year, subsidy.id, region.code)] = segments
                for message in dict.fromkeys(messages):
                    problems.append(Problem(subsidy.source, f"{subsidy.id}, {year}, "
                                            f"{region.code} {region.name}: {message}"))
    return result, problems


@dataclass(frozen=True)
class PreparedSegments:
    """Segments made ready for integer arithmetic: exact amounts as numerators over one
    common denominator, so a line needs no Fraction (a country has ~40,000 lines a year)."""

    segments: tuple[Segment, ...]
    denominator: int
    coefficients: tuple[tuple[tuple[str, int], ...], ...]  # per segment: payer → coefficient
    payers: tuple[str, ...]


def _prepare(subsidy: Subsidy, segments: list[Segment]) -> PreparedSegments:
    per_year = 12 if subsidy.unit == "year" else 1
    lcm = 1
    for segment in segments:
        for _, share in segment.shares:
            lcm = math.lcm(lcm, share.denominator)
    denominator = per_year * lcm
    # exact fen of payer p = Σ rate × person-months × share_p / per_year
    #                      = Σ rate × person-months × coefficient_p / denominator
    coefficients = [tuple((p, int(share * lcm)) for p, share in segment.shares) for segment in segments]
    payers = tuple(p for p in PAYERS if any(p == q for s in segments for q, _ in s.shares))
    return PreparedSegments(tuple(segments), denominator, tuple(coefficients), payers)


def compute_line(policy: Policy, subsidy: Subsidy, region: Region, year: int,
                 headcounts: Headcounts, prepared: PreparedSegments) -> Line:
    code = region.code
    counts = tuple((t.group, t.sign, headcounts.get(year, code, t.group) or 0) for t in subsidy.terms)
    numerators = dict.fromkeys(prepared.payers, 0)
    for segment, coefficients in zip(prepared.segments, prepared.coefficients):
        base = sum(rate.sign * rate.rate_fen * headcounts.person_months(year, code, rate.group, segment.months)
                   for rate in segment.rates)
        for payer, coefficient in coefficients:
            numerators[payer] += base * coefficient
    denominator = prepared.denominator
    total_numerator = sum(numerators.values())
    total = round_half_up_ratio(total_numerator, denominator)  # amounts are ≥ 0
    amounts = apportion_int(total, [(p, numerators[p]) for p in prepared.payers], total_numerator)
    return Line(
        year=year, region=region, subsidy=subsidy, counts=counts,
        headcount=sum(sign * count for _, sign, count in counts),
        segments=prepared.segments,
        numerators=tuple((p, numerators[p]) for p in prepared.payers), denominator=denominator,
        amounts=tuple((p, amounts[p]) for p in prepared.payers), total=total,
    )


def compute(policy: Policy, headcounts: Headcounts, years: Iterable[int],
            segments: dict[tuple[int, str, str], list[Segment]] | None = None) -> list[Line]:
    """Every line of the plan, in year, county, subsidy order. Raises on unset parameters.
    ``segments``: from :func:`all_segments` when the caller has them already."""
    years = list(years)
    if segments is None:
        segments, problems = all_segments(policy, years)
        if problems:
            raise InputError(problems)
    lines = []
    prepared: dict[int, PreparedSegments] = {}  # by id of the (shared) segment list
    for year in years:
        present = headcounts.regions(year)
        for region in policy.counties():
            if region.code not in present:
                continue  # a county the headcounts leave out (warned when they were read)
            for subsidy in policy.subsidies.values():
                found = segments[(year, subsidy.id, region.code)]
                if found:
                    if id(found) not in prepared:
                        prepared[id(found)] = _prepare(subsidy, found)
                    lines.append(compute_line(policy, subsidy, region, year, headcounts, prepared[id(found)]))
    return lines
