"""Simulated paired outcomes for the statistics' tests and benchmarks (fixtures, not runtime)."""

from __future__ import annotations

import numpy as np


def coupled(rng: np.random.Generator, n: int, p_base: float, unchanged: float, gain: float):
    """0/1 outcomes of a base and of a model that agrees with it on a fraction `unchanged` of the
    documents and is `gain` better on average elsewhere (the coupling of a model and its base)."""
    base = rng.random(n) < p_base
    model = base.copy()
    redraw = rng.random(n) >= unchanged
    model[redraw] = rng.random(int(redraw.sum())) < p_base + gain / (1 - unchanged)
    base[redraw] = rng.random(int(redraw.sum())) < p_base
    return base.astype(float), model.astype(float)
