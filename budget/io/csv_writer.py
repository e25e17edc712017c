"""allocations.csv: one row per year, county, subsidy and payer; amounts in 元, two decimals."""

from __future__ import annotations

import csv
import io
from typing import Iterable

from ..core.engine import Allocation
from ..core.money import format_yuan

ALLOCATION_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount")


def allocations_csv(rows: Iterable[Allocation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALLOCATION_COLUMNS)
    for row in rows:
        writer.writerow([row.year, row.region_code, row.region_name, row.subsidy, row.payer,
                         row.headcount, format_yuan(row.amount)])
    return buffer.getvalue()
