"""Raw headcount rows → validated :class:`Headcounts`, with every problem at once."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .headcounts import Headcounts
from .policy import Policy
from .problems import Problem, Source
from .regions import Region

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


@dataclass(frozen=True)
class Records:
    """A CSV table's rows as read, field by column: checked without a :class:`RawRow` per row
    (a country's file has ~25,000; a row is made only for one that needs a closer look or a
    message). Iterating gives every row as a RawRow, as any other table."""

    file: str
    columns: dict[str, int]  # field → its column
    width: int  # columns in the header
    records: Iterable[tuple[int, list[str]]]  # (line, cells), read once
    make: Callable[[int, list[str]], RawRow | None]  # the reader's RawRow for a record; None when it reported one

    def __iter__(self) -> Iterator[RawRow]:
        for line, record in self.records:
            raw = self.make(line, record)
            if raw is not None:
                yield raw


class _FirstSeen(dict[tuple[object, ...], "Source | int"]):
    """(year, county, group[, month]) → the row that first gave it: a Source, or a CSV line
    whose Source is made only when a message names it."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def where(self, key: tuple[object, ...]) -> Source | None:
        found = self.get(key)
        return Source(self.file, found) if isinstance(found, int) else found


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
    decimal part as spreadsheets write (``12.0``); full-width digits (６５４９, as a Chinese input
    method types them) read as digits — a figure is never guessed, only its characters normalised."""
    text = unicodedata.normalize("NFKC", text).strip()
    whole, dot, decimals = text.partition(".")
    if _GROUPED.match(whole):
        whole = whole.replace(",", "")
    if not whole.isascii() or not whole.isdigit() or (dot and (not decimals.isdigit() or set(decimals) != {"0"})):
        return None
    return int(whole)


@dataclass
class _Checked:
    """One row's fields, checked: ``ok`` false when a problem was reported."""

    ok: bool
    year: int | None
    code: str
    region: Region | None
    names: set[str]
    group: str
    count: int | None
    month: int | None
    excluded: bool = False


def _check_row(raw: RawRow, policy: Policy, in_scope: set[str], warned: set[str], labels: dict[str, str],
               problems: list[Problem]) -> _Checked | None:
    """Check one row's fields, reporting each problem; None for a row of an excluded county
    that was warned about already."""
    tree = policy.regions
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
    excluded = False
    if region is None or region.level != "county":
        what = "not a county code in the region list" if region else "not in the region list"
        problems.append(Problem(src["region_code"], f"region code '{code}' is {what} "
                                f"(counties here: {', '.join(sorted(in_scope))})"))
        ok = False
    elif code in policy.excluded:
        if code in warned:
            return None  # warned about at its first row
        warned.add(code)
        problems.append(Problem(src["region_code"], f"{code} {region.name} is left out by the policy "
                                f"setting ({policy.excluded[code]}); its rows are ignored", "warning"))
        excluded = True
    elif code not in in_scope:
        problems.append(Problem(src["region_code"], f"{code} {region.name} is outside the policy's scope "
                                f"({', '.join(policy.scopes)})"))
        ok = False
    name = v.get("region_name", "").strip()
    if not excluded and name and region is not None and name not in name_ok:
        problems.append(Problem(src["region_name"], f"region name '{name}' does not match code {code} "
                                f"({' / '.join(sorted(name_ok))})"))
        ok = False
    group = v.get("group", "").strip()
    group = labels.get(group, group)  # a group may also be named by its Chinese name
    if not excluded and group not in policy.groups:
        problems.append(Problem(src["group"], f"unknown group '{group}' (allowed: {', '.join(policy.groups)})"))
        ok = False
    count_text = v.get("headcount", "")
    count = _whole_number(count_text)
    if not excluded and not count_text.strip():
        problems.append(Problem(src["headcount"], "未填写：请填写人数，没有的填0 (the headcount is empty: give 0 where "
                                                  "there is nobody)"))
        ok = False
    elif not excluded and (count is None or count > MAX_HEADCOUNT):
        shown = count_text.strip() if len(count_text.strip()) <= 30 else count_text.strip()[:27] + "…"
        problems.append(Problem(src["headcount"], f"headcount '{shown}' must be a whole number ≥ 0"
                                + (f" and at most {MAX_HEADCOUNT:,}" if count is not None else "")))
        ok = False
    month_text = v.get("month", "").strip()
    month = int(month_text) if month_text.isascii() and month_text.isdigit() else None
    if not excluded and month_text and not (month and 1 <= month <= 12):
        problems.append(Problem(src["month"], f"month '{month_text}' must be 1 to 12 (or empty for the whole year)"))
        ok = False
    return _Checked(ok, year, code, region, name_ok, group, count, month, excluded)


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


def annual_needs(policy: Policy, year: int, region: str) -> dict[str, str]:
    """Groups that a subsidy paid once per person and year counts in ``year`` at ``region`` →
    that subsidy's name: they need the year's figure (people eligible at any time, each once)."""
    chain = {r.code for r in policy.regions.ancestors(region)} | {""}
    needs: dict[str, str] = {}
    for subsidy in policy.subsidies.values():
        if subsidy.unit == "year" and subsidy.scope in chain and any(
                e.start.year <= year and (e.end is None or e.end.year >= year) for e in subsidy.period.entries):
            for term in subsidy.terms:
                needs.setdefault(term.group, subsidy.name)
    return needs


def _needs_key(policy: Policy, code: str) -> tuple[object, ...]:
    """What :func:`needed_groups` and :func:`annual_needs` depend on for county ``code``: the
    scopes of its chain where a subsidy or fund is defined, and whether a fund leaves it out."""
    local = {s.scope for s in policy.subsidies.values()} | {f.scope for f in policy.funds.values()}
    chain = tuple(r.code for r in policy.regions.ancestors(code) if r.code in local)
    return chain, tuple(f.id for f in policy.funds.values() if code in f.excluded)


def check_headcounts(rows: Iterable[RawRow], policy: Policy, file: str,
                     years: list[int] | None = None) -> tuple[Headcounts, list[Problem]]:
    """Validate rows against the policy and regions. ``years``: the years to be planned
    (every group their subsidies need must be present for every county); None = all years
    in the file."""
    problems: list[Problem] = []
    in_scope = {r.code for r in policy.counties()}
    values: dict[tuple[int, str, str], int] = {}  # annual rows
    monthly: dict[tuple[int, str, str], dict[int, int]] = defaultdict(dict)  # month rows
    first_seen = _FirstSeen(rows.file if isinstance(rows, Records) else file)  # (year, county, group[, month]) → its row
    warned: set[str] = set()
    attempted: set[tuple[int | None, str, str]] = set()
    labels = _group_labels(policy)

    # What a row's year, county and group texts resolve to, once per distinct text: a country's
    # rows repeat a few thousand codes and a few groups (a text that gave a problem is checked
    # again on every row, so each bad row is named)
    known_years: dict[str, int] = {}
    known_codes: dict[str, tuple[str, Region, set[str]]] = {}  # raw code → (code, county, names allowed)
    known_groups: dict[str, str] = {}
    if isinstance(rows, Records):
        fast = _fast_records(rows, known_years, known_codes, known_groups, values, first_seen)
    else:
        fast = iter(rows)
    for raw in fast:
        v = raw.values
        year_text = v.get("year", "")
        code_text = v.get("region_code", "")
        group_text = v.get("group", "")
        count_text = v.get("headcount", "")
        year_or_none = known_years.get(year_text)
        known = known_codes.get(code_text)
        group_id = known_groups.get(group_text)
        if (year_or_none is not None and known is not None and group_id is not None and count_text.isdigit()
                and count_text.isascii() and not v.get("month") and not v.get("region_name")):
            # the fast path: every field as the last row that gave no problem, a plain annual figure
            count = int(count_text)
            if count <= MAX_HEADCOUNT:
                key = (year_or_none, known[0], group_id)
                if key not in first_seen:
                    first_seen[key] = raw.row
                    values[key] = count
                    continue
        checked = _check_row(raw, policy, in_scope, warned, labels, problems)
        if checked is None or checked.excluded:  # a county the policy leaves out: warned once, rows ignored
            continue
        if not checked.ok or checked.year is None or checked.region is None or checked.count is None:
            attempted.add((checked.year, checked.code, checked.group))  # reported already: not "missing" as well
            continue
        year, code, group, month, count = checked.year, checked.code, checked.group, checked.month, checked.count
        known_years[year_text] = year
        known_codes[code_text] = (code, checked.region, checked.names)
        known_groups[group_text] = group
        key = (year, code, group)
        full_key: tuple[object, ...] = key + ((month,) if month else ())
        if full_key in first_seen:
            label = f"{year}{f'-{month:02d}' if month else ''}, {code} {checked.region.name}, {group}"
            problems.append(Problem(raw.row, f"duplicate row for {label} (first at {first_seen.where(full_key)})"))
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
            first = first_seen.where(key + (min(months),))
            problems.append(Problem(first, f"{key[0]}, {key[1]}, {key[2]}: monthly headcounts lack month(s) "
                                    f"{', '.join(map(str, missing_months))} (give all 12, 0 where none)"))
            attempted.add(key)
        else:
            complete[key] = tuple(months[m] for m in range(1, 13))

    headcounts = Headcounts(values, complete)
    problems += _year_and_month_problems(headcounts, first_seen, policy)
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
        needs: dict[tuple[object, ...], tuple[list[str], dict[str, str]]] = {}  # by what decides them
        for region in policy.counties():
            if (year, region.code) not in given:
                continue
            decides = _needs_key(policy, region.code)
            if decides not in needs:
                needs[decides] = (needed_groups(policy, year, region.code), annual_needs(policy, year, region.code))
            needed, annual_only = needs[decides]
            missing = [g for g in needed
                       if (year, region.code, g) not in present and (year, region.code, g) not in attempted]
            if missing:
                problems.append(Problem(Source(file), f"{year}, {region.code} {region.name}: no headcount for "
                                        f"{', '.join(missing)} (needed by the subsidies in force)"))
            if not complete:
                continue  # no monthly figures: none can stand alone
            for group, subsidy in annual_only.items():
                key = (year, region.code, group)
                if headcounts.monthly(*key) is not None and headcounts.annual(*key) is None:
                    problems.append(Problem(first_seen.where(key + (1,)), (
                        f"{year}, {region.code} {region.name}, {group}: monthly figures only, but {subsidy} is paid "
                        f"once per person and year: add a row with an empty month giving the people eligible at any "
                        f"time in {year}, each counted once (年度内符合条件人数，每人计一次)")))
    return headcounts, problems


def _fast_records(rows: Records, known_years: dict[str, int], known_codes: dict[str, tuple[str, Region, set[str]]],
                  known_groups: dict[str, str], values: dict[tuple[int, str, str], int],
                  first_seen: _FirstSeen) -> Iterator[RawRow]:
    """The fast path of :func:`check_headcounts` on a CSV's records: a plain annual figure whose
    year, county and group texts are each as an earlier row that gave no problem is taken here,
    by column, without a RawRow; every other record is yielded as a RawRow for the full check."""
    year_at, code_at, group_at, count_at = (rows.columns[f] for f in FIELDS)
    month_at, name_at = rows.columns.get("month"), rows.columns.get("region_name")
    for line, record in rows.records:
        if len(record) == rows.width:
            year_or_none = known_years.get(record[year_at])
            known = known_codes.get(record[code_at])
            group_id = known_groups.get(record[group_at])
            count_text = record[count_at]
            if (year_or_none is not None and known is not None and group_id is not None and count_text.isdigit()
                    and count_text.isascii() and not (month_at is not None and record[month_at])
                    and not (name_at is not None and record[name_at])):
                count = int(count_text)
                if count <= MAX_HEADCOUNT:
                    key = (year_or_none, known[0], group_id)
                    if key not in first_seen:
                        first_seen[key] = line
                        values[key] = count
                        continue
        raw = rows.make(line, record)
        if raw is not None:
            yield raw


def _year_and_month_problems(headcounts: Headcounts, first_seen: _FirstSeen,
                             policy: Policy) -> list[Problem]:
    """Where a group has both: the year's figure counts everyone eligible in some month, each once,
    so it is at least any month's figure and at most all months' together."""
    problems = []
    for key in sorted(headcounts.monthly_keys()):
        annual, months = headcounts.annual(*key), headcounts.monthly(*key)
        if annual is None or months is None:
            continue
        year, code, group = key
        if annual < max(months):
            month = months.index(max(months)) + 1
            problems.append(Problem(first_seen.where(key), f"[headcount] {year}, {code}, {group}: {annual} people in the "
                                    f"year, fewer than the {max(months)} of month {month} (the year's figure counts "
                                    "everyone eligible at any time in the year: 年度人数不能少于任一月份人数)"))
        elif annual > sum(months):
            problems.append(Problem(first_seen.where(key), f"[headcount] {year}, {code}, {group}: {annual} people in the "
                                    f"year, more than all months together ({sum(months)}): someone eligible in the "
                                    "year is eligible in some month (年度人数不能多于各月人数之和)"))
    return problems


def _subset_problems(headcounts: Headcounts, first_seen: _FirstSeen,
                     policy: Policy) -> list[Problem]:
    """An "of which" group may not exceed its parent, and parts together may not either: the
    year's figures compared with each other, and month by month where both are monthly
    (an annual figure is never spread over months to compare)."""
    problems = []
    parts: dict[str, list[str]] = defaultdict(list)
    for group in policy.groups.values():
        if group.part_of:
            parts[group.part_of].append(group.id)
    present = headcounts.keys()
    parents = {g.id: ([g.part_of] if g.part_of else []) + list(g.within) for g in policy.groups.values()}
    checked = {g for g in policy.groups if parents[g] or len(parts.get(g, [])) > 1}  # groups with a rule

    def where(key: tuple[int, str, str]) -> Source | None:
        return first_seen.where(key) or first_seen.where(key + (1,))

    def excess(child: list[tuple[int, str, str]], parent: tuple[int, str, str]) -> tuple[int, int, str] | None:
        """(child's figure, parent's figure, " in month m") where the child is larger, else None."""
        annual = [headcounts.annual(*k) for k in child]
        mine = headcounts.annual(*parent)
        if all(a is not None for a in annual) and mine is not None:
            total = sum(a for a in annual if a is not None)
            return (total, mine, "") if total > mine else None
        months = [headcounts.monthly(*k) for k in child]
        parent_months = headcounts.monthly(*parent)
        if all(m is not None for m in months) and parent_months is not None:
            sums = [sum(m[i] for m in months if m is not None) for i in range(12)]
            for i, (a, b) in enumerate(zip(sums, parent_months)):
                if a > b:
                    return a, b, f" in month {i + 1}"
        return None

    annual = headcounts.annual
    for key in sorted(k for k in present if k[2] in checked):
        year, code, group_id = key
        for parent in parents[group_id]:
            if (year, code, parent) not in present:
                continue
            mine, theirs = annual(*key), annual(year, code, parent)
            if mine is not None and theirs is not None and mine <= theirs:
                continue  # the usual case, both figures annual and in order: what excess() would find
            found = excess([key], (year, code, parent))
            if found:
                mine, theirs, month = found
                problems.append(Problem(where(key), f"[headcount] {group_id} = {mine} is larger than "
                                        f"{parent} = {theirs} ({year}, {code}){month}, "
                                        "but it counts some of the same people (其中数不能大于总数)"))
        children = [(year, code, c) for c in parts.get(group_id, []) if (year, code, c) in present]
        if len(children) > 1:
            found = excess(children, key)
            if found:
                total, mine, month = found
                problems.append(Problem(where(key), f"[headcount] the parts of {group_id} "
                                        f"({' + '.join(c for _, _, c in children)} = {total}) exceed it ({mine}) "
                                        f"in {year}, {code}{month}"))
    return problems
