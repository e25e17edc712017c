"""What the 测算方案比较 appendix to the 测算说明 says (pure values): each scenario's changed values,
and per payer a table and a chart of the yearly totals, base beside each scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..core.display import PAYER_NAMES
from ..core.money import format_grouped
from ..core.policy import PAYERS, SCENARIO_MARK

COLOURS = ("#7F7F7F", "#4472C4", "#ED7D31", "#70AD47", "#FFC000", "#7030A0")  # base first

Key = tuple[int, str, str, str]  # year, county code, county name, payer


@dataclass
class PayerPart:
    name: str  # 省级, 市级, 县级, 各级合计
    rows: list[list[str]]  # year, base, each scenario, each scenario's difference
    years: list[str]
    series: list[tuple[str, str, list[int]]]  # name, colour, fen per year
    max_value: int


@dataclass
class CompareAppendix:
    title: str
    mark: str
    scenarios: list[tuple[str, str]]  # name, reason
    changes: list[Sequence[str]]  # scenario, reason, parameter, scope, from, to, old, new, clause, place
    names: list[str]
    parts: list[PayerPart]
    notes: list[str]


def _year_sum(totals: dict[Key, int], year: int, payer: str) -> int:
    """Fen of ``year`` for ``payer`` ('' = every payer)."""
    return sum(v for k, v in totals.items() if k[0] == year and (not payer or k[3] == payer))


def compare_appendix(years: list[int], names: list[str], reasons: list[str], totals: list[dict[Key, int]],
                     changes: Sequence[Sequence[str]], notes: list[str]) -> CompareAppendix:
    """``totals``: fen per year, county and payer of the base, then of each scenario."""
    parts = []
    for payer in [*PAYERS, ""]:
        per_year = [[_year_sum(t, y, payer) for y in years] for t in totals]
        rows = []
        for i, year in enumerate(years):
            base = per_year[0][i]
            rows.append([f"{year}年", format_grouped(base)] + [format_grouped(s[i]) for s in per_year[1:]]
                        + [format_grouped(s[i] - base) for s in per_year[1:]])
        series = [(name, COLOURS[n % len(COLOURS)], values)
                  for n, (name, values) in enumerate(zip(["基准", *names], per_year))]
        parts.append(PayerPart(PAYER_NAMES[payer] if payer else "各级合计", rows, [f"{y}年" for y in years], series,
                               max((max(v) for v in per_year if v), default=0)))
    return CompareAppendix("社会保险扶贫补助资金测算说明附录：测算方案比较", SCENARIO_MARK,
                           list(zip(names, reasons)), list(changes), names, parts, notes)
