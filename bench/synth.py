"""Synthetic inputs at any scale: regions, a root policy, one policy file per city (each with
its own local split and local medical parameters), and headcounts. All invented."""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVINCE_PREFIXES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
GROUPS = ["poor_pension_contributors", "poor_pension_contributors_contiguous",
          "poor_pension_contributors_disabled", "disabled_pension_contributors", "pension_recipients",
          "medical_tekun", "medical_dibao", "medical_poor", "rural_registered_poor"]


def layout(provinces: int, cities: int, counties: int) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Codes: [(province, [(city, [county, …]), …]), …], cities and counties spread evenly."""
    out = []
    city_index = county_index = 0
    for p in range(provinces):
        prefix = PROVINCE_PREFIXES[p]
        n_cities = cities // provinces + (1 if p < cities % provinces else 0)
        city_list = []
        for c in range(n_cities):
            n_counties = counties // cities + (1 if city_index < counties % cities else 0)
            city_code = f"{prefix}{c + 1:02d}00"
            city_list.append((city_code, [f"{prefix}{c + 1:02d}{k + 1:02d}" for k in range(n_counties)]))
            city_index += 1
            county_index += n_counties
        out.append((f"{prefix}0000", city_list))
    return out


def write(folder: Path, provinces: int, cities: int, counties: int, years: list[int], seed: int = 7) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tree = layout(provinces, cities, counties)
    lines = ["# SYNTHETIC regions for benchmarks", "regions:"]
    for province, city_list in tree:
        lines += [f'  - {{code: "{province}", name: 省{province[:2]}, level: province, children: [']
        for city, county_list in city_list:
            children = ", ".join(f'{{code: "{k}", name: 县{k}}}' for k in county_list)
            lines.append(f'      {{code: "{city}", name: 市{city[:4]}, level: city, children: [{children}]}},')
        lines.append("    ]}")
    (folder / "regions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    root = (ROOT / "budget" / "configs" / "shaanxi-2017-60.yaml").read_text("utf-8")
    root = root.replace("file: regions/shaanxi.yaml", "file: regions.yaml")
    (folder / "root.yaml").write_text(root, encoding="utf-8")
    policies = []
    for _province, city_list in tree:
        for city, _ in city_list:
            city_share = rng.choice([20, 25, 30, 40])
            text = f"""\
extends: root.yaml
document: {{number: 合成〔2018〕{city}号, title: 合成, issuers: [市{city}], date: 2018-01-01}}
regions: {{scope: "{city}"}}
subsidies:
  pension_contribution:
    pools:
      local: [{{from: 2018-01, split: {{city: {city_share}%, county: {100 - city_share}%}}, ref: 合成}}]
  basic_pension_increase:
    pools:
      local: [{{from: 2018-01, split: {{city: {city_share}%, county: {100 - city_share}%}}, ref: 合成}}]
  medical_contribution_subsidy:
    rate:
      medical_tekun: [{{from: 2018-01, value: 220, ref: 合成}}]
      medical_dibao: [{{from: 2018-01, value: {rng.choice([80, 110, 150])}, ref: 合成}}]
      medical_poor: [{{from: 2018-01, value: {rng.choice([80, 110, 150])}, ref: 合成}}]
    shares: [{{from: 2018-01, split: {{city: {city_share}%, county: {100 - city_share}%}}, ref: 合成}}]
"""
            path = folder / f"city-{city}.yaml"
            path.write_text(text, encoding="utf-8")
            policies.append(str(path))
    rows = ["year,region_code,group,headcount"]
    for year in years:
        for _province, city_list in tree:
            for _city, county_list in city_list:
                for county in county_list:
                    poor = rng.randint(2000, 30000)
                    contiguous = rng.randint(0, poor // 10)
                    disabled_all = rng.randint(500, 3000)
                    disabled = rng.randint(0, min(disabled_all, poor - contiguous) // 2)
                    medical_poor = rng.randint(3000, 30000)  # 建档立卡 insured: within rural_registered_poor
                    values = [poor, contiguous, disabled, disabled_all, rng.randint(20000, 90000),
                              rng.randint(200, 2000), rng.randint(1000, 9000), medical_poor,
                              rng.randint(medical_poor, medical_poor + 20000)]
                    rows += [f"{year},{county},{g},{v}" for g, v in zip(GROUPS, values)]
    (folder / "headcounts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {"policies": policies, "headcounts": str(folder / "headcounts.csv"),
            "counties": sum(len(k) for _, c in tree for _, k in c)}
