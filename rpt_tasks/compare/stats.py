"""The statistics of the comparison, small and dependency-light (numpy only), each checked in the
tests against a reference implementation (scipy, statsmodels).

- paired bootstrap interval of a difference of means (documents resampled together),
- McNemar's exact test on paired binary outcomes,
- the Cochran-Mantel-Haenszel test over 2x2 tables, the paper's test across a domain's
  benchmarks, with the Mantel-Haenszel common odds ratio.
"""

from __future__ import annotations

import math

import numpy as np


def paired_bootstrap_ci(base: np.ndarray, model: np.ndarray, reps: int = 2000, seed: int = 0,
                        level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of mean(model - base) when documents are resampled with replacement."""
    diff = np.asarray(model, float) - np.asarray(base, float)
    if diff.size == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, size=(reps, diff.size))].mean(axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def mcnemar_exact(base: np.ndarray, model: np.ndarray) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 outcomes: a binomial test on the
    discordant pairs (model right / base wrong versus the reverse) at p = 1/2."""
    base, model = np.asarray(base, bool), np.asarray(model, bool)
    b = int(np.sum(model & ~base))
    c = int(np.sum(~model & base))
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def cmh_test(tables: list[np.ndarray]) -> tuple[float, float]:
    """(Mantel-Haenszel common odds ratio, CMH p-value without continuity correction) for 2x2
    tables [[a, b], [c, d]] (rows: model, base; columns: correct, incorrect)."""
    num = den = stat_num = var = 0.0
    for table in tables:
        (a, b), (c, d) = np.asarray(table, float)
        n = a + b + c + d
        if n <= 1:
            continue
        num += a * d / n
        den += b * c / n
        row1, row2, col1, col2 = a + b, c + d, a + c, b + d
        stat_num += a - row1 * col1 / n
        var += row1 * row2 * col1 * col2 / (n * n * (n - 1))
    odds_ratio = num / den if den > 0 else (math.inf if num > 0 else math.nan)
    if var <= 0:
        return odds_ratio, 1.0
    statistic = stat_num ** 2 / var
    p_value = math.erfc(math.sqrt(statistic / 2))  # chi-square with 1 df: P(X > s) = erfc(sqrt(s/2))
    return odds_ratio, p_value
