"""A subsidy line's amounts as live spreadsheet formulas: the engine's arithmetic
(core/engine.py, core/money.py) written so that a spreadsheet recalculates to the engine's fen
after a headcount is edited.

- 资金合计 = 人数 × 标准 × 月数 (÷ 12 for a rate per year), rounded half-up once to the
  allocation unit: ``INT((2 × base + d) / (2 × d))`` with ``base`` in fen × 12 and ``d`` = 12 × unit
  — integers only, so no binary fraction decides a half;
- the payers' shares by largest remainder in whole units, a payer's share being a fixed fraction
  ``a / b`` of the line: each payer gets ``INT(T × a / b)``, and the ``(ΣR) / b`` units left go to the
  largest remainders ``R = T × a − b × INT(T × a / b)`` (ties to the province, then the city), the
  remainders being helper cells of the row;
- with a unit coarser than the fen, the residue the engine places across counties (so that the
  table's total is the exact total rounded) is a value of the row (尾差调整), checked under the table.

Every number in these formulas is an integer below 10¹⁴ (checked here, with room for a tenfold
headcount), where a spreadsheet's double — and LibreOffice's 15-digit INT — is exact. A line whose
split depends on the counts (rates differing by group *and* shares changing within the year) or
that is paid on monthly figures (person-months, not 人数 × 月数) is written as values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from ..core.engine import Line
from ..core.money import apportion_int, round_half_up_ratio
from ..core.policy import PAYERS

EXACT_BELOW = 10**14  # LibreOffice's INT rounds to 15 significant digits before the floor
ROOM = 10  # a headcount may grow tenfold and the formulas stay exact


class LiveLine(NamedTuple):  # a tuple: one per line, made fast
    per: int  # 12: the rate is per year (÷ 12 per month); 1: per month
    terms: tuple[int, ...]  # per counted group: sign × Σ rate (fen) × months — base = Σ count × term
    common_rate: bool  # one rate for every group and month: base = 人数 × 标准 × 月数
    weights: tuple[tuple[str, int], ...]  # payer → a: the payer's share is a / b (payers with a share)
    b: int
    adjust: int  # allocation units added to the line's own rounding (the cross-county residue)
    total: int  # allocation units
    units: dict[str, int]  # payer → allocation units
    remainders: dict[str, int]  # payer → T × a mod b


@dataclass(frozen=True)
class _Shape:
    """What lines sharing their segments (the engine shares them between counties) have in common."""

    per: int
    terms: tuple[int, ...]
    common_rate: bool
    weights: tuple[tuple[str, int], ...]
    b: int


def _shape(line: Line) -> _Shape | None:
    per = 12 if line.subsidy.unit == "year" else 1
    terms = tuple(sum(r.sign * r.rate_fen * len(seg.months) for seg in line.segments for r in seg.rates
                      if r.group == group) for group, _, _ in line.counts)
    shares: dict[str, Fraction]
    if len({seg.shares for seg in line.segments}) == 1:
        shares = dict(line.segments[0].shares)
    elif all(len({r.rate_fen for r in seg.rates}) == 1 for seg in line.segments):
        # one rate per period: each period weighs rate × months, whatever the counts
        weight = {p: sum((seg.rates[0].rate_fen * len(seg.months) * dict(seg.shares).get(p, 0)
                          for seg in line.segments), Fraction(0)) for p in PAYERS}
        whole = sum(weight.values(), Fraction(0))
        if whole <= 0:
            return None
        shares = {p: Fraction(w) / whole for p, w in weight.items() if w}
    else:
        return None  # the split would move with the counts
    b = math.lcm(*(share.denominator for share in shares.values()))
    weights = tuple((p, int(shares[p] * b)) for p in PAYERS if shares.get(p))
    return _Shape(per, terms, len({r.rate_fen for seg in line.segments for r in seg.rates}) == 1, weights, b)


def live_line(line: Line, quantum: int, shapes: dict[int, _Shape | None] | None = None) -> LiveLine | None:
    """The line's formula model, checked to reproduce the engine's amounts; None when the line
    cannot be a formula of its cells (then it is written as values). ``shapes``: a cache by the
    line's segments."""
    key = id(line.segments)
    if shapes is None or key not in shapes:
        found = _shape(line)
        if shapes is None:
            shape = found
        else:
            shape = shapes[key] = found
    else:
        shape = shapes[key]
    if shape is None:
        return None
    per, b, weights = shape.per, shape.b, shape.weights
    base = 0
    for (_, _, count), term in zip(line.counts, shape.terms):
        base += count * term
    exact = 0
    for _, n in line.numerators:  # (a loop, not sum() of a generator: 14,250 lines in a country)
        exact += n
    if base < 0 or base * line.denominator != exact * per:
        return None  # person-months of monthly figures: not 人数 × 月数
    total = line.total // quantum
    adjust = total - round_half_up_ratio(base, per * quantum)
    if quantum == 1 and adjust:
        return None
    units = apportion_int(total, weights, b) if len(weights) > 1 else {weights[0][0]: total}
    for payer, amount in line.amounts:
        if units.get(payer, 0) * quantum != amount:
            return None
    if 2 * ROOM * (base + per * quantum) >= EXACT_BELOW or ROOM * (total + 1) * b >= EXACT_BELOW:
        return None
    remainders = {p: total * a % b for p, a in weights}
    return LiveLine(per, shape.terms, shape.common_rate, weights, b, adjust, total, units, remainders)


def scaled(expr: str, numerator: int, denominator: int) -> str:
    """``expr × numerator / denominator`` for whole ratios, as one exact step."""
    if numerator == denominator:
        return expr
    if numerator > denominator:
        return f"{expr}*{numerator // denominator}"
    return f"{expr}/{denominator // numerator}"


def base_formula(live: LiveLine, counts: list[str], headcount: str, rate: str, months: str) -> str:
    """Fen × ``per`` of the line's exact amount: 人数 × 标准 × 月数, or Σ count × its rate × months."""
    if live.common_rate:
        return f"{headcount}*ROUND({rate}*100,0)*{months}"
    out = ""
    for cell, term in zip(counts, live.terms):
        if term:
            out += f"{'+' if term > 0 and out else ''}{'-' if term < 0 else ''}{cell}*{abs(term)}"
    return out or "0"


def total_formula(live: LiveLine, base: str, quantum: int, unit_fen: int, adjust: str | None) -> str:
    """资金合计 in the shown unit: the exact amount rounded half-up once to the allocation unit
    (plus the residue placed on the line, a value in ``adjust``)."""
    d = live.per * quantum
    units = f"INT((2*({base})+{d})/{2 * d})" + (f"+{units_of(adjust, quantum, unit_fen)}" if adjust else "")
    return "=" + scaled(f"({units})" if adjust and quantum != unit_fen else units, quantum, unit_fen)


def units_of(total_cell: str, quantum: int, unit_fen: int) -> str:
    """The total cell in allocation units (a whole number the shown decimals hold exactly)."""
    if quantum == unit_fen:
        return total_cell
    return f"ROUND({scaled(total_cell, unit_fen, quantum)},0)"


def remainder_formula(t: str, a: int, b: int) -> str:
    return f"={t}*{a}-{b}*INT({t}*{a}/{b})"


def payer_formula(live: LiveLine, payer: str, total_cell: str, remainder_cell: dict[str, str],
                  quantum: int, unit_fen: int) -> str:
    """The payer's units: its whole part, and one more when fewer than the units left over have a
    larger remainder (or an equal one and an earlier payer); a sole payer pays the total."""
    if len(live.weights) == 1:
        return "=" + total_cell
    t = units_of(total_cell, quantum, unit_fen)
    a = dict(live.weights)[payer]
    mine = remainder_cell[payer]
    order = [p for p, _ in live.weights]
    ahead = "+".join(f"({remainder_cell[p]}{'>=' if order.index(p) < order.index(payer) else '>'}{mine})"
                     for p in order if p != payer)
    left = f"({'+'.join(remainder_cell[p] for p in order)})/{live.b}"
    return "=" + scaled(f"(INT({t}*{a}/{live.b})+({ahead}<{left}))", quantum, unit_fen)
