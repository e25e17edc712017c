"""The greedy wrap that chooses column widths (writers/print_layout.py): its fast path (running
sums bisected) makes the same lines as adding glyph widths one by one, as wrap always did."""

import random

from budget.writers.print_layout import _WORD, _points, breaks_well, header_width, label_height, wrap


def _wrap_one_by_one(text: str, usable: float, bold: bool) -> list[str]:
    """wrap as it was written first: token by token, a token longer than a line split."""
    lines: list[str] = []
    for part in text.split("\n"):
        line, size = "", 0.0
        for token in _WORD.findall(part):
            points = sum(_points(ch, bold) for ch in token)
            pieces = [token] if len(token) == 1 or points <= usable else list(token)
            for piece in pieces:
                points = sum(_points(ch, bold) for ch in piece)
                if line and size + points > usable:
                    lines.append(line)
                    line, size = "", 0.0
                line += piece
                size += points
        lines.append(line)
    return lines


def test_the_fast_wrap_makes_the_lines_of_the_glyph_by_glyph_wrap():
    rng = random.Random(20180101)
    alphabet = list("省财社关于下达年度补助资金预算的通知（）〔〕，。；：、“”") + list("abcXYZ0123456789_.-/ ()%") + ["\n"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        if rng.random() < 0.2:
            text += "SHA-256 " + "".join(rng.choice("0123456789abcdef") for _ in range(64))
        usable = rng.choice([rng.randrange(4, 400) / 2, rng.uniform(2, 200), (rng.randrange(8, 80) * 7 + 2 - 3) * 10 / 8])
        bold = rng.random() < 0.5
        assert wrap(text, usable, bold) == _wrap_one_by_one(text, usable, bold), (text, usable, bold)


def test_a_width_is_chosen_where_the_label_breaks_well_and_its_height_counts_its_lines():
    label = "标准（元/人·年）"
    assert wrap(label, 5 * 7 + 2) == ["标准（", "元/人·年", "）"]  # at 5 units "）" would stand alone
    assert not breaks_well(label, 8) and breaks_well(label, 8.5)
    assert header_width(label, 8, 4, 11) == 8.5  # the nearest width that breaks well
    assert label_height(label, 8.5) == 13.5 * 2 + 5
