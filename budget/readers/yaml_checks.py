"""Small checks over located YAML nodes, each failure a problem with its file:line."""

from __future__ import annotations

import re
from fractions import Fraction

from ..core.display import parse_date
from ..core.language import Message, said
from ..core.period import Month
from ..core.problems import Problem, Source
from .located_yaml import Map, Node, Scalar, Seq

DECIMAL = re.compile(r"^\d{1,15}(\.\d{1,12})?$")  # plain decimals only: no exponents, no huge texts
SHARE = re.compile(r"^(\d{1,15}(\.\d{1,12})?%?|\d{1,9}/\d{1,9})$")
MAX_FEN = 10**14  # 1 万亿元: no rate or fund is larger; a bigger figure is a typing error


class NodeChecker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, source: Source | None, message: Message) -> None:
        self.problems.append(Problem(source, message))

    def map(self, node: Node | None, what: Message, required: tuple[str, ...] = (),
            optional: tuple[str, ...] = ()) -> Map | None:
        """``node`` as a map with only the allowed keys; missing and unknown keys reported."""
        if node is None:
            return None
        if not isinstance(node, Map):
            self.error(node.source, said("{what}应为“键: 值”的映射", "{what} must be a map of keys", what=spaced(what)))
            return None
        allowed = required + optional
        for key, key_source in node.key_sources.items():
            if key not in allowed:
                self.error(key_source, said("{what}中有未知的键 '{key}'（允许的键：{allowed}）",
                                            "unknown key '{key}' in {what} (allowed: {allowed})",
                                            key=key, what=spaced(what), allowed=", ".join(allowed)))
        for key in required:
            if key not in node.items:
                self.error(node.source, said("{what}缺少必填的键 '{key}'", "{what} lacks the required key '{key}'",
                                             what=spaced(what), key=key))
        return node

    def entries(self, node: Node | None, what: Message) -> Map | None:
        """A map whose keys are ids chosen by the user (groups, subsidies, regions)."""
        if node is None:
            return None
        if not isinstance(node, Map):
            self.error(node.source, said("{what}应为“代码: 定义”的映射", "{what} must be a map of ids to definitions",
                                         what=spaced(what)))
            return None
        return node

    def seq(self, node: Node | None, what: Message) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, Seq):
            self.error(node.source, said("{what}应为列表", "{what} must be a list", what=spaced(what)))
            return []
        return node.items

    def text(self, node: Node | None, what: Message, allow_empty: bool = False) -> str | None:
        if node is None:
            return None
        if not isinstance(node, Scalar) or (node.is_null and not allow_empty):
            self.error(node.source, said("{what}应为单个值", "{what} must be a single value", what=spaced(what)))
            return None
        if not node.text.strip() and not allow_empty:
            self.error(node.source, said("{what}不能为空", "{what} must not be empty", what=spaced(what)))
            return None
        return node.text.strip()

    def texts(self, node: Node | None, what: Message) -> list[tuple[str, Source]]:
        """A list of values, or one value standing for a list of one."""
        if node is None:
            return []
        if isinstance(node, Scalar):
            value = self.text(node, what)
            return [(value, node.source)] if value else []
        out = []
        for item in self.seq(node, what):
            value = self.text(item, what)
            if value:
                out.append((value, item.source))
        return out

    def month(self, node: Node | None, what: Message) -> Month | None:
        value = self.text(node, what)
        if value is None or node is None:
            return None
        try:
            return Month.parse(value)
        except ValueError as exc:
            self.error(node.source, said("{what}：{reason}", "{what}: {reason}", what=what, reason=reason(exc)))
            return None

    def date(self, node: Node | None, what: Message, value: str | None = None) -> str | None:
        """A calendar day written 2018-01-08 (``value``: the node's text after substitutions)."""
        text = value if value is not None else self.text(node, what)
        if text is None or node is None:
            return None
        try:
            parse_date(text)
        except ValueError as exc:
            self.error(node.source, said("{what} '{text}' {reason}", "{what} '{text}' {reason}", what=what, text=text,
                                         reason=reason(exc)))
            return None
        return text

    def code(self, node: Node | None, what: Message) -> str | None:
        value = self.text(node, what)
        if value is not None and node is not None and not (len(value) == 6 and value.isdigit()):
            self.error(node.source, said("{what} '{value}' 不是 6 位 GB/T 2260 行政区划代码",
                                         "{what} '{value}' is not a 6-digit GB/T 2260 region code", what=what, value=value))
            return None
        return value

    def share(self, node: Node | None, what: Message) -> Fraction | None:
        """``50%``, ``12.5%``, ``1/4`` or ``0.25``: a share greater than 0 and at most 1."""
        value = self.text(node, what)
        if value is None or node is None:
            return None
        try:
            if not SHARE.match(value):
                raise ValueError(value)
            share = Fraction(value[:-1]) / 100 if value.endswith("%") else Fraction(value)
        except (ValueError, ZeroDivisionError):
            self.error(node.source, said("{what} '{value}' 不是比例（写作 50%、1/4 或 0.25）",
                                         "{what} '{value}' is not a share (write 50%, 1/4 or 0.25)", what=what, value=value))
            return None
        if not 0 < share <= 1:
            self.error(node.source, said("{what} '{value}' 应大于 0、不超过 100%",
                                         "{what} '{value}' must be more than 0 and at most 100%", what=what, value=value))
            return None
        return share

    def positive_int(self, node: Node | None, what: Message) -> int | None:
        value = self.text(node, what)
        if value is None or node is None:
            return None
        if not value.isdigit() or int(value) == 0 or len(value) > 9:
            self.error(node.source, said("{what} '{value}' 应为大于 0 的整数",
                                         "{what} '{value}' must be a whole number greater than 0", what=what, value=value))
            return None
        return int(value)

    def yuan(self, node: Node | None, what: Message) -> int | None:
        """A non-negative 元 amount with at most two decimals, in fen."""
        value = self.text(node, what)
        if value is None or node is None:
            return None
        try:
            fen = Fraction(value) * 100 if DECIMAL.match(value) else None
        except (ValueError, ZeroDivisionError):
            fen = None
        if fen is None or fen.denominator != 1 or fen < 0 or "/" in value or fen > MAX_FEN:
            self.error(node.source, said("{what} '{value}' 应为不小于 0 的元金额，最多两位小数（且不超过 {most} 元）",
                                         "{what} '{value}' must be an amount in 元 ≥ 0 with at most two decimals "
                                         "(and at most {most} 元)", what=what, value=value[:30], most=f"{MAX_FEN // 100:,}"))
            return None
        return int(fen)


def reason(exc: Exception) -> Message:
    """What a ValueError says, in both languages when it was raised with :func:`said`."""
    return exc.args[0] if exc.args and not isinstance(exc.args[0], str) else str(exc)


def spaced(what: Message) -> Message:
    """A field named by its key (``year``) followed by Chinese gets a space, as Chinese typesetting
    puts between Latin and Han: "year 应为单个值"; in English it is as typed."""
    if isinstance(what, str) and what and what[-1].isascii() and what[-1].isalnum():
        return said(what.replace("{", "{{").replace("}", "}}") + " ", what.replace("{", "{{").replace("}", "}}"))
    return what
