"""Small forecasting methods a finance officer can check by hand (pure; no table library).

Short annual series (4–6 points) favour methods with 0 or 1 parameter: each method here
fits a series of (year, people) and predicts later years. Headcounts are people, not money:
these work in floats and the caller rounds to whole people once.

- ``last``: last value carried forward (上年数结转);
- ``growth``: average annual growth (年均增长率) from the first to the last year, compounded;
- ``loglinear``: a straight line through ln(people) by least squares (对数线性趋势);
- ``stockflow``: last year × (1 − exit rate) + new entrants, year after year (存量流量法); the
  exit rate is a parameter, the entrants are the parameter's entry rate × last year, or else
  the average entrants the history implies at that exit rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

METHODS = ("last", "growth", "loglinear", "stockflow")  # ties in a backtest go to the earlier (simpler) one
METHOD_NAMES = {"last": "上年数结转", "growth": "年均增长率", "loglinear": "对数线性趋势", "stockflow": "存量流量法"}


@dataclass(frozen=True)
class StockFlow:
    exit_rate: float = 0.10  # share of last year's people who leave in a year
    entry_rate: float | None = None  # new entrants as a share of last year's people; None: from the history


def predict(method: str, years: Sequence[int], values: Sequence[float], targets: Sequence[int],
            flows: StockFlow = StockFlow()) -> list[float] | None:
    """People in each target year (after the last history year) by ``method``; None when the
    method cannot be fitted to this series (too short, or a zero where a ratio or log is taken)."""
    if not years or len(years) != len(values):
        return None
    last_year, last = years[-1], values[-1]
    if method == "last":
        return [last for _ in targets]
    if len(years) < 2:
        return None
    if method == "growth":
        if values[0] <= 0:
            return None
        factor = (last / values[0]) ** (1 / (last_year - years[0]))
        return [last * factor ** (t - last_year) for t in targets]
    if method == "loglinear":
        if any(v <= 0 for v in values):
            return None
        logs = [math.log(v) for v in values]
        mean_t = sum(years) / len(years)
        mean_l = sum(logs) / len(logs)
        spread = sum((t - mean_t) ** 2 for t in years)
        slope = sum((t - mean_t) * (lv - mean_l) for t, lv in zip(years, logs)) / spread
        return [math.exp(mean_l + slope * (t - mean_t)) for t in targets]
    if method == "stockflow":
        stay = 1 - flows.exit_rate
        if flows.entry_rate is not None:
            entrants = flows.entry_rate * last
        else:
            implied = [values[i] - stay * values[i - 1] for i in range(1, len(values))]
            entrants = max(0.0, sum(implied) / len(implied))
        out, people, year = [], last, last_year
        for t in targets:
            while year < t:
                people, year = people * stay + entrants, year + 1
            out.append(people)
        return out
    raise ValueError(f"unknown method {method!r} (known: {', '.join(METHODS)})")


def spread_factors(values: Sequence[float]) -> tuple[float, float]:
    """(low, high) factors per year ahead from the spread of past year-on-year changes: the
    smallest and the largest change minus their mean (1 + that, at least 0). low ≤ 1 ≤ high;
    (1, 1) with fewer than two years."""
    changes = [values[i] / values[i - 1] - 1 for i in range(1, len(values)) if values[i - 1] > 0]
    if not changes:
        return 1.0, 1.0
    mean = sum(changes) / len(changes)
    return max(0.0, 1 + min(changes) - mean), 1 + max(changes) - mean


def whole_people(value: float) -> int:
    """Rounded half up to whole people, at least 0 (a NaN or a negative forecast is 0)."""
    if math.isnan(value) or value <= 0:
        return 0
    return math.floor(min(value, 1e12) + 0.5)


def relative_error(predicted: Sequence[float], actual: Sequence[float]) -> float | None:
    """Σ|predicted − actual| ÷ Σ actual (weighted absolute percentage error); None if nothing to compare."""
    total = sum(actual)
    if not actual or total <= 0:
        return None
    return sum(abs(p - a) for p, a in zip(predicted, actual)) / total
