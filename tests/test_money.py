from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.core.money import apportion, chinese_uppercase, format_grouped, format_yuan, round_half_up, yuan_to_fen


@pytest.mark.parametrize("fen, text", [
    (12345600, "人民币壹拾贰万叁仟肆佰伍拾陆元整"),   # DESIGN.md §4's example
    (100000000, "人民币壹佰万元整"),
    (1000500, "人民币壹万零伍元整"),
    (20030405, "人民币贰拾万零叁佰零肆元零伍分"),
    (101, "人民币壹元零壹分"),
    (150, "人民币壹元伍角整"),
    (1000000001, "人民币壹仟万元零壹分"),
    (10000000000, "人民币壹亿元整"),
    (0, "人民币零元整"),
])
def test_chinese_uppercase(fen, text):
    assert chinese_uppercase(fen) == text


def test_round_half_up_is_half_away_from_zero():
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(-5, 2)) == -3
    assert round_half_up(Fraction(249, 100)) == 2
    assert round_half_up(Fraction(150), 100) == 200


def test_apportion_ties_go_to_the_first_payer():
    # 1 元 split in three equal parts: 33.333… fen each; the extra fen goes to the first
    parts = apportion(100, [("province", Fraction(1, 3)), ("city", Fraction(1, 3)), ("county", Fraction(1, 3))])
    assert parts == {"province": 34, "city": 33, "county": 33}


def test_apportion_largest_remainder_wins():
    parts = apportion(10, [("a", Fraction(1, 10)), ("b", Fraction(3, 10)), ("c", Fraction(6, 10))])
    assert parts == {"a": 1, "b": 3, "c": 6}
    parts = apportion(7, [("a", Fraction(1)), ("b", Fraction(1)), ("c", Fraction(5))])
    assert parts == {"a": 1, "b": 1, "c": 5}


@given(st.integers(0, 10**12), st.lists(st.integers(0, 1000), min_size=1, max_size=6).filter(any))
def test_apportion_always_adds_up_and_stays_within_one_fen(total, weights):
    keyed = [(i, Fraction(w)) for i, w in enumerate(weights)]
    parts = apportion(total, keyed)
    assert sum(parts.values()) == total
    for key, weight in keyed:
        quota = Fraction(total) * weight / sum(weights)
        assert 0 <= parts[key] and abs(parts[key] - quota) < 1


def test_formats():
    assert format_yuan(1234567) == "12345.67"
    assert format_yuan(-5) == "-0.05"
    assert format_grouped(123456789) == "1,234,567.89"
    assert format_grouped(123456789, 1_000_000, 2) == "123.46"  # 万元
    assert yuan_to_fen("50") == 5000 and yuan_to_fen("0.5") == 50
    with pytest.raises(ValueError):
        yuan_to_fen("1.005")


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=4).filter(any))
def test_the_engines_integer_apportionment_equals_the_reference(total, weights):
    from budget.core.money import apportion_int

    keyed = [(str(i), w) for i, w in enumerate(weights)]
    assert apportion_int(total, keyed, sum(weights)) == apportion(total, [(k, Fraction(w)) for k, w in keyed])


def test_titles_break_between_words_in_balanced_lines():
    from budget.core.display import title_lines, width

    for title in ["关于下达2018年社会保险扶贫补助资金预算的通知", "关于2019年社会保险扶贫补助资金清算的通知",
                  "2018年城乡居民养老保险农村困难群体代缴保费资金分配表", "2018年社会保险扶贫补助资金区域绩效目标表"]:
        for per_line in (19, 20):
            lines = title_lines(title, per_line)
            assert "".join(lines) == title and all(width(line) <= 2 * per_line for line in lines)
            for line in lines[:-1]:
                assert not line.endswith(("通", "资", "分配", "补", "绩效目标")), lines  # never inside a word
            if len(lines) == 2:
                assert abs(width(lines[0]) - width(lines[1])) <= 8, lines  # balanced
