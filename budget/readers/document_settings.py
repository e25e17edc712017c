"""Document settings YAML (issuers, 文号, date, addressees, cc, title) → DocumentSettings."""

from __future__ import annotations

from ..core.display import UNIT_FEN
from ..core.document_settings import DocumentSettings
from ..core.problems import InputError, Problem, Source
from . import located_yaml
from .yaml_checks import NodeChecker

NOTICE_KEYS = ("issuers", "number", "date", "title", "addressees", "cc", "printer", "unit", "decimals")
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
                 optional=("notice", "explanation", "settlement"))
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


def _notice_section(c: NodeChecker, node, section: str, target, year: int) -> None:
    notice = c.map(node, section, optional=NOTICE_KEYS)
    for key, node in (notice.items.items() if notice else []):
        if key in ("issuers", "cc"):
            values = [v.replace("{year}", str(year)) for v, _ in c.texts(node, f"{section} {key}")]
            if key == "issuers" and not values:
                c.error(node.source, f"{section} issuers must name at least one issuer")
            setattr(target, key, values)
        elif key == "decimals":
            value = c.text(node, f"{section} decimals")
            if value is not None and not (value.isdigit() and int(value) <= 4):
                c.error(node.source, f"{section} decimals '{value}' must be 0 to 4")
            elif value is not None:
                target.decimals = int(value)
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
