"""Region list YAML (GB/T 2260 tree) → :class:`RegionTree`."""

from __future__ import annotations

from ..core.language import said
from ..core.problems import Problem, Source
from ..core.regions import LEVELS, Region, RegionTree, Renamed
from . import located_yaml
from .located_yaml import Node
from .yaml_checks import NodeChecker

# (made once: a country's list has ~3,000 regions, each checked with them)
A_REGION = said("区划中的一个地区", "a region")
REGION_CODE = said("行政区划代码", "region code")
REGION_NAME = said("地区名称", "region name")


def read_regions(path: str, opened: list[tuple[str, bytes | None]] | None = None) -> tuple[RegionTree, list[Problem]]:
    """The region list in ``path``; ``opened``: given (path, the bytes read)."""
    c = NodeChecker()
    tree = RegionTree()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        # (universal newlines, as a file opened as text)
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        if opened is not None:
            opened.append((path, data))
    except (OSError, UnicodeDecodeError) as exc:
        return tree, [Problem(Source(path), said("无法读取区划文件：{exc}", "cannot read the region list: {exc}",
                                                    exc=str(exc)))]
    root = c.map(located_yaml.load(path, text, c.problems), said("区划文件", "a region list"),
                 required=("regions",), optional=("renamed", "note", "source"))
    if root is None:
        return tree, c.problems

    def walk(node: Node, parent: str | None, depth: int) -> None:
        body = c.map(node, A_REGION, required=("code", "name"),
                     optional=("level", "children", "note"))
        if body is None:
            return
        code = c.code(body.items.get("code"), REGION_CODE)
        name = c.text(body.items.get("name"), REGION_NAME)
        children = c.seq(body.items.get("children"), "children")
        level = c.text(body.items.get("level"), "level") or ("county" if not children else None)
        if level not in LEVELS:
            c.error(body.source, said("级别 '{level}' 不允许（允许：{allowed}）；有下级的地区须写明级别（level）",
                                      "level '{level}' is not allowed (allowed: {allowed}); regions with children must "
                                      "say their level", level=level, allowed=", ".join(LEVELS)))
            return
        if code is None or name is None:
            return
        if code in tree.regions:
            c.error(body.source, said("行政区划代码 {code} 列了两次", "region code {code} is listed twice", code=code))
            return
        tree.regions[code] = Region(code, name, level, parent)
        for child in children:
            walk(child, code, depth + 1)

    for node in c.seq(root.items.get("regions"), "regions"):
        walk(node, None, 0)
    for node in c.seq(root.items.get("renamed"), "renamed"):
        body = c.map(node, said("一项区划变更（renamed）", "a renamed code"),
                     required=("old_code", "old_name", "new_code", "since"), optional=("ref", "note"))
        if body is None:
            continue
        old = c.code(body.items.get("old_code"), "old_code")
        new = c.code(body.items.get("new_code"), "new_code")
        since = c.month(body.items.get("since"), "since")
        old_name = c.text(body.items.get("old_name"), "old_name")
        if new and new not in tree.regions:
            c.error(body.source, said("new_code {new} 不在区划列表中", "new_code {new} is not in the region list", new=new))
        elif old and since and old_name and new:
            ref = c.text(body.items.get("ref"), "ref") if "ref" in body.items else ""
            tree.renamed[old] = Renamed(old, old_name, new, since, ref or "")
    return tree, c.problems
