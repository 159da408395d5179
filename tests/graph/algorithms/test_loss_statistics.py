"""VaR is the k-th smallest loss, on tie-heavy and continuous losses alike."""

import math

import numpy as np
import pytest

from chiprisk.graph.algorithms.montecarlo import loss_statistics


@pytest.mark.parametrize("level", [0.0, 0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("kind", ["mostly-zero", "ties", "continuous", "all-zero"])
def test_var_is_the_order_statistic(level, kind):
    rng = np.random.default_rng(7)
    shape = (6, 997)
    if kind == "mostly-zero":
        L = np.where(rng.random(shape) < 0.97, 0.0, rng.integers(1, 5, shape) / 4)
    elif kind == "ties":
        L = rng.integers(0, 3, shape) / 2
    elif kind == "continuous":
        L = rng.random(shape)
    else:
        L = np.zeros(shape)
    L = np.asfortranarray(L)  # the Monte Carlo hands over a transposed view
    n = shape[1]
    k = max(min(math.ceil(level * n) - 1, n - 1), 0)
    expected = np.sort(L, axis=1)[:, k]
    assert np.array_equal(loss_statistics(L, level)["var"], expected)
