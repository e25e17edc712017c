"""The CSV files: allocations.csv (and advances.csv), settlement.csv, transfers.csv; amounts in 元,
two decimals."""

from __future__ import annotations

import csv
import io
from typing import Iterable

from ..core.lines import Allocation
from ..core.money import format_yuan
from ..core.results import SettlementResult

ALLOCATION_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount")


def allocations_csv(rows: Iterable[Allocation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALLOCATION_COLUMNS)
    for row in rows:
        writer.writerow([row.year, row.region_code, row.region_name, row.subsidy, row.payer,
                         row.headcount, format_yuan(row.amount)])
    return buffer.getvalue()


SETTLEMENT_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "planned", "actual", "difference")
TRANSFER_COLUMNS = ("year", "payer", "region_code", "region_name", "amount", "direction")


def settlement_csv(result: SettlementResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for ln in result.lines:
        writer.writerow([ln.year, ln.region.code, ln.region.name, ln.subsidy.id, ln.payer,
                         format_yuan(ln.planned), format_yuan(ln.actual), format_yuan(ln.difference)])
    return buffer.getvalue()


def transfers_csv(result: SettlementResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRANSFER_COLUMNS)
    for t in result.transfers:
        writer.writerow([t.year, t.payer, t.region.code, t.region.name, format_yuan(t.amount), t.direction])
    return buffer.getvalue()


def rows_csv(header: list[str], rows: list[list[str]]) -> str:
    """A plain table as CSV (the indicator export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
