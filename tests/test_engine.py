"""Engine behaviour on small hand-made policies: proration, rounding, overrides, pools."""

import textwrap

import pytest
from conftest import GROUPS, ROOT, XIANYANG, XIANYANG_COUNTIES, write_headcounts, write_regions
from hypothesis import given, settings
from hypothesis import strategies as st

from budget.core.problems import InputError
from budget.plan import compute_plan as plan
from budget.plan import load_inputs

REGIONS = ROOT / "budget" / "configs" / "regions" / "shaanxi.yaml"


def policy_file(tmp_path, subsidies, overrides="", groups="people: {name: 人员}"):
    text = f"""\
document: {{number: 测试〔2018〕1号, title: 测试, issuers: [测试厅], date: 2018-01-02}}
regions: {{file: {REGIONS}, scope: "610400", exclude: {{"610403": 示范区}}}}
groups:
  {groups}
subsidies:
{textwrap.indent(textwrap.dedent(subsidies), '  ')}
{overrides}
"""
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def people_file(tmp_path, counts, years=(2018,)):
    path = tmp_path / "people.csv"
    lines = ["year,region_code,group,headcount"]
    for year in years:
        for code in XIANYANG_COUNTIES:
            lines.append(f"{year},{code},people,{counts.get(code, 0)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def amounts(tmp_path, policy, counts, years=(2018,)):
    inputs = load_inputs([policy], people_file(tmp_path, counts, years), list(years))
    return {(ln.year, ln.region.code, ln.subsidy.id): dict(ln.amounts) for ln in plan(inputs)}


def test_mid_year_start_is_prorated_by_whole_months(tmp_path):
    # in force from 2018-07: 6 of 12 months; 12 persons × 120 元/年 × 6/12 = 720 元
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: year
          population: {add: [people]}
          period: [{from: 2018-07, ref: 条款}]
          rate: [{from: 2018-07, value: 120, ref: 条款}]
          shares: [{from: 2018-07, split: {county: 100%}, ref: 条款}]
    """)
    got = amounts(tmp_path, policy, {"610402": 12})
    assert got[(2018, "610402", "s")] == {"county": 72000}


def test_rate_change_within_the_year(tmp_path):
    # 10 元/月 Jan–Mar, 12 元/月 Apr–Dec: 5 persons × (3 × 10 + 9 × 12) = 5 × 138 = 690 元
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: month
          population: {add: [people]}
          period: [{from: 2018-01, ref: 条款}]
          rate: [{from: 2018-01, to: 2018-03, value: 10, ref: 旧}, {from: 2018-04, value: 12, ref: 新}]
          shares: [{from: 2018-01, split: {province: 50%, county: 50%}, ref: 条款}]
    """)
    got = amounts(tmp_path, policy, {"610402": 5})
    assert got[(2018, "610402", "s")] == {"province": 34500, "county": 34500}


def test_thirds_are_apportioned_to_the_fen(tmp_path):
    # 1 person × 1 元 split 1:1:1 → 0.333… each; 0.34 / 0.33 / 0.33 (tie → province first)
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: year
          population: {add: [people]}
          period: [{from: 2018-01, ref: 条款}]
          rate: [{from: 2018-01, value: 1, ref: 条款}]
          shares: [{from: 2018-01, ratio: {province: 1, city: 1, county: 1}, ref: 条款}]
    """)
    got = amounts(tmp_path, policy, {"610402": 1, "610404": 2})
    assert got[(2018, "610402", "s")] == {"province": 34, "city": 33, "county": 33}
    assert got[(2018, "610404", "s")] == {"province": 67, "city": 67, "county": 66}


def test_county_override_and_pools(tmp_path):
    # province 50% + local 50%; the city splits local 40/60, but 兴平市 (610481) has its own 20/80
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: year
          population: {add: [people]}
          period: [{from: 2018-01, ref: 条款}]
          rate: [{from: 2018-01, value: 100, ref: 条款}]
          shares: [{from: 2018-01, split: {province: 50%, local: 50%}, ref: 省}]
          pools:
            local: [{from: 2018-01, split: {city: 40%, county: 60%}, ref: 市}]
    """, overrides="""
overrides:
  "610481":
    subsidies:
      s:
        pools:
          local: [{from: 2018-01, split: {city: 20%, county: 80%}, ref: 县}]
""")
    got = amounts(tmp_path, policy, {"610402": 10, "610481": 10})
    assert got[(2018, "610402", "s")] == {"province": 50000, "city": 20000, "county": 30000}
    assert got[(2018, "610481", "s")] == {"province": 50000, "city": 10000, "county": 40000}


def test_pool_without_a_split_is_reported_per_county(tmp_path):
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: year
          population: {add: [people]}
          period: [{from: 2018-01, ref: 条款}]
          rate: [{from: 2018-01, value: 100, ref: 条款}]
          shares: [{from: 2018-01, split: {province: 50%, local: 50%}, ref: 省}]
    """, overrides="""
overrides:
  "610481":
    subsidies:
      s:
        pools:
          local: [{from: 2018-01, split: {city: 20%, county: 80%}, ref: 县}]
""")
    with pytest.raises(InputError) as caught:
        amounts(tmp_path, policy, {})
    text = str(caught.value)
    assert "s, 2018, 610402 秦都区: the split of pool 'local' is not set for 610402 秦都区 in 2018-01" in text
    assert "610481" not in text


def test_missing_rate_for_a_period_in_force(tmp_path):
    policy = policy_file(tmp_path, """
        s:
          name: 补助
          unit: year
          population: {add: [people]}
          period: [{from: 2018-01, ref: 条款}]
          rate: [{from: 2018-04, value: 100, ref: 条款}]
          shares: [{from: 2018-01, split: {county: 100%}, ref: 省}]
    """)
    with pytest.raises(InputError) as caught:
        amounts(tmp_path, policy, {})
    assert "no rate set for group people in 2018-01" in str(caught.value)


# --- properties over the shipped configuration ------------------------------------------------

counts = st.fixed_dictionaries({g: st.integers(0, 200_000) for g in GROUPS})


def consistent(c):
    c = dict(c)
    c["poor_pension_contributors_contiguous"] = min(c["poor_pension_contributors_contiguous"],
                                                    c["poor_pension_contributors"])
    c["poor_pension_contributors_disabled"] = min(c["poor_pension_contributors_disabled"],
                                                  c["poor_pension_contributors"] - c["poor_pension_contributors_contiguous"],
                                                  c["disabled_pension_contributors"])
    c["medical_poor"] = min(c["medical_poor"], c["rural_registered_poor"])  # 建档立卡 insured ⊂ 建档立卡
    return c


@settings(max_examples=25, deadline=None)
@given(counts, st.integers(1, 5), st.sampled_from([2018, 2020, 2021]))
def test_parts_add_up_scale_and_are_never_negative(tmp_path_factory, c, factor, year):
    tmp = tmp_path_factory.mktemp("prop")
    c = consistent(c)
    base = write_headcounts(tmp / "a.csv", c, years=(year,))
    scaled = write_headcounts(tmp / "b.csv", {g: n * factor for g, n in c.items()}, years=(year,))
    lines_a = plan(load_inputs([XIANYANG], base, [year]))
    lines_b = plan(load_inputs([XIANYANG], scaled, [year]))
    for a, b in zip(lines_a, lines_b):
        assert sum(v for _, v in a.amounts) == a.total
        assert all(v >= 0 for _, v in a.amounts)
        # amounts scale with headcounts: k times the people, k times the money (to the fen)
        for (payer, va), (_, vb) in zip(a.amounts, b.amounts):
            assert abs(vb - factor * va) <= factor, (a.subsidy.id, payer)
        assert b.total == a.total * factor or abs(b.total - a.total * factor) <= factor


def test_county_the_province_administers_directly_has_no_city_share(tmp_path):
    write_regions(tmp_path / "regions.yaml", [("610502", "临渭区")], city=("610500", "渭南市"),
                  direct=[("610581", "韩城市")])
    subsidy = """\
document: {number: 测试〔2018〕1号, title: 测试, issuers: [测试厅], date: 2018-01-02}
regions: {file: regions.yaml}
groups: {people: {name: 人员}}
subsidies:
  s:
    name: 补助
    unit: year
    population: {add: [people]}
    period: [{from: 2018-01, ref: 条款}]
    rate: [{from: 2018-01, value: 100, ref: 条款}]
    shares: [{from: 2018-01, split: {province: 50%, local: 50%}, ref: 省}]
    pools:
      local: [{from: 2018-01, split: {city: 25%, county: 75%}, ref: 市县}]
"""
    override = """\
overrides:
  "610581":
    subsidies:
      s:
        pools:
          local: [{from: 2018-01, split: {county: 100%}, ref: 省直管县}]
"""
    people = tmp_path / "people.csv"
    people.write_text("year,region_code,group,headcount\n2018,610502,people,4\n2018,610581,people,4\n", encoding="utf-8")
    policy = tmp_path / "p.yaml"
    policy.write_text(subsidy, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inputs([str(policy)], str(people))
    assert "610581 韩城市 has no city, but the split gives the city a share in 2018-01" in str(caught.value)
    policy.write_text(subsidy + override, encoding="utf-8")
    lines = plan(load_inputs([str(policy)], str(people)))
    got = {ln.region.code: dict(ln.amounts) for ln in lines}
    # 4 × 100 = 400 元: 临渭区 200 / 50 / 150; 韩城市 200 / — / 200
    assert got == {"610502": {"province": 20000, "city": 5000, "county": 15000},
                   "610581": {"province": 20000, "county": 20000}}
