"""YAML read into nodes that remember their line, with duplicate keys and unsafe tags rejected.

PyYAML's composer gives every node its position; we walk the node tree ourselves instead of
constructing Python objects, so nothing but plain maps, lists and strings can come out of a
file, duplicate keys are errors (PyYAML silently keeps the last), and scalars stay text
(``2018-01`` or ``0610`` are never turned into dates or numbers behind our back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from ..core.language import said
from ..core.problems import Problem, Source

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


@dataclass(slots=True)  # (a country's policy has ~40,000 nodes)
class Node:
    source: Source


@dataclass(slots=True)
class Scalar(Node):
    text: str
    is_null: bool = False


@dataclass(slots=True)
class Seq(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Map(Node):
    items: dict[str, Node] = field(default_factory=dict)
    key_sources: dict[str, Source] = field(default_factory=dict)
    # a flow-style map's text as written (``{from: 2018-01, value: 220, ref: …}``): the same text
    # reads the same wherever it stands, so a reader may take an earlier reading of it
    flow: str | None = None

    def entries(self) -> list[tuple[str, Node, Source]]:
        """(key, value, where the key is) for every key, in file order."""
        return [(key, value, self.key_sources[key]) for key, value in self.items.items()]


def entries_of(node: Map | None) -> list[tuple[str, Node, Source]]:
    return node.entries() if node is not None else []


# libyaml's parser when PyYAML has it (ten times faster on a country's region list)
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # YAML 1.1's plain nulls, as PyYAML resolves them
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SIMPLE = frozenset((_STR, _NULL))


class _TextLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """Scalars stay text here, so the only implicit type that matters is null: resolve just
    that (PyYAML's resolver tries a dozen regular expressions on every scalar, and its path
    resolvers are called on every node; none of it changes what we read)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return _NULL if implicit[0] and value in _NULLS else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node, current_index):
        return None

    def ascend_resolver(self):
        return None


_LOADER = _TextLoader


def _convert(path: str, node: yaml.Node, problems: list[Problem], seen: set[int] | None = None,
             lines: dict[int, Source] | None = None, text: str = "") -> Node:
    """Our node for PyYAML's ``node``; ``seen`` the nodes met (an alias is one met twice; None
    when the text has no ``*``, so no alias), ``lines`` the source of each line (shared: a
    Source is immutable, and a flow-style file has many nodes on a line); ``text`` the file's."""
    lines = {} if lines is None else lines
    line = node.start_mark.line + 1
    source = lines.get(line)
    if source is None:
        source = lines[line] = Source(path, line)
    if seen is not None:
        if id(node) in seen:  # an alias: refused, it can multiply a small file into a huge tree
            problems.append(Problem(source, said("不允许使用锚点和别名（&、*）：请直接写出各值",
                                                 "anchors and aliases (&, *) are not allowed: write values out")))
            return Scalar(source, "", is_null=True)
        seen.add(id(node))
    tag = node.tag
    if tag not in _PLAIN_TAGS:
        problems.append(Problem(source, said("不允许使用标签 {tag}：只能写普通的映射、列表和值",
                                             "tag {tag} is not allowed: only plain maps, lists and values", tag=tag)))
        return Scalar(source, "", is_null=True)
    if isinstance(node, yaml.ScalarNode):
        return Scalar(source, node.value, is_null=tag == _NULL)
    if isinstance(node, yaml.SequenceNode):
        return Seq(source, [_convert(path, item, problems, seen, lines, text) for item in node.value])
    result = Map(source)
    if node.flow_style and text:  # type: ignore[attr-defined]  # (a MappingNode's)
        result.flow = text[node.start_mark.index:node.end_mark.index]
    items, key_sources = result.items, result.key_sources
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        key_source = lines.get(key_line)
        if key_source is None:
            key_source = lines[key_line] = Source(path, key_line)
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(key_source, said("键应为普通的值", "a key must be a plain value")))
            continue
        key = key_node.value
        if key in items:
            first = key_sources[key]
            problems.append(Problem(key_source, said("键 '{key}' 重复（第 {line} 行已给出）",
                                                     "duplicate key '{key}' (first given on line {line})",
                                                     key=key, line=first.line)))
            continue
        if seen is None and type(value_node) is yaml.ScalarNode and value_node.tag in _SIMPLE:
            # a plain value, the usual case: made here, without a call per value
            value_line = value_node.start_mark.line + 1
            value_source = lines.get(value_line)
            if value_source is None:
                value_source = lines[value_line] = Source(path, value_line)
            items[key] = Scalar(value_source, value_node.value, value_node.tag == _NULL)
        else:
            items[key] = _convert(path, value_node, problems, seen, lines, text)
        key_sources[key] = key_source
    return result


NESTED = said("文件嵌套层次过深，不是政策文件", "the file is nested too deeply to be a policy")
_PARSED: dict[tuple[str, str], tuple[Node | None, tuple[Problem, ...]]] = {}  # (path, text) → tree
# the newest trees kept: a province's files read again (a web job, a plan and its folder) are not
# parsed again, while a country's 333 city files, each read once, do not stay in memory (~7 MB)
_KEPT = 32


def load(path: str, text: str, problems: list[Problem]) -> Node | None:
    """Parse ``text``; syntax errors, aliases misuse and unsafe tags become problems. A file is
    parsed once per content (the text itself is the key: a string's hash is computed once and
    kept, a digest would encode and hash every file again): the trees are never changed by their
    readers."""
    key = (path, text)
    if key not in _PARSED:
        if len(_PARSED) >= _KEPT:  # a long-running process reading many files keeps the newest
            del _PARSED[next(iter(_PARSED))]
        found: list[Problem] = []
        _PARSED[key] = (_load(path, text, found), tuple(found))
    root, parsed_problems = _PARSED[key]
    problems.extend(parsed_problems)
    return root


def _load(path: str, text: str, problems: list[Problem]) -> Node | None:
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(Source(path, line), said("不是有效的 YAML：{why}", "not valid YAML: {why}",
                                                        why=exc.problem or str(exc))))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(Source(path), said("不是有效的 YAML：{why}", "not valid YAML: {why}", why=str(exc))))
        return None
    except RecursionError:
        problems.append(Problem(Source(path), NESTED))
        return None
    if root is None:
        problems.append(Problem(Source(path, 1), said("文件是空的", "the file is empty")))
        return None
    try:
        return _convert(path, root, problems, set() if "*" in text else None, {}, text)
    except RecursionError:
        problems.append(Problem(Source(path), NESTED))
        return None
