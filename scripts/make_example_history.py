"""Write the shipped SYNTHETIC example history for `budget forecast` (deterministic: fixed seed):
2015–2019 headcounts of Xianyang's 13 counties with a trend of −12 % to +8 % a year and ±5 % noise per
county and group, "其中" groups as shares of their parent. Invented figures, not statistics of any real
place. The same generator as tests/test_forecast.py's synthetic_history (seed 17).

Run: python scripts/make_example_history.py
"""

import csv
import random
import sys
from pathlib import Path

COUNTIES = [("610402", "秦都区"), ("610404", "渭城区"), ("610422", "三原县"), ("610423", "泾阳县"), ("610424", "乾县"),
            ("610425", "礼泉县"), ("610426", "永寿县"), ("610428", "长武县"), ("610429", "旬邑县"), ("610430", "淳化县"),
            ("610431", "武功县"), ("610481", "兴平市"), ("610482", "彬州市")]
GROUPS = ["poor_pension_contributors", "poor_pension_contributors_contiguous",
          "poor_pension_contributors_disabled", "disabled_pension_contributors", "pension_recipients",
          "medical_tekun", "medical_dibao", "medical_poor", "rural_registered_poor"]
YEARS = (2015, 2016, 2017, 2018, 2019)


def rows(seed: int = 17):
    rng = random.Random(seed)
    for code, name in COUNTIES:
        trend = {g: rng.uniform(-0.12, 0.08) for g in GROUPS}
        level = {g: rng.randint(800, 12000) for g in GROUPS}
        for i, year in enumerate(YEARS):
            n = {g: max(0, round(level[g] * (1 + trend[g]) ** i * rng.uniform(0.95, 1.05))) for g in GROUPS}
            n["poor_pension_contributors_contiguous"] = round(n["poor_pension_contributors"] * 0.04 * rng.uniform(0.8, 1.2))
            n["poor_pension_contributors_disabled"] = min(n["disabled_pension_contributors"],
                                                          round(n["poor_pension_contributors"] * 0.07))
            n["medical_poor"] = min(n["medical_poor"], n["rural_registered_poor"])
            yield from ((year, code, name, g, n[g]) for g in GROUPS)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parent.parent / "budget" / "configs" / "examples" / "xianyang-history-synthetic.csv")
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write("# SYNTHETIC EXAMPLE HISTORY — invented figures, not statistics of Xianyang (示例数据，虚构)\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "region_code", "region_name", "group", "headcount"])
        writer.writerows(rows())
    print(f"written: {out}")


if __name__ == "__main__":
    main()
