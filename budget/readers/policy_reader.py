"""Policy YAML → :class:`Policy`, every problem reported as ``file:line: message``.

One file per document. The province's file defines groups and subsidies; a city's file
``extends`` it and refines what the province leaves to the cities (pools such as ``local``,
local parameters), at the city's scope; ``overrides`` set values for one county or city.
Several city files extending the same province file may be read together.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from fractions import Fraction

from ..core.display import RATE_UNITS, format_share, party_name, split_text
from ..core.funds import Factor, Fund, FundTotal
from ..core.language import Message, Said, said
from ..core.money import format_plain
from ..core.period import Dated, History, Month, Reference
from ..core.policy import PAYERS, Assumption, Change, CountedOnce, Document, Group, Policy, Scenario, Scoped, Split, Subsidy, Term
from ..core.problems import InputError, Problem, Source
from ..core.regions import RegionTree
from . import located_yaml
from .located_yaml import Map, Node, Scalar, entries_of
from .regions_reader import read_regions
from .yaml_checks import NodeChecker

ID = re.compile(r"^[a-z][a-z0-9_]*$")
REFERENCE_KEYS = ("assumption", "interpretation", "continuation", "note")  # beside a ref
SUBSIDY_KEYS = ("name", "population", "unit", "period", "rate", "shares", "pools", "note")
LOCAL_SUBSIDY_KEYS = ("rate", "shares", "pools")
# a part of a file named by its key, which the clerk typed
EXTENDS = said("上级政策文件（extends）", "extends")
GROUPS = said("人员类别（groups）", "groups")
COUNTED_ONCE = said("计入次序（counted_once）", "counted_once")
SUBSIDIES = said("补助项目（subsidies）", "subsidies")
FUNDS = said("因素法资金（funds）", "funds")
OVERRIDES = said("分地区设定（overrides）", "overrides")
DOCUMENT = said("文件信息（document）", "document")
REGIONS = said("区划（regions）", "regions")
SCENARIO = said("测算方案（scenario）", "scenario")
YEAR = said("年度", "year")
REF = said("依据（ref）", "ref")
ASSUMPTION = said("假设（assumption）", "assumption")
FACTOR_ID = said("因素代码", "factor id")
GROUP = said("人员类别（group）", "group")
DATA = said("因素数据（data）", "data")
NAME = said("名称", "name")


@dataclass
class _Subsidy:
    id: str
    name: str | None = None
    unit: str | None = None
    terms: list[Term] = field(default_factory=list)
    term_sources: list[Source] = field(default_factory=list)
    period: list[Dated] = field(default_factory=list)
    source: Source | None = None
    rates: dict[str, dict[str, list[Dated]]] = field(default_factory=dict)  # key → scope → entries
    shares: dict[str, list[Dated]] = field(default_factory=dict)  # scope → entries
    pools: dict[str, dict[str, list[Dated]]] = field(default_factory=dict)  # pool → scope → entries
    declared_pools: set[str] = field(default_factory=set)  # named, even where a value was refused
    scope: str = ""  # where a local subsidy was defined


class _Reader:
    def __init__(self) -> None:
        self.c = NodeChecker()
        self.documents: list[Document] = []
        self.groups: dict[str, Group] = {}
        self.subsidies: dict[str, _Subsidy] = {}
        self.regions: RegionTree | None = None
        self.scopes: list[str] = []
        self.excluded: dict[str, str] = {}
        self.assumptions: list[Assumption] = []
        self.interpretations: list[Assumption] = []
        self.counted_once: list[CountedOnce] = []
        self.files: list[str] = []
        self.loaded: set[str] = set()
        self.region_sources: list[tuple[str, Source]] = []  # codes to check once regions are read
        self.funds: dict[str, Fund] = {}
        self.group_sources: list[tuple[str, Source]] = []  # groups named by rules, checked at the end
        self.region_files: list[str] = []
        self.contents: dict[str, bytes] = {}
        # every file named, in order, with the bytes read (None: passed over, read already): what
        # a kept reading is checked against (policy_cache.py)
        self.opened: list[tuple[str, bytes | None]] = []
        self.within: str | None = None  # a plan folder's inputs/: no file outside it is read
        self.layer: str | None = None  # the scenario file being read over the policy files
        self.scenario: tuple[str, str, str] | None = None  # name, reason, file
        self.changes: list[Change] = []
        # (a flow-style entry's text, its value key) → what it read as: a country's 333 city files
        # repeat a few dozen entries, each read once
        self.flow_values: dict[tuple[str, str | None], tuple[Month, Month | None, object, Reference]] = {}

    # files ---------------------------------------------------------------------------------
    def read_file(self, path: str, child_of: str | None = None) -> None:
        real = os.path.realpath(path)
        if real in self.loaded:
            self.opened.append((path, None))
            return
        if not self.inside(path, child_of):
            return
        self.loaded.add(real)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            # (universal newlines, as a file opened as text: one line break however the file ends its lines)
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except FileNotFoundError:
            self.c.error(Source(child_of or path), said("政策文件 {path} 不存在", "policy file {path} does not exist", path=path))
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.c.error(Source(path), said("无法读取政策文件：{exc}", "cannot read the policy file: {exc}", exc=str(exc)))
            return
        self.contents[path] = data  # what was read is what the plan folder keeps (its copy, its digest)
        self.opened.append((path, data))
        root = located_yaml.load(path, text, self.c.problems)
        if isinstance(root, Map) and "scenario" in root.items:
            self.read_scenario(root, path)
            return
        top = self.c.map(root, said("政策文件", "a policy file"), required=("document",),
                         optional=("extends", "regions", "groups", "counted_once", "subsidies", "funds", "overrides",
                                   "note"))
        if top is None:
            return
        parent = self.c.text(top.items.get("extends"), EXTENDS)
        if parent:
            self.read_file(os.path.normpath(os.path.join(os.path.dirname(path), parent)), path)
        is_root = not parent
        self.files.append(path)
        self.read_document(top.items.get("document"), path)
        scope = self.read_regions(top.items.get("regions"), path, is_root)
        groups = self.c.entries(top.items.get("groups"), GROUPS)
        for key, node, where in entries_of(groups):
            self.read_group(key, node, where)
        for item in self.c.seq(top.items.get("counted_once"), COUNTED_ONCE):
            self.read_counted_once(item)
        subsidies = self.c.entries(top.items.get("subsidies"), SUBSIDIES)
        for key, node, where in entries_of(subsidies):
            self.read_subsidy(key, node, where, scope)
        funds = self.c.entries(top.items.get("funds"), FUNDS)
        for key, node, where in entries_of(funds):
            self.read_fund(key, node, where, scope)
        self.read_overrides(top)

    def read_overrides(self, top: Map) -> None:
        overrides = self.c.entries(top.items.get("overrides"), OVERRIDES)
        if overrides:
            for code, node, where in overrides.entries():
                if not (len(code) == 6 and code.isdigit()):
                    self.c.error(where, said("overrides 的键 '{code}' 不是 6 位行政区划代码",
                                            "override key '{code}' is not a 6-digit region code", code=code))
                    continue
                self.region_sources.append((code, where))
                where_code = said("overrides 中的地区（{code}）", "override {code}", code=code)
                body = self.c.map(node, where_code, required=("subsidies",), optional=("note",))
                if body is None:
                    continue
                items = self.c.entries(body.items.get("subsidies"), said("overrides 中地区（{code}）的 subsidies",
                                                                         "override {code} subsidies", code=code))
                for key, sub, key_source in entries_of(items):
                    if key in self.subsidies:
                        self.read_local_subsidy(key, sub, key_source, code)
                    else:  # the county's (or city's) own subsidy
                        self.read_subsidy(key, sub, key_source, code)

    def inside(self, path: str, named_by: str | None) -> bool:
        """Reading a plan folder's copies: a file outside its inputs/ is refused, not read."""
        root = os.path.realpath(self.within) if self.within else None
        if root is None or os.path.realpath(path).startswith(root + os.sep):
            return True
        self.c.error(Source(named_by or path), said("引用了测算文件夹 inputs/ 以外的文件，不予读取"
                                                    "（测算文件夹保存其全部输入的副本）",
                                                    "names a file outside the plan folder's inputs/, which is not read "
                                                    "(a plan folder holds copies of all its inputs)"))
        return False

    def read_scenario(self, root: Map, path: str) -> None:
        """A scenario (测算方案): dated values over the policy files already read — a changed rate,
        share or period, a new local subsidy — with its name and reason. Its values replace the
        policy's for the months they cover (at the policy's own scopes, or a county's under overrides)."""
        top = self.c.map(root, said("测算方案文件", "a scenario file"), required=("scenario",),
                         optional=("subsidies", "overrides", "note"))
        if top is None:
            return
        if not self.documents or self.scenario is not None:
            self.c.error(Source(path, 1), said("测算方案须在政策文件之后读取，且只能有一个",
                                               "a scenario comes after the policy files, and one only"))
            return
        head = self.c.map(top.items.get("scenario"), SCENARIO, required=("name", "reason"), optional=("note",))
        if head is None:
            return
        name = self.c.text(head.items.get("name"), said("测算方案名称", "scenario name")) or ""
        reason = self.c.text(head.items.get("reason"), said("测算方案理由", "scenario reason")) or ""
        self.scenario = (name, reason, path)
        self.files.append(path)
        self.layer = path
        subsidies = self.c.entries(top.items.get("subsidies"), SUBSIDIES)
        for key, node, where in entries_of(subsidies):
            self.read_subsidy(key, node, where, "")
        self.read_overrides(top)
        self.layer = None

    def place(self, by_scope: dict[str, list[Dated]], scope: str, entry: Dated, what: str, shown) -> None:
        """Add a dated value at ``scope``; a scenario's value replaces what the policy had for the
        months it covers — at every policy-wide scope that has values ('' and the cities'), or at
        the county its overrides name."""
        if self.layer is None:
            by_scope.setdefault(scope, []).append(entry)
            return
        # a county's own subsidy has its values at the county only: a scenario's value goes there
        targets = [scope] if scope else ([s for s in by_scope if s == "" or s in self.scopes] or list(by_scope) or [""])
        old = ""
        for target in sorted(targets, key=lambda t: t == ""):
            existing = by_scope.get(target, [])
            before = next((e for e in existing if e.covers(entry.start)), None)
            if before is not None and not old:
                old = shown(before.value)
            kept = []
            for e in existing:
                parts = _outside(e, entry)
                kept += parts
                if parts != [e]:  # an assumed value replaced for some months is listed for the others only
                    self.assumptions = _narrowed(self.assumptions, e, parts)
                    self.interpretations = _narrowed(self.interpretations, e, parts)
            by_scope[target] = kept + [entry]
        self.changes.append(Change(what, scope, entry.start, entry.end, old, shown(entry.value), entry.ref.text,
                                   entry.source))

    def read_document(self, node: Node | None, path: str) -> None:
        doc = self.c.map(node, DOCUMENT, required=("number", "title", "issuers", "date"),
                         optional=("note", "public"))
        if doc is None:
            return
        date = self.c.date(doc.items.get("date"), said("发文日期", "document date"))
        self.documents.append(Document(
            number=self.c.text(doc.items.get("number"), said("文号", "document number")) or "",
            title=self.c.text(doc.items.get("title"), said("文件标题", "document title")) or "",
            issuers=tuple(t for t, _ in self.c.texts(doc.items.get("issuers"), said("发文机关", "issuers"))),
            date=date or "", file=path))

    def read_regions(self, node: Node | None, path: str, is_root: bool) -> str:
        """Read the region list (root file) or the file's scope (city file); return the scope."""
        if node is None:
            if is_root:
                self.c.error(Source(path, 1), said("省级政策文件须有 regions: {{file: …}}（区划文件）",
                                                   "the province's policy file needs regions: {{file: …}}"))
            return ""
        regions = self.c.map(node, REGIONS, optional=("file", "scope", "exclude"))
        if regions is None:
            return ""
        file = self.c.text(regions.items.get("file"), said("区划文件", "regions file"))
        if file and is_root:
            region_path = os.path.normpath(os.path.join(os.path.dirname(path), file))
            if not self.inside(region_path, path):
                return ""
            self.region_files.append(region_path)
            self.regions, problems = read_regions(region_path, self.opened)
            self.c.problems.extend(problems)
        elif file:
            self.c.error(regions.items["file"].source, said("只有最上级的政策文件才能指定区划文件",
                                                           "only the root policy file names the regions file"))
        scope = self.c.code(regions.items.get("scope"), said("适用范围（regions scope）", "regions scope")) or ""
        if scope:
            self.scopes.append(scope)
            self.region_sources.append((scope, regions.items["scope"].source))
        exclude = self.c.entries(regions.items.get("exclude"), said("不列入分配的地区（regions exclude）",
                                                                          "regions exclude"))
        for code, reason, where in entries_of(exclude):
            self.region_sources.append((code, where))
            if isinstance(reason, Map):  # {why: …, ref: …, assumption: …}
                body = self.c.map(reason, said("{code} 的排除说明", "exclusion of {code}", code=code), required=("why",),
                                  optional=REFERENCE_KEYS)
                why = self.c.text(reason.items.get("why"), said("{code} 的排除理由", "why {code} is excluded", code=code)) or ""
                assumption = self.c.text(reason.items.get("assumption"), ASSUMPTION) if body else None
                if assumption:
                    known = self.regions.get(code) if self.regions else None
                    place = f"{known.name}（{code}）" if known else code  # a reader knows counties by name
                    self.assumptions.append(Assumption(f"{place}不列入分配表", why, assumption, reason.source))
                self.excluded[code] = why
            else:
                why_not = said("排除 {code} 的理由", "reason for excluding {code}", code=code)
                self.excluded[code] = self.c.text(reason, why_not) or ""
        return scope

    # groups --------------------------------------------------------------------------------
    def read_group(self, key: str, node: Node, source: Source) -> None:
        if not ID.match(key):
            self.c.error(source, said("人员类别代码 '{key}' 只能由小写字母、数字和 _ 组成",
                                     "group id '{key}' must be lower-case letters, digits and _", key=key))
        if key in self.groups:
            self.c.error(source, said("人员类别 '{key}' 重复定义", "group '{key}' is defined twice", key=key))
            return
        group = said("人员类别（{key}）", "group {key}", key=key)
        body = self.c.map(node, group, required=("name",), optional=("short", "part_of", "within", "note"))
        if body is None:
            return
        items = body.items
        self.groups[key] = Group(
            id=key, name=self.c.text(items.get("name"), said("{group}的名称", "name of {group}", group=group)) or key,
            part_of=self.c.text(items.get("part_of"), said("{group}的上级类别（part_of）", "part_of of {group}",
                                                           group=group)),
            within=tuple(t for t, _ in self.c.texts(items.get("within"), said("{group}的所属类别（within）",
                                                                              "within of {group}", group=group))),
            source=source,
            short=self.c.text(items.get("short"), said("{group}的简称", "short of {group}", group=group)) or "")

    def read_counted_once(self, node: Node) -> None:
        body = self.c.map(node, said("counted_once（计入次序）规则", "a counted_once rule"), required=("groups", "ref"),
                          optional=REFERENCE_KEYS)
        if body is None:
            return
        groups = self.c.texts(body.items.get("groups"), said("计入次序（counted_once）的人员类别", "counted_once groups"))
        ref = self.reference(body, said("counted_once 规则", "counted_once"))
        if len(groups) < 2:
            self.c.error(body.source, said("counted_once 规则须按优先次序列出至少两个人员类别",
                                          "a counted_once rule names at least two groups, in order of priority"))
        elif ref is not None:
            rule = CountedOnce(tuple(g for g, _ in groups), ref, body.source)
            self.counted_once.append(rule)
            self.group_sources += groups
            order = " > ".join(self.groups[g].label.removeprefix("其中：") if g in self.groups else g for g, _ in groups)
            if ref.is_assumption:
                self.assumptions.append(Assumption("人员重叠时的计入次序", order, ref.assumption or "", body.source))
            if ref.interpretation:
                self.interpretations.append(Assumption("人员重叠时的计入次序", order, ref.interpretation, body.source))

    # subsidies -----------------------------------------------------------------------------
    def read_subsidy(self, key: str, node: Node, where: Source, scope: str) -> None:
        if key in self.subsidies:
            self.read_local_subsidy(key, node, where, scope)
            return
        if not ID.match(key):
            self.c.error(where, said("补助项目代码 '{key}' 只能由小写字母、数字和 _ 组成",
                                     "subsidy id '{key}' must be lower-case letters, digits and _", key=key))
        if scope and isinstance(node, Map) and "name" not in node.items:
            self.c.error(where, said("未知的补助项目 '{key}'（已有：{known}）；新增本地补助项目须有 name、population、unit 和 "
                                     "period", "unknown subsidy '{key}' (known: {known_en}); a new local subsidy needs "
                                     "name, population, unit and period", key=key, known=", ".join(self.subsidies) or "无",
                                     known_en=", ".join(self.subsidies) or "none"))
            return
        what = said("{what}", "subsidy {key}", what=self.named(key, node), key=key)
        body = self.c.map(node, what, required=("name", "population", "unit", "period"),
                          optional=("rate", "shares", "pools", "note"))
        if body is None:
            return
        sub = _Subsidy(key, source=where, scope=scope)
        self.subsidies[key] = sub
        if self.layer is not None:
            self.changes.append(Change(f"新增补助项目 {key}", scope, None, None, "", self.c.text(body.items.get("name"),
                                       said("{what}的名称", "name of {key}", what=what, key=key)) or key, "", where))
        sub.name = self.c.text(body.items.get("name"), said("{what}的名称", "name of {key}", what=what, key=key))
        what = self.named(key)
        unit = self.c.text(body.items.get("unit"), said("{what}的单位", "unit of {key}", what=what, key=key))
        if unit and unit not in RATE_UNITS:
            self.c.error(body.items["unit"].source,
                         said("{what}的单位 '{unit}' 不允许（允许：{allowed}）", "unit '{unit}' of {key} is not allowed "
                              "(allowed: {allowed})", what=what, unit=unit, key=key, allowed=", ".join(RATE_UNITS)))
        sub.unit = unit
        population = self.c.map(body.items.get("population"), said("{what}的补助对象（population）",
                                                                                   "population of {key}", what=what, key=key),
                                required=("add",), optional=("subtract",))
        if population is not None:
            for name, sign in (("add", 1), ("subtract", -1)):
                for group, source in self.c.texts(population.items.get(name), said(
                        "{what}补助对象的 {name}（{verb}）", "population {name} of {key}",
                        verb="增加" if name == "add" else "扣除", what=what, name=name, key=key)):
                    if any(t.group == group for t in sub.terms):
                        self.c.error(source, said("人员类别 '{group}' 在{what}的补助对象中出现两次",
                                                  "group '{group}' appears twice in the population of {key}",
                                                  group=group, what=what, key=key))
                        continue
                    sub.terms.append(Term(group, sign))
                    sub.term_sources.append(source)
        period_of = said("{what}的执行期间", "period of {key}", what=what, key=key)
        for item in self.c.seq(body.items.get("period"), period_of):
            entry = self.dated(item, period_of, None, lambda n: True)
            if entry:
                sub.period.append(entry)
                self.note_assumption(entry, f"{sub.name}执行期间", f"{entry.start}起")
        self.read_local_subsidy(key, Map(body.source, {k: v for k, v in body.items.items()
                                                      if k in LOCAL_SUBSIDY_KEYS},
                                         {k: v for k, v in body.key_sources.items() if k in LOCAL_SUBSIDY_KEYS}),
                                where, scope)

    def read_local_subsidy(self, key: str, node: Node, where: Source, scope: str) -> None:
        """Rates, shares and pools of ``key`` set at ``scope`` ('' = policy-wide)."""
        sub = self.subsidies.get(key)
        if sub is None:
            self.c.error(where, said("未知的补助项目 '{key}'（已有：{known}）；新增补助项目须有 name、population、unit 和 period",
                                     "unknown subsidy '{key}' (known: {known_en}); a new subsidy needs name, population, "
                                     "unit and period", key=key, known=", ".join(self.subsidies) or "无",
                                     known_en=", ".join(self.subsidies) or "none"))
            return
        what = self.named(key)
        body = self.c.map(node, said("{what}", "subsidy {key}", what=what, key=key), optional=LOCAL_SUBSIDY_KEYS + ("note",)
                          + (("period",) if self.layer is not None and sub.period else ()))
        if body is None:
            return
        if "period" in body.items:  # a scenario's period replaces the subsidy's whole period
            period_of = said("{what}的执行期间", "period of {key}", what=what, key=key)
            period = [e for item in self.c.seq(body.items.get("period"), period_of)
                      if (e := self.dated(item, period_of, None, lambda n: True))]
            self.changes.append(Change(f"{sub.name}执行期间", scope, None, None, _periods(sub.period), _periods(period),
                                       "；".join(e.ref.text for e in period), body.items["period"].source))
            sub.period = period
        rate = body.items.get("rate")
        if isinstance(rate, Map):
            for group, history, where_group in rate.entries():
                self.rate_history(sub, group, history, scope, where_group)
        elif rate is not None:
            self.rate_history(sub, "*", rate, scope, rate.source)
        shares_of = said("{what}的分担比例", "shares of {key}", what=what, key=key)
        for item in self.c.seq(body.items.get("shares"), shares_of):
            entry = self.split_entry(item, shares_of)
            if entry:
                self.place(sub.shares, scope, entry, f"{sub.name}分担比例", _split_shown)
                self.note_split_assumption(entry, key, "分担比例")
        pools = self.c.entries(body.items.get("pools"), said("{what}的细分部分（pools）", "pools of {key}", what=what, key=key))
        for pool, items, where_pool in entries_of(pools):
            if pool in PAYERS or not ID.match(pool):
                self.c.error(where_pool, said("分担部分名称 '{pool}' 应为代码，且不能是 {payers}",
                                              "pool name '{pool}' must be an id other than {payers}", pool=pool,
                                              payers=", ".join(PAYERS)))
                continue
            sub.declared_pools.add(pool)
            pool_of = said("{what}中 {pool} 部分的分担比例", "pool {pool} of {key}", what=what, pool=pool, key=key)
            for item in self.c.seq(items, pool_of):
                entry = self.split_entry(item, pool_of)
                if entry:
                    self.place(sub.pools.setdefault(pool, {}), scope, entry, f"{sub.name}{party_name(pool)}部分分担比例",
                               _split_shown)
                    self.note_split_assumption(entry, key, f"{party_name(pool)}部分分担比例")

    def rate_history(self, sub: _Subsidy, group: str, node: Node, scope: str, where: Source) -> None:
        if group != "*" and not any(t.group == group for t in sub.terms):
            self.c.error(where, said("为人员类别 '{group}' 规定了补助标准，但它不在{what}的补助对象中（其中的类别：{there}）",
                                     "rate for group '{group}', which is not in the population of {id} "
                                     "(groups there: {there})", group=group, what=self.named(sub.id), id=sub.id,
                                     there=", ".join(t.group for t in sub.terms)))
            return
        rate_of = said("{what}的补助标准", "rate of {id}", what=self.named(sub.id), id=sub.id)
        for item in self.c.seq(node, rate_of):
            entry = self.dated(item, rate_of, "value", lambda n: self.c.yuan(n, rate_of))
            if entry:
                unit = RATE_UNITS.get(sub.unit or "", "")
                group_name = self.groups[group].label if group in self.groups else group
                label = f"{sub.name}补助标准" + ("" if group == "*" else f"（{group_name}）")
                self.place(sub.rates.setdefault(group, {}), scope, entry, label,
                           lambda v, unit=unit: f"{format_plain(v)} {unit}")
                self.note_assumption(entry, label, f"{format_plain(entry.value)} {unit}")

    def split_entry(self, node: Node, what: Message) -> Dated | None:
        body = self.c.map(node, what, required=("from", "ref"),
                          optional=("to", "split", "ratio") + REFERENCE_KEYS)
        if body is None:
            return None
        has_split, has_ratio = "split" in body.items, "ratio" in body.items
        if has_split == has_ratio:
            self.c.error(body.source, said("{what}须给出 split（份额，如 50%）或 ratio（整数比，如 3:3:4），且只能给一个",
                                           "{what} needs exactly one of split (shares such as 50%) "
                                           "or ratio (whole numbers such as 3:3:4)", what=what))
            return None
        key = "split" if has_split else "ratio"
        return self.dated(node, what, key, lambda n: self.split(n, what, ratio=has_ratio), checked=body)

    def split(self, node: Node, what: Message, ratio: bool) -> Split | None:
        kind = "ratio" if ratio else "split"
        body = self.c.entries(node, said("{what}", "{what} {kind}", what=what, kind=kind))
        if body is None:
            return None
        values = []
        for name, value_node in body.items.items():
            value = (self.c.positive_int(value_node, said("{what}中 {name} 的比数", "{what} ratio of {name}",
                                                          what=what, name=name)) if ratio
                     else self.c.share(value_node, said("{what}中 {name} 的份额", "{what} share of {name}",
                                                        what=what, name=name)))
            if value is None:
                return None
            values.append((name, Fraction(value)))
        if not values:
            self.c.error(body.source, said("{what}没有列出出资方", "{what} names no payer", what=what))
            return None
        if ratio:
            total = sum(v for _, v in values)
            values = [(n, v / total) for n, v in values]
        elif sum(v for _, v in values) != 1:
            total = sum(v for _, v in values)
            self.c.error(body.source, said("{what}：份额合计为 {total}，应恰好为 100%",
                                           "{what}: shares add up to {total}, not exactly 100%", what=what,
                                           total=format_share(total)))
            return None
        return Split(tuple(values))

    def dated(self, node: Node, what: Message, value_key: str | None, parse, checked: Map | None = None
              ) -> Dated | None:
        flow = node.flow if isinstance(node, Map) else None
        if flow is not None and (flow, value_key) in self.flow_values:  # the same text read before, without a problem
            return Dated(*self.flow_values[(flow, value_key)], node.source)
        problems_before = len(self.c.problems)
        body = checked or self.c.map(node, what, required=("from", "ref") + ((value_key,) if value_key else ()),
                                     optional=("to",) + REFERENCE_KEYS)
        if body is None:
            return None
        start = self.c.month(body.items.get("from"), said("{what}起始月份（from）", "{what} from", what=what))
        end = (self.c.month(body.items.get("to"), said("{what}截止月份（to）", "{what} to", what=what))
               if "to" in body.items else None)
        ref = self.reference(body, what)
        value = parse(body.items.get(value_key)) if value_key else None
        if start and end and end < start:
            self.c.error(body.items["to"].source, said("{what}：截止月份 {end}（to）早于起始月份 {start}（from）",
                                                       "{what}: 'to' {end} is before 'from' {start}", what=what,
                                                       end=str(end), start=str(start)))
            return None
        if start is None or ref is None or (value_key and value is None):
            return None
        if flow is not None and len(self.c.problems) == problems_before:
            self.flow_values[(flow, value_key)] = (start, end, value, ref)
        return Dated(start, end, value, ref, body.source)

    def reference(self, body: Map, what: Message) -> Reference | None:
        """``ref`` with its ``assumption``, ``interpretation`` or ``continuation`` (a rule carried
        on past the documents' period: an assumption that planning such a year warns about)."""
        text = self.c.text(body.items.get("ref"), said("{what}的依据（ref）", "{what} ref", what=what))
        assumption = self.c.text(body.items.get("assumption"), said("{what}的假设（assumption）", "{what} assumption",
                                                                    what=what))
        continuation = self.c.text(body.items.get("continuation"), said("{what}的延续说明（continuation）",
                                                                        "{what} continuation", what=what))
        if assumption and continuation:
            self.c.error(body.items["continuation"].source, said(
                "{what}：continuation（延续）本身就是假设，assumption 和 continuation 只能给一个",
                "{what}: a continuation is an assumption already; give one of assumption or continuation", what=what))
        interpretation = self.c.text(body.items.get("interpretation"), said("{what}的解释（interpretation）",
                                                                            "{what} interpretation", what=what))
        if text is None:
            return None
        return Reference(text, assumption or continuation, interpretation, continued=continuation is not None)

    # funds distributed by factors ------------------------------------------------------------
    def read_fund(self, key: str, node: Node, where: Source, scope: str) -> None:
        c = self.c
        if not ID.match(key):
            c.error(where, said("资金代码 '{key}' 只能由小写字母、数字和 _ 组成",
                                "fund id '{key}' must be lower-case letters, digits and _", key=key))
        if key in self.funds:
            c.error(where, said("资金 '{key}' 重复定义", "fund '{key}' is defined twice", key=key))
            return
        fund = said("资金（{key}）", "fund {key}", key=key)
        body = c.map(node, fund, required=("name", "payer", "totals", "factors", "ref"),
                     optional=("floor", "cap", "exclude", "assumption", "note"))
        if body is None:
            return
        name = c.text(body.items.get("name"), said("{fund}的名称", "name of {fund}", fund=fund)) or key
        payer = c.text(body.items.get("payer"), said("{fund}的出资方", "payer of {fund}", fund=fund))
        if payer and payer not in PAYERS:
            c.error(body.items["payer"].source, said("{fund}的出资方 '{payer}' 不允许（允许：{allowed}）",
                                                     "payer '{payer}' of {fund} is not allowed (allowed: {allowed})",
                                                     fund=fund, payer=payer, allowed=", ".join(PAYERS)))
        totals: list[FundTotal] = []
        for item in c.seq(body.items.get("totals"), said("{fund}的总额（totals）", "totals of {fund}", fund=fund)):
            entry = c.map(item, said("{fund}的一项总额", "a total of {fund}", fund=fund), required=("year", "total", "ref"),
                          optional=("assumption", "note"))
            if entry is None:
                continue
            year = c.text(entry.items.get("year"), YEAR)
            total = c.yuan(entry.items.get("total"), said("{fund}的总额", "total of {fund}", fund=fund))
            ref = c.text(entry.items.get("ref"), REF)
            if year is not None and not (year.isdigit() and len(year) == 4):
                c.error(entry.items["year"].source, said("年度 '{year}' 应为 4 位年份", "year '{year}' must be a 4-digit year",
                                                         year=year))
            elif year and total is not None and ref:
                if any(t.year == int(year) for t in totals):
                    c.error(entry.source, said("{fund}的 {year} 年总额给了两次", "{fund} has two totals for {year}",
                                               fund=fund, year=year))
                    continue
                reference = Reference(ref, c.text(entry.items.get("assumption"), ASSUMPTION))
                totals.append(FundTotal(int(year), total, reference))
                if reference.is_assumption:
                    self.assumptions.append(Assumption(f"{name}{year}年总额", f"{format_plain(total)} 元",
                                                       reference.assumption or "", entry.source,
                                                       Month(int(year), 1), Month(int(year), 12)))
        factors = []
        for item in c.seq(body.items.get("factors"), said("{fund}的分配因素（factors）", "factors of {fund}",
                                                                   fund=fund)):
            entry = c.map(item, said("{fund}的一个分配因素", "a factor of {fund}", fund=fund), required=("id", "name", "weight"),
                          optional=("group", "data", "note"))
            if entry is None:
                continue
            fid = c.text(entry.items.get("id"), FACTOR_ID)
            weight = c.share(entry.items.get("weight"), said("因素 {fid} 的权重", "weight of factor {fid}", fid=fid))
            group = c.text(entry.items.get("group"), GROUP)
            data = c.text(entry.items.get("data"), DATA)
            if (group is None) == (data is None):
                c.error(entry.source, said("{fund}的因素 {fid} 须给出 group（人数中的人员类别）或 data"
                                           "（--factors 文件中的因素），且只能给一个",
                                           "factor {fid} of {fund} needs exactly one of group (a "
                                           "headcount group) or data (a factor in the --factors file)", fid=fid, fund=fund))
                continue
            if fid and weight is not None:
                factors.append(Factor(fid, c.text(entry.items.get("name"), NAME) or fid, weight, group, data))
        if factors and sum(f.weight for f in factors) != 1:
            c.error(body.items["factors"].source, said("{fund}各因素的权重合计为 {total}，应恰好为 100%",
                                                       "the weights of fund {key}'s factors add up to {total}, not "
                                                       "exactly 100%", fund=fund, key=key,
                                                       total=format_share(sum(f.weight for f in factors))))
        floor = (c.yuan(body.items.get("floor"), said("{fund}的保底额", "floor of {fund}", fund=fund))
                 if "floor" in body.items else None)
        cap = c.yuan(body.items.get("cap"), said("{fund}的上限", "cap of {fund}", fund=fund)) if "cap" in body.items else None
        if floor is not None and cap is not None and floor > cap:
            c.error(body.items["cap"].source, said("{fund}的上限低于保底额", "the cap of {fund} is below its floor",
                                                   fund=fund))
        excluded = c.texts(body.items.get("exclude"), said("{fund}不参与分配的地区（exclude）",
                                                                      "exclude of {fund}", fund=fund))
        self.region_sources += excluded  # checked against the region list at the end
        fund_ref = Reference(c.text(body.items.get("ref"), REF) or "",
                             c.text(body.items.get("assumption"), ASSUMPTION))
        if fund_ref.is_assumption:
            self.assumptions.append(Assumption(f"{name}的分配办法", "因素法", fund_ref.assumption or "", body.source))
        self.funds[key] = Fund(key, name, payer or "county", tuple(totals), tuple(factors), floor, cap,
                               tuple(code for code, _ in excluded), scope, fund_ref, where)

    # assumptions ---------------------------------------------------------------------------
    def note_assumption(self, entry: Dated, what: str, value: str) -> None:
        if entry.ref.is_assumption:
            self.assumptions.append(Assumption(what, value, entry.ref.assumption or "", entry.source,
                                               entry.start, entry.end))
        if entry.ref.interpretation:
            self.interpretations.append(Assumption(what, value, entry.ref.interpretation, entry.source,
                                                   entry.start, entry.end))

    def note_split_assumption(self, entry: Dated, key: str, what: str) -> None:
        shown = split_text(entry.value.shares)
        name = self.subsidies[key].name if key in self.subsidies else key
        self.note_assumption(entry, f"{name}{what}", shown)

    # the whole -----------------------------------------------------------------------------
    def finish(self) -> Policy:
        c = self.c
        for group in self.groups.values():
            for parent in ([group.part_of] if group.part_of else []) + list(group.within):
                if parent not in self.groups:
                    c.error(group.source, said("人员类别 '{id}' 引用了未知的人员类别 '{parent}'（已有：{known}）",
                                               "group '{id}' refers to unknown group '{parent}' (known: {known})",
                                               id=group.id, parent=parent, known=", ".join(self.groups)))
        regions = self.regions or RegionTree()
        for code, source in self.region_sources:
            if self.regions is not None and code not in regions.regions:
                c.error(source, said("行政区划代码 {code} 不在区划列表中", "region code {code} is not in the region list",
                                     code=code))
        subsidies = {}
        for sub in self.subsidies.values():
            for term, source in zip(sub.terms, sub.term_sources):
                if term.group not in self.groups:
                    c.error(source, said("{what}的补助对象中有未知的人员类别 '{group}'（已有：{known}）",
                                         "unknown group '{group}' in the population of {id} (known: {known})",
                                         what=self.named(sub.id), group=term.group, id=sub.id,
                                         known=", ".join(self.groups)))
            defined_pools = sub.declared_pools
            for entries in [*sub.shares.values(), *(e for p in sub.pools.values() for e in p.values())]:
                for entry in entries:
                    for name, _ in entry.value.shares:
                        if name not in PAYERS and name not in defined_pools:
                            c.error(entry.source, said(
                                "{what}分担比例中的 '{name}' 既不是出资方（{payers}），也不是本文件或市级文件在 pools: "
                                "下细分的部分（已细分：{pools}）", "'{name}' in a split of {id} is neither a payer "
                                "({payers}) nor a pool refined under pools: by this or a city's file (pools refined: "
                                "{pools_en})", what=self.named(sub.id), name=name, id=sub.id, payers=", ".join(PAYERS),
                                pools=", ".join(sorted(defined_pools)) or "无",
                                pools_en=", ".join(sorted(defined_pools)) or "none"))
            sub_what = self.named(sub.id)
            subsidies[sub.id] = Subsidy(
                id=sub.id, name=sub.name or sub.id, unit=sub.unit or "year", terms=tuple(sub.terms),
                period=self.history(sub.period, said("{what}的执行期间", "period of {id}", what=sub_what, id=sub.id)),
                rates={k: self.scoped(v, said("{what}的补助标准", "rate of {id}", what=sub_what, id=sub.id))
                       for k, v in sub.rates.items()},
                shares=self.scoped(sub.shares, said("{what}的分担比例", "shares of {id}", what=sub_what, id=sub.id)),
                pools={k: self.scoped(v, said("{what}中 {pool} 部分的分担比例", "pool {pool} of {id}", what=sub_what, pool=k,
                                              id=sub.id)) for k, v in sub.pools.items()},
                source=sub.source, scope=sub.scope)
        if not self.documents:
            c.error(None, said("未读入任何政策文件", "no policy document was read"))
        for fund in self.funds.values():
            for factor in fund.factors:
                if factor.group and factor.group not in self.groups:
                    c.error(fund.source, said("资金（{id}）：因素 '{factor}' 统计的人员类别 '{group}' 未定义（已有：{known}）",
                                              "fund {id}: factor '{factor}' counts unknown group '{group}' (known: {known})",
                                              id=fund.id, factor=factor.id, group=factor.group,
                                              known=", ".join(self.groups)))
            if fund.id in subsidies:
                c.error(fund.source, said("资金代码 '{id}' 与补助项目代码重复", "fund id '{id}' is also a subsidy id",
                                          id=fund.id))
        for named, source in self.group_sources:
            if named not in self.groups:
                c.error(source, said("未知的人员类别 '{named}'（已有：{known}）", "unknown group '{named}' (known: {known})",
                                     named=named, known=", ".join(self.groups)))
        return Policy(documents=self.documents, groups=self.groups, subsidies=subsidies,
                      regions=regions, scopes=tuple(self.scopes), excluded=self.excluded,
                      files=self.files, assumptions=self.assumptions, funds=self.funds,
                      interpretations=self.interpretations, counted_once=self.counted_once,
                      region_files=self.region_files, contents=self.contents,
                      scenario=Scenario(self.scenario[0], self.scenario[1], self.scenario[2], tuple(self.changes))
                      if self.scenario else None)

    def history(self, entries: list[Dated], what: Message) -> History:
        history = History(tuple(sorted(entries, key=lambda e: e.start)))
        for a, b in history.overlaps():
            self.c.error(b.source, said("{what}：{b} 起的期间与 {a} 起的期间（第 {line} 行）重叠",
                                        "{what}: the period from {b} overlaps the one from {a} (line {line})",
                                        what=what, b=str(b.start), a=str(a.start),
                                        line=a.source.line if a.source else "?"))
        return history

    def scoped(self, by_scope: dict[str, list[Dated]], what: Message) -> Scoped:
        return Scoped({scope: self.history(entries, said("{what}（{scope}）", "{what} at {scope}", what=what, scope=scope)
                                           if scope else what)
                       for scope, entries in by_scope.items()})

    def named(self, key: str, node: Node | None = None) -> Said:
        """A subsidy as the clerk knows it: 补助项目“城乡居民养老保险缴费补助”（s）; in English its id, as typed.
        ``node``: the subsidy's definition being read, whose name is not known yet."""
        sub = self.subsidies.get(key)
        name = sub.name if sub is not None else None
        given = node.items.get("name") if isinstance(node, Map) else None
        if name is None and isinstance(given, Scalar) and not given.is_null:
            name = given.text.strip()
        if name:
            return said("补助项目“{name}”（{key}）", "{key}", name=name, key=key)
        return said("补助项目（{key}）", "{key}", key=key)


def _outside(entry: Dated, new: Dated) -> list[Dated]:
    """The parts of ``entry`` outside the months ``new`` covers."""
    if (new.end is not None and entry.start > new.end) or (entry.end is not None and entry.end < new.start):
        return [entry]
    parts = []
    if entry.start < new.start:
        parts.append(replace(entry, end=_shift(new.start, -1)))
    if new.end is not None and (entry.end is None or entry.end > new.end):
        parts.append(replace(entry, start=_shift(new.end, 1)))
    return parts


def _narrowed(notes: list[Assumption], entry: Dated, parts: list[Dated]) -> list[Assumption]:
    """``notes`` with the one made for ``entry`` cut to the months of ``parts`` (none: dropped)."""
    out = []
    for note in notes:
        if note.source == entry.source and note.start == entry.start and note.end == entry.end:
            out += [replace(note, start=p.start, end=p.end) for p in parts]
        else:
            out.append(note)
    return out


def _shift(month: Month, by: int) -> Month:
    index = month.index + by
    return Month(index // 12, index % 12 + 1)


def _periods(entries: list[Dated]) -> str:
    return "、".join(f"{e.start}至{e.end or '今'}" for e in sorted(entries, key=lambda e: e.start)) or "（无）"


def _split_shown(split: Split) -> str:
    return split_text(split.shares)


def read_policy(paths: list[str], scenario: str | None = None, within: str | None = None,
                opened: list[tuple[str, bytes | None]] | None = None) -> tuple[Policy, list[Problem]]:
    """Read policy files (and a scenario over them); raise :class:`InputError` with every problem if any is an error.
    ``within``: a folder no file read may lie outside (a plan folder's inputs/); ``opened``: given
    every file named, in order, with the bytes read (None: passed over as read already)."""
    reader = _Reader()
    reader.within = within
    if opened is not None:
        reader.opened = opened
    for path in paths + ([scenario] if scenario else []):
        reader.read_file(path)
    policy = reader.finish()
    if reader.c.problems:
        raise InputError(reader.c.problems)
    return policy, []
