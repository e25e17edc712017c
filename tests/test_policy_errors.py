"""One broken policy file per kind of error, each with its expected file:line message."""

import textwrap

import pytest
from conftest import ROOT

from budget.core.problems import InputError
from budget.readers.policy_reader import read_policy

REGIONS = ROOT / "budget" / "configs" / "regions" / "shaanxi.yaml"

GOOD = f"""\
document:
  number: 测试〔2018〕1号
  title: 测试
  issuers: [测试厅]
  date: 2018-01-02
regions:
  file: {REGIONS}
groups:
  people:
    name: 人员
  some_people:
    name: 其中：部分人员
    part_of: people
subsidies:
  s:
    name: 补助
    unit: year
    population:
      add: [people]
      subtract: [some_people]
    period:
      - {{from: 2018-01, ref: 条款一}}
    rate:
      - {{from: 2018-01, value: 50, ref: 条款二}}
    shares:
      - from: 2018-01
        split: {{province: 50%, city: 20%, county: 30%}}
        ref: 条款三
"""


def problems_of(tmp_path, text, name="policy.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_policy([str(path)])
    return [str(p) for p in caught.value.problems], str(path)


def test_good_file_reads(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD, encoding="utf-8")
    policy, _ = read_policy([str(path)])
    assert list(policy.subsidies) == ["s"]


@pytest.mark.parametrize("change, line, message", [
    (("    unit: year\n", "    unit: year\n    rates: 5\n"), 18,
     "unknown key 'rates' in subsidy s (allowed: name, population, unit, period, rate, shares, pools, note)"),
    (("    name: 补助\n", "    name: 补助\n    name: 再次\n"), 17, "duplicate key 'name' (first given on line 16)"),
    (("province: 50%, city: 20%", "province: 50%, city: 25%"), 27, "shares add up to 105%, not exactly 100%"),
    (("province: 50%, city: 20%", "province: 50%, city: 10%"), 27, "shares add up to 90%, not exactly 100%"),
    (("add: [people]", "add: [peple]"), 19, "unknown group 'peple' in the population of s"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-13, value: 50, ref: 条款二}"), 24,
     "rate of s from: '2018-13' is not a month like 2018-01"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-01, value: 50, ref: 条款二}\n"
      "      - {from: 2019-01, value: 60, ref: 条款四}"), 25,
     "rate of s: the period from 2019-01 overlaps the one from 2018-01 (line 24)"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-01, value: 50.005, ref: 条款二}"), 24,
     "rate of s '50.005' must be an amount in 元 ≥ 0 with at most two decimals"),
    (("split: {province: 50%, city: 20%, county: 30%}", "split: {province: 50%, local: 50%}"), 26,
     "'local' in a split of s is neither a payer (province, city, county) nor a pool refined under pools: "
     "by this or a city's file (pools refined: none)"),
    (("    name: 人员\n", "    name: !!python/object:os.system 人员\n"), 10,
     "tag tag:yaml.org,2002:python/object:os.system is not allowed"),
    (("  date: 2018-01-02", "  date: 2018/1/2"), 5, "document date '2018/1/2' must be written 2018-01-08"),
    (("part_of: people", "part_of: nobody"), 11, "group 'some_people' refers to unknown group 'nobody'"),
    (("    period:\n      - {from: 2018-01, ref: 条款一}", "    period:\n      - {from: 2018-05, to: 2018-02, ref: 条款一}"),
     22, "period of s: 'to' 2018-02 is before 'from' 2018-05"),
])
def test_each_error_names_file_line_and_what_is_allowed(tmp_path, change, line, message):
    old, new = change
    assert old in GOOD
    found, path = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in found), found


def test_all_problems_reported_at_once(tmp_path):
    text = GOOD.replace("add: [people]", "add: [peple]").replace("city: 20%", "city: 25%") \
               .replace("    unit: year\n", "    unit: weekly\n")
    found, _ = problems_of(tmp_path, text)
    assert len(found) == 3, found
    assert any("unit 'weekly' of s is not allowed (allowed: year, month)" in p for p in found)


def test_aliases_are_refused(tmp_path):
    text = GOOD.replace("    name: 人员\n", "    name: &n 人员\n").replace("    name: 其中：部分人员", "    name: *n")
    found, _ = problems_of(tmp_path, text)
    assert any("anchors and aliases" in p for p in found), found


def test_not_yaml(tmp_path):
    found, path = problems_of(tmp_path, "document: [unclosed\n")
    assert found[0].startswith(f"{path}:") and "not valid YAML" in found[0]


def test_city_file_errors_point_at_the_city_file(tmp_path):
    province = tmp_path / "province.yaml"
    province.write_text(GOOD.replace("split: {province: 50%, city: 20%, county: 30%}",
                                     "split: {province: 50%, local: 50%}") +
                        "    pools:\n      local:\n        - {from: 2018-01, split: {city: 50%, county: 50%}, ref: x}\n",
                        encoding="utf-8")
    city = """\
    extends: province.yaml
    document: {number: 市〔2018〕1号, title: 市, issuers: [市局], date: 2018-02-01}
    regions: {scope: "610499"}
    subsidies:
      s:
        pools:
          local:
            - {from: 2018-01, split: {city: 1/3, county: 1/3}, ref: 市条款}
      t:
        rate: []
    """
    found, path = problems_of(tmp_path, city, "city.yaml")
    assert any(p.startswith(f"{path}:8: ") and "shares add up to 66.66" not in p and "not exactly 100%" in p
               for p in found), found
    expected = "unknown subsidy 't' (known: s); a new local subsidy needs name, population, unit and period"
    assert any(p.startswith(f"{path}:9: ") and expected in p for p in found), found
    assert any(p.startswith(f"{path}:3: ") and "region code 610499 is not in the region list" in p for p in found), found


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError) as caught:
        read_policy([str(tmp_path / "nope.yaml")])
    assert "does not exist" in str(caught.value)


def test_the_text_loader_reads_what_pyyamls_resolver_reads():
    """Scalars stay text, so our loader resolves only null; every tree it gives is the tree
    PyYAML's full resolver gives (the shipped files, and every kind of plain scalar)."""
    import yaml

    from budget.readers import located_yaml

    samples = [(ROOT / "budget" / "configs" / name).read_text("utf-8")
               for name in ("shaanxi-2017-60.yaml", "xianyang-2017-303.yaml", "regions/shaanxi.yaml")]
    samples.append("a: [~, null, Null, NULL, '', \"null\", 'x', 2018-01, 0610, 1.5, yes, no, .inf, 12:30, 2018-01-02]\n"
                   "b:\nc: !!null ''\nd: !!str 5\n")

    def tree(text, loader):
        problems = []
        return located_yaml._convert("f.yaml", yaml.compose(text, Loader=loader), problems), problems

    for text in samples:
        assert tree(text, located_yaml._TextLoader) == tree(text, located_yaml._BASE_LOADER)


def test_a_file_read_again_is_parsed_once_and_its_problems_reported_again(tmp_path):
    from budget.readers import located_yaml

    text = GOOD.replace("    name: 人员\n", "    name: &n 人员\n").replace("    name: 其中：部分人员", "    name: *n")
    first, _ = problems_of(tmp_path, text)
    parsed = dict(located_yaml._PARSED)
    again, _ = problems_of(tmp_path, text)
    assert first == again and any("anchors and aliases" in p for p in again)
    assert located_yaml._PARSED == parsed  # nothing parsed anew
