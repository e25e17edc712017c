"""Raw headcount rows → validated :class:`Headcounts`, with every problem at once."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

from .headcounts import Headcounts
from .language import said
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
    # only the rows of these years (and those whose year cannot be read, to be reported); every
    # year of the file is added to ``years_seen``, for messages
    keep_years: frozenset[int] | None = None
    years_seen: set[int] | None = None

    def __iter__(self) -> Iterator[RawRow]:
        for line, record in self.kept():
            raw = self.make(line, record)
            if raw is not None:
                yield raw

    def kept(self) -> Iterator[tuple[int, list[str]]]:
        """The records of the years kept."""
        if self.keep_years is None:
            yield from self.records
            return
        at, keep, seen = self.columns["year"], self.keep_years, self.years_seen if self.years_seen is not None else set()
        known: dict[str, int | None] = {}  # a year's text, read once
        for line, record in self.records:
            if len(record) > self.width:  # reported as it is read, whatever its year
                yield line, record
                continue
            text = record[at] if at < len(record) else ""
            year = known[text] if text in known else known.setdefault(text, year_of_text(text, seen))
            if year is None or year in keep:
                yield line, record


def year_of_text(text: str, seen: set[int]) -> int | None:
    """The year a cell gives (four ASCII digits), added to ``seen``; None when it gives none."""
    text = text.strip()
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None
    if year is not None:
        seen.add(year)
    return year


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
        problems.append(Problem(src["year"], said("年度 '{year}' 应为 4 位年份，如 2018", "year '{year}' must be a 4-digit "
                                                  "year such as 2018", year=year_text)))
        ok = False
    code = v.get("region_code", "").strip()
    if code in tree.renamed:
        renamed = tree.renamed[code]
        if code not in warned:
            warned.add(code)
            new = tree.regions[renamed.new_code]
            problems.append(Problem(src["region_code"], said("旧代码 {code} {old} 按 {new_code} {new}（{since}更名）读取",
                                                             "old code {code} {old} is read as {new_code} {new} "
                                                             "(renamed {since})", code=code, old=renamed.old_name,
                                                             new_code=new.code, new=new.name, since=renamed.since),
                                    "warning"))
        name_ok = {renamed.old_name, tree.regions[renamed.new_code].name}
        code = renamed.new_code
    else:
        region = tree.get(code)
        name_ok = {region.name} if region else set()
    region = tree.get(code)
    excluded = False
    if region is None or region.level != "county":
        what = (said("不是区划表中的县级代码", "is not a county code in the region list") if region
                else said("不在区划表中", "is not in the region list"))
        problems.append(Problem(src["region_code"], said("地区代码 '{code}' {what}（本测算的县：{counties}）",
                                                         "region code '{code}' {what} (counties here: {counties})",
                                                         code=code, what=what, counties=", ".join(sorted(in_scope)))))
        ok = False
    elif code in policy.excluded:
        if code in warned:
            return None  # warned about at its first row
        warned.add(code)
        problems.append(Problem(src["region_code"], said("{code} {name} 按政策设置不纳入测算（{why}），其各行不读取",
                                                         "{code} {name} is left out by the policy setting ({why}); its "
                                                         "rows are ignored", code=code, name=region.name,
                                                         why=policy.excluded[code]), "warning"))
        excluded = True
    elif code not in in_scope:
        problems.append(Problem(src["region_code"], said("{code} {name} 不在政策文件的适用范围内（{scopes}）",
                                                         "{code} {name} is outside the policy's scope ({scopes})",
                                                         code=code, name=region.name, scopes=", ".join(policy.scopes))))
        ok = False
    name = v.get("region_name", "").strip()
    if not excluded and name and region is not None and name not in name_ok:
        problems.append(Problem(src["region_name"], said("地区名称 '{name}' 与代码 {code}（{names}）不符",
                                                         "region name '{name}' does not match code {code} ({names})",
                                                         name=name, code=code, names=" / ".join(sorted(name_ok)))))
        ok = False
    group = v.get("group", "").strip()
    group = labels.get(group, group)  # a group may also be named by its Chinese name
    if not excluded and group not in policy.groups:
        problems.append(Problem(src["group"], said("未知的人员类别 '{group}'（可用：{named}）", "unknown group '{group}' "
                                                   "(allowed: {ids})", group=group, ids=", ".join(policy.groups),
                                                   named="；".join(f"{g.id}（{g.name}）"
                                                                  for g in policy.groups.values()))))
        ok = False
    count_text = v.get("headcount", "")
    count = _whole_number(count_text)
    if not excluded and not count_text.strip():
        problems.append(Problem(src["headcount"], said("未填写：请填写人数，没有的填0", "the headcount is empty: give 0 "
                                                       "where there is nobody")))
        ok = False
    elif not excluded and (count is None or count > MAX_HEADCOUNT):
        shown = count_text.strip() if len(count_text.strip()) <= 30 else count_text.strip()[:27] + "…"
        problems.append(Problem(src["headcount"], said("人数 '{shown}' 应为不小于 0 的整数", "headcount '{shown}' must "
                                                       "be a whole number ≥ 0", shown=shown)
                                + (said("，且不超过 {most:,}", " and at most {most:,}", most=MAX_HEADCOUNT)
                                   if count is not None else "")))
        ok = False
    month_text = v.get("month", "").strip()
    month = int(month_text) if month_text.isascii() and month_text.isdigit() else None
    if not excluded and month_text and not (month and 1 <= month <= 12):
        problems.append(Problem(src["month"], said("月份 '{month}' 应为 1 到 12（全年数留空）", "month '{month}' must be "
                                                   "1 to 12 (or empty for the whole year)", month=month_text)))
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


def _needs_key(policy: Policy, code: str, local: set[str]) -> tuple[object, ...]:
    """What :func:`needed_groups` and :func:`annual_needs` depend on for county ``code``: the
    scopes of its chain where a subsidy or fund is defined (``local``), and whether a fund leaves it out."""
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
    # every county of the plan and every group, as their ids are written, pass the full check's
    # tests on code and group alike: known from the start, so a county's first row takes the fast
    # path too (a country has 2,850 first rows)
    tree = policy.regions
    for region in policy.counties():
        if region.level == "county" and region.code not in policy.excluded and region.code not in tree.renamed:
            known_codes[region.code] = (region.code, region, {region.name})
    for group in policy.groups:
        if group not in labels:
            known_groups[group] = group
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
            label = f"{year}{f'-{month:02d}' if month else ''}, {code} {checked.region.name}, {_named(policy, group)}"
            problems.append(Problem(raw.row, said("重复的行：{label}（首次出现于 {first}）", "duplicate row for {label} "
                                                  "(first at {first})", label=label, first=first_seen.where(full_key))))
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
            problems.append(Problem(first, said("{where}：按月人数缺少 {months} 月（12 个月都要填，没有的填 0）",
                                                "{where}: monthly headcounts lack month(s) {months} (give all 12, 0 "
                                                "where none)", where=f"{key[0]}, {key[1]}, {_named(policy, key[2])}",
                                                months=", ".join(map(str, missing_months)))))
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
            problems.append(Problem(Source(file), said("{year}年：{counties} 没有任何人数，不纳入本次测算",
                                                       "{year}: no headcounts at all for {counties}; they are left out "
                                                       "of the plan", year=year,
                                                       counties=", ".join(f"{r.code} {r.name}" for r in absent)),
                                    "warning"))
        needs: dict[tuple[object, ...], tuple[list[str], dict[str, str]]] = {}  # by what decides them
        local = {s.scope for s in policy.subsidies.values()} | {f.scope for f in policy.funds.values()}
        for region in policy.counties():
            if (year, region.code) not in given:
                continue
            decides = _needs_key(policy, region.code, local)
            if decides not in needs:
                needs[decides] = (needed_groups(policy, year, region.code), annual_needs(policy, year, region.code))
            needed, annual_only = needs[decides]
            missing = [g for g in needed
                       if (year, region.code, g) not in present and (year, region.code, g) not in attempted]
            if missing:
                problems.append(Problem(Source(file), said("{year}年 {code} {name}：缺少 {groups} 的人数（执行中的补助需要）",
                                                           "{year}, {code} {name}: no headcount for {groups} (needed "
                                                           "by the subsidies in force)", year=year, code=region.code,
                                                           name=region.name,
                                                           groups="、".join(_named(policy, g) for g in missing))))
            if not complete:
                continue  # no monthly figures: none can stand alone
            for group, subsidy in annual_only.items():
                key = (year, region.code, group)
                if headcounts.monthly(*key) is not None and headcounts.annual(*key) is None:
                    problems.append(Problem(first_seen.where(key + (1,)), said(
                        "{year}年 {code} {name}，{group}：只有按月人数，但“{subsidy}”按人按年补助：请加一行月份留空的"
                        "年度人数（{year}年内任一时间符合条件的人数，每人计一次）",
                        "{year}, {code} {name}, {group}: monthly figures only, but {subsidy} is paid once per person "
                        "and year: add a row with an empty month giving the people eligible at any time in {year}, "
                        "each counted once", year=year, code=region.code, name=region.name,
                        group=_named(policy, group), subsidy=subsidy)))
    return headcounts, problems


def _headcount_field(source: Source | None) -> Source | None:
    """The row's source, naming the 人数 column (the figure that is wrong)."""
    return replace(source, field="headcount") if source is not None else None


def _named(policy: Policy, group: str) -> str:
    """``养老保险缴费困难群体（poor_pension_contributors）``: the name people read, with the id the file holds."""
    found = policy.groups.get(group)
    return f"{found.name}（{group}）" if found and found.name != group else group


def _fast_records(rows: Records, known_years: dict[str, int], known_codes: dict[str, tuple[str, Region, set[str]]],
                  known_groups: dict[str, str], values: dict[tuple[int, str, str], int],
                  first_seen: _FirstSeen) -> Iterator[RawRow]:
    """The fast path of :func:`check_headcounts` on a CSV's records: a plain annual figure whose
    year, county and group texts are each as an earlier row that gave no problem is taken here,
    by column, without a RawRow; every other record is yielded as a RawRow for the full check.
    Records of years not kept are passed over here too (as :meth:`Records.kept`, without a
    generator between)."""
    year_at, code_at, group_at, count_at = (rows.columns[f] for f in FIELDS)
    month_at, name_at = rows.columns.get("month"), rows.columns.get("region_name")
    keep, width = rows.keep_years, rows.width
    seen = rows.years_seen if rows.years_seen is not None else set()
    year_texts: dict[str, int | None] = {}  # a year's text, read once
    for line, record in rows.records:
        size = len(record)
        if keep is not None and size <= width:  # (a longer record is reported, whatever its year)
            text = record[year_at] if year_at < size else ""
            year = year_texts[text] if text in year_texts else year_texts.setdefault(text, year_of_text(text, seen))
            if year is not None and year not in keep:
                continue
        if size == width:
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
            problems.append(Problem(_headcount_field(first_seen.where(key)), said(
                "{year}年 {code}，{group}：年度人数 {annual} 少于 {month} 月的 {most} 人（年度人数是年内"
                "任一时间符合条件的人数，不能少于任一月份人数）", "{year}, {code}, {group}: {annual} people "
                "in the year, fewer than the {most} of month {month} (the year's figure counts everyone eligible at "
                "any time in the year)", year=year, code=policy.regions.label(code), group=_named(policy, group), annual=annual,
                most=max(months), month=month)))
        elif annual > sum(months):
            problems.append(Problem(_headcount_field(first_seen.where(key)), said(
                "{year}年 {code}，{group}：年度人数 {annual} 多于各月人数之和 {total}（年内符合条件的人总在"
                "某个月符合条件）", "{year}, {code}, {group}: {annual} people in the year, more than all "
                "months together ({total}): someone eligible in the year is eligible in some month", year=year,
                code=policy.regions.label(code), group=_named(policy, group), annual=annual, total=sum(months))))
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

    def excess(child: list[tuple[int, str, str]], parent: tuple[int, str, str]) -> tuple[int, int, int] | None:
        """(child's figure, parent's figure, the month or 0 for the year) where the child is larger, else None."""
        annual = [headcounts.annual(*k) for k in child]
        mine = headcounts.annual(*parent)
        if all(a is not None for a in annual) and mine is not None:
            total = sum(a for a in annual if a is not None)
            return (total, mine, 0) if total > mine else None
        months = [headcounts.monthly(*k) for k in child]
        parent_months = headcounts.monthly(*parent)
        if all(m is not None for m in months) and parent_months is not None:
            sums = [sum(m[i] for m in months if m is not None) for i in range(12)]
            for i, (a, b) in enumerate(zip(sums, parent_months)):
                if a > b:
                    return a, b, i + 1
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
                problems.append(Problem(_headcount_field(where(key)), said(
                    "{year}年 {code}{in_month}：{group} = {mine}，大于 {parent} = {theirs}，但它是其中的一部分"
                    "（其中数不能大于总数）", "{group} = {mine} is larger than {parent} = {theirs} ({year}, "
                    "{code}){in_month_en}, but it counts some of the same people", year=year, code=policy.regions.label(code),
                    group=_named(policy, group_id), parent=_named(policy, parent), mine=mine, theirs=theirs,
                    in_month=f"{month}月" if month else "", in_month_en=f" in month {month}" if month else "")))
        children = [(year, code, c) for c in parts.get(group_id, []) if (year, code, c) in present]
        if len(children) > 1:
            found = excess(children, key)
            if found:
                total, mine, month = found
                problems.append(Problem(_headcount_field(where(key)), said(
                    "{year}年 {code}{in_month}：{group} 的各部分（{parts} = {total}）多于它本身（{mine}）",
                    "the parts of {group} ({parts} = {total}) exceed it ({mine}) in {year}, {code}"
                    "{in_month_en}", year=year, code=policy.regions.label(code), group=_named(policy, group_id), total=total,
                    mine=mine,
                    parts=" + ".join(_named(policy, c) for _, _, c in children),
                    in_month=f"{month}月" if month else "", in_month_en=f" in month {month}" if month else "")))
    return problems
