"""Year-end settlement (清算): what was budgeted or advanced against what is due on actuals.

多退少补: for every county, subsidy and payer the difference actual − planned is topped up
(补拨, > 0) or clawed back (收回, < 0). The province and the city settle with each county by
transfers; a county's own difference stays in its own budget.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from .engine import Line
from .money import round_lines
from .policy import PAYERS, Subsidy
from .regions import Region


@dataclass(frozen=True)
class PlannedAmounts:
    """The amount per payer a line was budgeted (预算数) or advanced (预拨数)."""

    line: Line
    amounts: tuple[tuple[str, int], ...]


def advance(lines: Sequence[Line], rate: Fraction, quantum: int = 1,
            handed: Sequence[str] = PAYERS) -> list[PlannedAmounts]:
    """预拨 (提前下达): ``rate`` of each amount the ``handed`` payers hand down — payer by payer,
    rounded half-up once to the allocation unit, table by table as the budget itself
    (:func:`money.round_lines`), so equal shares get equal advances. A lower level's own share
    is advanced by nobody: it stays the budgeted amount (应安排)."""
    if not 0 < rate <= 1:
        raise ValueError("the advance rate must be more than 0 and at most 100%")
    tables: dict[tuple[int, str], list[int]] = {}
    for index, line in enumerate(lines):
        tables.setdefault((line.year, line.subsidy.id), []).append(index)
    advanced: dict[tuple[int, str], int] = {}  # (line index, payer) → advance
    for indices in tables.values():
        for payer in handed:
            shares = [dict(lines[i].amounts).get(payer) for i in indices]
            if all(s is None for s in shares):
                continue
            rounded = round_lines([Fraction(s or 0) * rate for s in shares], quantum)
            for i, share, amount in zip(indices, shares, rounded):
                if share is not None:
                    advanced[(i, payer)] = amount
    return [PlannedAmounts(line, tuple((p, advanced.get((i, p), a) if p in handed else a) for p, a in line.amounts))
            for i, line in enumerate(lines)]


def budgeted(lines: Iterable[Line]) -> list[PlannedAmounts]:
    return [PlannedAmounts(line, line.amounts) for line in lines]


@dataclass(frozen=True)
class SettlementLine:
    year: int
    region: Region
    subsidy: Subsidy
    payer: str
    planned: int  # fen
    actual: int  # fen

    @property
    def difference(self) -> int:
        return self.actual - self.planned

    @property
    def direction(self) -> str:
        return "补拨" if self.difference > 0 else "收回" if self.difference < 0 else "持平"


def settle(planned: Iterable[PlannedAmounts], actual: Iterable[Line]) -> list[SettlementLine]:
    """One line per year, county, subsidy and payer found in either the plan or the actuals
    (a payer with no line on one side counts 0 there), in year, county, subsidy, payer order."""
    Key = tuple[int, str, str, str]  # year, county, subsidy, payer
    plan: dict[Key, int] = {}
    keys: dict[Key, tuple[Region, Subsidy]] = {}
    for item in planned:
        for payer, amount in item.amounts:
            key = (item.line.year, item.line.region.code, item.line.subsidy.id, payer)
            plan[key] = amount
            keys[key] = (item.line.region, item.line.subsidy)
    due: dict[Key, int] = {}
    order: dict[str, int] = {}
    for line in actual:
        order.setdefault(line.subsidy.id, len(order))
        for payer, amount in line.amounts:
            key = (line.year, line.region.code, line.subsidy.id, payer)
            due[key] = amount
            keys[key] = (line.region, line.subsidy)
    for _, _, sid, _ in keys:
        order.setdefault(sid, len(order))
    ordered = sorted(keys, key=lambda k: (k[0], k[1], order[k[2]], PAYERS.index(k[3])))
    return [SettlementLine(k[0], keys[k][0], keys[k][1], k[3], plan.get(k, 0), due.get(k, 0)) for k in ordered]


@dataclass(frozen=True)
class Transfer:
    """What ``payer`` (province or city) pays a county (> 0, 补拨) or recovers from it (< 0, 收回)."""

    year: int
    payer: str
    region: Region
    amount: int

    @property
    def direction(self) -> str:
        return "补拨" if self.amount > 0 else "收回" if self.amount < 0 else "持平"


def transfers(lines: Iterable[SettlementLine]) -> list[Transfer]:
    """The transfers that settle every difference of the province and the city, per county."""
    sums: dict[tuple[int, str, str], int] = defaultdict(int)
    regions: dict[str, Region] = {}
    for line in lines:
        if line.payer in ("province", "city"):
            sums[(line.year, line.payer, line.region.code)] += line.difference
            regions[line.region.code] = line.region
    return [Transfer(year, payer, regions[code], amount)
            for (year, payer, code), amount in sorted(sums.items(), key=lambda i: (i[0][0], PAYERS.index(i[0][1]), i[0][2]))]
