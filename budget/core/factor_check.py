"""Raw factor-data rows (year, county, factor, value) → exact values, every problem at once."""

from __future__ import annotations

import re
from fractions import Fraction

from .headcount_check import RawRow
from .policy import Policy
from .problems import Problem, Source

_DECIMAL = re.compile(r"^\d{1,15}(\.\d{1,12})?$")  # no exponents: 1e999999 would hang Fraction()
FactorValues = dict[tuple[int, str, str], Fraction]  # (year, county, factor) → value


def check_factors(rows: list[RawRow], policy: Policy) -> tuple[FactorValues, list[Problem]]:
    known = {f.data for fund in policy.funds.values() for f in fund.factors if f.data}
    values: FactorValues = {}
    first: dict[tuple[int, str, str], Source] = {}
    problems: list[Problem] = []
    for raw in rows:
        v = raw.values
        ok = True
        year = v.get("year", "").strip()
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            problems.append(Problem(raw.source("year"), f"year '{year}' must be a 4-digit year such as 2018"))
            ok = False
        code = v.get("region_code", "").strip()
        code = policy.regions.renamed[code].new_code if code in policy.regions.renamed else code
        region = policy.regions.get(code)
        if region is None or region.level != "county":
            problems.append(Problem(raw.source("region_code"), f"region code '{code}' is not a county in the region list"))
            ok = False
        factor = v.get("factor", "").strip()
        if factor not in known:
            problems.append(Problem(raw.source("factor"), f"unknown factor '{factor}' (the funds' data factors: "
                                                          f"{', '.join(sorted(known)) or 'none'})"))
            ok = False
        text = v.get("value", "").strip()
        plain = text.replace(",", "")
        value = Fraction(plain) if _DECIMAL.match(plain) else None
        if value is None or value < 0:
            problems.append(Problem(raw.source("value"), f"value '{text}' must be a number ≥ 0 (e.g. 87.5)"))
            ok = False
        if not ok:
            continue
        if value is None:
            continue
        key = (int(year), code, factor)
        if key in values:
            problems.append(Problem(raw.row, f"duplicate value for {year}, {code}, {factor} (first at {first[key]})"))
            continue
        values[key] = value
        first[key] = raw.row
    return values, problems
