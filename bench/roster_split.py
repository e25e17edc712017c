"""Splitting by a hash of the ID: the 5 synthetic lists partitioned into K parts by
hash(ID) % K, each part matched by its own `budget roster` run, the parts' headcounts summed —
they must equal the whole run's. Prints the times (what K machines would each take).

    .venv/bin/python bench/roster_split.py [ROWS_PER_LIST] [K]     (default: 200000 4)
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roster as bench  # noqa: E402

LISTS = ("registry", "dibao", "disabled", "pension", "medical")


def counts(path: Path) -> Counter:
    rows = [r for r in open(path, encoding="utf-8-sig") if not r.startswith("#")]
    return Counter({(r["region_code"], r["group"], r["month"]): int(r["headcount"]) for r in csv.DictReader(rows)})


def run(folder: Path) -> tuple[float, Counter]:
    seconds, _, _ = bench.child([str(bench.ROOT / ".venv" / "bin" / "budget"), "roster", "--lists",
                                 str(folder / "roster.yaml"), "--year", "2018", "--out", str(folder / "out"),
                                 "--skip-bad-rows", "--person-rows", "none"])
    return seconds, counts(folder / "out" / "headcounts-2018.csv")


def main() -> None:
    import duckdb

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    parts = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "whole"
        whole.mkdir()
        bench.child([sys.executable, bench.__file__, "--generate", str(whole), str(rows)])
        whole_s, whole_counts = run(whole)
        start = time.perf_counter()
        con = duckdb.connect()
        for k in range(parts):
            part = Path(tmp) / f"part{k}"
            part.mkdir()
            (part / "roster.yaml").write_text(bench.CONFIG, encoding="utf-8")
        for name in LISTS:
            con.execute(f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('{whole / name}.csv', all_varchar = true)")
            first = con.execute("SELECT column_name FROM (DESCRIBE t) LIMIT 1").fetchall()[0][0]
            for k in range(parts):
                con.execute(f"""COPY (SELECT * FROM t WHERE hash("{first}") % {parts} = {k})
                                TO '{Path(tmp) / f'part{k}' / name}.csv' (HEADER true, QUOTE '')""")
        split_s = time.perf_counter() - start
        total: Counter = Counter()
        times = []
        for k in range(parts):
            seconds, part_counts = run(Path(tmp) / f"part{k}")
            times.append(seconds)
            total.update(part_counts)
        same = all(total[key] == value for key, value in whole_counts.items())
        print(f"| {rows:,} rows × 5, K = {parts} | whole: {whole_s:.1f} s | split: {split_s:.1f} s | parts: "
              f"{', '.join(f'{t:.1f}' for t in times)} s (slowest {max(times):.1f} s) | sum of parts = whole: {same} |")


if __name__ == "__main__":
    main()
