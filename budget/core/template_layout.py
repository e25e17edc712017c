"""The headcount collection template's layout, shared by its writer and its reader: the sheet
name, the row of field codes, the first data row, and which groups it collects."""

from __future__ import annotations

from .headcount_check import needed_groups
from .policy import Policy

SHEET = "县区填报"
ID_ROW = 3  # 0-based row of the group ids
FIRST_DATA_ROW = 4


def template_groups(policy: Policy, year: int) -> list[str]:
    """The groups to collect for ``year``, each parent followed by its "of which" parts."""
    needed = set(needed_groups(policy, year))
    for gid in list(needed):
        group = policy.groups[gid]
        needed |= ({group.part_of} if group.part_of else set()) | set(group.within)
    ordered: list[str] = []
    for gid, group in policy.groups.items():
        if gid in needed and not group.part_of:
            ordered.append(gid)
            ordered += [c for c, g in policy.groups.items() if g.part_of == gid and c in needed]
    return ordered


def group_heading(policy: Policy, group: str, year: int) -> str:
    """A group's column heading in the template: its name, whom it leaves out when people
    belong to several groups (counted once), and which count it asks for."""
    name = policy.groups[group].name
    earlier = policy.excluded_by(group)
    if earlier:
        name += "（不含" + "、".join(policy.groups[g].label.removeprefix("其中：") for g in earlier) + "）"
    annual = any(s.unit == "year" and any(t.group == group for t in s.terms) for s in policy.subsidies.values())
    return name + ("\n年度内符合条件人数（每人计一次）" if annual else "\n预计每月人数")
