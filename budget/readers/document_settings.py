"""Document settings YAML (issuers, 文号, date, addressees, cc, title) → DocumentSettings."""

from __future__ import annotations

from ..core.display import ALLOCATION_UNITS, UNIT_FEN
from ..core.document_settings import DocumentSettings
from ..core.problems import InputError, Problem, Source
from . import located_yaml
from .located_yaml import Map
from .yaml_checks import NodeChecker

NOTICE_KEYS = ("issuers", "number", "date", "title", "addressees", "cc", "printer", "unit")
EXPLANATION_KEYS = ("title", "issuer")


def read_document_settings(path: str, defaults: DocumentSettings, year: int) -> DocumentSettings:
    """Settings from ``path`` over ``defaults``; ``{year}`` in a value becomes the budget year."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(Source(path), f"cannot read the document settings: {exc}")]) from None
    root = c.map(located_yaml.load(path, text, c.problems), "document settings",
                 optional=("allocation_unit", "notice", "explanation", "settlement"))
    settings = defaults
    if root is not None:
        for section in ("notice", "settlement"):
            _notice_section(c, root.items.get(section), section, getattr(settings, section), year)
        explanation = c.map(root.items.get("explanation"), "explanation", optional=EXPLANATION_KEYS)
        for key, node in (explanation.items.items() if explanation else []):
            value = c.text(node, f"explanation {key}")
            if value is not None:
                setattr(settings.explanation, key, value.replace("{year}", str(year)))
    if c.problems:
        raise InputError(c.problems)
    settings.source = path
    return settings


def read_allocation_unit(path: str) -> str | None:
    """The settings' ``allocation_unit`` (分, 元, 0.01万元 or 万元), or None when not set;
    raises :class:`InputError` naming the line when it is not one of those."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8") as handle:
            root = located_yaml.load(path, handle.read(), c.problems)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(Source(path), f"cannot read the document settings: {exc}")]) from None
    value = None
    if isinstance(root, Map) and "allocation_unit" in root.items:
        value = c.text(root.items["allocation_unit"], "allocation_unit")
        if value is not None and value not in ALLOCATION_UNITS:
            c.error(root.items["allocation_unit"].source, f"allocation_unit '{value}' is not allowed "
                                                          f"(allowed: {', '.join(ALLOCATION_UNITS)})")
    if c.problems:
        raise InputError(c.problems)
    return value


def _notice_section(c: NodeChecker, node, section: str, target, year: int) -> None:
    notice = c.map(node, section, optional=NOTICE_KEYS)
    for key, node in (notice.items.items() if notice else []):
        if key in ("issuers", "cc"):
            values = [v.replace("{year}", str(year)) for v, _ in c.texts(node, f"{section} {key}")]
            if key == "issuers" and not values:
                c.error(node.source, f"{section} issuers must name at least one issuer")
            setattr(target, key, values)
        else:
            value = c.text(node, f"{section} {key}")
            if value is None:
                continue
            value = value.replace("{year}", str(year)).replace("{next_year}", str(year + 1))
            if key == "date" and c.date(node, f"{section} date", value) is None:
                continue
            if key == "unit" and value not in UNIT_FEN:
                c.error(node.source, f"{section} unit '{value}' is not allowed (allowed: {', '.join(UNIT_FEN)})")
            else:
                setattr(target, key, value)
