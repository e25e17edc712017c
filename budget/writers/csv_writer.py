"""The CSV files: allocations.csv (and advances.csv), settlement.csv, transfers.csv; amounts in 元,
two decimals."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from ..core.lines import Allocation
from ..core.money import format_yuan
from ..core.results import SettlementResult

# A spreadsheet opens a cell starting with one of these as a formula: a region named
# =HYPERLINK("http://…"&A1,"秦都区") would run in the clerk's office suite. OWASP's rule: such a
# text cell gets a leading single quote. Only text fields pass through here: amounts are numbers
# and -100.00 must stay a number.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """``value`` as a CSV text cell no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


ALLOCATION_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount")


def allocations_csv(rows: Iterable[Allocation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALLOCATION_COLUMNS)
    for row in rows:
        writer.writerow([row.year, text_cell(row.region_code), text_cell(row.region_name), text_cell(row.subsidy),
                         text_cell(row.payer), row.headcount, format_yuan(row.amount)])
    return buffer.getvalue()


SETTLEMENT_COLUMNS = ("year", "region_code", "region_name", "subsidy", "payer", "planned", "actual", "difference")
TRANSFER_COLUMNS = ("year", "payer", "region_code", "region_name", "amount", "direction")


def settlement_csv(result: SettlementResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for ln in result.lines:
        writer.writerow([ln.year, text_cell(ln.region.code), text_cell(ln.region.name), text_cell(ln.subsidy.id),
                         text_cell(ln.payer),
                         format_yuan(ln.planned), format_yuan(ln.actual), format_yuan(ln.difference)])
    return buffer.getvalue()


def transfers_csv(result: SettlementResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRANSFER_COLUMNS)
    for t in result.transfers:
        writer.writerow([t.year, text_cell(t.payer), text_cell(t.region.code), text_cell(t.region.name),
                         format_yuan(t.amount), text_cell(t.direction)])
    return buffer.getvalue()


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str] = ()) -> str:
    """A plain table as CSV (the indicator export; the headcount files of roster and forecast,
    whose leading ``# note`` lines say where the figures come from)."""
    buffer = io.StringIO()
    for note in notes:
        buffer.write(f"# {note}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
