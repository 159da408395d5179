"""Grouped interval bounds agree with the one-table functions they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.grouped_bounds import grouped_interval_bounds, grouped_point_shares
from chiprisk.graph.algorithms.range_bounds import hhi_range_bounds

share = st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def tables(draw):
    n_tables = draw(st.integers(1, 6))
    group, lo, hi, total = [], [], [], []
    for k in range(n_tables):
        n = draw(st.integers(1, 6))
        for _ in range(n):
            a = draw(share)
            width = draw(st.one_of(st.just(0.0), share))
            group.append(k)
            lo.append(a)
            hi.append(a + width)
        extra = draw(st.floats(0, 40, allow_nan=False))
        total.append(max(100.0, sum(lo[-n:]) + extra))
    return np.array(group), np.array(lo), np.array(hi), np.array(total)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_bounds_equal_hhi_range_bounds_where_exact_and_never_below(t):
    group, lo, hi, total = t
    low, high, exact = grouped_interval_bounds(group, lo, hi, total)
    for k in range(total.size):
        m = group == k
        ref_low, ref_high = hhi_range_bounds(lo[m], hi[m], total=float(total[k]))
        assert low[k] == np.float64(ref_low) or abs(low[k] - ref_low) < 1e-9
        if exact[k]:
            assert abs(high[k] - ref_high) <= 1e-9 * max(1.0, ref_high)
        else:
            assert high[k] >= ref_high - 1e-9 * max(1.0, ref_high)


def test_nested_intervals_are_flagged_and_bounded():
    # (15, 16) sits inside (0, 30): greedy by hi need not be exact
    low, high, exact = grouped_interval_bounds(
        np.array([0, 0]), np.array([15.0, 0.0]), np.array([16.0, 30.0]), np.array([100.0])
    )
    assert not exact[0]
    assert high[0] >= hhi_range_bounds([15.0, 0.0], [16.0, 30.0], total=100.0)[1]


def test_comonotone_table_with_residual_is_exact_and_matches_vertex_search():
    lo, hi = np.array([40.0, 20.0, 5.0]), np.array([50.0, 30.0, 6.0])
    low, high, exact = grouped_interval_bounds(np.zeros(3, dtype=int), lo, hi, np.array([100.0]))
    assert exact[0]
    assert low[0] == 40.0**2 + 20.0**2 + 5.0**2
    assert high[0] == hhi_range_bounds(lo, hi, total=100.0)[1]


@settings(max_examples=300, deadline=None)
@given(tables(), st.floats(0, 1))
def test_point_shares_are_the_projection_of_the_midpoints(t, squeeze):
    group, lo, hi, total = t
    sum_lo = np.bincount(group, lo, minlength=total.size)
    sum_mid = np.bincount(group, (lo + hi) / 2, minlength=total.size)
    room = sum_lo + squeeze * (sum_mid - sum_lo)
    p = grouped_point_shares(group, lo, hi, room)
    assert (p >= lo - 1e-9).all() and (p <= hi + 1e-9).all()
    sums = np.bincount(group, p, minlength=total.size)
    assert (sums <= room + 1e-6).all()
    mid = (lo + hi) / 2
    for k in range(total.size):
        m = group == k
        shift = (mid - p)[m]
        free = (p[m] > lo[m] + 1e-9) & (p[m] < hi[m] - 1e-9)
        # one common shift mu for every entity not clamped at a bound
        if free.sum() > 1:
            assert np.ptp(shift[free]) < 1e-6
        if sum_mid[k] <= room[k]:
            assert np.allclose(p[m], mid[m])


def test_hi_ties_up_to_rounding_are_not_nesting():
    # a tie in hi off by one ulp (as summing an entity's rows in another order gives) must
    # not turn a comonotone table into a "nested" one with a looser bound
    lo = np.array([10.0, 20.0])
    hi = np.array([np.nextafter(30.0, 31.0), 30.0])
    low, high, exact = grouped_interval_bounds(np.zeros(2, dtype=int), lo, hi, np.array([100.0]))
    assert exact[0]
    ref_low, ref_high = hhi_range_bounds(lo, hi, total=100.0)
    assert low[0] == pytest.approx(ref_low) and high[0] == pytest.approx(ref_high)
