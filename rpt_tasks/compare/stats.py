"""The statistics of the comparison, small and dependency-light (numpy only), each checked in the
tests against a reference implementation (scipy, statsmodels).

- paired bootstrap interval of a difference of means (documents resampled together),
- McNemar's exact test on paired binary outcomes,
- the Cochran-Mantel-Haenszel test over 2x2 tables, the paper's test across a domain's
  benchmarks, with the Mantel-Haenszel common odds ratio (paper-compatible: it treats base and
  model as independent groups, so it loses the power the pairing gives);
- the paired test used as the primary one: a sign-flip (randomisation) test of the weighted mean
  difference of per-document scores. On 0/1 outcomes with equal weights it is McNemar's exact
  test (the stratified McNemar / Mantel-Haenszel test with each document its own stratum, whose
  odds ratio is the ratio of discordant pairs); avg@k fractions enter as they are;
- Holm's step-down adjustment across a model's benchmarks;
- the minimum detectable difference at 80% power of the paired test.
"""

from __future__ import annotations

import math

import numpy as np


def paired_bootstrap_ci(base: np.ndarray, model: np.ndarray, reps: int = 2000, seed: int = 0,
                        level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of mean(model - base) when documents are resampled with replacement.
    A resample's mean depends only on how often each distinct difference is drawn, so it is drawn
    as multinomial counts over the distinct values (three for 0/1 outcomes, a few dozen for avg@k):
    the same distribution as resampling documents, at reps x values instead of reps x documents."""
    diff = np.asarray(model, float) - np.asarray(base, float)
    if diff.size == 0:
        return (math.nan, math.nan)
    values, counts = np.unique(diff, return_counts=True)
    rng = np.random.default_rng(seed)
    means = rng.multinomial(diff.size, counts / diff.size, size=reps) @ values / diff.size
    tail = (1 - level) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


NORMAL_FROM = 1000  # informative documents beyond which the sign-flip distribution is taken as normal


def sign_flip_test(diffs: np.ndarray, weights: np.ndarray | None = None, reps: int = 20000,
                   seed: int = 0) -> float:
    """Two-sided p-value of sum(w * d) = 0 against sign flips of each document's difference
    (model - base): exchangeable under "the model is no better or worse than its base on each
    document". Documents with d = 0 carry no information and drop out. Exact (binomial) when all
    |w d| are equal, as for 0/1 outcomes with equal weights (then it is McNemar's exact test);
    else exact by enumeration up to 20 documents, Monte Carlo with `reps` flips up to
    NORMAL_FROM (the observed statistic counted in, so p >= 1/(reps+1)), and beyond that the
    normal limit of the sign-flip distribution (mean 0, variance sum of squared terms)."""
    d = np.asarray(diffs, float)
    w = np.ones_like(d) if weights is None else np.asarray(weights, float)
    x = (w * d)[d != 0]
    if x.size == 0:
        return 1.0
    observed = abs(x.sum())
    scale = np.abs(x)
    if np.allclose(scale, scale[0]):  # a binomial count of the positive signs: McNemar's exact test
        return binomial_two_sided(min(int(np.sum(x > 0)), int(np.sum(x < 0))), x.size)
    tol = 1e-12 * max(1.0, observed)
    if x.size > NORMAL_FROM:  # many bounded terms: the sign-flip sum is normal to within ~1e-3
        return math.erfc(observed / math.sqrt(2 * float(np.sum(scale ** 2))))
    if x.size <= 20:
        signs = ((np.arange(2 ** x.size)[:, None] >> np.arange(x.size)) & 1) * 2 - 1
        return float(np.mean(np.abs(signs @ scale) >= observed - tol))
    rng = np.random.default_rng(seed)
    hits, done = 0, 0
    while done < reps:
        chunk = min(2000, reps - done)
        signs = rng.integers(0, 2, size=(chunk, x.size), dtype=np.int8) * 2 - 1
        hits += int(np.sum(np.abs(signs @ scale) >= observed - tol))
        done += chunk
    return (hits + 1) / (reps + 1)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error control), in the input's order."""
    p = np.asarray(p_values, float)
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (p.size - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


def minimum_detectable_delta(diffs: np.ndarray, weights: np.ndarray | None = None, alpha: float = 0.05,
                             power: float = 0.8) -> float:
    """The smallest |weighted mean difference| the paired test detects with `power` at level
    `alpha`, for the observed n and spread of per-document differences (normal approximation:
    (z_{1-alpha/2} + z_power) * sd / sqrt(n_eff)); what "no significant change" can rule out."""
    d = np.asarray(diffs, float)
    if d.size < 2:
        return math.nan
    w = np.ones_like(d) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    mean = float(np.sum(w * d))
    variance = float(np.sum(w ** 2 * (d - mean) ** 2)) * d.size / (d.size - 1)
    if variance == 0:  # no discordant document at all: use one discordant pair's spread
        variance = float(np.sum(w ** 2)) * (1.0 / d.size)
    z = _normal_quantile(1 - alpha / 2) + _normal_quantile(power)
    return z * math.sqrt(variance)


def _normal_quantile(q: float) -> float:
    """Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
    low = 0.02425
    if q < low:
        t = math.sqrt(-2 * math.log(q))
        return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / \
            ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    if q > 1 - low:
        return -_normal_quantile(1 - q)
    t = q - 0.5
    r = t * t
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


def mcnemar_exact(base: np.ndarray, model: np.ndarray) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 outcomes: a binomial test on the
    discordant pairs (model right / base wrong versus the reverse) at p = 1/2."""
    base, model = np.asarray(base, bool), np.asarray(model, bool)
    b = int(np.sum(model & ~base))
    c = int(np.sum(~model & base))
    return binomial_two_sided(min(b, c), b + c)


def binomial_two_sided(k: int, n: int) -> float:
    """2 P(X <= k) for X ~ Binomial(n, 1/2), k <= n/2 (capped at 1), in log space: exact to
    floating point for any n (a sum of big-integer binomials takes seconds at n = 10^4)."""
    if n == 0:
        return 1.0
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])
    i = np.arange(k + 1)
    log_pmf = log_factorial[n] - log_factorial[i] - log_factorial[n - i] - n * math.log(2)
    top = log_pmf.max()
    return min(1.0, 2 * math.exp(top) * float(np.sum(np.exp(log_pmf - top))))


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
