"""One interface for every amount a plan hands out: a subsidy's line (人数 × 标准) and a
fund's share (因素法) both say which year, county and item they are, and what each payer
pays. Consumers that only need the amounts (tables, summaries, allocations.csv) read this
interface and never branch on the kind of line."""

from __future__ import annotations

from typing import Iterable, Iterator, NamedTuple, Protocol, Sequence

from .regions import Region


class Item(Protocol):
    """A subsidy or a fund: what a line is for."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


class BudgetLine(Protocol):
    @property
    def year(self) -> int: ...

    @property
    def region(self) -> Region: ...

    @property
    def item(self) -> Item: ...

    @property
    def amounts(self) -> tuple[tuple[str, int], ...]:
        """payer → fen, in PAYERS order, adding up to :attr:`total`."""

    @property
    def total(self) -> int: ...

    @property
    def headcount(self) -> int:
        """The persons paid for (0 for a fund: it is not paid per person)."""


class Allocation(NamedTuple):
    """A row of allocations.csv (a named tuple: a country has ~35,000 rows a year, and a
    tuple is made three times faster than a frozen dataclass)."""

    year: int
    region_code: str
    region_name: str
    subsidy: str
    payer: str
    headcount: int
    amount: int  # fen


def all_lines(lines: Sequence[BudgetLine], fund_lines: Sequence[BudgetLine] = ()) -> list[BudgetLine]:
    """Per year and county: its subsidies in policy order, then its funds (a stable sort keeps
    each kind's own order)."""
    return sorted([*lines, *fund_lines], key=lambda line: (line.year, line.region.code))


def allocations(lines: Iterable[BudgetLine]) -> list[Allocation]:
    """Rows of allocations.csv, one per line and payer."""
    return list(each_allocation(lines))


def each_allocation(lines: Iterable[BudgetLine]) -> Iterator[Allocation]:
    """:func:`allocations` one at a time, as a writer takes them."""
    return (Allocation(line.year, line.region.code, line.region.name, line.item.id, payer, line.headcount, amount)
            for line in lines for payer, amount in line.amounts)
