"""The roster configuration (YAML) → :class:`RosterConfig`, every problem as ``file:line: message``.

    policy: xianyang-2017-303            # a shipped policy, or a path relative to this file
    lists:
      registry:
        name: 建档立卡贫困人口台账
        holder: 扶贫办
        file: 建档立卡.xlsx              # relative to this file; CSV (UTF-8, BOM, GB18030) or XLSX
        sheet: 台账                      # optional: default the first sheet
        columns: {id: 身份证号码, name: 姓名, region: 县区代码, from: 纳入年月, to: 退出年月}
        sets:
          registered_poor: {ref: …}
          registered_poor_unmarked: {where: {标注脱贫: [否, ""]}, ref: …}
    groups:
      poor_pension_contributors:
        base: pension_contributors       # county and months from this set
        any_of: [registered_poor_unmarked, dibao, tekun]
        all_of: []
        none_of: []
        ref: 陕人社发〔2017〕60号 二（一） “…”
    priority:
      - {groups: [medical_tekun, medical_dibao, medical_poor], ref: …, assumption: …}
"""

from __future__ import annotations

import os
import re

from ..core.language import said
from ..core.problems import InputError, Problem, Source
from ..core.roster_rules import FIELDS, Condition, GroupRule, ListSpec, PriorityRule, RosterConfig, SetSpec
from ..resources import policy_path
from . import located_yaml
from .located_yaml import Map, Node, Scalar, Seq
from .yaml_checks import NodeChecker

ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _ref(c: NodeChecker, node: Map, what: str) -> str:
    ref = c.text(node.items.get("ref"), f"{what}: ref")
    return ref or ""


def read_roster_config(path: str) -> RosterConfig:
    """Read and check the configuration; raise :class:`InputError` with every problem."""
    c = NodeChecker()
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise InputError([Problem(Source(path), said("比对配置文件不存在",
                                                     "the roster configuration file does not exist"))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(Source(path), said("无法读取比对配置文件：{exc}", "cannot read the roster "
                                                     "configuration: {exc}", exc=str(exc)))]) from None
    root = located_yaml.load(path, text, c.problems)
    top = c.map(root, said("比对配置", "the roster configuration"), required=("policy", "lists", "groups"),
                optional=("priority",))
    if top is None:
        raise InputError(c.problems)
    folder = os.path.dirname(os.path.abspath(path))

    policies = []
    for value, source in c.texts(top.items.get("policy"), "policy"):
        given = value if os.path.isabs(value) else os.path.join(folder, value)
        policies.append(given if os.path.exists(given) else policy_path(value))
        if not os.path.exists(policies[-1]):
            c.error(source, said("政策文件 '{value}' 不存在，也不是内置政策", "policy file '{value}' not found, nor a shipped "
                                 "policy", value=value))

    lists: dict[str, ListSpec] = {}
    sets: dict[str, SetSpec] = {}
    set_sources: dict[str, Source] = {}
    for list_id, node, key_source in (c.entries(top.items.get("lists"), "lists") or Map(top.source)).entries():
        spec = _list(c, list_id, node, key_source, folder, sets, set_sources)
        if spec is not None:
            lists[list_id] = spec

    groups: dict[str, GroupRule] = {}
    for group_id, node, key_source in (c.entries(top.items.get("groups"), "groups") or Map(top.source)).entries():
        what = f"groups.{group_id}"
        m = c.map(node, what, required=("base", "ref"), optional=("any_of", "all_of", "none_of", "assumption", "note"))
        if m is None:
            continue
        base = c.text(m.items.get("base"), f"{what}.base")
        refs: dict[str, tuple[str, ...]] = {}
        for key in ("any_of", "all_of", "none_of"):
            found = c.texts(m.items.get(key), f"{what}.{key}")
            for set_id, source in found:
                if set_id not in set_sources:
                    c.error(source, said("{what}.{key}：未定义的人员集合 '{set_id}'（已定义：{defined}）",
                                         "{what}.{key}: unknown set '{set_id}' (defined: {defined})", what=what, key=key,
                                         set_id=set_id, defined=", ".join(set_sources)))
            refs[key] = tuple(s for s, _ in found)
        if base is not None and base not in set_sources:
            c.error(m.items["base"].source, said("{what}.base：未定义的人员集合 '{base}'（已定义：{defined}）",
                                                 "{what}.base: unknown set '{base}' (defined: {defined})", what=what,
                                                 base=base, defined=", ".join(set_sources)))
        if base is not None:
            groups[group_id] = GroupRule(group_id, base, refs["any_of"], refs["all_of"], refs["none_of"],
                                         _ref(c, m, what), key_source,
                                         c.text(m.items.get("assumption"), f"{what}.assumption") or "")

    priorities: list[PriorityRule] = []
    for index, node in enumerate(c.seq(top.items.get("priority"), "priority"), start=1):
        what = f"priority[{index}]"
        m = c.map(node, what, required=("groups", "ref"), optional=("assumption", "note"))
        if m is None:
            continue
        members = c.texts(m.items.get("groups"), f"{what}.groups")
        for group_id, source in members:
            if group_id not in groups:
                c.error(source, said("{what}：人员类别 '{group_id}' 在 groups: 下没有规则",
                                     "{what}: group '{group_id}' has no rule under groups:", what=what, group_id=group_id))
        if len(members) < 2:
            c.error(m.source, said("{what}：至少需要两个人员类别", "{what}: a priority names two groups or more", what=what))
        priorities.append(PriorityRule(tuple(g for g, _ in members), _ref(c, m, what), m.source,
                                       c.text(m.items.get("assumption"), f"{what}.assumption") or ""))
    if c.problems:
        raise InputError(c.problems)
    return RosterConfig(path, policies, lists, sets, groups, priorities)


def _list(c: NodeChecker, list_id: str, node: Node, key_source: Source, folder: str,
          sets: dict[str, SetSpec], set_sources: dict[str, Source]) -> ListSpec | None:
    what = f"lists.{list_id}"
    if not ID.match(list_id):
        c.error(key_source, said("{what}：代码只能由小写字母、数字和 _ 组成", "{what}: ids are lower-case letters, digits, _",
                                 what=what))
    m = c.map(node, what, required=("name", "file", "columns", "sets"), optional=("sheet", "holder", "note"))
    if m is None:
        return None
    name = c.text(m.items.get("name"), f"{what}.name") or list_id
    file = c.text(m.items.get("file"), f"{what}.file")
    sheet = c.text(m.items.get("sheet"), f"{what}.sheet")
    holder = c.text(m.items.get("holder"), f"{what}.holder") or ""
    columns: dict[str, str] = {}
    cols = c.map(m.items.get("columns"), f"{what}.columns", required=("id",), optional=FIELDS[1:])
    if cols is not None:
        for field, value, _ in cols.entries():
            header = c.text(value, f"{what}.columns.{field}")
            if header:
                columns[field] = header
        taken: dict[str, str] = {}
        for field, header in columns.items():
            if header in taken:
                c.error(cols.source, said("{what}.columns：列 '{header}' 同时用作 {first} 和 {field}",
                                          "{what}.columns: '{header}' is named for two fields, {first} and {field}",
                                          what=what, header=header, first=taken[header], field=field))
            taken[header] = field
    for set_id, set_node, set_source in (c.entries(m.items.get("sets"), f"{what}.sets") or Map(m.source)).entries():
        set_what = f"{what}.sets.{set_id}"
        if not ID.match(set_id):
            c.error(set_source, said("{what}：代码只能由小写字母、数字和 _ 组成", "{what}: ids are lower-case letters, digits, _",
                                     what=set_what))
        if set_id in set_sources:
            c.error(set_source, said("{what}：人员集合 '{set_id}' 已在 {first} 定义", "{what}: set '{set_id}' is defined "
                                     "twice (first at {first})", what=set_what, set_id=set_id, first=str(set_sources[set_id])))
            continue
        set_sources[set_id] = set_source
        sm = c.map(set_node, set_what, required=("ref",), optional=("where", "note"))
        if sm is None:
            continue
        conditions = []
        where = c.entries(sm.items.get("where"), f"{set_what}.where")
        if where is not None:
            for column, value, column_source in where.entries():
                values = _values(c, value, f"{set_what}.where.{column}")
                if not values:
                    c.error(column_source, said("{what}.where.{column}：至少给出一个取值",
                                                "{what}.where.{column}: give at least one value", what=set_what,
                                                column=column))
                conditions.append(Condition(column, tuple(values)))
        sets[set_id] = SetSpec(set_id, list_id, tuple(conditions), set_source, _ref(c, sm, set_what))
    if file is None:
        return None
    path = file if os.path.isabs(file) else os.path.join(folder, file)
    return ListSpec(list_id, name, path, columns, sheet, key_source, holder)


def _values(c: NodeChecker, node: Node | None, what: str) -> list[str]:
    """A list of cell values; an empty string stands for an empty cell."""
    if isinstance(node, Scalar):
        return [node.text.strip()]
    if isinstance(node, Seq):
        out = []
        for item in node.items:
            if isinstance(item, Scalar):
                out.append("" if item.is_null else item.text.strip())
            else:
                c.error(item.source, said("{what}：每个取值应为单个值", "{what}: each value must be a single value", what=what))
        return out
    if node is not None:
        c.error(node.source, said("{what}：应为取值的列表", "{what}: must be a list of values", what=what))
    return []
