"""Where a printed header label wraps: column widths chosen so that no line of a wrapped label
starts with a closing bracket or punctuation mark, nor ends with an opening one (“标准（元/人·年⏎）”).

Spreadsheet programs wrap a cell greedily, character by character, at the column's width. We
cannot tell them where to break without putting line breaks into the labels (which readers of the
workbook look columns up by), so we simulate the greedy wrap and pick a width near the wanted one
whose breaks fall at acceptable places even if the program's glyphs are a little wider or narrower
than ours (LibreOffice with Noto Sans CJK and DejaVu Sans measured; Excel's SimSun is narrower
for Latin letters and digits, the same for CJK).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

OPENING = set("（〔［【「『《(“‘")
CLOSING = set("）〕］】」』》)”’，、。；：！？%％·/")
UNIT_POINTS = 7.0  # a column-width unit prints 7 points wide at 100 % (measured in LibreOffice)
SLACK = 3.0  # points either way the program's glyphs may take more or less than ours
LINE_POINTS = 13.5  # a line of 10-point text


@lru_cache(maxsize=None)  # a few thousand distinct characters; called for every one of a country's cells
def _points(ch: str, bold: bool = True) -> float:
    """A 10-point glyph: CJK and full-width characters a full em, others about 0.7 em (bold) or
    0.65 em."""
    points = 10.0 if unicodedata.east_asian_width(ch) in "WF" else 3.5 if ch in NARROW else 7.0 if bold else 6.5
    if points * 2 != int(points * 2):  # _lines adds widths up in any order: exact only in half points
        raise ValueError(f"a glyph width of {points} points is not a multiple of half a point")
    return points


NARROW = set(".,:;/·'|!-() ")  # Latin punctuation: about a third of an em


def wrap(text: str, usable: float, bold: bool = True) -> list[str]:
    """The lines a program wrapping greedily at ``usable`` points makes of ``text``: between any two
    CJK characters, but a run of Latin letters and digits ("2012", an id) kept whole unless it is
    longer than a line (LibreOffice measured)."""
    return list(_lines(text, usable, bold))


@lru_cache(maxsize=65536)  # a row's height is taken at a width header_width has wrapped it at
def _lines(text: str, usable: float, bold: bool) -> tuple[str, ...]:
    lines: list[str] = []
    exact = usable * 16 == int(usable * 16)  # (and every glyph a multiple of half a point: sums are exact)
    for part, tokens, offsets, sums, longest in _measured(text, bold):
        if exact and longest <= usable:
            # each line the longest run of tokens whose widths add up to at most ``usable`` (at least
            # one): found by bisecting the running sums, the same lines as adding them one by one
            start, end = 0, len(tokens)
            if not end:
                lines.append("")
            while start < end:
                stop = max(start + 1, bisect_right(sums, sums[start] + usable) - 1)
                lines.append(part[offsets[start]:offsets[stop]])
                start = stop
            continue
        line, size = "", 0.0
        for token, token_points in tokens:
            whole = len(token) == 1 or token_points <= usable
            for piece, points in ((token, token_points),) if whole else ((ch, _points(ch, bold)) for ch in token):
                if line and size + points > usable:
                    lines.append(line)
                    line, size = "", 0.0
                line += piece
                size += points
        lines.append(line)
    return tuple(lines)


Tokens = tuple[tuple[str, float], ...]


@lru_cache(maxsize=65536)  # a text is wrapped at several widths (header_width tries up to 53)
def _measured(text: str, bold: bool) -> tuple[tuple[str, Tokens, list[int], list[float], float], ...]:
    """Per line of ``text``: the line, its tokens with their widths in points (summed glyph by
    glyph as wrap has always summed them), where each token starts (and the line's end), the
    running sums of the tokens' widths, and the widest token of several characters."""
    measured = []
    for part in text.split("\n"):
        tokens = tuple((token, _points(token, bold) if len(token) == 1 else sum(_points(ch, bold) for ch in token))
                       for token in _WORD.findall(part))
        offsets, sums = [0], [0.0]
        longest = 0.0
        for token, points in tokens:
            offsets.append(offsets[-1] + len(token))
            sums.append(sums[-1] + points)
            if len(token) > 1 and points > longest:
                longest = points
        measured.append((part, tokens, offsets, sums, longest))
    return tuple(measured)


_WORD = re.compile(r"[A-Za-z0-9_]+|.", re.S)
_MARKS = re.compile("[" + re.escape("".join(OPENING | CLOSING)) + "]")


@lru_cache(maxsize=65536)  # pure: a country's sheets repeat the same notes and names thousands of times
def text_units(text: str, bold: bool = False) -> float:
    """How many column-width units ``text`` takes on one line."""
    return sum(_points(ch, bold) for ch in text) / UNIT_POINTS


def _usable(column_width: float) -> float:
    return column_width * UNIT_POINTS + 2.0


def _breaks_well(lines: tuple[str, ...]) -> bool:
    return all(not (b and b[0] in CLOSING) and not (a and a[-1] in OPENING) for a, b in zip(lines, lines[1:]))


def breaks_well(text: str, column_width: float, bold: bool = True) -> bool:
    """Whether every line break of ``text`` wrapped in the column is acceptable, with our glyph
    widths off by SLACK either way."""
    return not _misses(text, column_width, bold)


@lru_cache(maxsize=65536)
def _misses(text: str, column_width: float, bold: bool) -> int:
    """Of our glyph widths as measured and off by SLACK either way, how many wrap ``text`` badly
    (the one as measured counted twice: it is the likeliest)."""
    usable = _usable(column_width)
    return sum((2 if d == 0 else 1) * (not _breaks_well(_lines(text, usable + d, bold))) for d in (-SLACK, 0.0, SLACK))


def header_width(label: str, wanted: float, least: float, most: float, cells: list[str] | None = None) -> float:
    """The width nearest ``wanted`` (half units, from ``least`` to ``most``) at which ``label``
    (bold) and the column's wrapped ``cells`` (not bold) wrap well; when none does for all of
    them, the one at which fewest do not (``wanted`` if no width helps)."""
    # each distinct text wrapped once, counted as often as it stands; a text without brackets or
    # punctuation always breaks well
    counted = {cell: n for cell, n in Counter(cells or ()).items() if _MARKS.search(cell)}
    reach = int(2 * max(wanted - least, most - wanted, 0))
    steps = [wanted + k / 2 * sign for k in range(0, reach + 1) for sign in ((1,) if k == 0 else (-1, 1))]
    best, fewest = wanted, None
    for candidate in steps:
        if not least <= candidate <= most:
            continue
        failing = _misses(label, candidate, True)
        for cell, n in counted.items():
            if fewest is not None and failing >= fewest:
                break  # no better than the best so far, whatever the other cells do
            failing += _misses(cell, candidate, False) * n
        if fewest is None or failing < fewest:
            best, fewest = candidate, failing
        if not failing:
            break
    return best


@lru_cache(maxsize=65536)
def label_height(label: str, column_width: float, bold: bool = True) -> float:
    """The row height that shows ``label`` wrapped in the column (its narrowest likely wrap)."""
    return LINE_POINTS * len(_lines(label, _usable(column_width) - SLACK, bold)) + 5
