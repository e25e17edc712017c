"""Months and dated histories: a value in force from one month to another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterator, TypeVar

from .language import said
from .problems import Source

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(said("月份 {month} 不在 1–12 之内", "month {month} is not 1–12", month=self.month))

    @classmethod
    def parse(cls, text: str) -> "Month":
        """``2018-01`` (a day, if given, must be the 1st: budgets count whole months)."""
        parts = text.strip().split("-")
        not_a_month = said("{text} 不是形如 2018-01 的年月", "{text} is not a month like 2018-01", text=repr(text))
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError(not_a_month)
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12 or len(parts[0]) != 4:
            raise ValueError(not_a_month)
        if len(parts) == 3 and int(parts[2]) != 1:
            raise ValueError(said("{text}：期间按整月计算，应从月初开始（写作 {use}）",
                                  "{text}: periods start on whole months (use {use})", text=repr(text),
                                  use=f"{year}-{month:02d}"))
        if not 1000 <= year <= 9999:
            raise ValueError(said("{text}：年份超出范围", "{text}: year out of range", text=repr(text)))
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1


def parse_years(text: str) -> list[int]:
    """"2020-2022" → [2020, 2021, 2022]; "2020" → [2020]; raises ValueError."""
    parts = text.replace("–", "-").split("-")
    if len(parts) > 2 or not all(p.strip().isdigit() and len(p.strip()) == 4 for p in parts):
        raise ValueError(said("'{text}' 应为年度或年度区间，如 2020-2022", "'{text}' is not a year or a range such as "
                              "2020-2022", text=text))
    first, last = int(parts[0]), int(parts[-1])
    if last < first or last - first > 9:
        raise ValueError(said("'{text}'：年度区间须由小到大且不超过10年", "'{text}': a range of at most 10 years, "
                              "first ≤ last", text=text))
    return list(range(first, last + 1))


def months_of(year: int) -> Iterator[Month]:
    for m in range(1, 13):
        yield Month(year, m)


@dataclass(frozen=True)
class Reference:
    """The legal basis of a value: document number and clause, and whether it is assumed."""

    text: str
    assumption: str | None = None  # why the value is assumed, when the documents do not state it
    interpretation: str | None = None  # how the documents' words are read, and on what source
    continued: bool = False  # a rule carried on past the documents' own period (an assumption)

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None


@dataclass(frozen=True)
class Dated(Generic[T]):
    """One value of a history, in force from ``start`` through ``end`` (inclusive, or open)."""

    start: Month
    end: Month | None
    value: T
    ref: Reference
    source: Source | None = None

    def covers(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


@dataclass(frozen=True)
class History(Generic[T]):
    """Non-overlapping dated values (overlaps are rejected when loading)."""

    entries: tuple[Dated[T], ...]

    def at(self, month: Month) -> Dated[T] | None:
        for entry in self.entries:
            if entry.covers(month):
                return entry
        return None

    def overlaps(self) -> list[tuple[Dated[T], Dated[T]]]:
        ordered = sorted(self.entries, key=lambda e: e.start)
        found = []
        for a, b in zip(ordered, ordered[1:]):
            if a.end is None or b.start <= a.end:
                found.append((a, b))
        return found
