"""Validated headcounts per year, county and group.

Two figures can be given for a group, and they answer different questions:

- the *annual* figure: the people eligible at any time in the year, each counted once — what
  a subsidy paid once per person and year is paid on ("同一个自然年度内，有过贫困人口身份经历的
  参保人，均应纳入", "每人每年只能享受一次");
- *monthly* figures (months 1–12): the people eligible in each month — what a subsidy paid per
  person and month is paid on (person-months), e.g. when people joined or left during the year.

A monthly subsidy with only an annual figure (a forecast) pays that many people every month.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .period import Month

Key = tuple[int, str, str]  # year, county, group


class Headcounts:
    def __init__(self, values: Mapping[Key, int], monthly: Mapping[Key, tuple[int, ...]] | None = None):
        self._values = dict(values)  # key → people eligible at any time in the year
        self._monthly = dict(monthly or {})  # key → people eligible in months 1–12
        self._regions: dict[int, frozenset[str]] = {}

    def annual(self, year: int, code: str, group: str) -> int | None:
        """The people eligible at any time in the year, each once (None when not given)."""
        return self._values.get((year, code, group))

    def monthly(self, year: int, code: str, group: str) -> tuple[int, ...] | None:
        return self._monthly.get((year, code, group))

    def persons(self, year: int, code: str, group: str) -> int | None:
        """People to show for the year: the annual figure, or else the monthly figures'
        average (rounded half-up)."""
        if (year, code, group) in self._values:
            return self._values[(year, code, group)]
        months = self._monthly.get((year, code, group))
        return (2 * sum(months) + 12) // 24 if months is not None else None

    get = persons  # a group's size as a factor of a fund, and wherever one figure per year is shown

    def person_months(self, year: int, code: str, group: str, months: Iterable[Month]) -> int:
        """Persons × months over ``months`` — what a rate per person and month is paid on."""
        monthly = self._monthly.get((year, code, group))
        if monthly is not None:
            return sum(monthly[m.month - 1] for m in months)
        return (self._values.get((year, code, group)) or 0) * len(tuple(months))

    def is_monthly(self, year: int, code: str, group: str) -> bool:
        return (year, code, group) in self._monthly

    def annual_figures(self) -> Mapping[Key, int]:
        """Every annual figure by key (read only: the engine's hot path looks them up directly)."""
        return self._values

    def monthly_places(self) -> frozenset[tuple[int, str]]:
        """(year, county) with some figure given month by month."""
        return frozenset((y, c) for y, c, _ in self._monthly)

    def monthly_keys(self) -> list[Key]:
        """The keys given month by month."""
        return list(self._monthly)

    def keys(self) -> set[Key]:
        return set(self._values) | set(self._monthly)

    def years(self) -> list[int]:
        return sorted({y for y, _, _ in self._values} | {y for y, _, _ in self._monthly})

    def regions(self, year: int) -> frozenset[str]:
        if year not in self._regions:  # made once: the figures never change
            self._regions[year] = frozenset({c for y, c, _ in self._values if y == year}
                                            | {c for y, c, _ in self._monthly if y == year})
        return self._regions[year]

    def items(self) -> list[tuple[Key, int | None]]:
        """(key, persons in the year) for every key."""
        return [(key, self.persons(*key)) for key in sorted(self.keys())]
