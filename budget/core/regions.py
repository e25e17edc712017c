"""Administrative regions (GB/T 2260): province → cities → counties, and renamed codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from .period import Month

LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # one of LEVELS
    parent: str | None


@dataclass(frozen=True)
class Renamed:
    """An old code still seen in data: 610427 彬县 became 610482 彬州市 in 2018."""

    old_code: str
    old_name: str
    new_code: str
    since: Month
    ref: str = ""  # the approval, e.g. 陕政函〔2018〕93号


@dataclass
class RegionTree:
    regions: dict[str, Region] = field(default_factory=dict)
    renamed: dict[str, Renamed] = field(default_factory=dict)

    def get(self, code: str) -> Region | None:
        return self.regions.get(code)

    def label(self, code: str) -> str:
        """``610402 秦都区``: a code with its name where the list has it, as messages name a place."""
        region = self.regions.get(code)
        return f"{code} {region.name}" if region else code

    def ancestors(self, code: str) -> list[Region]:
        """The region itself, then its parents up to the province (most specific first)."""
        chain = []
        region = self.regions.get(code)
        while region is not None:
            chain.append(region)
            region = self.regions.get(region.parent) if region.parent else None
        return chain

    def name_at(self, code: str, when: Month | None) -> str:
        """The county's name as of ``when`` (a document's date): before a rename the old name
        (a notice of January 2018 names 彬县, one of June 2018 彬州市)."""
        region = self.regions.get(code)
        name = region.name if region else code
        if when is None:
            return name
        for renamed in self.renamed.values():
            if renamed.new_code == code and when < renamed.since:
                return renamed.old_name
        return name

    def city_of(self, code: str) -> Region | None:
        for region in self.ancestors(code)[1:]:
            if region.level == "city":
                return region
        return None

    def counties_under(self, *codes: str) -> list[Region]:
        """Counties within any of ``codes`` (all counties when none is given), in code order."""
        if not codes:
            return sorted((r for r in self.regions.values() if r.level == "county"), key=lambda r: r.code)
        children: dict[str, list[Region]] = {}
        for region in self.regions.values():
            if region.parent:
                children.setdefault(region.parent, []).append(region)
        found, stack = [], list(dict.fromkeys(codes))
        while stack:
            for child in children.get(stack.pop(), []):
                (found.append(child) if child.level == "county" else stack.append(child.code))
        return sorted(found, key=lambda r: r.code)
