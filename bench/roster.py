"""Benchmark of `budget roster`: 5 synthetic lists of N rows each, matched into Xianyang's
headcounts, against the same joins written directly in DuckDB SQL (no ID checks, no problems,
no masking, no outputs). Each run is a separate process, so its peak RSS is its own.
Prints a markdown table.

    .venv/bin/python bench/roster.py [ROWS_PER_LIST ...]      (default: 200000 2000000)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COUNTIES = ["610402", "610404", "610422", "610423", "610424", "610425", "610426",
            "610428", "610429", "610430", "610431", "610481", "610482"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

CONFIG = """policy: xianyang-2017-303
lists:
  registry:
    name: 建档立卡
    file: registry.csv
    columns: {id: 身份证号码, name: 姓名, region: 县区代码}
    sets:
      registered_poor: {ref: x}
      registered_poor_unmarked: {where: {标注脱贫: [否]}, ref: x}
  dibao:
    name: 低保特困
    file: dibao.csv
    columns: {id: 身份证号, name: 姓名, region: 区县代码, from: 起始年月}
    sets:
      dibao: {where: {类别: [农村, 城市]}, ref: x}
      rural_dibao: {where: {类别: [农村]}, ref: x}
      tekun: {where: {类别: [特困]}, ref: x}
  disabled:
    name: 残疾人
    file: disabled.csv
    columns: {id: 公民身份号码, name: 姓名}
    sets:
      severely_disabled: {where: {残疾等级: [一级, 二级]}, ref: x}
  pension:
    name: 城乡居民养老保险
    file: pension.csv
    columns: {id: 身份证号, name: 姓名, region: 参保地区代码, from: 开始年月}
    sets:
      pension_contributors: {where: {参保状态: [缴费]}, ref: x}
      pension_recipients: {where: {参保状态: [领取待遇]}, ref: x}
      contiguous_subsidised: {where: {片区缴费补助: [是]}, ref: x}
  medical:
    name: 医保
    file: medical.csv
    columns: {id: 身份证号, name: 姓名, region: 参保地区代码}
    sets:
      medical_insured: {ref: x}
groups:
  poor_pension_contributors: {base: pension_contributors, any_of: [registered_poor_unmarked, dibao, tekun], ref: x}
  poor_pension_contributors_contiguous: {base: pension_contributors, any_of: [registered_poor_unmarked, dibao, tekun],
                                         all_of: [contiguous_subsidised], ref: x}
  poor_pension_contributors_disabled: {base: pension_contributors, any_of: [registered_poor_unmarked, dibao, tekun],
                                       all_of: [severely_disabled], ref: x}
  disabled_pension_contributors: {base: pension_contributors, all_of: [severely_disabled], ref: x}
  pension_recipients: {base: pension_recipients, ref: x}
  medical_tekun: {base: medical_insured, all_of: [tekun], ref: x}
  medical_dibao: {base: medical_insured, all_of: [rural_dibao], ref: x}
  medical_poor: {base: medical_insured, all_of: [registered_poor], ref: x}
  rural_registered_poor: {base: registered_poor, ref: x}
priority:
  - {groups: [poor_pension_contributors_disabled, poor_pension_contributors_contiguous], ref: x}
  - {groups: [medical_tekun, medical_dibao, medical_poor], ref: x}
"""


def generate(folder: Path, rows: int) -> None:
    """5 lists of ``rows`` rows over a population of 2 × rows people (so many are on several
    lists), valid IDs with a few bad ones, made by DuckDB (fast, deterministic)."""
    import duckdb

    (folder / "roster.yaml").write_text(CONFIG, encoding="utf-8")
    con = duckdb.connect()
    counties = "[" + ", ".join(f"'{c}'" for c in COUNTIES) + "]"
    checksum = " + ".join(f"(ascii(substr(id17, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(WEIGHTS))
    con.execute(f"""CREATE TABLE people AS
        SELECT p, {counties}[1 + p % 13] AS region,
               id17 || substr('10X98765432', (({checksum}) % 11)::INTEGER + 1, 1) AS id18, '张三' AS name
        FROM (SELECT p, {counties}[1 + p % 13] || strftime(DATE '1940-01-01' + (hash(p) % 20000)::INTEGER, '%Y%m%d')
                        || lpad((p // 20000 % 1000)::VARCHAR, 3, '0') AS id17 FROM range({2 * rows}) t(p))""")
    con.execute("CREATE TABLE people_u AS SELECT * FROM people QUALIFY row_number() OVER (PARTITION BY id18 ORDER BY p) = 1")

    def pick(salt: int) -> str:
        return f"(SELECT * FROM people_u ORDER BY hash(p + {salt}) LIMIT {rows})"

    lists = {
        "registry": ("身份证号码,姓名,县区代码,标注脱贫", "id18, name, region, CASE WHEN p % 5 = 0 THEN '是' ELSE '否' END", 1),
        "dibao": ("身份证号,姓名,区县代码,类别,起始年月",
                  "id18, name, region, ['农村', '城市', '特困'][1 + p % 3], CASE WHEN p % 4 = 0 THEN '2018-07' ELSE '' END", 2),
        "disabled": ("公民身份号码,姓名,残疾等级", "id18, name, ['一级', '二级', '三级', '四级'][1 + p % 4]", 3),
        "pension": ("身份证号,姓名,参保地区代码,参保状态,片区缴费补助,开始年月",
                    "id18, name, region, CASE WHEN p % 3 = 0 THEN '领取待遇' ELSE '缴费' END, "
                    "CASE WHEN p % 7 = 0 THEN '是' ELSE '否' END, CASE WHEN p % 6 = 0 THEN '2018-07' ELSE '' END", 4),
        "medical": ("身份证号,姓名,参保地区代码", "id18, name, region", 5),
    }
    for name, (header, select, salt) in lists.items():
        # one row in 10,000 with a wrong check digit: the run must report and skip it
        con.execute(f"""COPY (SELECT CASE WHEN p % 10000 = 7 THEN substr(id18, 1, 17) || 'Y' ELSE id18 END AS c0,
                                     * EXCLUDE (id18, p) FROM (SELECT p, {select} FROM {pick(salt)}))
                        TO '{folder / (name + '.csv')}' (HEADER false, DELIMITER ',', QUOTE '')""")
        body = (folder / (name + ".csv")).read_bytes()
        (folder / (name + ".csv")).write_bytes(header.encode() + b"\n" + body)
    con.close()


BASELINE = """
import duckdb, sys, time
folder = sys.argv[1]
con = duckdb.connect(config={"memory_limit": "1GB", "temp_directory": sys.argv[2]})
t = time.perf_counter()
for name in ("registry", "dibao", "disabled", "pension", "medical"):
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder}/{name}.csv', all_varchar=true)")
con.execute('''CREATE TABLE pc AS SELECT DISTINCT p."身份证号" AS id, p."参保地区代码" AS region, p."片区缴费补助" AS cont
    FROM pension p WHERE p."参保状态" = '缴费' ''')
con.execute('''CREATE TABLE poor AS SELECT "身份证号码" AS id FROM registry WHERE "标注脱贫" = '否'
    UNION SELECT "身份证号" FROM dibao''')
con.execute('''CREATE TABLE sev AS SELECT DISTINCT "公民身份号码" AS id FROM disabled WHERE "残疾等级" IN ('一级', '二级')''')
counts = con.execute('''
  SELECT region, 'ppc', count(DISTINCT id) FROM pc SEMI JOIN poor USING (id) GROUP BY ALL
  UNION ALL SELECT region, 'dis', count(DISTINCT id) FROM pc SEMI JOIN poor USING (id) SEMI JOIN sev USING (id) GROUP BY ALL
  UNION ALL SELECT region, 'cont', count(DISTINCT id) FROM pc SEMI JOIN poor USING (id) ANTI JOIN sev USING (id)
            WHERE cont = '是' GROUP BY ALL
  UNION ALL SELECT region, 'dpc', count(DISTINCT id) FROM pc SEMI JOIN sev USING (id) GROUP BY ALL
  UNION ALL SELECT "参保地区代码", 'rec', count(DISTINCT "身份证号") FROM pension WHERE "参保状态" = '领取待遇' GROUP BY ALL
  UNION ALL SELECT m."参保地区代码", CASE WHEN d."类别" = '特困' THEN 'tk' WHEN d."类别" = '农村' THEN 'db' ELSE 'mp' END,
            count(DISTINCT m."身份证号")
            FROM medical m LEFT JOIN (SELECT "身份证号", min("类别") AS "类别" FROM dibao GROUP BY 1) d USING ("身份证号")
            WHERE d."类别" IN ('特困', '农村') OR m."身份证号" IN (SELECT "身份证号码" FROM registry) GROUP BY ALL
  UNION ALL SELECT "县区代码", 'rrp', count(DISTINCT "身份证号码") FROM registry GROUP BY ALL''').fetchall()
print(len(counts), time.perf_counter() - t)
"""


def child(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of that child process alone (os.wait4), and its output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{stdout}\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        generate(Path(sys.argv[2]), int(sys.argv[3]))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [200_000, 2_000_000]
    table = [["rows per list × 5", "engine", "seconds", "peak RSS MB", "ours ÷ direct SQL"], ["---"] * 5]
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            # made in a child process: a child inherits its parent's peak RSS at fork, so the parent stays small
            made, _, _ = child([PY, __file__, "--generate", str(folder), str(rows)])
            spill = folder / "spill"
            spill.mkdir()
            base_s, base_mb, _ = child([PY, "-c", BASELINE, str(folder), str(spill)])
            ours_s, ours_mb, _ = child([str(ROOT / ".venv" / "bin" / "budget"), "roster", "--lists", str(folder / "roster.yaml"),
                                        "--year", "2018", "--out", str(folder / "out"), "--skip-bad-rows",
                                        "--person-rows", "none", "--memory-limit", "1GB"])
            table.append([f"{rows:,} (lists made in {made:.0f} s)", "DuckDB SQL written directly (joins only)",
                          f"{base_s:.1f}", f"{base_mb:.0f}", ""])
            table.append([f"{rows:,}", "budget roster (read, check IDs, match, mask, write)", f"{ours_s:.1f}",
                          f"{ours_mb:.0f}", f"{ours_s / base_s:.2f}×"])
            print(" | ".join(table[-1]), file=sys.stderr, flush=True)
    print("\n".join("| " + " | ".join(row) + " |" for row in table))


if __name__ == "__main__":
    main()
