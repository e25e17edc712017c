"""The policy as typed, immutable values: groups, subsidies, rates, shares, documents.

Values that vary by place are *scoped*: a history given by the province applies everywhere,
one given by a city or county (its own file, or an override) applies there and wins, month by
month. Shares form a tree: a split names payers (province, city, county) or pools such as
``local`` (市县) that a more specific scope refines — Shaanxi's "省和市县各负担50%" refined by
Xianyang into "市25%、县75%".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .language import said
from .period import Dated, History, Month, Reference
from .problems import Source
from .regions import Region, RegionTree

if TYPE_CHECKING:  # funds.py builds on the policy; the policy only holds its funds
    from .funds import Fund

PAYERS = ("province", "city", "county")


def parse_share(text: str) -> Fraction:
    """``90%``, ``0.9`` or ``9/10`` → a Fraction (ValueError if none of these)."""
    text = text.strip()
    try:
        if len(text) > 30 or "e" in text.lower():
            raise ValueError(text)
        return Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(said("'{text}' 不是比例（写作 90%、0.9 或 9/10）", "'{text}' is not a share (write 90%, 0.9 or 9/10)",
                              text=text)) from None


@dataclass(frozen=True)
class Document:
    number: str  # 文号, e.g. 陕人社发〔2017〕60号
    title: str
    issuers: tuple[str, ...]
    date: str
    file: str


def quoted_title(document: Document) -> str:
    """《title》（number）, a title quoted inside another taking 〈〉 as Chinese typesetting does."""
    inner = document.title.replace("《", "〈").replace("》", "〉")
    return f"《{inner}》（{document.number}）"


@dataclass(frozen=True)
class Group:
    """A population group counted per county and year."""

    id: str
    name: str
    part_of: str | None  # "其中" group: a part of this parent, disjoint from its siblings
    within: tuple[str, ...]  # other groups it is a subset of (not necessarily disjoint)
    source: Source | None = None
    short: str = ""  # a short label for table headers

    @property
    def label(self) -> str:
        return self.short or self.name


@dataclass(frozen=True)
class Term:
    group: str
    sign: int  # +1 added, -1 subtracted ("已享受……的，不再重复代缴")


@dataclass(frozen=True)
class Split:
    """Shares of one level of the tree; names are payers or pools. Shares sum to 1."""

    shares: tuple[tuple[str, Fraction], ...]

    def as_dict(self) -> dict[str, Fraction]:
        return dict(self.shares)


@dataclass(frozen=True)
class Scoped:
    """Histories by scope: '' for the whole policy, else a region code."""

    by_scope: dict[str, History[Any]] = field(default_factory=dict)

    def at(self, chain: list[str], month: Month) -> tuple[str, Dated[Any]] | None:
        """The entry in force for ``month`` at the most specific scope of ``chain``."""
        for scope in chain:
            history = self.by_scope.get(scope)
            if history is not None:
                entry = history.at(month)
                if entry is not None:
                    return scope, entry
        return None


@dataclass(frozen=True)
class Subsidy:
    id: str
    name: str
    unit: str  # "year" or "month": the rate is 元 per person per year / per month
    terms: tuple[Term, ...]
    period: History[None]  # when the policy is in force
    rates: dict[str, Scoped]  # group id, or "*" for every term, → rate in fen
    shares: Scoped  # → Split (top level)
    pools: dict[str, Scoped]  # pool name → Split
    source: Source | None = None
    scope: str = ""  # a city's or county's own subsidy (local top-up) applies only there

    def rate_key(self, group: str) -> str:
        return group if group in self.rates else "*"


@dataclass(frozen=True)
class Assumption:
    """A value the documents do not state, set by a configuration (or, as an interpretation,
    the reading of the documents' words that a value rests on)."""

    what: str
    value: str
    note: str
    source: Source | None
    start: Month | None = None  # the months the value is in force, where it is dated
    end: Month | None = None

    def applies_to(self, years: list[int]) -> bool:
        """Whether the value is in force in any of ``years`` (an undated one always is)."""
        return self.start is None or any(
            self.start.year <= y and (self.end is None or self.end.year >= y) for y in years)


@dataclass(frozen=True)
class CountedOnce:
    """Groups whose people are counted once: a person who belongs to several is counted in
    the first of ``groups`` (the documents forbid paying one person twice)."""

    groups: tuple[str, ...]
    ref: Reference
    source: Source | None = None


@dataclass(frozen=True)
class Change:
    """One value a scenario (测算方案) sets over the policy files."""

    what: str  # e.g. 城乡居民养老保险农村困难群体代缴保费补助标准
    scope: str  # '' for the whole policy, else a region code
    start: Month | None
    end: Month | None
    old: str  # the value in force at ``start`` before the scenario ("" if none)
    new: str
    ref: str
    source: Source | None = None


SCENARIO_MARK = "测算方案，非正式下达"


@dataclass(frozen=True)
class Scenario:
    """A "what if" read as one more policy layer: its name, its reason and what it changes."""

    name: str
    reason: str
    file: str
    changes: tuple[Change, ...]
    adopted: bool = False  # adopted by name: its plan is a real one (a notice, no mark)

    @property
    def marked(self) -> bool:
        return not self.adopted


@dataclass
class Policy:
    documents: list[Document]
    groups: dict[str, Group]
    subsidies: dict[str, Subsidy]
    regions: RegionTree
    scopes: tuple[str, ...]  # the regions the plan covers (city or province codes); () = all
    excluded: dict[str, str]  # region code → why it is left out of the tables
    files: list[str]
    assumptions: list[Assumption]
    funds: dict[str, Fund] = field(default_factory=dict)
    interpretations: list[Assumption] = field(default_factory=list)
    counted_once: list[CountedOnce] = field(default_factory=list)
    region_files: list[str] = field(default_factory=list)  # the region lists read (a plan folder keeps copies)
    scenario: Scenario | None = None  # the scenario read over the policy files, if any
    contents: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)  # file → the bytes read
    _counties: list[Region] | None = field(default=None, repr=False, compare=False)

    def counties(self) -> list[Region]:
        """The counties the plan covers, in code order (computed once)."""
        if self._counties is None:
            self._counties = self._find_counties()
        return self._counties

    def assumptions_for(self, years: list[int]) -> list[Assumption]:
        return [a for a in self.assumptions if a.applies_to(years)]

    def interpretations_for(self, years: list[int]) -> list[Assumption]:
        return [a for a in self.interpretations if a.applies_to(years)]

    def continued_rules(self, year: int) -> list[str]:
        """The subsidies planned in ``year`` only by carrying a rule on past the documents' period."""
        return [s.name for s in self.subsidies.values() for e in s.period.entries
                if e.ref.continued and e.start.year <= year and (e.end is None or e.end.year >= year)]

    def issuer(self) -> Region | None:
        """The region whose bureaus issue the plan's notices: the one city of a city's plan, else
        the province (a run over several cities is the province's)."""
        if len(self.scopes) == 1 and (scope := self.regions.get(self.scopes[0])) is not None:
            return scope
        counties = self.counties()
        return self.regions.ancestors(counties[0].code)[-1] if counties else None

    def handed_down(self) -> tuple[str, ...]:
        """The payers whose money the issuer's notice hands down (下达): a city's notice the
        province's and the city's; a province's notice the province's. Lower levels' shares
        are not handed down by anyone: each level 应安排 (budgets) its own."""
        issuer = self.issuer()
        return ("province", "city") if issuer is not None and issuer.level == "city" else ("province",)

    def excluded_by(self, group: str) -> tuple[str, ...]:
        """The groups counted before ``group`` in a counted-once rule: its people exclude theirs."""
        for rule in self.counted_once:
            if group in rule.groups:
                return rule.groups[:rule.groups.index(group)]
        return ()

    def _find_counties(self) -> list[Region]:
        found = self.regions.counties_under(*self.scopes)
        return [r for r in dict.fromkeys(found) if r.code not in self.excluded]
