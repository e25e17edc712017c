"""Write the shipped SYNTHETIC example headcounts for Xianyang (deterministic: fixed seed).

The figures are invented, of a plausible size for Xianyang's counties; they are not
statistics of any real place. Run: python scripts/make_example_headcounts.py
"""

import csv
import random
import sys
from pathlib import Path

COUNTIES = [
    ("610402", "秦都区", 0.6), ("610404", "渭城区", 0.5), ("610422", "三原县", 0.8),
    ("610423", "泾阳县", 0.9), ("610424", "乾县", 1.2), ("610425", "礼泉县", 1.0),
    ("610426", "永寿县", 1.1), ("610428", "长武县", 0.9), ("610429", "旬邑县", 1.1),
    ("610430", "淳化县", 1.0), ("610431", "武功县", 0.9), ("610481", "兴平市", 0.8),
    ("610482", "彬州市", 1.0),
]
YEARS = [2018, 2019, 2020, 2021]


def rows():
    rng = random.Random(2017_303)
    for year in YEARS:
        decline = 1 - 0.18 * (year - 2018)  # poverty falls each year; pensioners grow
        for code, name, weight in COUNTIES:
            poor = int(rng.randint(9000, 16000) * weight * decline)
            contiguous = int(poor * rng.uniform(0.05, 0.15)) if weight >= 1.0 else 0
            disabled_all = int(rng.randint(1400, 2600) * weight)
            disabled_poor = int(min(disabled_all, poor - contiguous) * rng.uniform(0.3, 0.6))
            recipients = int(rng.randint(38000, 62000) * weight * (1 + 0.03 * (year - 2018)))
            tekun = int(rng.randint(500, 1300) * weight)
            dibao = int(rng.randint(3000, 7000) * weight * decline)
            registered = int(rng.randint(14000, 26000) * weight * decline)
            medical_poor = int(registered * rng.uniform(0.7, 0.9))
            for group, count in [
                ("poor_pension_contributors", poor),
                ("poor_pension_contributors_contiguous", contiguous),
                ("poor_pension_contributors_disabled", disabled_poor),
                ("disabled_pension_contributors", disabled_all),
                ("pension_recipients", recipients),
                ("medical_tekun", tekun),
                ("medical_dibao", dibao),
                ("medical_poor", medical_poor),
                ("rural_registered_poor", registered),
            ]:
                yield year, code, name, group, count


def main(out: str) -> None:
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write("# SYNTHETIC EXAMPLE DATA — invented figures, not statistics of Xianyang (示例数据，虚构)\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "region_code", "region_name", "group", "headcount"])
        writer.writerows(rows())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent.parent /
                                                   "budget/configs/examples/xianyang-headcounts-synthetic.csv"))
