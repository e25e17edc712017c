"""Benchmarks, printed as markdown tables:

1. the synthetic country (bench/synth.py: 31 provinces, 333 cities, 2,850 counties, 2018) planned
   by ``budget plan`` as a whole process — ``--no-pdf --no-workbook`` and ``--no-pdf`` — beside
   the OpenFisca peer (bench/peer_openfisca.py: the same rules in float32), run in turns, medians
   of several runs: wall time, peak RSS, and the amounts that differ from ours to the fen;
2. the city end to end: the shipped Xianyang example planned for one year with both PDFs;
   both also with nothing kept from earlier runs (an empty ~/.cache/budget for each run: the
   policies read, fonts' character maps and compiled templates made again);
3. the scaling curve: 100, 1,000, 2,850 and 10,000 counties, --no-pdf --no-workbook;
4. with ``--stages``: wall time and peak memory per stage at city, province and country scale,
   against the limits — NumPy int64 computing the same amounts, xlsxwriter writing the same
   cells directly, WeasyPrint rendering the same HTML directly.

    make bench            (or: .venv/bin/python bench/run.py [--runs N] [--quick] [--stages])

Benchmarks, not tests: nothing here fails on a slow machine. Whole-process figures are medians
of paired runs; on a shared machine they move by ±30 % from one minute to the next.
"""

from __future__ import annotations

import gc
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

from budget.core.display import UNITS  # noqa: E402
from budget.core.document_settings import default_settings  # noqa: E402
from budget.core.lines import allocations  # noqa: E402
from budget.core.results import PlanResult  # noqa: E402
from budget.documents import notice  # noqa: E402
from budget.plan import compute_plan as plan  # noqa: E402
from budget.plan import load_inputs
from budget.readers.input_files import input_files  # noqa: E402
from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY, TEMPLATES  # noqa: E402
from budget.writers.csv_writer import allocations_csv  # noqa: E402
from budget.writers.fonts import choose_fonts  # noqa: E402
from budget.writers.pdf import font_css, render_html, render_pdf  # noqa: E402
from budget.writers.workbook import workbook_bytes  # noqa: E402


def timed(fn, repeat: int = 1):
    best, value = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def numpy_arrays(inputs):
    """Headcounts as int64 arrays (county × term) per year and subsidy — built once, untimed."""
    import numpy as np

    policy, counties = inputs.policy, inputs.policy.counties()
    arrays = []
    for year in inputs.years:
        for subsidy in policy.subsidies.values():
            counts = np.array([[inputs.headcounts.get(year, r.code, t.group) or 0 for t in subsidy.terms]
                               for r in counties], dtype=np.int64)
            signs = np.array([t.sign for t in subsidy.terms], dtype=np.int64)
            arrays.append((counts, signs, 5000 if subsidy.unit == "year" else 500 * 12))
    return arrays


def numpy_compute(arrays) -> None:
    """The same amounts with NumPy int64 — the arithmetic alone: a lower bound."""
    import numpy as np

    for counts, signs, rate in arrays:
        total = (counts @ signs) * rate
        province = total // 2
        city = total * 125 // 1000
        county = total - province - city
        np.stack([province, city, county])


def cells_of(data: bytes) -> list[tuple[str, list[tuple[int, int, object]]]]:
    """Every cell our workbook holds (formulas as formulas), to write again directly."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [(ws.title, [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows() for c in row
                        if c.value is not None]) for ws in book.worksheets]


def xlsxwriter_raw(sheets: list[tuple[str, list[tuple[int, int, object]]]]) -> None:
    """The same cells written straight with xlsxwriter: one format, no layout work."""
    import xlsxwriter

    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    money = book.add_format({"num_format": "#,##0.00", "border": 1})
    for title, cells in sheets:
        ws = book.add_worksheet(title)
        for r, c, value in cells:
            if isinstance(value, str) and value.startswith("="):
                ws.write_formula(r, c, value, money, 0)
            elif isinstance(value, str):
                ws.write_string(r, c, value, money)
            else:
                ws.write_number(r, c, value, money)
    book.close()


def weasyprint_raw(html: str, fonts) -> int:
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=str(TEMPLATES)).render(
        stylesheets=[CSS(string=font_css(fonts)), CSS(filename=str(TEMPLATES / "gongwen.css"))])
    document.write_pdf()
    return len(document.pages)


def run_scale(name: str, policies: list[str], headcounts: str, years: list[int], pdf: bool,
              repeat: int = 5) -> list[list[str]]:
    """This machine's timings vary by ±30 % from run to run: every figure is the best of
    ``repeat`` runs, ours and the limit's alike."""
    rows = []
    t_load, inputs = timed(lambda: load_inputs(policies, headcounts, years))
    mem_load = peak_mb(lambda: load_inputs(policies, headcounts, years))
    t_compute, lines = timed(lambda: plan(inputs), repeat=repeat)
    mem_compute = peak_mb(lambda: plan(inputs))
    arrays = numpy_arrays(inputs)
    t_numpy, _ = timed(lambda: numpy_compute(arrays), repeat=repeat)
    result = PlanResult(inputs.policy, lines, inputs.years, input_files(inputs.policy, headcounts))
    t_csv, _ = timed(lambda: allocations_csv(allocations(lines)))
    t_book, books = timed(lambda: [workbook_bytes(result, y, UNITS["元"]) for y in years], repeat=repeat)
    subsidy_sheets = len(inputs.policy.subsidies)
    same_cells = [cells_of(b) for b in books]
    n_cells = sum(len(c) for book in same_cells for _, c in book)
    t_book_raw, _ = timed(lambda: [xlsxwriter_raw(cells) for cells in same_cells], repeat=repeat)
    rows.append([name, "load (read + check)", f"{t_load:.3f}", f"{mem_load:.1f}", "", ""])
    rows.append([name, f"compute ({len(lines):,} lines)", f"{t_compute:.3f}", f"{mem_compute:.1f}",
                 f"NumPy int64 {t_numpy:.3f}", f"{t_compute / t_numpy:.1f}×"])
    rows.append([name, "allocations.csv", f"{t_csv:.3f}", "", "", ""])
    rows.append([name, f"workbook ({len(years)} × {subsidy_sheets + 6} sheets, {n_cells:,} cells)", f"{t_book:.3f}", "",
                 f"raw xlsxwriter {t_book_raw:.3f}", f"{t_book / t_book_raw:.2f}×"])
    total = t_load + t_compute + t_csv + t_book
    if pdf:
        fonts = choose_fonts()
        settings = default_settings(inputs.policy, years[0])
        html = render_html("notice.html", n=notice(result, years[0], settings))
        # both warm (the first render in a process loads Pango's fonts), best of two
        notice_html = render_html("notice.html", n=notice(result, years[0], settings))
        t_pdf, rendered = timed(lambda: render_pdf(notice_html), repeat=repeat)
        t_raw, pages = timed(lambda: weasyprint_raw(html, fonts), repeat=repeat)
        rows.append([name, f"notice PDF ({rendered.pages} pages)", f"{t_pdf:.3f}", "",
                     f"raw WeasyPrint {t_raw:.3f} ({t_raw / pages:.3f} s/page)",
                     f"{(t_pdf / rendered.pages) / (t_raw / pages):.2f}× per page"])
        total += t_pdf
    rows.append([name, "**end to end**", f"**{total:.3f}**", "", "", ""])
    return rows


BIN = Path(sys.executable).parent
PEER = Path(__file__).resolve().parent / "peer_openfisca.py"


# Started from this small process, not from the bench: Linux keeps a process's peak RSS across
# exec, so a command forked from the bench (which holds a synthetic country) would report the
# bench's memory as its own. The launcher (~10 MiB) times the command and reports its peak.
# A first argument "--cold" runs the command with an empty cache folder of its own (nothing kept
# from earlier runs: policies read, fonts' character maps, compiled templates).
LAUNCHER = """import os, shutil, subprocess, sys, tempfile, time
args, env, cold = sys.argv[1:], dict(os.environ), None
if args[0] == "--cold":
    args, cold = args[1:], tempfile.mkdtemp()
    env["XDG_CACHE_HOME"] = cold
start = time.perf_counter()
process = subprocess.Popen(args, stdout=subprocess.DEVNULL, env=env)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, status)
if cold:
    shutil.rmtree(cold)
"""


def run_process(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one whole process."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True)
    wall, rss, status = done.stdout.decode().split()
    if done.returncode != 0 or int(status) != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    return float(wall), int(rss) / 1024


def plan_args(country: dict, out: Path, *options: str) -> list[str]:
    policies = [a for p in country["policies"] for a in ("--policy", p)]
    return [str(BIN / "budget"), "plan", "--year", "2018", "--headcounts", country["headcounts"], *policies,
            "--out", str(out), *options]


def amounts(path: Path) -> dict[tuple[str, ...], Decimal]:
    import csv

    with open(path, encoding="utf-8-sig") as handle:  # our CSVs carry a BOM for Excel
        return {(r["year"], r["region_code"], r["subsidy"], r["payer"]): Decimal(r["amount"])
                for r in csv.DictReader(handle)}


def paired(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall time and median peak RSS of each command, run in turns ``runs`` times."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            results[name].append(run_process(args))
    return {name: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r)) for name, r in results.items()}


def country_table(folder: Path, runs: int) -> list[str]:
    country = synth.write(folder / "country", 31, 333, 2850, [2018])
    out = folder / "out"
    commands = {
        "budget plan --no-pdf --no-workbook": plan_args(country, out / "a", "--no-pdf", "--no-workbook"),
        "the same, nothing kept from earlier runs (an empty cache)": ["--cold", *plan_args(country, out / "c", "--no-pdf",
                                                                                          "--no-workbook")],
        "budget plan --no-pdf (with the workbook)": plan_args(country, out / "b", "--no-pdf"),
        "OpenFisca peer (openfisca-core, float32)": [sys.executable, str(PEER), str(folder / "country"),
                                                     str(out / "peer.csv")],
    }
    try:
        import openfisca_core  # noqa: F401
    except ImportError:  # the documented stand-in: the same float32 arithmetic in bare NumPy
        os.environ["PEER_NUMPY"] = "1"
        commands["NumPy float32 stand-in (openfisca-core not installed)"] = commands.pop(
            "OpenFisca peer (openfisca-core, float32)")
    timings = paired(commands, runs)
    peer_name = list(commands)[-1]
    ours = amounts(out / "a" / "allocations.csv")
    assert ours == amounts(out / "b" / "allocations.csv") == amounts(out / "c" / "allocations.csv")
    theirs = amounts(out / "peer.csv")
    peer_wall, peer_rss = timings[peer_name]
    rows = [f"country: {country['counties']:,} counties, 333 cities, 31 provinces, 2018 — whole processes, "
            f"medians of {runs} runs in turns",
            "", "| program | wall s | ÷ peer | peak RSS MiB | ÷ peer | wrong amounts |", "|---|---|---|---|---|---|"]
    for name, (wall, rss) in timings.items():
        if name == peer_name:
            wrong = sum(1 for k, v in ours.items() if theirs.get(k) != v)
        else:
            wrong = 0  # ours: exact by construction (tests/test_engine.py compares with the Fraction reference)
        rows.append(f"| {name} | {wall:.2f} | {wall / peer_wall:.2f}× | {rss:.0f} | {rss / peer_rss:.2f}× | "
                    f"{wrong:,} / {len(ours):,} |")
    return rows


def city_table(runs: int) -> list[str]:
    with tempfile.TemporaryDirectory(dir=RUNS_FOLDER) as tmp:
        city = [str(BIN / "budget"), "plan", "--year", "2018", "--out", str(Path(tmp) / "city")]
        commands = {"budget plan --year 2018 (notice and explanation PDFs, workbook)": city,
                    "the same, nothing kept from earlier runs (an empty cache)": ["--cold", *city]}
        timings = paired(commands, runs)
    rows = ["", f"city end to end: the shipped Xianyang example (13 counties), medians of {runs} runs", "",
            "| command | wall s | target | peak RSS MiB |", "|---|---|---|---|"]
    for name, (wall, rss) in timings.items():
        rows.append(f"| {name} | {wall:.2f} | ≤ 1.5 | {rss:.0f} |")
    return rows


def scaling_table(folder: Path, runs: int) -> list[str]:
    rows = ["", f"scaling: budget plan --no-pdf --no-workbook, medians of {runs} runs (start-up included); linear "
            "when the ms per county of each step stay about the same", "",
            "| counties | cities | wall s | ms per county above the 100-county run | ms per county, this step | "
            "peak RSS MiB |", "|---|---|---|---|---|---|"]
    base = previous = None
    for counties in (100, 1000, 2850, 10000):
        cities = max(1, round(counties * 333 / 2850))
        scale = synth.write(folder / f"scale-{counties}", min(31, cities), cities, counties, [2018])
        wall, rss = paired({"plan": plan_args(scale, folder / f"out-{counties}", "--no-pdf", "--no-workbook")},
                           runs)["plan"]
        marginal = "" if base is None else f"{(wall - base[1]) / (counties - base[0]) * 1000:.3f}"
        step = "" if previous is None else f"{(wall - previous[1]) / (counties - previous[0]) * 1000:.3f}"
        base = base or (counties, wall)
        previous = (counties, wall)
        rows.append(f"| {counties:,} | {cities:,} | {wall:.2f} | {marginal} | {step} | {rss:.0f} |")
    return rows


# Where the runs write: beside the repository, where a bureau would keep its plan folders, not
# in /tmp — on this machine, at times, a new file in /tmp took ~0.7 ms against ~25 µs elsewhere
# on the same disk, which adds ~0.24 s to the 340 files of a country's plan folder and nothing to
# the peer's one file (both costs are printed). BENCH_FOLDER chooses another place.
RUNS_FOLDER = Path(os.environ.get("BENCH_FOLDER") or Path(__file__).resolve().parent / ".runs")


def creation_ms(folder: Path, files: int = 200) -> float:
    """Milliseconds to create a small file in ``folder`` (what a plan folder's copies cost)."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        start = time.perf_counter()
        for i in range(files):
            (Path(tmp) / f"f{i}").write_bytes(b"x" * 700)
        return (time.perf_counter() - start) * 1000 / files


def main() -> None:
    quick = "--quick" in sys.argv
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else (3 if quick else 5)
    # an installed wheel has its bytecode compiled by pip; an editable install under
    # PYTHONDONTWRITEBYTECODE compiles every module on every start (~0.15 s here): compile once
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "budget")],
                   check=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start "
          "(a shared machine: other work moves these figures)")
    RUNS_FOLDER.mkdir(parents=True, exist_ok=True)
    print(f"runs written in {RUNS_FOLDER}: a new file there takes {creation_ms(RUNS_FOLDER):.3f} ms "
          f"(in {tempfile.gettempdir()}: {creation_ms(Path(tempfile.gettempdir())):.3f} ms)\n")
    with tempfile.TemporaryDirectory(dir=RUNS_FOLDER) as tmp:
        print("\n".join(country_table(Path(tmp), runs)))
        print("\n".join(city_table(runs)))
        if not quick:
            print("\n".join(scaling_table(Path(tmp), runs)))
    if "--stages" in sys.argv:
        stages(quick)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def stages(quick: bool) -> None:
    out = [["scale", "stage", "seconds", "peak MB (tracemalloc)", "limit", "ours ÷ limit"],
           ["---"] * 6]
    out += run_scale("city: Xianyang, 13 counties, 1 year", [str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018], True)
    with tempfile.TemporaryDirectory() as tmp:
        province = synth.write(Path(tmp) / "province", 1, 11, 107, [2018])
        out += run_scale(f"province: {province['counties']} counties, 11 cities", province["policies"],
                         province["headcounts"], [2018], True, repeat=3)
        if not quick:
            country = synth.write(Path(tmp) / "country", 31, 333, 2850, [2018, 2019, 2020])
            out += run_scale(f"country: {country['counties']:,} counties, 333 cities, 3 years", country["policies"],
                             country["headcounts"], [2018, 2019, 2020], False, repeat=2)
    import resource
    print()
    print("\n".join("| " + " | ".join(row) + " |" for row in out))
    print(f"\npeak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
