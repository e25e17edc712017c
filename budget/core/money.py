"""Money: integer fen end to end; one rounding rule; exact apportionment.

Amounts are ``int`` fen. Exact intermediate values are ``Fraction`` of a fen and become
whole amounts only through :func:`round_half_up` (or its integer form
:func:`round_half_up_ratio`), the one rounding rule: half-up, as finance rounds.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence, TypeVar

K = TypeVar("K")

FEN_PER_YUAN = 100


def round_half_up(value: Fraction, unit: int = 1) -> int:
    """Round ``value`` (in fen) to a multiple of ``unit`` fen, halves away from zero."""
    if unit <= 0:
        raise ValueError("unit must be positive")
    scaled = value / unit
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return sign * whole * unit


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """:func:`round_half_up` of ``numerator / denominator`` ≥ 0, in integers (the engine's hot path)."""
    return (2 * numerator + denominator) // (2 * denominator)


def apportion(total: int, weights: Sequence[tuple[K, Fraction]]) -> dict[K, int]:
    """Split ``total`` fen in proportion to ``weights`` so the parts add up exactly.

    Largest remainder (Hamilton): every part gets the floor of its exact quota, and the
    fen left over go one each to the largest remainders; ties go to the earlier key in
    ``weights`` — the caller's fixed order (province, city, county).
    """
    if total < 0:
        raise ValueError("cannot apportion a negative total")
    weight_sum = sum((w for _, w in weights), Fraction(0))
    if any(w < 0 for _, w in weights):
        raise ValueError("weights must not be negative")
    if weight_sum == 0:
        if total:
            raise ValueError("cannot apportion a non-zero total over zero weights")
        return {k: 0 for k, _ in weights}
    parts: dict[K, int] = {}
    remainders: list[tuple[Fraction, int, K]] = []
    for index, (key, weight) in enumerate(weights):
        quota = total * weight / weight_sum
        floor = quota.numerator // quota.denominator
        parts[key] = floor
        remainders.append((quota - floor, index, key))
    left = total - sum(parts.values())
    remainders.sort(key=lambda r: (-r[0], r[1]))
    for _, _, key in remainders[:left]:
        parts[key] += 1
    return parts


def round_lines(exact: Sequence[Fraction], quantum: int) -> list[int]:
    """The amounts of the lines of one table (one subsidy, one year, county by county), each
    rounded half-up to ``quantum`` fen; when the unit is coarser than the fen (``quantum`` > 1)
    and the rounded lines do not add up to the table's exact total rounded the same way, the
    residue is placed by largest remainder across the lines, ties to the earlier line (the
    lower county code): the table's total is then the rounded exact total."""
    each = [round_half_up(e, quantum) for e in exact]
    if quantum == 1 or not exact:
        return each
    target = round_half_up(sum(exact, Fraction(0)), quantum) // quantum
    if sum(each) // quantum == target or target < 0 or any(e < 0 for e in exact):
        return each
    parts = apportion(target, [(i, e) for i, e in enumerate(exact)])
    return [parts[i] * quantum for i in range(len(exact))]


def apportion_parts(total: int, weights: Sequence[int], weight_sum: int) -> list[int]:
    """:func:`apportion_int` with the weights as a list and the parts in its order (the engine's
    hot path: a country has ~15,000 lines a year)."""
    if weight_sum == 0:
        return [0] * len(weights)
    parts = []
    rests = []
    for weight in weights:
        floor, rest = divmod(total * weight, weight_sum)
        parts.append(floor)
        rests.append(rest)
    left = total - sum(parts)
    if left:  # the largest remainders get one more, ties to the earlier weight
        for index in sorted(range(len(weights)), key=lambda i: (-rests[i], i))[:left]:
            parts[index] += 1
    return parts


def apportion_int(total: int, weights: Sequence[tuple[K, int]], weight_sum: int) -> dict[K, int]:
    """:func:`apportion` for integer weights whose sum is ``weight_sum``, without Fractions
    (the same result)."""
    if weight_sum == 0:
        return {k: 0 for k, _ in weights}
    parts: dict[K, int] = {}
    remainders: list[tuple[int, int, K]] = []
    for index, (key, weight) in enumerate(weights):
        floor, rest = divmod(total * weight, weight_sum)
        parts[key] = floor
        remainders.append((-rest, index, key))
    left = total - sum(parts.values())
    if left:  # (none left: nothing to place, no order needed)
        remainders.sort(key=_by_remainder)
        for _, _, key in remainders[:left]:
            parts[key] += 1
    return parts


def _by_remainder(r: tuple[int, int, object]) -> tuple[int, int]:
    return r[0], r[1]


def yuan_to_fen(text: str) -> int:
    """Parse a decimal 元 amount with at most two decimals into fen, exactly."""
    value = Fraction(text.strip())
    fen = value * FEN_PER_YUAN
    if fen.denominator != 1:
        raise ValueError(f"{text!r} has more than two decimals")
    return int(fen)


def format_yuan(fen: int) -> str:
    """``1234567`` → ``"12345.67"`` (plain, for CSV)."""
    if fen >= 0:  # (the usual case first: allocations.csv formats ~35,000 amounts)
        return f"{fen // FEN_PER_YUAN}.{fen % FEN_PER_YUAN:02d}"
    return f"-{-fen // FEN_PER_YUAN}.{-fen % FEN_PER_YUAN:02d}"


def format_plain(fen: int) -> str:
    """``22000`` → ``"220"``, ``50`` → ``"0.5"``: a rate as a person would write it."""
    text = format_yuan(fen)
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def format_grouped(fen: int, unit_fen: int = 100, decimals: int = 2) -> str:
    """Thousands-separated amount in a display unit: ``unit_fen`` 100 = 元, 1_000_000 = 万元."""
    scaled = Fraction(fen, unit_fen)
    quantum = Fraction(1, 10**decimals)
    rounded = round_half_up(scaled / quantum) * quantum
    sign = "-" if rounded < 0 else ""
    rounded = abs(rounded)
    whole = rounded.numerator // rounded.denominator
    frac = rounded - whole
    text = f"{whole:,}"
    if decimals:
        text += "." + f"{int(frac * 10**decimals):0{decimals}d}"
    return sign + text


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _SMALL_UNITS[pos]
    return out


def chinese_uppercase(fen: int) -> str:
    """人民币 amount in 大写: 12345600 → 人民币壹拾贰万叁仟肆佰伍拾陆元整."""
    if fen < 0:
        return "负" + chinese_uppercase(-fen)
    yuan, cents = divmod(fen, FEN_PER_YUAN)
    jiao, fen_digit = divmod(cents, 10)
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10_000)
        yuan //= 10_000
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or group < 1000):
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
        need_zero = False
    if not text:
        text = "零" if not cents else ""
    if text:
        text += "元"
    if not cents:
        return "人民币" + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen_digit:
        text += _DIGITS[fen_digit] + "分"
    else:
        text += "整"
    return "人民币" + text


_DIGIT_VALUES = {ch: i for i, ch in enumerate(_DIGITS)}
_SMALL_VALUES = {"拾": 10, "佰": 100, "仟": 1000}


def parse_chinese_uppercase(text: str) -> int:
    """``人民币壹拾贰万叁仟肆佰伍拾陆元整`` → 12345600 fen: the inverse of :func:`chinese_uppercase`
    (so a document's 大写 can be checked against the figure beside it). ValueError if malformed."""
    body = text.strip().removeprefix("人民币")
    sign = -1 if body.startswith("负") else 1
    body = body.removeprefix("负")
    if not body.endswith(("整", "分")):
        raise ValueError(f"not a 大写 amount: {text!r}")
    whole, _, cents_part = body.rpartition("元") if "元" in body else ("", "", body)

    def section(part: str) -> int:  # below 10,000: digits, 拾佰仟 and 零
        value, digit = 0, 0
        for ch in part:
            if ch in _DIGIT_VALUES:
                digit = _DIGIT_VALUES[ch]
            elif ch in _SMALL_VALUES:
                value += (digit or 1) * _SMALL_VALUES[ch]
                digit = 0
            else:
                raise ValueError(f"not a 大写 amount: {text!r}")
        return value + digit

    def number(part: str) -> int:
        if "万亿" in part:  # the unit chinese_uppercase writes for 10^12
            high, low = part.split("万亿", 1)
            return section(high) * 10**12 + number(low)
        if "亿" in part:
            high, low = part.rsplit("亿", 1)
            return number(high) * 10**8 + number(low)
        if "万" in part:
            high, low = part.split("万", 1)
            return section(high) * 10**4 + number(low)
        return section(part)

    cents = 0
    rest = cents_part.removesuffix("整").lstrip("零")
    if "角" in rest:
        jiao, rest = rest.split("角", 1)
        cents += _DIGIT_VALUES[jiao] * 10
    if rest:
        cents += _DIGIT_VALUES[rest.removesuffix("分")]
    return sign * (number(whole) * FEN_PER_YUAN + cents)
