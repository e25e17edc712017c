"""Document settings YAML (issuers, 文号, date, addressees, cc, title) → DocumentSettings."""

from __future__ import annotations

from ..core.display import ALLOCATION_UNITS, UNIT_FEN
from ..core.document_settings import PUBLIC, SUBJECT_FIELDS, DocumentSettings, NoticeSettings, Performance, Subject
from ..core.indicators import INDICATOR_COLUMNS
from ..core.language import said
from ..core.problems import InputError, Problem, Source
from . import located_yaml
from .located_yaml import Map, Node, entries_of
from .yaml_checks import NodeChecker

NOTICE_KEYS = ("issuers", "number", "date", "title", "addressees", "cc", "printer", "unit", "upper", "public", "contact",
               "pass_on")
SUBJECT_KEYS = ("from", "to", "ref", "verified", "note") + tuple(SUBJECT_FIELDS)
PERFORMANCE_KEYS = ("goal", "quality", "timeliness", "cost", "benefit", "satisfaction")
EXPLANATION_KEYS = ("title", "issuer")
SECTIONS = {"notice": said("下达通知设置（notice）", "notice"), "settlement": said("清算通知设置（settlement）", "settlement")}


def _cannot_read(path: str, exc: Exception) -> InputError:
    return InputError([Problem(Source(path), said("无法读取公文设置：{exc}", "cannot read the document settings: {exc}",
                                                  exc=str(exc)))])


def read_document_settings(path: str, defaults: DocumentSettings, year: int) -> DocumentSettings:
    """Settings from ``path`` over ``defaults``; ``{year}`` in a value becomes the budget year."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise _cannot_read(path, exc) from None
    root = c.map(located_yaml.load(path, text, c.problems), said("公文设置", "document settings"),
                 optional=("allocation_unit", "notice", "explanation", "settlement", "subjects", "performance",
                           "indicator_columns"))
    settings = defaults
    if root is not None:
        for section in ("notice", "settlement"):
            _notice_section(c, root.items.get(section), section, getattr(settings, section), year)
        for sid, node, _ in entries_of(c.entries(root.items.get("subjects"), "subjects")):
            settings.subjects[sid] = _subjects(c, node, sid)
        _performance(c, root.items.get("performance"), settings.performance, year)
        for default, node, _ in entries_of(c.entries(root.items.get("indicator_columns"), "indicator_columns")):
            if default not in INDICATOR_COLUMNS:
                c.error(node.source, said("indicator_columns：'{default}' 不是 indicators.csv 的列（各列：{columns}）",
                                          "indicator_columns: '{default}' is not a column of indicators.csv "
                                          "(columns: {columns})", default=default, columns=", ".join(INDICATOR_COLUMNS)))
            else:
                settings.indicator_columns[default] = c.text(node, f"indicator_columns {default}") or default
        explanation = c.map(root.items.get("explanation"), "explanation", optional=EXPLANATION_KEYS)
        for key, node in (explanation.items.items() if explanation else []):
            value = c.text(node, f"explanation {key}")
            if value is not None:
                setattr(settings.explanation, key, value.replace("{year}", str(year)))
    if c.problems:
        raise InputError(c.problems)
    settings.source = path
    settings.notice.source = settings.settlement.source = path
    return settings


def read_allocation_unit(path: str) -> str | None:
    """The settings' ``allocation_unit`` (分, 元, 0.01万元 or 万元), or None when not set;
    raises :class:`InputError` naming the line when it is not one of those."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8") as handle:
            root = located_yaml.load(path, handle.read(), c.problems)
    except (OSError, UnicodeDecodeError) as exc:
        raise _cannot_read(path, exc) from None
    value = None
    if isinstance(root, Map) and "allocation_unit" in root.items:
        value = c.text(root.items["allocation_unit"], "allocation_unit")
        if value is not None and value not in ALLOCATION_UNITS:
            c.error(root.items["allocation_unit"].source, said(
                "分配单位 allocation_unit '{value}' 不允许（允许：{allowed}）",
                "allocation_unit '{value}' is not allowed (allowed: {allowed})", value=value,
                allowed=", ".join(ALLOCATION_UNITS)))
    if c.problems:
        raise InputError(c.problems)
    return value


def _subjects(c: NodeChecker, node: Node, sid: str) -> list[Subject]:
    found = []
    for item in c.seq(node, said("{sid} 的科目（subjects）", "subjects of {sid}", sid=sid)):
        body = c.map(item, said("{sid} 的一项科目", "a subject entry of {sid}", sid=sid), required=("from", "ref"),
                     optional=SUBJECT_KEYS)
        if body is None:
            continue
        years = [c.text(body.items.get(k), k) if k in body.items else None for k in ("from", "to")]
        if not all(y is None or (y.isdigit() and len(y) == 4) for y in years) or years[0] is None:
            c.error(body.source, said("from 和 to 应为年份，如 2018", "from and to are years such as 2018"))
            continue
        codes = {k: v for k in SUBJECT_FIELDS if k in body.items and (v := c.text(body.items[k], k))}
        verified = c.text(body.items.get("verified"), "verified") if "verified" in body.items else "no"
        found.append(Subject(int(years[0]), int(years[1]) if years[1] else None, codes,
                             verified in ("yes", "true", "是"), c.text(body.items.get("ref"), "ref") or ""))
    return found


def _performance(c: NodeChecker, node: Node | None, target: Performance, year: int) -> None:
    body = c.map(node, said("绩效目标（performance）", "performance"), optional=PERFORMANCE_KEYS)
    for key, value, _ in entries_of(body):
        if key == "goal":
            goal = c.text(value, said("绩效目标的总体目标（goal）", "performance goal"))
            target.goal = (goal or "").replace("{year}", str(year))
            continue
        pairs = []
        for item in c.seq(value, said("绩效目标的 {key}", "performance {key}", key=key)):
            entry = c.map(item, said("{key} 的一项指标", "a {key} target", key=key), required=("name", "value"),
                          optional=("note",))
            if entry is not None:
                pairs.append((c.text(entry.items.get("name"), "name") or "", c.text(entry.items.get("value"), "value") or ""))
        setattr(target, key, pairs)


def _notice_section(c: NodeChecker, node: Node | None, section: str, target: NoticeSettings, year: int) -> None:
    named = SECTIONS[section]
    notice = c.map(node, named, optional=NOTICE_KEYS)
    for key, node in (notice.items.items() if notice else []):
        if key in ("issuers", "cc", "upper"):
            values = [v.replace("{year}", str(year)).replace("{previous_year}", str(year - 1))
                      for v, _ in c.texts(node, said("{named}的 {key}", "{section} {key}", named=named,
                                                                  section=section, key=key))]
            if key == "issuers" and not values:
                c.error(node.source, said("{named}的 issuers 须至少列出一个发文机关", "{section} issuers must name at least "
                                          "one issuer", named=named, section=section))
            setattr(target, key, values)
        else:
            value = c.text(node, said("{named}的 {key}", "{section} {key}", named=named, section=section, key=key))
            if value is None:
                continue
            value = value.replace("{year}", str(year)).replace("{next_year}", str(year + 1))
            dated = said("{named}的日期", "{section} date", named=named, section=section)
            if key == "date" and c.date(node, dated, value) is None:
                continue
            if key == "public" and value not in PUBLIC:
                c.error(node.source, said("{named}的公开属性 '{value}' 不允许（允许：{allowed}）",
                                          "{section} public '{value}' is not allowed (allowed: {allowed})", named=named,
                                          section=section, value=value, allowed=", ".join(PUBLIC)))
            elif key == "unit" and value not in UNIT_FEN:
                c.error(node.source, said("{named}的单位 '{value}' 不允许（允许：{allowed}）",
                                          "{section} unit '{value}' is not allowed (allowed: {allowed})", named=named,
                                          section=section, value=value, allowed=", ".join(UNIT_FEN)))
            else:
                setattr(target, key, value)
