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
from typing import Iterable, NamedTuple

from .headcounts import Headcounts
from .money import apportion_parts, round_half_up_ratio, round_lines
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


class Line(NamedTuple):
    """What one county pays and receives for one subsidy in one year, with its derivation (a
    named tuple: immutable as a frozen dataclass, and made five times faster — a country has
    ~15,000 lines a year)."""

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
    places = [(region, chain, policy.regions.city_of(region.code) is not None, tuple(chain[1:]))
              for region in policy.counties() for chain in [scope_chain(policy, region.code)]]  # once per county
    for year in years:
        for subsidy in policy.subsidies.values():
            used = _used_scopes(subsidy) | {subsidy.scope}
            changes = _change_months(subsidy, year)
            # the scopes of a chain that set something for the subsidy: the county's own, then
            # those above it (a country's 2,850 counties have ~350 distinct chains above them)
            above: dict[tuple[str, ...], tuple[str, ...]] = {}
            for region, chain, has_city, parents in places:
                setting = above.get(parents)
                if setting is None:
                    setting = above[parents] = tuple([s for s in parents if s in used])
                if chain[0] in used:
                    setting = (chain[0], *setting)
                key = (year, subsidy.id, setting, has_city)
                found = cache.get(key)
                if found is None or found[1]:  # recompute problems to name the county
                    found = cache[key] = year_segments(policy, subsidy, region, year, changes)
                segments, messages = found
                result[(year, subsidy.id, region.code)] = segments
                for message in dict.fromkeys(messages) if messages else ():
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
    # per term of the subsidy, per payer: Σ over segments of sign × rate × months × coefficient,
    # so that a line whose figures are for the whole year is Σ persons × factor (exactly the same sum)
    factors: tuple[tuple[int, ...], ...] = ()


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
    factors = []
    for term in subsidy.terms:
        per_payer = dict.fromkeys(payers, 0)
        for segment, segment_coefficients in zip(segments, coefficients):
            rate = next(r for r in segment.rates if r.group == term.group)
            for payer, coefficient in segment_coefficients:
                per_payer[payer] += rate.sign * rate.rate_fen * len(segment.months) * coefficient
        factors.append(tuple(per_payer.values()))
    return PreparedSegments(tuple(segments), denominator, tuple(coefficients), payers, tuple(factors))


def line_numerators(subsidy: Subsidy, region: Region, year: int, headcounts: Headcounts,
                    prepared: PreparedSegments) -> tuple[tuple[tuple[str, int, int], ...], dict[str, int]]:
    """The counts shown for a line and each payer's exact amount × ``prepared.denominator``.

    A subsidy paid per person and year (``unit: year``) is paid on the people eligible at any
    time in the year, each once (its months prorate only a policy that starts, ends or changes
    within the year); one paid per person and month is paid on person-months."""
    counts, sums = _numerators(subsidy, region.code, year, headcounts, prepared)
    return counts, dict(zip(prepared.payers, sums))


def _numerators(subsidy: Subsidy, code: str, year: int, headcounts: Headcounts,
                prepared: PreparedSegments) -> tuple[tuple[tuple[str, int, int], ...], list[int]]:
    """:func:`line_numerators` with the numerators in ``prepared.payers`` order (the hot path)."""
    annual = subsidy.unit == "year"
    figure = headcounts.annual if annual else headcounts.persons
    counts = tuple((t.group, t.sign, figure(year, code, t.group) or 0) for t in subsidy.terms)
    if annual or not any(headcounts.is_monthly(year, code, t.group) for t in subsidy.terms):
        # the year's figure for every month: Σ persons × the prepared factors (integers, the same sum)
        sums = [0] * len(prepared.payers)
        for (_, _, count), factors in zip(counts, prepared.factors):
            if count:
                for index, factor in enumerate(factors):
                    sums[index] += count * factor
        return counts, sums
    count_of = {group: count for group, _, count in counts}
    numerators = dict.fromkeys(prepared.payers, 0)
    for segment, coefficients in zip(prepared.segments, prepared.coefficients):
        if annual:
            base = sum(rate.sign * rate.rate_fen * count_of[rate.group] * len(segment.months) for rate in segment.rates)
        else:
            base = sum(rate.sign * rate.rate_fen * headcounts.person_months(year, code, rate.group, segment.months)
                       for rate in segment.rates)
        for payer, coefficient in coefficients:
            numerators[payer] += base * coefficient
    return counts, [numerators[p] for p in prepared.payers]


def finish_line(subsidy: Subsidy, region: Region, year: int, prepared: PreparedSegments,
                counts: tuple[tuple[str, int, int], ...], numerators: dict[str, int], total: int, quantum: int) -> Line:
    """The line with its rounded ``total`` (a multiple of ``quantum`` fen) split among the payers
    by largest remainder of their exact amounts, in whole quanta."""
    return _finish(subsidy, region, year, prepared, counts, [numerators[p] for p in prepared.payers], total, quantum)


def _finish(subsidy: Subsidy, region: Region, year: int, prepared: PreparedSegments,
            counts: tuple[tuple[str, int, int], ...], numerators: list[int], total: int, quantum: int) -> Line:
    """:func:`finish_line` with the numerators in ``prepared.payers`` order (the hot path)."""
    parts = apportion_parts(total // quantum, numerators, sum(numerators))  # payers' order
    headcount = 0
    for _, sign, count in counts:
        headcount += sign * count
    amounts = tuple(zip(prepared.payers, parts if quantum == 1 else [part * quantum for part in parts]))
    # (positional: a country makes ~15,000 lines a year)
    return Line(year, region, subsidy, counts, headcount, prepared.segments, tuple(zip(prepared.payers, numerators)),
                prepared.denominator, amounts, total)


def compute(policy: Policy, headcounts: Headcounts, years: Iterable[int],
            segments: dict[tuple[int, str, str], list[Segment]] | None = None, quantum: int = 1) -> list[Line]:
    """Every line of the plan, in year, county, subsidy order, allocated in whole ``quantum``
    fen (1 = 分, 100 = 元, 10,000 = 0.01 万元, 1,000,000 = 万元): each line's total is its exact
    amount rounded half-up once (:func:`money.round_lines`), then split among the payers by
    largest remainder. Raises on unset parameters. ``segments``: from :func:`all_segments`
    when the caller has them already."""
    years = list(years)
    if segments is None:
        segments, problems = all_segments(policy, years)
        if problems:
            raise InputError(problems)
    lines: list[Line] = []
    pending: list[Pending] = []  # in output order, when lines are rounded table by table
    prepared: dict[int, PreparedSegments] = {}  # by id of the (shared) segment list
    subsidies = [(s, [(t.group, t.sign) for t in s.terms]) for s in policy.subsidies.values()]
    annual_figure = headcounts.annual_figures().get
    with_months = headcounts.monthly_places()
    for year in years:
        present = headcounts.regions(year)
        for region in policy.counties():
            code = region.code
            if code not in present:
                continue  # a county the headcounts leave out (warned when they were read)
            plain = (year, code) not in with_months  # no monthly figure: every line is Σ persons × factors
            for subsidy, terms in subsidies:
                found = segments[(year, subsidy.id, code)]
                if not found:
                    continue
                ready = prepared.get(id(found))
                if ready is None:
                    ready = prepared[id(found)] = _prepare(subsidy, found)
                if plain:  # (_numerators' first case, inline: the country's hot path)
                    counts = tuple([(group, sign, annual_figure((year, code, group)) or 0) for group, sign in terms])
                    numerators = [0] * len(ready.payers)
                    for (_, _, count), factors in zip(counts, ready.factors):
                        if count:
                            for index, factor in enumerate(factors):
                                numerators[index] += count * factor
                else:
                    counts, numerators = _numerators(subsidy, code, year, headcounts, ready)
                if quantum == 1:  # each line rounded on its own: finished at once, nothing kept pending
                    total = round_half_up_ratio(sum(numerators), ready.denominator)
                    lines.append(_finish(subsidy, region, year, ready, counts, numerators, total, 1))
                else:
                    pending.append((subsidy, region, year, ready, counts, numerators))
    if quantum == 1:
        return lines
    totals = _rounded_totals(pending, quantum)
    return [_finish(subsidy, region, year, ready, counts, numerators, total, quantum)
            for (subsidy, region, year, ready, counts, numerators), total in zip(pending, totals)]


Pending = tuple[Subsidy, Region, int, PreparedSegments, tuple[tuple[str, int, int], ...], list[int]]


def _rounded_totals(pending: list[Pending], quantum: int) -> list[int]:
    """Each line's total rounded to ``quantum``, table by table (one subsidy in one year)."""
    tables: dict[tuple[int, str], list[int]] = {}
    for index, (subsidy, _, year, _, _, _) in enumerate(pending):
        tables.setdefault((year, subsidy.id), []).append(index)
    totals = [0] * len(pending)
    for indices in tables.values():
        exact = [Fraction(sum(pending[i][5]), pending[i][3].denominator) for i in indices]
        for i, total in zip(indices, round_lines(exact, quantum)):
            totals[i] = total
    return totals
