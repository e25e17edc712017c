"""One broken policy file per kind of error, each with its expected file:line message."""

import textwrap

import pytest
from conftest import ROOT

from budget.core.language import use_language
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


@pytest.fixture(params=["zh", "en"])
def lang(request):
    """Each case in Chinese (what clerks read) and again in English (--lang en)."""
    use_language(request.param)
    yield request.param
    use_language("zh")


@pytest.mark.parametrize("change, line, zh, en", [
    (("    unit: year\n", "    unit: year\n    rates: 5\n"), 18,
     "补助项目“补助”（s）中有未知的键 'rates'（允许的键：name, population, unit, period, rate, shares, pools, note）",
     "unknown key 'rates' in subsidy s (allowed: name, population, unit, period, rate, shares, pools, note)"),
    (("    name: 补助\n", "    name: 补助\n    name: 再次\n"), 17, "键 'name' 重复（第 16 行已给出）",
     "duplicate key 'name' (first given on line 16)"),
    (("province: 50%, city: 20%", "province: 50%, city: 25%"), 27,
     "补助项目“补助”（s）的分担比例：份额合计为 105%，应恰好为 100%", "shares of s: shares add up to 105%, not exactly 100%"),
    (("province: 50%, city: 20%", "province: 50%, city: 10%"), 27,
     "补助项目“补助”（s）的分担比例：份额合计为 90%，应恰好为 100%", "shares of s: shares add up to 90%, not exactly 100%"),
    (("add: [people]", "add: [peple]"), 19,
     "补助项目“补助”（s）的补助对象中有未知的人员类别 'peple'（已有：people, some_people）",
     "unknown group 'peple' in the population of s (known: people, some_people)"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-13, value: 50, ref: 条款二}"), 24,
     "补助项目“补助”（s）的补助标准起始月份（from）：'2018-13' 不是形如 2018-01 的年月",
     "rate of s from: '2018-13' is not a month like 2018-01"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-01, value: 50, ref: 条款二}\n"
      "      - {from: 2019-01, value: 60, ref: 条款四}"), 25,
     "补助项目“补助”（s）的补助标准：2019-01 起的期间与 2018-01 起的期间（第 24 行）重叠",
     "rate of s: the period from 2019-01 overlaps the one from 2018-01 (line 24)"),
    (("{from: 2018-01, value: 50, ref: 条款二}", "{from: 2018-01, value: 50.005, ref: 条款二}"), 24,
     "补助项目“补助”（s）的补助标准 '50.005' 应为不小于 0 的元金额，最多两位小数（且不超过 1,000,000,000,000 元）",
     "rate of s '50.005' must be an amount in 元 ≥ 0 with at most two decimals (and at most 1,000,000,000,000 元)"),
    (("split: {province: 50%, city: 20%, county: 30%}", "split: {province: 50%, local: 50%}"), 26,
     "补助项目“补助”（s）分担比例中的 'local' 既不是出资方（province, city, county），也不是本文件或市级文件在 pools: "
     "下细分的部分（已细分：无）",
     "'local' in a split of s is neither a payer (province, city, county) nor a pool refined under pools: "
     "by this or a city's file (pools refined: none)"),
    (("    name: 人员\n", "    name: !!python/object:os.system 人员\n"), 10,
     "不允许使用标签 tag:yaml.org,2002:python/object:os.system：只能写普通的映射、列表和值",
     "tag tag:yaml.org,2002:python/object:os.system is not allowed: only plain maps, lists and values"),
    (("  date: 2018-01-02", "  date: 2018/1/2"), 5, "发文日期 '2018/1/2' 应写作 2018-01-08",
     "document date '2018/1/2' must be written 2018-01-08"),
    (("part_of: people", "part_of: nobody"), 11,
     "人员类别 'some_people' 引用了未知的人员类别 'nobody'（已有：people, some_people）",
     "group 'some_people' refers to unknown group 'nobody' (known: people, some_people)"),
    (("    period:\n      - {from: 2018-01, ref: 条款一}", "    period:\n      - {from: 2018-05, to: 2018-02, ref: 条款一}"),
     22, "补助项目“补助”（s）的执行期间：截止月份 2018-02（to）早于起始月份 2018-05（from）",
     "period of s: 'to' 2018-02 is before 'from' 2018-05"),
])
def test_each_error_names_file_line_and_what_is_allowed(tmp_path, lang, change, line, zh, en):
    old, new = change
    assert old in GOOD
    found, path = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert f"{path}:{line}: {zh if lang == 'zh' else en}" in found, found


def test_all_problems_reported_at_once(tmp_path):
    text = GOOD.replace("add: [people]", "add: [peple]").replace("city: 20%", "city: 25%") \
               .replace("    unit: year\n", "    unit: weekly\n")
    found, _ = problems_of(tmp_path, text)
    assert len(found) == 3, found
    assert any(p.endswith(": 补助项目“补助”（s）的单位 'weekly' 不允许（允许：year, month）") for p in found), found


def test_aliases_are_refused(tmp_path):
    text = GOOD.replace("    name: 人员\n", "    name: &n 人员\n").replace("    name: 其中：部分人员", "    name: *n")
    found, _ = problems_of(tmp_path, text)
    assert any(p.endswith(": 不允许使用锚点和别名（&、*）：请直接写出各值") for p in found), found


def test_not_yaml(tmp_path):
    found, path = problems_of(tmp_path, "document: [unclosed\n")
    assert found[0].startswith(f"{path}:") and "不是有效的 YAML：" in found[0]


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
    assert f"{path}:8: 补助项目“补助”（s）中 local 部分的分担比例：份额合计为 2/3，应恰好为 100%" in found, found
    expected = "未知的补助项目 't'（已有：s）；新增本地补助项目须有 name、population、unit 和 period"
    assert f"{path}:9: {expected}" in found, found
    assert f"{path}:3: 行政区划代码 610499 不在区划列表中" in found, found


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError) as caught:
        read_policy([str(tmp_path / "nope.yaml")])
    path = tmp_path / "nope.yaml"
    assert [str(p) for p in caught.value.problems] == [f"{path}: 政策文件 {path} 不存在", "未读入任何政策文件"]


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
    assert first == again and any("不允许使用锚点和别名" in p for p in again)
    assert located_yaml._PARSED == parsed  # nothing parsed anew


def test_an_entry_written_alike_in_two_cities_is_read_for_each(tmp_path):
    """A flow-style entry read once is taken again where the same text stands (a country's city
    files repeat them), but each value keeps its own file and line, and an entry that gave a
    problem is read — and reported — wherever it stands."""
    root = tmp_path / "root.yaml"
    root.write_text(GOOD, encoding="utf-8")
    entry = "{from: 2018-01, split: {city: 40%, county: 60%}, ref: 市文}"
    bad = "{from: 2018-13, split: {city: 40%, county: 60%}, ref: 市文}"

    def city(code, padding, shares):
        path = tmp_path / f"city-{code}.yaml"
        path.write_text(f"extends: root.yaml\ndocument: {{number: 市〔2018〕{code}号, title: 市, issuers: [市], "
                        f"date: 2018-01-05}}\nregions: {{scope: \"{code}\"}}\n" + "# note\n" * padding
                        + f"subsidies:\n  s:\n    shares:\n      - {shares}\n", encoding="utf-8")
        return str(path)

    first, second = city("610402", 0, entry), city("610404", 3, entry)
    policy, _ = read_policy([first, second])
    entries = policy.subsidies["s"].shares.by_scope
    assert (entries["610402"].entries[0].source.file, entries["610402"].entries[0].source.line) == (first, 7)
    assert (entries["610404"].entries[0].source.file, entries["610404"].entries[0].source.line) == (second, 10)
    assert entries["610402"].entries[0].value == entries["610404"].entries[0].value

    with pytest.raises(InputError) as caught:
        read_policy([city("610402", 0, bad), city("610404", 3, bad)])
    months = [p for p in caught.value.problems if "2018-13" in str(p)]
    assert [(p.source.file.rsplit("-", 1)[-1], p.source.line) for p in months] == [("610402.yaml", 7),
                                                                                ("610404.yaml", 10)]
