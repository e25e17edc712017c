"""Raw factor-data rows (year, county, factor, value) → exact values, every problem at once."""

from __future__ import annotations

import re
from fractions import Fraction

from .headcount_check import RawRow
from .language import said
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
            problems.append(Problem(raw.source("year"), said("年度 '{year}' 应为 4 位年份，如 2018",
                                                             "year '{year}' must be a 4-digit year such as 2018", year=year)))
            ok = False
        code = v.get("region_code", "").strip()
        code = policy.regions.renamed[code].new_code if code in policy.regions.renamed else code
        region = policy.regions.get(code)
        if region is None or region.level != "county":
            problems.append(Problem(raw.source("region_code"), said("地区代码 '{code}' 不是区划列表中的县（市、区）",
                                                                    "region code '{code}' is not a county in the region list",
                                                                    code=code)))
            ok = False
        factor = v.get("factor", "").strip()
        if factor not in known:
            problems.append(Problem(raw.source("factor"), said("未知的因素 '{factor}'（各项资金的数据因素：{known}）",
                                                               "unknown factor '{factor}' (the funds' data factors: {known_en})",
                                                               factor=factor, known=", ".join(sorted(known)) or "无",
                                                               known_en=", ".join(sorted(known)) or "none")))
            ok = False
        text = v.get("value", "").strip()
        plain = text.replace(",", "")
        value = Fraction(plain) if _DECIMAL.match(plain) else None
        if value is None or value < 0:
            problems.append(Problem(raw.source("value"), said("数值 '{text}' 应为不小于 0 的数（如 87.5）",
                                                              "value '{text}' must be a number ≥ 0 (e.g. 87.5)", text=text)))
            ok = False
        if not ok:
            continue
        if value is None:
            continue
        key = (int(year), code, factor)
        if key in values:
            problems.append(Problem(raw.row, said("{year} 年 {code} 的因素 {factor} 重复给值（首次见于 {first}）",
                                                  "duplicate value for {year}, {code}, {factor} (first at {first})",
                                                  year=year, code=code, factor=factor, first=str(first[key]))))
            continue
        values[key] = value
        first[key] = raw.row
    return values, problems
