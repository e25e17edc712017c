"""Load on the web page: 20 clerks at once upload the shipped city file and open its preview.

Starts `budget serve` in a subprocess on a free port of 127.0.0.1, then each clerk (a thread
with its own cookies) repeats: open the page (CSRF token), upload the file and choose the year
(POST /plan), follow the redirect to the preview. Prints p50/p95/max latency of upload+preview,
errors (0 expected), the server's peak memory, and how long the PDF queue took to drain.

    .venv/bin/python bench/web.py [--clerks 20] [--rounds 3] [--year 2018]

A benchmark, not a test: the figures depend on the machine (this one: see the README).
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "budget" / "configs" / "examples" / "xianyang-headcounts-synthetic.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in MB, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


def clerk(base: str, data: bytes, year: str, rounds: int, latencies: list[float], errors: list[str],
          jobs: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=300) as client:
        for _ in range(rounds):
            try:
                page = client.get("/")
                token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
                start = time.perf_counter()
                posted = client.post("/plan", data={"csrf": token, "policy": "xianyang-2017-303", "documents": "example",
                                                    "unit": "元", "year": year},
                                     files={"headcounts": (EXAMPLE.name, data, "text/csv")})
                if posted.status_code != 303:
                    errors.append(f"POST /plan {posted.status_code}")
                    continue
                preview = client.get(posted.headers["location"])
                latencies.append(time.perf_counter() - start)
                if preview.status_code != 200 or "校验通过" not in preview.text:
                    errors.append(f"preview {preview.status_code}")
                jobs.append(posted.headers["location"])
            except Exception as exc:  # noqa: BLE001 — counted, the benchmark goes on
                errors.append(f"{type(exc).__name__}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--year", default="2018", help="the year to plan ('' for all four years of the file)")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "budget.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        idle = memory(server.pid)["VmRSS"]
        data = EXAMPLE.read_bytes()
        latencies: list[float] = []
        errors: list[str] = []
        jobs: list[str] = []
        threads = [threading.Thread(target=clerk, args=(base, data, args.year, args.rounds, latencies, errors, jobs))
                   for _ in range(args.clerks)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        after = memory(server.pid)
        drained = None
        if jobs:  # the PDFs render one after another in the pool: wait for the last one
            with httpx.Client(base_url=base, timeout=60) as client:
                while "正在生成公文" in client.get(jobs[-1]).text and time.perf_counter() - start < 1800:
                    time.sleep(1)
                drained = time.perf_counter() - start
        peak = memory(server.pid)["VmHWM"]
        ordered = sorted(latencies)
        p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)] if ordered else float("nan")
        print(f"{args.clerks} clerks × {args.rounds} uploads of {EXAMPLE.name} ({len(data):,} bytes), year "
              f"{args.year or 'all'}: {len(latencies)} previews in {wall:.1f} s")
        if ordered:
            print(f"upload+preview latency: p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, "
                  f"max {ordered[-1]:.2f} s")
        print(f"errors: {len(errors)}" + (f" ({'; '.join(sorted(set(errors))[:5])})" if errors else ""))
        print(f"server memory: idle {idle} MB, after the uploads {after['VmRSS']} MB, peak {peak} MB")
        if drained is not None:
            print(f"PDF queue drained {drained:.0f} s after the start (one rendering thread)")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
