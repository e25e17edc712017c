"""Raw headcount rows → validated :class:`Headcounts`, with every problem at once."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .headcounts import Headcounts
from .period import Month
from .policy import Policy
from .problems import Problem, Source

FIELDS = ("year", "region_code", "group", "headcount")
MAX_HEADCOUNT = 1_000_000_000  # more than any county has: a larger figure is a typing error


@dataclass(frozen=True)
class RawRow:
    """One input row as text, with where each field came from."""

    values: dict[str, str]  # field → text ("" when empty); region_name optional
    row: Source  # the row as a whole (file and line, or file and cell)
    cells: dict[str, str] | None = None  # field → cell address, for workbooks

    def source(self, field: str) -> Source:
        if self.cells is not None:
            return Source(self.row.file, cell=self.cells.get(field), field=field)
        return Source(self.row.file, self.row.line, field=field)


def _group_labels(policy: Policy) -> dict[str, str]:
    """Chinese names and short labels → group id, where a label names one group only."""
    seen: dict[str, set[str]] = defaultdict(set)
    for group in policy.groups.values():
        for label in {group.name, group.short} - {""}:
            seen[label].add(group.id)
    return {label: next(iter(ids)) for label, ids in seen.items() if len(ids) == 1}


class _Sources:
    """``src["year"]``: a field's source, made only when a problem needs it."""

    def __init__(self, raw: RawRow):
        self.raw = raw

    def __getitem__(self, field: str) -> Source:
        return self.raw.source(field)


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


def _whole_number(text: str) -> int | None:
    """Digits, optionally in thousands groups (``12,345``, as Excel exports them) or with a zero
    decimal part as spreadsheets write (``12.0``)."""
    text = text.strip()
    whole, dot, decimals = text.partition(".")
    if _GROUPED.match(whole):
        whole = whole.replace(",", "")
    if not whole.isascii() or not whole.isdigit() or (dot and (not decimals.isdigit() or set(decimals) != {"0"})):
        return None
    return int(whole)


def needed_groups(policy: Policy, year: int, region: str | None = None) -> list[str]:
    """Groups some subsidy (or fund) in force in ``year`` counts — for ``region``, or anywhere."""
    needed: dict[str, None] = {}
    chain = {r.code for r in policy.regions.ancestors(region)} | {""} if region else None
    for subsidy in policy.subsidies.values():
        if chain is not None and subsidy.scope not in chain:
            continue
        if any(e.start.year <= year and (e.end is None or e.end.year >= year) for e in subsidy.period.entries):
            for term in subsidy.terms:
                needed.setdefault(term.group)
    for fund in policy.funds.values():
        if fund.total_for(year) and (chain is None or fund.scope in chain) and (region not in fund.excluded):
            for factor in fund.factors:
                if factor.group:
                    needed.setdefault(factor.group)
    return list(needed)


def check_headcounts(rows: Iterable[RawRow], policy: Policy, file: str,
                     years: list[int] | None = None) -> tuple[Headcounts, list[Problem]]:
    """Validate rows against the policy and regions. ``years``: the years to be planned
    (every group their subsidies need must be present for every county); None = all years
    in the file."""
    problems: list[Problem] = []
    tree = policy.regions
    in_scope = {r.code for r in policy.counties()}
    values: dict[tuple[int, str, str], int] = {}  # annual rows
    monthly: dict[tuple[int, str, str], dict[int, int]] = defaultdict(dict)  # month rows
    first_seen: dict[tuple[object, ...], Source] = {}  # (year, county, group[, month]) → its row
    warned: set[str] = set()
    attempted: set[tuple[int | None, str, str]] = set()
    labels = _group_labels(policy)

    for raw in rows:
        v, src = raw.values, _Sources(raw)
        ok = True
        year_text = v.get("year", "").strip()
        year = int(year_text) if year_text.isascii() and year_text.isdigit() and len(year_text) == 4 else None
        if year is None:
            problems.append(Problem(src["year"], f"year '{year_text}' must be a 4-digit year such as 2018"))
            ok = False
        code = v.get("region_code", "").strip()
        if code in tree.renamed:
            renamed = tree.renamed[code]
            if code not in warned:
                warned.add(code)
                new = tree.regions[renamed.new_code]
                problems.append(Problem(src["region_code"], f"old code {code} {renamed.old_name} is read as "
                                        f"{new.code} {new.name} (renamed {renamed.since})", "warning"))
            name_ok = {renamed.old_name, tree.regions[renamed.new_code].name}
            code = renamed.new_code
        else:
            region = tree.get(code)
            name_ok = {region.name} if region else set()
        region = tree.get(code)
        if region is None or region.level != "county":
            what = "not a county code in the region list" if region else "not in the region list"
            problems.append(Problem(src["region_code"], f"region code '{code}' is {what} "
                                    f"(counties here: {', '.join(sorted(in_scope))})"))
            ok = False
        elif code in policy.excluded:
            if code not in warned:
                warned.add(code)
                problems.append(Problem(src["region_code"], f"{code} {region.name} is left out by the policy "
                                        f"setting ({policy.excluded[code]}); its rows are ignored", "warning"))
            continue
        elif code not in in_scope:
            problems.append(Problem(src["region_code"], f"{code} {region.name} is outside the policy's scope "
                                    f"({', '.join(policy.scopes)})"))
            ok = False
        name = v.get("region_name", "").strip()
        if name and region is not None and name not in name_ok:
            problems.append(Problem(src["region_name"], f"region name '{name}' does not match code {code} "
                                    f"({' / '.join(sorted(name_ok))})"))
            ok = False
        group = v.get("group", "").strip()
        group = labels.get(group, group)  # a group may also be named by its Chinese name
        if group not in policy.groups:
            problems.append(Problem(src["group"], f"unknown group '{group}' (allowed: {', '.join(policy.groups)})"))
            ok = False
        count_text = v.get("headcount", "")
        count = _whole_number(count_text)
        if count is None or count > MAX_HEADCOUNT:
            shown = count_text.strip() if len(count_text.strip()) <= 30 else count_text.strip()[:27] + "…"
            problems.append(Problem(src["headcount"], f"headcount '{shown}' must be a whole number ≥ 0"
                                    + (f" and at most {MAX_HEADCOUNT:,}" if count is not None else "")))
            ok = False
        month_text = v.get("month", "").strip()
        month = int(month_text) if month_text.isascii() and month_text.isdigit() else None
        if month_text and not (month and 1 <= month <= 12):
            problems.append(Problem(src["month"], f"month '{month_text}' must be 1 to 12 (or empty for the whole year)"))
            ok = False
        if not ok or year is None or region is None or count is None:
            attempted.add((year, code, group))  # reported already: not "missing" as well
            continue
        key = (year, code, group)
        full_key: tuple[object, ...] = key + ((month,) if month else ())
        label = f"{year}{f'-{month:02d}' if month else ''}, {code} {region.name}, {group}"
        if full_key in first_seen:
            problems.append(Problem(raw.row, f"duplicate row for {label} (first at {first_seen[full_key]})"))
            continue
        if (key in values and month) or (key in monthly and not month):
            other = first_seen.get(key) or next(first_seen[key + (m,)] for m in monthly[key])
            problems.append(Problem(raw.row, f"{year}, {code} {region.name}, {group}: both a whole-year row and "
                                    f"monthly rows (other at {other}); give one or the other"))
            continue
        first_seen[full_key] = raw.row
        if month:
            monthly[key][month] = count
        else:
            values[key] = count

    complete: dict[tuple[int, str, str], tuple[int, ...]] = {}
    for key, months in monthly.items():
        missing_months = [m for m in range(1, 13) if m not in months]
        if missing_months:
            first = first_seen[key + (min(months),)]
            problems.append(Problem(first, f"{key[0]}, {key[1]}, {key[2]}: monthly headcounts lack month(s) "
                                    f"{', '.join(map(str, missing_months))} (give all 12, 0 where none)"))
            attempted.add(key)
        else:
            complete[key] = tuple(months[m] for m in range(1, 13))

    headcounts = Headcounts(values, complete)
    problems += _subset_problems(headcounts, first_seen, policy)
    present = headcounts.keys()
    given = {(y, c) for y, c, _ in present | attempted}
    for year in (years if years is not None else headcounts.years()):
        absent = [r for r in policy.counties() if (year, r.code) not in given]
        if absent and len(absent) < len(policy.counties()):
            # a file may cover some counties only (a county planning its own budget): the others
            # are left out of the plan, said aloud in case one was forgotten
            problems.append(Problem(Source(file), f"{year}: no headcounts at all for "
                                    f"{', '.join(f'{r.code} {r.name}' for r in absent)}; "
                                    "they are left out of the plan", "warning"))
        for region in policy.counties():
            if (year, region.code) not in given:
                continue
            missing = [g for g in needed_groups(policy, year, region.code)
                       if (year, region.code, g) not in present and (year, region.code, g) not in attempted]
            if missing:
                problems.append(Problem(Source(file), f"{year}, {region.code} {region.name}: no headcount for "
                                        f"{', '.join(missing)} (needed by the subsidies in force)"))
    return headcounts, problems


def _by_month(headcounts: Headcounts, key: tuple[int, str, str]) -> tuple[int, ...]:
    year, code, group = key
    return tuple(headcounts.person_months(year, code, group, [Month(year, m)]) for m in range(1, 13))


def _subset_problems(headcounts: Headcounts, first_seen: dict[tuple[object, ...], Source],
                     policy: Policy) -> list[Problem]:
    """An "of which" group may not exceed its parent; parts together may not either —
    in any month, where figures are monthly."""
    problems = []
    parts: dict[str, list[str]] = defaultdict(list)
    for group in policy.groups.values():
        if group.part_of:
            parts[group.part_of].append(group.id)
    present = headcounts.keys()

    def where(key: tuple[int, str, str]) -> Source | None:
        return first_seen.get(key) or first_seen.get(key + (1,))

    def worst(child: tuple[int, ...], parent: tuple[int, ...]) -> str:
        if len(set(child)) == 1 and len(set(parent)) == 1:
            return ""
        month = next(m for m in range(12) if child[m] > parent[m]) + 1
        return f" in month {month}"

    for key in sorted(present):
        year, code, group_id = key
        group = policy.groups[group_id]
        mine = _by_month(headcounts, key)
        for parent in ([group.part_of] if group.part_of else []) + list(group.within):
            if (year, code, parent) not in present:
                continue
            theirs = _by_month(headcounts, (year, code, parent))
            if any(a > b for a, b in zip(mine, theirs)):
                m = worst(mine, theirs)
                problems.append(Problem(where(key), f"[headcount] {group_id} = {max(mine)} is larger than "
                                        f"{parent} = {theirs[0] if not m else min(theirs)} ({year}, {code}){m}, "
                                        "but it counts some of the same people (其中数不能大于总数)"))
        children = [c for c in parts.get(group_id, []) if (year, code, c) in present]
        if len(children) > 1:
            total = tuple(map(sum, zip(*(_by_month(headcounts, (year, code, c)) for c in children))))
            if any(a > b for a, b in zip(total, mine)):
                m = worst(total, mine)
                problems.append(Problem(where(key), f"[headcount] the parts of {group_id} ({' + '.join(children)} = "
                                        f"{max(total)}) exceed it ({mine[0] if not m else min(mine)}) in {year}, {code}{m}"))
    return problems
