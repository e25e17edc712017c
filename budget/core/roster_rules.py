"""The roster configuration as values: which list gives which set of people, and how the
groups of the headcount file are made from those sets (rules as data, each with its clause).

A *list* is one file (the 建档立卡 registry, the 低保 list, …) with its columns named. A *set*
is the people of a list, or those of its rows whose columns hold given values (e.g. 参保状态 =
缴费). A *group* (a headcount group of the policy) is the people of a base set — which gives
the county and the months — who are also on any of ``any_of``, on all of ``all_of`` and on none
of ``none_of``, month by month. A *priority* rule counts a person who falls in several of its
groups in the first only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Source

# the columns a list may name; id is required
FIELDS = ("id", "name", "region", "from", "to")
FIELD_NAMES = {"id": "身份证号", "name": "姓名", "region": "地区代码", "from": "起始年月", "to": "终止年月"}


@dataclass(frozen=True)
class Condition:
    column: str  # the column's header in the file
    values: tuple[str, ...]  # the row is in the set when the cell (trimmed) is one of these


@dataclass(frozen=True)
class SetSpec:
    id: str
    list_id: str
    where: tuple[Condition, ...]
    source: Source
    ref: str = ""


@dataclass(frozen=True)
class ListSpec:
    id: str
    name: str  # what the list is, e.g. 建档立卡贫困人口台账
    path: str  # the file, resolved against the configuration's folder
    columns: dict[str, str]  # field (FIELDS) → header in the file
    sheet: str | None  # for a workbook: the sheet (default the first)
    source: Source
    holder: str = ""  # who keeps the list (扶贫办, 民政局, 残联, …)

    def extra_columns(self, sets: list[SetSpec]) -> list[str]:
        """Headers the sets' conditions read, beyond the named fields."""
        named = set(self.columns.values())
        out: dict[str, None] = {}
        for s in sets:
            if s.list_id == self.id:
                for c in s.where:
                    if c.column not in named:
                        out.setdefault(c.column)
        return list(out)


@dataclass(frozen=True)
class GroupRule:
    group: str  # a group of the policy
    base: str  # a set: the county and the months come from its rows
    any_of: tuple[str, ...]
    all_of: tuple[str, ...]
    none_of: tuple[str, ...]
    ref: str
    source: Source
    assumption: str = ""


@dataclass(frozen=True)
class PriorityRule:
    groups: tuple[str, ...]  # a person in several of these is counted in the first only
    ref: str
    source: Source
    assumption: str = ""


@dataclass(frozen=True)
class RosterConfig:
    file: str
    policy: list[str]  # policy files (resolved)
    lists: dict[str, ListSpec]
    sets: dict[str, SetSpec]
    groups: dict[str, GroupRule]
    priorities: list[PriorityRule] = field(default_factory=list)
