"""allocations.csv: one row per year, county, subsidy and payer; amounts in 元, two decimals."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from ..core.engine import Allocation
from ..core.money import format_yuan
from .atomic import write_text

ALLOCATION_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount")


def allocations_csv(rows: Iterable[Allocation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALLOCATION_COLUMNS)
    for row in rows:
        writer.writerow([row.year, row.region_code, row.region_name, row.subsidy, row.payer,
                         row.headcount, format_yuan(row.amount)])
    return buffer.getvalue()


def write_allocations(path: Path, rows: Iterable[Allocation]) -> None:
    write_text(path, allocations_csv(rows))
