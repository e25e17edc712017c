"""Person lists → headcounts (人员台账比对), matched by ID number in DuckDB.

The configuration's rules (budget/core/roster_rules.py) become SQL here; nothing about a
particular policy is in this file. The work happens in an in-memory DuckDB with a memory limit
that spills to a private folder (mode 0700) made for this run and removed when it ends — also
on an error, Ctrl-C or SIGTERM — since it holds ID numbers. Only counts and masked values
leave the engine.

Steps: each list's rows → the ID checked (the same rules as budget/core/idcard.py, per row in
SQL), its months in the year, its county; rows with a problem are kept aside with their place →
the people of each set, month by month (a person on a list twice is one person) → each group:
its base set's people who are also on any of / all of / none of the other sets, month by month
→ priorities (a person in several groups of one rule counts in the first; for whole-year counts
by whether they were ever in an earlier group that year, for monthly counts month by month) →
"of which" groups kept within their parents → counts per county: distinct people at any time
in the year, and people per month.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from .core.headcount_check import RawRow, check_headcounts, needed_groups
from .core.idcard import CHECK, EARLIEST_BIRTH, REASONS, WEIGHTS, scrub
from .core.language import said
from .core.policy import Policy
from .core.problems import InputError, Problem, Source, errors
from .core.roster_rules import RosterConfig
from .readers.input_files import make_input_file
from .readers.policy_reader import read_policy
from .readers.roster_config import read_roster_config
from .readers.roster_lists import PreparedList, prepare, transcode_csv
from .writers.csv_writer import DEFAULT_FORMAT, CsvFormat

MEMORY_LIMIT = "1GB"
PERSON_ROWS = ("flagged", "all", "none")
MAX_PERSON_ROWS = 1_000_000  # a sheet holds 1,048,576 rows

# what a row problem's code means (Chinese first); the ID reasons come from core.idcard
ROW_PROBLEMS = dict(REASONS) | {
    "region": "地区代码不是本政策范围内的县级代码，该行未计入 (region is not a county of this policy: row left out)",
    "outside": "地区不在本政策范围内，该行未计入 (region outside the policy's scope: row left out)",
    "from": "起始年月无法识别（应写 2018-07 或 2018-07-01），该行未计入 (start month not understood: row left out)",
    "to": "终止年月无法识别（应写 2018-12 或 2018-12-31），该行未计入 (end month not understood: row left out)",
    "order": "终止年月早于起始年月，该行未计入 (ends before it starts: row left out)",
}
NOTES = {
    "duplicate": "同一名单中重复出现，按一人计 (same person twice in one list: counted once)",
    "moved": "同一人在多个县区有记录，全年人数计入最后所在县区 (person in several counties: the year's count goes to the last)",
}


@dataclass
class RosterResult:
    year: int
    config: RosterConfig
    policy: Policy
    lists: list[PreparedList]
    rows_read: dict[str, int]  # list id → data rows
    rows_used: dict[str, int]
    annual: dict[tuple[str, str], int]  # (county, group) → distinct people at any time in the year
    monthly: dict[tuple[str, str], tuple[int, ...]]  # (county, group) → people in months 1–12
    monthly_groups: list[str]  # groups written month by month
    annual_groups: list[str]
    row_problems: list[Problem]  # rows left out (place, message with a masked ID)
    notes: list[Problem]  # duplicates, moves: counted, but worth a look
    persons: list[tuple[str, ...]]  # masked person rows
    person_columns: tuple[str, ...]
    persons_total: int
    files: list = field(default_factory=list)  # InputFile of the config and policy files


@contextmanager
def private_folder() -> Iterator[str]:
    """A folder only this user can read (mkdtemp makes it 0700), removed at the end — also when
    the run fails, is interrupted (Ctrl-C) or terminated (SIGTERM)."""
    folder = tempfile.mkdtemp(prefix="budget-roster-")
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(signum, frame):  # pragma: no cover - exercised by a subprocess test
        raise KeyboardInterrupt("SIGTERM")

    installed = False
    try:
        try:
            signal.signal(signal.SIGTERM, terminate)
            installed = True
        except ValueError:  # not the main thread: the finally below still removes the folder
            pass
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if installed:
            signal.signal(signal.SIGTERM, previous)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# the ID rules of core/idcard.py, per row (kept equal to it by tests/test_roster.py)
_SPACE_CHARS = " \t\n\r\f\v\u3000\u00a0\u200b\ufeff"
_NORMALISED = ("ltrim(regexp_replace(translate(coalesce(id_raw, ''), '０１２３４５６７８９ＸｘxＸ', '0123456789XXXX'), "
               f"'[{_SPACE_CHARS}]+', '', 'g'), '''')")


def _id_sql(year: int) -> str:
    """Columns n (normalised), id17, reason, id18 from id_raw and __num."""
    checksum = _CHECKSUM
    latest = f"DATE '{year}-12-31'"
    earliest = f"DATE '{EARLIEST_BIRTH.isoformat()}'"

    def birth_bad(text: str) -> str:
        return (f"(try_strptime({text}, '%Y%m%d') IS NULL OR try_strptime({text}, '%Y%m%d')::DATE < {earliest} "
                f"OR try_strptime({text}, '%Y%m%d')::DATE > {latest})")

    return f"""
    SELECT *,
      CASE WHEN reason0 IS NOT NULL THEN reason0
           WHEN substr('{CHECK}', (({checksum}) % 11)::INTEGER + 1, 1) <> check_char THEN 'check' END AS reason,
    FROM (
      SELECT *,
        CASE WHEN n = '' THEN 'empty'
             WHEN num = '1' OR regexp_full_match(n, '[0-9](\\.[0-9]+)?[eE]\\+?[0-9]{{1,2}}') THEN 'number'
             WHEN regexp_full_match(n, '[0-9]{{15}}') THEN CASE WHEN {birth_bad("'19' || substr(n, 7, 6)")} THEN 'birth' END
             WHEN NOT regexp_full_match(n, '[0-9]{{17}}[0-9X]') THEN 'format'
             WHEN {birth_bad("substr(n, 7, 8)")} THEN 'birth' END AS reason0,
        CASE WHEN length(n) = 15 THEN substr(n, 1, 6) || '19' || substr(n, 7, 9) ELSE substr(n, 1, 17) END AS id17,
        CASE WHEN length(n) = 15 THEN NULL ELSE substr(n, 18, 1) END AS check_char
      FROM (SELECT *, {_NORMALISED} AS n FROM rows_in)
    )"""


_CHECKSUM = " + ".join(f"(ascii(substr(id17, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(WEIGHTS))
# the 18-character ID of a row _id_sql found valid (15 digits → 18 with its check digit)
ID18_SQL = (f"CASE WHEN reason IS NULL THEN CASE WHEN length(n) = 15 THEN id17 || substr('{CHECK}', "
            f"(({_CHECKSUM}) % 11)::INTEGER + 1, 1) ELSE n END END")


def _mask_sql(column: str) -> str:
    return (f"CASE WHEN length({column}) < 15 THEN '**********' "
            f"ELSE substr({column}, 1, 6) || '**********' || right({column}, 4) END")


def _month_sql(column: str) -> str:
    """A month written 2018-07, 2018-07-01, 2018/7/1, 201807, 20180701 or 2018年7月 → year × 12 + month − 1."""
    t = f"trim(coalesce({column}, ''))"
    return f"""CASE
      WHEN {t} = '' THEN NULL
      WHEN regexp_full_match({t}, '([0-9]{{4}})[-/.年]([0-9]{{1,2}})([-/.月]([0-9]{{1,2}})日?|月)?') THEN
        CASE WHEN regexp_extract({t}, '^[0-9]{{4}}[-/.年]([0-9]{{1,2}})', 1)::INTEGER BETWEEN 1 AND 12
             THEN regexp_extract({t}, '^([0-9]{{4}})', 1)::INTEGER * 12
                  + regexp_extract({t}, '^[0-9]{{4}}[-/.年]([0-9]{{1,2}})', 1)::INTEGER - 1 ELSE -1 END
      WHEN regexp_full_match({t}, '[0-9]{{6}}([0-9]{{2}})?') THEN
        CASE WHEN substr({t}, 5, 2)::INTEGER BETWEEN 1 AND 12
             THEN substr({t}, 1, 4)::INTEGER * 12 + substr({t}, 5, 2)::INTEGER - 1 ELSE -1 END
      ELSE -1 END"""


def _condition_sql(prepared: PreparedList, conditions) -> str:
    parts = []
    for condition in conditions:
        column = f"w{list(prepared.columns).index(condition.column)}"
        values = ", ".join(_quote(v) for v in condition.values)
        parts.append(f"trim(coalesce({column}, '')) IN ({values})")
    return " AND ".join(parts) or "TRUE"


def _connect(folder: str, memory_limit: str, threads: int | None):
    import duckdb

    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit, "temp_directory": folder,
                                             "preserve_insertion_order": True,
                                             "enable_external_access": True, "autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def run_roster(config_path: str, year: int, person_rows: str = "flagged", memory_limit: str = MEMORY_LIMIT,
               threads: int | None = None) -> RosterResult:
    """Read the configuration, the policy and every list; match; raise :class:`InputError` with
    every problem that stops the run (row problems are returned, see ``row_problems``)."""
    config = read_roster_config(config_path)
    policy, _ = read_policy(config.policy)
    _check_rules(config, policy, year, config_path)
    with private_folder() as folder:
        result = _run(config, policy, year, folder, person_rows, memory_limit, threads)
    trouble = check_result(result)
    if trouble:
        raise InputError([Problem(Source(config_path), said("比对规则得出的人数不符合政策的人员类别关系，请检查 groups 与 "
                                                            "priority：", "the rules give headcounts the policy refuses "
                                                            "(check groups and priority):"))] + trouble)
    return result


def refuse_bad_rows(result: RosterResult) -> None:
    """Rows left out are errors unless the user accepts leaving them out (--skip-bad-rows)."""
    rows = [p for p in result.row_problems if p.severity == "row"]
    if rows:
        raise InputError([Problem(p.source, p.message) for p in rows] + [Problem(None, said(
            "{rows} 行无法计入；请修正名单，或用 --skip-bad-rows 不计这些行并写出结果（problems.csv 列出每一行）",
            "{rows} rows cannot be counted: fix the lists, or pass --skip-bad-rows to leave them out (problems.csv "
            "lists every row)", rows=len(rows)))])


def _check_rules(config: RosterConfig, policy: Policy, year: int, config_path: str) -> None:
    problems = []
    for rule in config.groups.values():
        if rule.group not in policy.groups:
            problems.append(Problem(rule.source, said("'{group}' 不是政策中的人员类别（政策的人员类别：{groups}）",
                                                      "'{group}' is not a group of the policy (groups: {groups})",
                                                      group=rule.group, groups=", ".join(policy.groups))))
        base_list = config.lists.get(config.sets[rule.base].list_id) if rule.base in config.sets else None
        if base_list is not None and "region" not in base_list.columns:
            problems.append(Problem(rule.source, said("groups.{group}：基础集合 '{base}' 所在名单 {list} 没有地区列"
                                                      "（columns.region）", "groups.{group}: the list {list} of the base "
                                                      "set '{base}' needs a region column (columns.region)",
                                                      group=rule.group, base=rule.base, list=base_list.id)))
    missing = [g for g in needed_groups(policy, year) if g not in config.groups]
    if missing:
        problems.append(Problem(Source(config_path), said("{year} 年政策需要的人员类别在 groups: 下没有比对规则：{missing}",
                                                          "no rule under groups: for groups the subsidies in force in "
                                                          "{year} need: {missing}", year=year,
                                                          missing=", ".join(missing))))
    for priority in config.priorities:
        seen = set()
        for g in priority.groups:
            if g in seen:
                problems.append(Problem(priority.source, said("priority：'{g}' 重复", "priority: '{g}' is named twice",
                                                              g=g)))
            seen.add(g)
    if problems:
        raise InputError(problems)


class LinesDiffer(Exception):
    """DuckDB read another number of rows than the file has lines: its rows would be misnumbered."""


def _load_list(con, prepared: PreparedList, number: int) -> None:
    """Table l{number}: __line, num, f_<field>, w<i> (every needed column as text)."""
    names = list(prepared.columns)
    if prepared.direct:
        width = prepared.width
        select = ", ".join(f"c{prepared.columns[h]} AS w{i}" for i, h in enumerate(names))
        con.execute(f"""CREATE TEMP TABLE l{number} AS
            SELECT row_number() OVER () + {prepared.header_line} AS __line, '' AS num, {select}
            FROM read_csv({_quote(prepared.path)}, header = true, all_varchar = true, delim = ',', quote = '"',
                          escape = '"', skip = {prepared.skip}, null_padding = true,
                          strict_mode = true, auto_detect = false,
                          columns = {{{", ".join(f"{_quote(f'c{i}')}: 'VARCHAR'" for i in range(width))}}})""")
        (count,) = con.execute(f"SELECT count(*) FROM l{number}").fetchall()[0]
        if count != prepared.rows:
            con.execute(f"DROP TABLE l{number}")
            raise LinesDiffer(f"{count} rows for {prepared.rows} lines")
    else:
        select = ", ".join(f"c{prepared.columns[h] - 2} AS w{i}" for i, h in enumerate(names))
        con.execute(f"""CREATE TEMP TABLE l{number} AS
            SELECT __line::BIGINT AS __line, coalesce(__num, '') AS num, {select}
            FROM read_csv({_quote(prepared.path)}, header = true, all_varchar = true, delim = ',', quote = '"',
                          escape = '"', auto_detect = false, null_padding = true,
                          columns = {{'__line': 'VARCHAR', '__num': 'VARCHAR',
                                      {", ".join(f"{_quote(f'c{i}')}: 'VARCHAR'" for i in range(len(names)))}}})""")


def _run(config: RosterConfig, policy: Policy, year: int, folder: str, person_rows: str, memory_limit: str,
         threads: int | None) -> RosterResult:
    import duckdb

    specs = list(config.lists.values())
    problems: list[Problem] = []
    prepared: list[PreparedList] = []
    for number, spec in enumerate(specs):
        extra = spec.extra_columns(list(config.sets.values()))
        ready, trouble = prepare(spec, extra, folder, number)
        problems += trouble
        if ready is not None:
            prepared.append(ready)
    if errors(problems):
        raise InputError(problems)
    con = _connect(folder, memory_limit, threads)
    try:
        return _match(con, config, policy, year, prepared, person_rows, folder)
    except duckdb.Error as exc:
        raise InputError([Problem(Source(config.file), said("比对引擎出错：{why}", "the engine failed: {why}",
                                                            why=scrub(str(exc))))]) from None
    finally:
        con.close()


def _match(con, config: RosterConfig, policy: Policy, year: int, prepared: list[PreparedList],
           person_rows: str, folder: str) -> RosterResult:
    import duckdb

    problems: list[Problem] = []
    for number, ready in enumerate(prepared):
        try:
            _load_list(con, ready, number)
        except (duckdb.Error, LinesDiffer) as exc:
            if not ready.direct:
                raise
            # DuckDB refused the file as it is (a row too wide, mixed line ends that make its strict mode
            # read no rows, …): read it in Python, row by row
            again, trouble = transcode_csv(ready, folder, number)
            problems += trouble
            if again is None:
                problems.append(Problem(Source(ready.spec.path), said("无法读取：{why}", "cannot read: {why}",
                                                                      why=scrub(str(exc)))))
                continue
            again.direct = False
            _load_list(con, again, number)
    if errors(problems):
        raise InputError(problems)

    base_lists = {config.sets[r.base].list_id for r in config.groups.values()}
    tree = policy.regions
    in_scope = {r.code for r in policy.counties()}
    names_to_code = {r.name: r.code for r in policy.counties()}
    y0 = year * 12

    # 1. every list's rows, checked, into one table
    selects = []
    for number, ready in enumerate(prepared):
        spec = ready.spec
        names = list(ready.columns)

        def col(field: str, names=names, spec=spec) -> str:
            return f"w{names.index(spec.columns[field])}" if field in spec.columns else "NULL"

        set_flags = ", ".join(
            f"({_condition_sql(ready, s.where)}) AS s_{s.id}" for s in config.sets.values() if s.list_id == spec.id)
        con.execute(f"""CREATE OR REPLACE TEMP VIEW rows_in AS
            SELECT __line, num, {col('id')} AS id_raw, {col('name')} AS name, {col('region')} AS region_raw,
                   {col('from')} AS from_raw, {col('to')} AS to_raw {', ' + set_flags if set_flags else ''}
            FROM l{number}""")
        con.execute(f"CREATE TEMP TABLE c{number} AS {_id_sql(year)}")
        con.execute(f"DROP TABLE l{number}")
        selects.append(number)

    # county per region text: codes, renamed codes and county names; checked in Python (few values)
    region_map: dict[str, str] = {}
    region_bad: dict[str, str] = {}
    for number, ready in enumerate(prepared):
        if "region" not in ready.spec.columns:
            continue
        for (raw,) in con.execute(f"SELECT DISTINCT trim(coalesce(region_raw, '')) FROM c{number}").fetchall():
            code = raw if raw in tree.regions else tree.renamed[raw].new_code if raw in tree.renamed else names_to_code.get(raw)
            if code is None or tree.regions[code].level != "county":
                region_bad[raw] = "region"
            elif code in policy.excluded or code not in in_scope:
                region_bad[raw] = "outside"
            else:
                region_map[raw] = code
    con.execute("CREATE TEMP TABLE region_map (raw VARCHAR, code VARCHAR, bad VARCHAR)")
    if region_map or region_bad:
        con.executemany("INSERT INTO region_map VALUES (?, ?, ?)",
                        [(k, v, None) for k, v in sorted(region_map.items())]
                        + [(k, None, v) for k, v in sorted(region_bad.items())])

    # 2. rows with their problem (or none), months in the year as a 12-bit mask, county
    checked = []
    for number, ready in enumerate(prepared):
        has_region = "region" in ready.spec.columns
        needs_region = ready.spec.id in base_lists
        sets_here = [s for s in config.sets.values() if s.list_id == ready.spec.id]
        flags = ", ".join(f"s_{s.id}" for s in sets_here)
        region_join = ("LEFT JOIN region_map m ON m.raw = trim(coalesce(c.region_raw, ''))" if has_region else "")
        region_code = "m.code" if has_region else "NULL"
        region_bad_sql = "m.bad" if has_region and needs_region else "NULL"
        con.execute(f"""CREATE TEMP TABLE k{number} AS
            SELECT {number} AS list_no, __line AS line, reason AS id_reason,
                   {ID18_SQL} AS id18,
                   CASE WHEN reason = 'number' THEN substr(n, 1, 6) || '**********' ELSE {_mask_sql('n')} END AS masked,
                   trim(coalesce(name, '')) AS name, {region_code} AS region, {region_bad_sql} AS region_bad,
                   f, t {', ' + flags if flags else ''}
            FROM (SELECT *, {_month_sql('from_raw')} AS f, {_month_sql('to_raw')} AS t FROM c{number}) c {region_join}""")
        con.execute(f"DROP TABLE c{number}")
        checked.append(number)

    # row problems: the first that applies to a row
    problem_rows = []
    for number, ready in enumerate(prepared):
        spec = ready.spec
        id_header = spec.columns["id"]
        rows = con.execute(f"""
            SELECT line, masked,
                   coalesce(id_reason, region_bad, CASE WHEN f = -1 THEN 'from' WHEN t = -1 THEN 'to'
                            WHEN f IS NOT NULL AND t IS NOT NULL AND t < f THEN 'order' END) AS code
            FROM k{number}
            WHERE id_reason IS NOT NULL OR region_bad IS NOT NULL OR f = -1 OR t = -1 OR (t < f)
            ORDER BY line""").fetchall()
        for line, masked, code in rows:
            header = {"region": spec.columns.get("region"), "outside": spec.columns.get("region"),
                      "from": spec.columns.get("from"), "to": spec.columns.get("to"),
                      "order": spec.columns.get("to")}.get(code, id_header)
            source = ready.place(line, header)
            problem_rows.append(Problem(Source(source.file, source.line, source.cell, header),
                                        f"{ROW_PROBLEMS[code]}；身份证号 {masked}", "row"))
        problem_rows += ready.row_problems
    rows_read = {}
    rows_used = {}
    for number, ready in enumerate(prepared):
        read, used = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE id_reason IS NULL AND region_bad IS NULL
            AND coalesce(f, 0) <> -1 AND coalesce(t, 0) <> -1 AND NOT coalesce(t < f, FALSE)) FROM k{number}""").fetchall()[0]
        rows_read[ready.spec.id] = read + len(ready.row_problems)
        rows_used[ready.spec.id] = used

    # 3. set members: (set, person, county) → months, a person on a list twice counted once
    set_ids = list(config.sets)
    member_selects = []
    for number, ready in enumerate(prepared):
        for s in config.sets.values():
            if s.list_id != ready.spec.id:
                continue
            lo = f"greatest(coalesce(f, {y0}), {y0}) - {y0}"
            hi = f"least(coalesce(t, {y0 + 11}), {y0 + 11}) - {y0}"
            member_selects.append(f"""SELECT {set_ids.index(s.id)} AS set_no, id18, coalesce(region, '') AS region, line,
                   list_no, CASE WHEN {hi} < {lo} THEN 0 ELSE ((1 << ({hi} + 1)) - (1 << ({lo}))) END AS mask
                FROM k{number}
                WHERE s_{s.id} AND id_reason IS NULL AND region_bad IS NULL AND coalesce(f, 0) <> -1
                  AND coalesce(t, 0) <> -1 AND NOT coalesce(t < f, FALSE)""")
    if not member_selects:
        member_selects.append("SELECT 0 AS set_no, NULL::VARCHAR AS id18, '' AS region, 0::BIGINT AS line, "
                              "0 AS list_no, 0 AS mask")
    con.execute(f"""CREATE TEMP TABLE member0 AS
        SELECT set_no, id18, region, bit_or(mask)::INTEGER AS mask, min(line) AS line, min(list_no) AS list_no,
               count(*) AS n
        FROM ({" UNION ALL ".join(member_selects)}) GROUP BY set_no, id18, region""")
    # a month claimed by two counties (overlapping entries) goes to the lower code
    con.execute("""CREATE TEMP TABLE member AS
        SELECT set_no, id18, region, line, list_no, n,
               (mask & ~coalesce(bit_or(mask) OVER (PARTITION BY set_no, id18 ORDER BY region
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) & 4095 AS mask
        FROM member0""")
    con.execute("DROP TABLE member0")

    # notes: duplicates within a list, people in several counties
    notes: list[Problem] = []
    for number, ready in enumerate(prepared):
        dupes = con.execute(f"""
            SELECT line, masked, first_line FROM (
              SELECT line, masked, min(line) OVER (PARTITION BY id18) AS first_line,
                     count(*) OVER (PARTITION BY id18) AS n
              FROM k{number} WHERE id18 IS NOT NULL)
            WHERE n > 1 AND line <> first_line ORDER BY line""").fetchall()
        id_header = ready.spec.columns["id"]
        for line, masked, first_line in dupes:
            first = ready.place(first_line, id_header)
            notes.append(Problem(ready.place(line, id_header),
                                 f"{NOTES['duplicate']}（首次见于 {first.short}）；身份证号 {masked}",
                                 "note"))
    base_sets = sorted({set_ids.index(r.base) for r in config.groups.values()})
    moved = con.execute(f"""
        SELECT set_no, min(line) AS line, list_no, count(DISTINCT region) AS regions, {_mask_sql('min(id18)')}
        FROM member WHERE set_no IN ({", ".join(map(str, base_sets)) or "-1"}) AND mask <> 0
        GROUP BY set_no, id18, list_no HAVING count(DISTINCT region) > 1 ORDER BY list_no, line""").fetchall()
    for set_no, line, list_no, regions, masked in moved:
        ready = prepared[list_no]
        notes.append(Problem(ready.place(line, ready.spec.columns.get("region")),
                             f"{NOTES['moved']}（{regions} 个县区，集合 {set_ids[set_no]}）；身份证号 {masked}", "note"))

    # 4. per person, each set's months (any county)
    pivot = ", ".join(f"coalesce(bit_or(mask) FILTER (WHERE set_no = {i}), 0) AS s{i}" for i in range(len(set_ids)))
    con.execute(f"CREATE TEMP TABLE person AS SELECT id18, {pivot} FROM member GROUP BY id18")

    # 5. groups: base months ∧ (any of) ∧ (all of) ∧ ¬(none of)
    group_ids = list(config.groups)
    group_selects = []
    for g_no, rule in enumerate(config.groups.values()):
        terms = ["b.mask"]
        if rule.any_of:
            terms.append("(" + " | ".join(f"p.s{set_ids.index(s)}" for s in rule.any_of) + ")")
        terms += [f"p.s{set_ids.index(s)}" for s in rule.all_of]
        terms += [f"xor(p.s{set_ids.index(s)}, 4095)" for s in rule.none_of]
        group_selects.append(f"""SELECT {g_no} AS g, b.id18, b.region, ({" & ".join(terms)}) AS mask
            FROM member b JOIN person p USING (id18) WHERE b.set_no = {set_ids.index(rule.base)}""")
    con.execute(f"""CREATE TEMP TABLE gm0 AS SELECT g, id18, region, mask FROM ({" UNION ALL ".join(group_selects)})
                    WHERE mask <> 0""")
    # whole-year membership before priorities: ever in the group this year
    con.execute("""CREATE TEMP TABLE pg AS SELECT id18, g, bit_or(mask) AS mask FROM gm0 GROUP BY id18, g""")

    # 6. priorities: counted in the first group of a rule they fall in (year: ever; month: that month)
    con.execute("CREATE TEMP TABLE gm AS SELECT g, id18, region, mask, TRUE AS in_year FROM gm0")
    con.execute("DROP TABLE gm0")
    earlier: dict[int, list[int]] = {}
    for priority in config.priorities:
        order = [group_ids.index(g) for g in priority.groups]
        for i, g in enumerate(order):
            earlier.setdefault(g, []).extend(order[:i])
    for g, before in sorted(earlier.items()):
        if before:
            _narrow(con, g, f"SELECT id18, bit_or(mask) AS mask, TRUE AS in_year FROM pg WHERE g IN "
                            f"({', '.join(map(str, before))}) GROUP BY id18",
                    "gm.mask & xor(coalesce(o.mask, 0), 4095)", "gm.in_year AND o.id18 IS NULL")

    # 7. "of which" groups within their parents (policy: part_of, within), parents first
    def parents(group_id: str) -> list[str]:
        group = policy.groups[group_id]
        return [p for p in ([group.part_of] if group.part_of else []) + list(group.within) if p in config.groups]

    done: set[str] = set()

    def settle(group_id: str, stack: tuple[str, ...] = ()) -> None:
        if group_id in done or group_id in stack:
            return
        for parent in parents(group_id):
            settle(parent, stack + (group_id,))
        for parent in parents(group_id):
            _narrow(con, group_ids.index(group_id),
                    f"SELECT id18, bit_or(mask) AS mask, bool_or(in_year) AS in_year FROM gm WHERE g = {group_ids.index(parent)} "
                    "GROUP BY id18",
                    "gm.mask & coalesce(o.mask, 0)", "gm.in_year AND coalesce(o.in_year, FALSE)")
        done.add(group_id)

    for group_id in group_ids:
        settle(group_id)

    # 8. counts: a person once per group and year, in the county of their last month in it
    annual: dict[tuple[str, str], int] = {}
    for region, g, count in con.execute("""
            SELECT region, g, count(*) FROM (
              SELECT g, id18, arg_max(region, (CASE WHEN mask = 0 THEN -1 ELSE floor(log2(mask))::INTEGER END) * 1000000
                                              - CAST(region AS INTEGER)) AS region
              FROM gm WHERE in_year GROUP BY g, id18)
            GROUP BY region, g""").fetchall():
        annual[(region, group_ids[g])] = count
    months_sql = ", ".join(f"count(*) FILTER (WHERE mask & {1 << m} <> 0)" for m in range(12))
    monthly: dict[tuple[str, str], tuple[int, ...]] = {}
    for row in con.execute(f"SELECT region, g, {months_sql} FROM gm GROUP BY region, g").fetchall():
        monthly[(row[0], group_ids[row[1]])] = tuple(row[2:])

    persons: list[tuple[str, ...]] = []
    total = 0
    columns: tuple[str, ...] = ()
    if person_rows != "none":
        persons, columns, total = _persons(con, config, prepared, set_ids, group_ids, person_rows)

    monthly_groups, annual_groups = _units(policy, year, group_ids)
    return RosterResult(year, config, policy, prepared, rows_read, rows_used, annual, monthly, monthly_groups,
                        annual_groups, problem_rows + problems, notes, persons, columns, total)


def _narrow(con, g: int, other_sql: str, mask_sql: str, year_sql: str) -> None:
    """Group ``g``'s rows with their months and whole-year flag narrowed by another table of
    people (o: id18, mask, in_year): the table is rewritten (no correlated updates)."""
    con.execute(f"""CREATE TEMP TABLE gm_next AS
        SELECT gm.g, gm.id18, gm.region,
               CASE WHEN gm.g = {g} THEN {mask_sql} ELSE gm.mask END AS mask,
               CASE WHEN gm.g = {g} THEN {year_sql} ELSE gm.in_year END AS in_year
        FROM gm LEFT JOIN ({other_sql}) o ON o.id18 = gm.id18 AND gm.g = {g}""")
    con.execute("DROP TABLE gm")
    con.execute("ALTER TABLE gm_next RENAME TO gm")


def _units(policy: Policy, year: int, group_ids: list[str]) -> tuple[list[str], list[str]]:
    """Which groups are written month by month (a subsidy per person and month counts them) and
    which for the whole year (a subsidy per person and year, or a fund, counts them)."""
    monthly: dict[str, None] = {}
    annual: dict[str, None] = {}
    for subsidy in policy.subsidies.values():
        for term in subsidy.terms:
            (monthly if subsidy.unit == "month" else annual).setdefault(term.group)
    for fund in policy.funds.values():
        for factor in fund.factors:
            if factor.group:
                annual.setdefault(factor.group)
    return ([g for g in group_ids if g in monthly],
            [g for g in group_ids if g in annual or g not in monthly])


def _persons(con, config: RosterConfig, prepared: list[PreparedList], set_ids: list[str], group_ids: list[str],
             which: str) -> tuple[list[tuple[str, ...]], tuple[str, ...], int]:
    """Masked person rows: ID and name masked in the engine, never read out whole."""
    list_names = [p.spec.name for p in prepared]
    con.execute(f"""CREATE TEMP TABLE who AS
        SELECT id18, first(masked ORDER BY list_no, line) AS masked, first(name ORDER BY list_no, line) AS name,
               list(DISTINCT list_no ORDER BY list_no) AS lists, count(*) AS rows
        FROM ({" UNION ALL ".join(f"SELECT id18, masked, name, list_no, line FROM k{p}" for p in range(len(prepared)))})
        WHERE id18 IS NOT NULL GROUP BY id18""")
    con.execute("""CREATE TEMP TABLE pgroups AS
        SELECT id18, arg_max(region, mask) AS region,
               list(g ORDER BY g) FILTER (WHERE in_year) AS counted,
               list(g ORDER BY g) FILTER (WHERE NOT in_year) AS displaced,
               list(mask ORDER BY g) FILTER (WHERE in_year) AS masks,
               count(DISTINCT region) AS regions
        FROM gm GROUP BY id18""")
    flagged = "" if which == "all" else """WHERE len(w.lists) > 1 OR w.rows > len(w.lists) OR len(coalesce(displaced, [])) > 0
                                           OR regions > 1 OR coalesce(list_min(masks), 4095) < 4095"""
    total = con.execute(f"SELECT count(*) FROM pgroups JOIN who w USING (id18) {flagged}").fetchall()[0][0]
    rows = con.execute(f"""
        SELECT w.masked, CASE WHEN w.name = '' THEN '' ELSE left(w.name, 1) || repeat('*', length(w.name) - 1) END,
               region, counted, masks, displaced, w.lists, w.rows
        FROM pgroups JOIN who w USING (id18) {flagged}
        ORDER BY region, w.masked, id18 LIMIT {MAX_PERSON_ROWS}""").fetchall()
    out: list[tuple[str, ...]] = []
    for masked, name, region, counted, masks, displaced, lists, nrows in rows:
        groups = []
        for g, mask in zip(counted or [], masks or []):
            months = _months_text(mask)
            groups.append(group_ids[g] + (f"({months})" if months else ""))
        out.append((masked, name, region or "", "; ".join(groups),
                    "; ".join(group_ids[g] for g in (displaced or [])),
                    "; ".join(list_names[n] for n in lists), str(nrows)))
    columns: tuple[str, ...] = ("身份证号（脱敏）", "姓名（脱敏）", "地区代码", "计入类别（月份）", "因优先顺序未计入",
                                "所在名单", "记录行数")
    return out, columns, total


def _months_text(mask: int) -> str:
    if mask == 4095:
        return ""
    months = [m + 1 for m in range(12) if mask & (1 << m)]
    if months and months == list(range(months[0], months[-1] + 1)):
        return f"{months[0]}-{months[-1]}月" if len(months) > 1 else f"{months[0]}月"
    return ",".join(map(str, months)) + "月"


def headcount_rows(result: RosterResult) -> list[list[str]]:
    """The headcount file's rows: every county of the policy, every group of the rules, whole-year
    rows (distinct people at any time in the year) and month rows for monthly groups."""
    out = []
    for region in result.policy.counties():
        for group in result.config.groups:
            if group in result.annual_groups:
                out.append([str(result.year), region.code, region.name, group,
                            str(result.annual.get((region.code, group), 0)), ""])
            if group in result.monthly_groups:
                months = result.monthly.get((region.code, group), (0,) * 12)
                for m in range(12):
                    out.append([str(result.year), region.code, region.name, group, str(months[m]), str(m + 1)])
    return out


def check_result(result: RosterResult, file: str = "headcounts.csv") -> list[Problem]:
    """The headcounts as the plan will read them, checked by the plan's own rules (其中 within
    the parent, every needed group present): a failure here is a rule of the configuration that
    does not fit the policy, and nothing is written."""
    rows = [RawRow(dict(zip(("year", "region_code", "region_name", "group", "headcount", "month"), r)),
                   Source(file, i + 2)) for i, r in enumerate(headcount_rows(result))]
    _, problems = check_headcounts(rows, result.policy, file, [result.year])
    return errors(problems)



def roster_outputs(result: RosterResult, csv_format: CsvFormat = DEFAULT_FORMAT) -> dict[str, bytes]:
    """The files of the output folder, by name (bytes: the same inputs give the same bytes); the
    CSV files in ``csv_format``."""
    from . import __version__
    from .writers.roster_outputs import audit_text, headcounts_csv, problems_csv, roster_workbook

    year = result.year
    policy = result.policy
    samples = [n for p in result.lists for n in p.notes
               if any(w in n.upper() or w in n for w in ("SYNTHETIC", "虚构", "示例数据"))]
    left_out = sum(1 for p in result.row_problems if p.severity == "row")
    notes = list(dict.fromkeys(samples)) + [
        f"由 budget roster 从 {len(result.lists)} 份人员名单比对生成 "
        f"(made by budget roster from {len(result.lists)} person lists), "
        f"{year} 年; 未计入 {left_out} 行 (rows left out), 见 problems.csv",
        "无 month 的行：全年任一时间符合条件的人数（每人计一次）; month 1-12 的行：当月符合条件的人数",
    ]
    files: dict[str, bytes] = {}
    files[f"headcounts-{year}.csv"] = csv_format.encode(headcounts_csv(
        headcount_rows(result), notes, csv_format, {g.id: g.name for g in policy.groups.values()}))
    all_problems = result.row_problems + result.notes
    files["problems.csv"] = csv_format.encode(problems_csv(all_problems))

    groups = list(result.config.groups)
    counties = policy.counties()
    label = {g: policy.groups[g].short or g for g in groups}
    summary_header = ["地区代码", "地区名称"] + [f"{label[g]}\n{g}" for g in groups]
    summary: list[list[object]] = []
    for region in counties:
        summary.append([region.code, region.name] + [result.annual.get((region.code, g), 0) for g in groups])
    summary.append(["合计", ""] + [sum(result.annual.get((r.code, g), 0) for r in counties) for g in groups])
    monthly_header = ["地区代码", "地区名称", "人员类别"] + [f"{m}月" for m in range(1, 13)]
    monthly: list[list[object]] = []
    for region in counties:
        for g in result.monthly_groups:
            monthly.append([region.code, region.name, g] + list(result.monthly.get((region.code, g), (0,) * 12)))

    audit_header = ["名单 list", "文件 file", "SHA-256", "读取行 rows", "计入行 used", "未计入 left out", "编码/工作表 format"]
    audit_rows: list[list[object]] = []
    for p in result.lists:
        read = result.rows_read.get(p.spec.id, 0)
        used = result.rows_used.get(p.spec.id, 0)
        audit_rows.append([p.spec.name, _name(p.spec.path), p.sha256, read, used, read - used,
                           p.sheet if p.kind == "xlsx" else p.encoding])
    rules: list[list[str]] = []
    for rule in result.config.groups.values():
        text = f"{rule.base}"
        if rule.any_of:
            text += f" 且在其一 any of: {', '.join(rule.any_of)}"
        if rule.all_of:
            text += f" 且均在 all of: {', '.join(rule.all_of)}"
        if rule.none_of:
            text += f" 且不在 none of: {', '.join(rule.none_of)}"
        rules.append([rule.group, text, rule.ref + (f"（假设：{rule.assumption}）" if rule.assumption else "")])
    for priority in result.config.priorities:
        rules.append(["优先顺序 priority", " > ".join(priority.groups),
                      priority.ref + (f"（假设：{priority.assumption}）" if priority.assumption else "")])
    for s in result.config.sets.values():
        where = "; ".join(f"{c.column} ∈ {{{', '.join(c.values) or '(空)'}}}" for c in s.where)
        rules.append([f"集合 set {s.id}", f"{result.config.lists[s.list_id].name}" + (f": {where}" if where else ""), s.ref])
    shown = len(result.persons)
    persons_note = ""
    if result.persons_total > shown:
        persons_note = f"另有 {result.persons_total - shown} 人未列出（工作表行数上限）(more people not listed: sheet limit)"
    files[f"roster-{year}.xlsx"] = roster_workbook(
        year, f"{year}年人员台账比对结果", summary_header, summary, monthly_header, monthly, audit_rows, audit_header,
        rules, all_problems, result.person_columns, result.persons, persons_note)

    import duckdb

    audit = [f"budget roster {__version__} — 读取记录 audit log (不含个人信息 no personal data)",
             f"年度 year: {year}",
             f"比对配置 configuration: {_name(result.config.file)} sha256={make_input_file('roster', result.config.file).sha256}"]
    audit += [f"政策 policy: {_name(path)} sha256={make_input_file('policy', path).sha256}" for path in policy.files]
    for row in audit_rows:
        audit.append(f"名单 list: {row[0]} | 文件 {row[1]} | sha256={row[2]} | 读取 {row[3]} 行 | 计入 {row[4]} 行 | "
                     f"未计入 {row[5]} 行 | {row[6]}")
    audit.append(f"问题 problems: {left_out} 行未计入 (rows left out), {len(result.notes)} 条提示 (notes)")
    audit.append(f"人员明细 person rows (masked): {shown} of {result.persons_total}")
    audit.append(f"引擎 engine: DuckDB {duckdb.__version__}, memory limit {MEMORY_LIMIT}, "
                 "private spill folder removed at the end")
    audit.append("运行时间不记入本文件，以使相同输入得到相同输出 (no run time here: the same inputs give the same bytes)")
    files["audit.log"] = audit_text(audit).encode("utf-8")
    return files


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
