"""Write a plan's output folder: every file staged, then all renamed at once."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .core.engine import allocations
from .explain import assumptions_text
from .io.atomic import staged
from .io.csv_writer import allocations_csv
from .io.workbook import UNITS, workbook_bytes
from .plan import PlanResult


def workbook_name(year: int) -> str:
    return f"budget-{year}.xlsx"


def write_plan_outputs(result: PlanResult, out: Path, unit: str = "元") -> list[str]:
    """allocations.csv, assumptions.txt and one workbook per year; returns the names written."""
    names = []
    with staged(out) as stage:
        stage.write_text("allocations.csv", allocations_csv(allocations(result.lines)))
        sources = [f"{f.role}: {f.path} sha256={f.sha256}" for f in result.files]
        stage.write_text("assumptions.txt", "\n".join(
            [f"budget {__version__}", *sources, "", assumptions_text(result.policy), ""]))
        names += ["allocations.csv", "assumptions.txt"]
        for year in result.years:
            stage.write_bytes(workbook_name(year), workbook_bytes(result, year, UNITS[unit]))
            names.append(workbook_name(year))
    return names
