"""Validated headcounts: how many persons per year, county and group — for the whole year,
or month by month (actuals at year end, when people joined or left during the year)."""

from __future__ import annotations

from typing import Iterable, Mapping

from .period import Month


class Headcounts:
    def __init__(self, values: Mapping[tuple[int, str, str], int],
                 monthly: Mapping[tuple[int, str, str], tuple[int, ...]] | None = None):
        self._values = dict(values)  # (year, county, group) → persons all year
        self._monthly = dict(monthly or {})  # (year, county, group) → persons in months 1–12

    def get(self, year: int, code: str, group: str) -> int | None:
        """Persons in the year: the annual figure, or the monthly figures' average (rounded)."""
        if (year, code, group) in self._monthly:
            months = self._monthly[(year, code, group)]
            return (2 * sum(months) + 12) // 24
        return self._values.get((year, code, group))

    def person_months(self, year: int, code: str, group: str, months: Iterable[Month]) -> int:
        """Persons × months over ``months`` — what a rate per person and month is paid on."""
        monthly = self._monthly.get((year, code, group))
        if monthly is not None:
            return sum(monthly[m.month - 1] for m in months)
        return (self._values.get((year, code, group)) or 0) * len(tuple(months))

    def is_monthly(self, year: int, code: str, group: str) -> bool:
        return (year, code, group) in self._monthly

    def keys(self) -> set[tuple[int, str, str]]:
        return set(self._values) | set(self._monthly)

    def years(self) -> list[int]:
        return sorted({y for y, _, _ in self.keys()})

    def regions(self, year: int) -> set[str]:
        return {c for y, c, _ in self.keys() if y == year}

    def items(self) -> list[tuple[tuple[int, str, str], int | None]]:
        """(key, persons in the year) for every key."""
        return [(key, self.get(*key)) for key in sorted(self.keys())]
