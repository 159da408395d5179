"""Tests for chiprisk.graph.algorithms.indices.

Reference cases R1.1-R1.15 and R4.3 come from shared/research/methods.md section 5;
expected values are copied from that table (or derived by hand in comments), never
computed by the code under test.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.bands import (
    band_2010,
    band_2023,
    presumption_2023,
    sia_bcg_single_region,
)
from chiprisk.graph.algorithms.hhi_change import hhi_after_addition, hhi_derivative_sign
from chiprisk.graph.algorithms.indices import (
    concentration_ratio,
    count_to_threshold,
    effective_number,
    gini,
    hhi,
    hhi_bounds,
    renormalise,
    shannon_entropy,
)
from chiprisk.graph.algorithms.range_bounds import hhi_range_bounds, qualitative_share_ranges
from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES

# ETO 2022 stage rows (methods.md R1.9), "Various" listed separately.
S1_LISTED, S1_VARIOUS = [51, 13, 10, 9, 8, 6], 4
S2_LISTED, S2_VARIOUS = [24, 18, 17, 17, 10, 8], 7  # CHN 24 ... EU 8 (index 5)
S3_LISTED, S3_VARIOUS = [30, 28, 9, 6, 3, 3], 20
S2_ALL = [24, 18, 17, 17, 10, 8, 7]  # various as one entity, sum 101
EU, CHN = 5, 0


# ---------------------------------------------------------------------------
# R1 reference cases
# ---------------------------------------------------------------------------


def test_r1_1_doj_example():
    s = [30, 30, 20, 20]
    assert hhi(s) == 2600.0
    assert effective_number(s) == pytest.approx(3.846154, abs=1e-6)
    assert shannon_entropy(s) == pytest.approx(1.366159, abs=1e-6)
    assert math.exp(shannon_entropy(s)) == pytest.approx(3.9203, abs=1e-4)
    assert concentration_ratio(s, 4) == 100.0
    assert gini(s) == pytest.approx(0.1, abs=1e-6)


def test_r1_2_investopedia():
    assert hhi([10, 9, 12, 15, 12, 11, 15, 16]) == 1296.0


def test_r1_3_merge_two_smallest():
    pre = [25, 20, 15, 10, 8, 7, 6, 5, 4]
    post = [25, 20, 15, 10, 8, 7, 6, 9]
    assert hhi(pre) == 1540.0
    assert hhi(post) == 1580.0
    assert hhi(post) - hhi(pre) == 40.0 == 2 * 5 * 4
    # 1992/97 and 2023 bands share 1,000/1,800: moderately concentrated, no presumption
    assert band_2023(hhi(post)) == "moderately concentrated"
    assert presumption_2023(hhi(post), 40.0) is False


def test_r1_4_merge_two_largest():
    pre = [25, 20, 15, 10, 8, 7, 6, 5, 4]
    post = [45, 15, 10, 8, 7, 6, 5, 4]
    assert hhi(post) == 2540.0
    delta = hhi(post) - hhi(pre)
    assert delta == 1000.0
    assert band_2023(hhi(post)) == "highly concentrated"
    assert presumption_2023(hhi(post), delta) is True


def test_r1_5():
    assert hhi([40, 30, 20, 10]) == 3000.0


def test_r1_6_presumption_2023():
    assert band_2023(2600) == "highly concentrated"
    assert presumption_2023(2600, 40) is False
    assert band_2023(1900) == "highly concentrated"
    assert presumption_2023(1900, 150) is True


@pytest.mark.parametrize(
    ("value", "band"),
    [(1296, "unconcentrated"), (2000, "moderately concentrated"), (2600, "highly concentrated")],
)
def test_r1_7_band_2010(value, band):
    assert band_2010(value) == band


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ([100], 10_000.0),
        ([99.3, 0.7], 9_861.0),
        ([96, 3, 1, 1, 1], 9_228.0),
        ([56, 16, 14, 10, 4], 3_704.0),
    ],
)
def test_r1_8_eto_raw(shares, expected):
    assert hhi(shares) == pytest.approx(expected, abs=0.05)


def test_r1_8_eda_renormalised():
    eda = renormalise([96, 3, 1, 1, 1])
    assert eda.sum() == pytest.approx(100.0, abs=1e-9)
    assert hhi(eda) == pytest.approx(8_869.67, abs=0.05)


@pytest.mark.parametrize(
    ("listed", "various", "lower", "upper"),
    [
        (S1_LISTED, S1_VARIOUS, 3051.0, 3067.0),
        (S2_LISTED, S2_VARIOUS, 1642.0, 1691.0),
        (S3_LISTED, S3_VARIOUS, 1819.0, 2219.0),
    ],
)
def test_r1_9_stage_bounds(listed, various, lower, upper):
    assert hhi_bounds(listed, residual=various) == (lower, upper)
    # same convention through the interval API: degenerate boxes, residual unassigned
    total = sum(listed) + various
    lo, hi = hhi_range_bounds(listed, listed, total=total)
    assert lo == pytest.approx(lower, abs=1e-9)
    assert hi == pytest.approx(upper, abs=1e-9)


def test_r1_10_upper_convention_various_one_entity():
    assert hhi(renormalise(S2_ALL)) == pytest.approx(1657.68, abs=0.01)
    h117 = hhi_after_addition(S2_ALL, k=EU, c=4.3228)
    h20 = hhi_after_addition(S2_ALL, k=EU, c=15.25)
    assert h117 == pytest.approx(1603.60, abs=0.01)
    assert h20 == pytest.approx(1603.93, abs=0.01)
    # not monotone: the 20 % target gives a slightly higher HHI than 11.7 %
    assert h20 > h117
    # EU share targets reached (checked with plain arithmetic)
    assert abs((8 + 4.3228) / (101 + 4.3228) - 0.117) <= 1e-5
    assert abs((8 + 15.25) / (101 + 15.25) - 0.20) <= 1e-12


def test_r1_10_c_from_target_share():
    # c such that (q_k + c) / (Q + c) = t  <=>  c = (t Q - q_k) / (1 - t)
    c = (0.117 * 101 - 8) / (1 - 0.117)
    assert hhi_after_addition(S2_ALL, k=EU, c=c) == pytest.approx(1603.60, abs=0.01)


def test_r1_10_lower_convention_various_fragmented():
    base = hhi_after_addition(S2_LISTED, k=EU, c=0.0, fragmented_residual=S2_VARIOUS)
    assert base == pytest.approx(1609.65, abs=0.01)
    assert hhi_after_addition(
        S2_LISTED, k=EU, c=4.3228, fragmented_residual=S2_VARIOUS
    ) == pytest.approx(1559.42, abs=0.01)
    assert hhi_after_addition(
        S2_LISTED, k=EU, c=15.25, fragmented_residual=S2_VARIOUS
    ) == pytest.approx(1567.67, abs=0.01)
    # the lower convention equals hhi_bounds' lower bound on renormalised shares
    ren = np.asarray(S2_ALL, dtype=float) * 100 / 101
    assert hhi_bounds(ren[:-1], residual=ren[-1])[0] == pytest.approx(1609.65, abs=0.01)


def test_r1_11_hbm():
    assert hhi([50, 40, 10]) == pytest.approx(4200.0, abs=0.01)  # firm
    assert hhi([90, 10]) == pytest.approx(8200.0, abs=0.01)  # country
    assert hhi([53, 38, 9]) == pytest.approx(4334.0, abs=0.01)  # 2023e firm
    cap = renormalise([45_000, 45_000, 3_000])  # wafers/month
    assert hhi(cap) == pytest.approx(4693.03, abs=0.01)
    assert hhi_after_addition([45_000, 45_000, 3_000], k=0, c=0.0) == pytest.approx(
        4693.03, abs=0.01
    )


def test_r1_12_leading_edge():
    s = [92, 8]
    assert hhi(s) == 8528.0
    cr1 = concentration_ratio(s, 1)
    assert cr1 == 92.0
    assert sia_bcg_single_region(cr1) is True


def test_r1_13_scipy_entropy():
    assert shannon_entropy([1 / 2, 1 / 2], base=2) == pytest.approx(1.0, abs=1e-12)
    assert shannon_entropy([9 / 10, 1 / 10], base=2) == pytest.approx(
        0.46899559358928117, abs=1e-12
    )


def test_r1_14_gini():
    x = [2, 10, 5, 6, 12]
    assert gini(x, unbiased=True) == pytest.approx(0.35714285714285715, abs=1e-12)
    # methods.md quotes the population form to 10 digits (0.2857142857); the exact
    # value is 50/175 = 2/7 (sorted-rank sum 50, n*sum = 175).
    assert gini(x) == pytest.approx(2 / 7, abs=1e-12)
    assert gini(x) == pytest.approx(0.2857142857, abs=1e-10)


def test_r1_15_capacity_addition_formula():
    assert hhi_after_addition(S2_ALL, k=EU, c=15.25) / 10_000 == pytest.approx(0.160393, abs=1e-6)


# ---------------------------------------------------------------------------
# R4.3 derivative sign
# ---------------------------------------------------------------------------


def test_r4_3_sign_rule():
    s = renormalise(S2_ALL) / 100
    h = float(np.sum(s**2))
    assert s[EU] == pytest.approx(0.0792, abs=1e-4)
    assert s[CHN] == pytest.approx(0.2376, abs=1e-4)
    assert h == pytest.approx(0.1658, abs=1e-4)
    assert hhi_derivative_sign(S2_ALL, EU) == -1
    assert hhi_derivative_sign(S2_ALL, CHN) == 1
    # check against a finite difference of hhi() on recomputed shares
    eps = 1e-4
    for k, sign in ((EU, -1), (CHN, 1)):
        q = np.asarray(S2_ALL, dtype=float)
        q2 = q.copy()
        q2[k] += eps
        diff = hhi(q2 * 100 / q2.sum()) - hhi(q * 100 / q.sum())
        assert np.sign(diff) == sign


def test_derivative_sign_stationary_and_new_entity():
    # two equal entities: s_k = 0.5 = H -> stationary
    assert hhi_derivative_sign([1, 1], 0) == 0
    assert hhi_derivative_sign([3, 1], None) == -1


# ---------------------------------------------------------------------------
# conventions, validation and edge cases
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [[], [10, -1], [np.nan, 50], [np.inf], [[10, 20]], [150.0], ["a"]])
def test_hhi_rejects_invalid(bad):
    with pytest.raises(ValueError):
        hhi(bad)


def test_hhi_error_messages_are_clear():
    with pytest.raises(ValueError, match="negative"):
        hhi([50, -1])
    with pytest.raises(ValueError, match="NaN"):
        hhi([50, float("nan")])
    with pytest.raises(ValueError, match="empty"):
        hhi([])


def test_band_boundaries_2023():
    assert band_2023(999.99) == "unconcentrated"
    assert band_2023(1000) == "moderately concentrated"
    assert band_2023(1800) == "moderately concentrated"
    assert band_2023(1800.0001) == "highly concentrated"
    assert band_2023(10_000) == "highly concentrated"
    with pytest.raises(ValueError):
        band_2023(-1)
    with pytest.raises(ValueError):
        band_2023(10_001)
    with pytest.raises(ValueError):
        band_2023(float("nan"))


def test_band_boundaries_2010():
    assert band_2010(1499.99) == "unconcentrated"
    assert band_2010(1500) == "moderately concentrated"
    assert band_2010(2500) == "moderately concentrated"
    assert band_2010(2500.01) == "highly concentrated"


def test_presumption_boundaries():
    assert presumption_2023(1800, 500) is False  # not highly concentrated
    assert presumption_2023(1801, 100) is False  # delta must exceed 100
    assert presumption_2023(1801, 100.5) is True


def test_sia_bcg_strict():
    assert sia_bcg_single_region(65.0) is False
    assert sia_bcg_single_region(65.01) is True
    assert sia_bcg_single_region(50.0, threshold=40.0) is True


def test_concentration_ratio():
    s = [5, 40, 20, 35]
    assert concentration_ratio(s, 1) == 40.0
    assert concentration_ratio(s, 2) == 75.0
    assert concentration_ratio(s, 10) == 100.0
    with pytest.raises(ValueError):
        concentration_ratio(s, 0)


def test_count_to_threshold():
    assert count_to_threshold([5, 40, 20, 35]) == 2  # 40 + 35 = 75 reaches 75
    assert count_to_threshold([5, 40, 20, 35], threshold=76) == 3
    assert count_to_threshold([33.3, 41.7]) == 2  # float noise below 75 tolerated
    assert count_to_threshold([40, 30], threshold=80) is None  # never reached
    with pytest.raises(ValueError):
        count_to_threshold([50, 50], threshold=0)


def test_effective_number_scale_invariant():
    assert effective_number([50, 50]) == 2.0
    assert effective_number([1, 1, 1, 1]) == 4.0
    assert effective_number([25, 25]) == 2.0  # normalised before inverting
    with pytest.raises(ValueError):
        effective_number([0, 0])


def test_gini_edge_cases():
    assert gini([5, 5]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(3 / 4)  # max (n-1)/n
    assert gini([7]) == 0.0
    with pytest.raises(ValueError):
        gini([7], unbiased=True)


def test_hhi_after_addition_validation():
    with pytest.raises(ValueError):
        hhi_after_addition([1, 2], k=2, c=1.0)
    with pytest.raises(ValueError):
        hhi_after_addition([1, 2], k=0, c=-2.0)
    with pytest.raises(ValueError):
        hhi_after_addition([1, 2], k=0, c=float("nan"))


def test_hhi_after_addition_location_blind():
    # R4.1 structure: the same c on different *new* entities gives the same HHI,
    # TWN 92 / KOR 8 + 20 new -> shares 92/120, 8/120, 20/120 -> 6200 (methods.md R4.1)
    assert hhi_after_addition([92, 8], k=None, c=20.0) == pytest.approx(6200.0, abs=1e-9)


def test_hhi_bounds_validation():
    with pytest.raises(ValueError):
        hhi_bounds([50, 40], residual=-1)
    assert hhi_bounds([50, 40]) == (4100.0, 4100.0)


def test_qualitative_ranges():
    assert dict(QUALITATIVE_SHARE_RANGES) == {
        "negligible": (0.0, 1.0),
        "minor": (1.0, 10.0),
        "major": (10.0, 100.0),
    }
    lo, hi = qualitative_share_ranges([" MAJOR", "minor"])
    assert lo.tolist() == [10.0, 1.0] and hi.tolist() == [100.0, 10.0]
    with pytest.raises(ValueError, match="unknown"):
        qualitative_share_ranges(["dominant"])
    with pytest.raises(TypeError):
        QUALITATIVE_SHARE_RANGES["huge"] = (50.0, 100.0)  # read-only mapping


def test_range_bounds_qualitative_example():
    # one major + one minor supplier, rest unknown.
    # lower: 10^2 + 1^2 = 101 (remaining 89 fragmented).
    # upper: vertices of {10<=a<=100, 1<=b<=10, a+b+r=100}: best is a=99, b=1, r=0
    # -> 9801 + 1 = 9802.
    lo, hi = qualitative_share_ranges(["major", "minor"])
    assert hhi_range_bounds(lo, hi) == pytest.approx((101.0, 9802.0), abs=1e-9)


def test_range_bounds_greedy_counterexample():
    # greedy by hi gives (15, 2) -> 229; the exact max is (16, 1) -> 257 (hand-computed)
    assert hhi_range_bounds([15, 0], [16, 17], total=17, exhaustive=True) == pytest.approx(
        (229.0, 257.0)
    )
    # nested intervals, exhaustive: lo=(0,4), hi=(10,5), total 10 -> s in {(6,4),(5,5)}:
    # min 50 at (5,5), max 52 at (6,4)
    assert hhi_range_bounds([0, 4], [10, 5], total=10, exhaustive=True) == pytest.approx(
        (50.0, 52.0)
    )


def test_range_bounds_water_filling():
    # lo=(50,0,0), hi=(60,100,100), total 100 -> water level 25: (50,25,25) -> 3750
    lower, upper = hhi_range_bounds([50, 0, 0], [60, 100, 100], exhaustive=True)
    assert lower == pytest.approx(3750.0)
    assert upper == pytest.approx(60**2 + 40**2)  # vertex (60, 40, 0)
    assert hhi_range_bounds([0, 0, 0], [100, 100, 100], exhaustive=True)[0] == pytest.approx(
        10_000 / 3
    )


def test_range_bounds_infeasible():
    with pytest.raises(ValueError, match="infeasible"):
        hhi_range_bounds([60, 50], [70, 60])
    with pytest.raises(ValueError, match="infeasible"):
        hhi_range_bounds([10, 10], [20, 20], exhaustive=True)
    with pytest.raises(ValueError):
        hhi_range_bounds([10, 30], [20, 20])  # lo > hi
    with pytest.raises(ValueError):
        hhi_range_bounds([10], [20, 30])


def test_range_bounds_infinite_hi():
    # "at least 30 %" and nothing else known: upper = one entity with 100 %
    assert hhi_range_bounds([30], [np.inf]) == pytest.approx((900.0, 10_000.0))


def test_range_bounds_large_nested_falls_back_with_valid_bound():
    # 25 strictly nested intervals -> enumeration too large -> warned relaxation
    a = np.arange(1, 26, dtype=float) * 0.1
    lo, hi = 2.0 - a / 2, 2.0 + a / 2
    with pytest.warns(RuntimeWarning):
        lower, upper = hhi_range_bounds(lo, hi, total=60.0, exhaustive=True)
    rng = np.random.default_rng(0)
    for _ in range(200):
        s = _random_point_with_sum(rng, lo, hi, 60.0)
        assert lower - 1e-9 <= float(np.sum(s**2)) <= upper + 1e-9


# ---------------------------------------------------------------------------
# independent oracles for the range bounds
# ---------------------------------------------------------------------------


def _random_point_with_sum(rng, lo, hi, total):
    """A random point of {lo <= s <= hi, sum s = total} (assumed feasible)."""
    s = lo.astype(float).copy()
    room = hi - lo
    left = total - s.sum()
    for i in rng.permutation(len(s)):
        take = min(room[i], left) * rng.uniform(0.3, 1.0)
        s[i] += take
        left -= take
    for i in range(len(s)):  # place the rest deterministically
        take = min(hi[i] - s[i], left)
        s[i] += take
        left -= take
    return s


def _brute_force_max(lo, hi, total):
    """max sum s^2 over {lo<=s<=hi, sum s = total} by enumerating all vertices."""
    n = len(lo)
    best = -np.inf
    for f in range(n):
        others = [i for i in range(n) if i != f]
        for pattern in itertools.product((0, 1), repeat=n - 1):
            s = np.array(lo, dtype=float)
            for i, up in zip(others, pattern, strict=True):
                if up:
                    s[i] = hi[i]
            s[f] = total - (s.sum() - s[f])
            if lo[f] - 1e-9 <= s[f] <= hi[f] + 1e-9:
                best = max(best, float(np.sum(s**2)))
    return best


def _bisection_min(lo, hi, total):
    """min sum s^2 over the same set: bisection on the KKT water level."""
    a, b = 0.0, float(max(hi))
    for _ in range(200):
        mid = (a + b) / 2
        if np.clip(mid, lo, hi).sum() < total:
            a = mid
        else:
            b = mid
    s = np.clip((a + b) / 2, lo, hi)
    return float(np.sum(s**2))


share = st.floats(min_value=0.0, max_value=100.0, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw, max_n=6):
    n = draw(st.integers(1, max_n))
    lo = np.array(draw(st.lists(st.floats(0.0, 30.0), min_size=n, max_size=n)))
    width = np.array(draw(st.lists(st.floats(0.0, 40.0), min_size=n, max_size=n)))
    return lo, lo + width


@settings(max_examples=200, deadline=None)
@given(boxes(), st.floats(0.0, 1.0), st.data())
def test_range_bounds_exhaustive_match_oracles(box, frac, data):
    lo, hi = box
    total = float(lo.sum() + frac * (hi - lo).sum())
    assume(total > 1e-6)
    lower, upper = hhi_range_bounds(lo, hi, total=total, exhaustive=True)
    assert upper == pytest.approx(_brute_force_max(lo, hi, total), rel=1e-9, abs=1e-7)
    assert lower == pytest.approx(_bisection_min(lo, hi, total), rel=1e-9, abs=1e-7)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    s = _random_point_with_sum(rng, lo, hi, total)
    assert lower - 1e-7 <= hhi_like(s) <= upper + 1e-7


def hhi_like(s):
    return float(np.sum(np.asarray(s) ** 2))


@settings(max_examples=200, deadline=None)
@given(boxes(), st.floats(0.0, 1.0), st.floats(0.0, 50.0), st.data())
def test_range_bounds_with_residual_contain_exact(box, frac, extra, data):
    lo, hi = box
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    s = lo + frac * rng.uniform(0, 1, size=lo.size) * (hi - lo)  # exact shares in the box
    total = float(s.sum() + extra)
    assume(total > 1e-6)
    lower, upper = hhi_range_bounds(lo, hi, total=total)
    # residual split into a random number of pieces (1 piece = one entity)
    k = int(rng.integers(1, 6))
    pieces = rng.dirichlet(np.ones(k)) * extra
    exact = hhi_like(np.concatenate([s, pieces]))
    assert lower - 1e-7 <= exact <= upper + 1e-7
    # tightness of the upper bound: the residual is one more entity in [0, total - sum lo]
    budget = total - lo.sum()
    lo_aug = np.append(lo, 0.0)
    hi_aug = np.append(np.minimum(hi, lo + budget), budget)
    assert upper == pytest.approx(_brute_force_max(lo_aug, hi_aug, total), rel=1e-9, abs=1e-7)
    assert lower == pytest.approx(hhi_like(lo), rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["negligible", "minor", "major"]), min_size=1, max_size=8))
def test_range_bounds_qualitative_match_oracle(labels):
    lo, hi = qualitative_share_ranges(labels)
    assume(lo.sum() <= 100)
    lower, upper = hhi_range_bounds(lo, hi)
    budget = 100 - lo.sum()
    lo_aug = np.append(lo, 0.0)
    hi_aug = np.append(np.minimum(hi, lo + budget), budget)
    assert upper == pytest.approx(_brute_force_max(lo_aug, hi_aug, 100.0), rel=1e-9)
    assert lower == pytest.approx(hhi_like(lo))


# ---------------------------------------------------------------------------
# hypothesis properties of the basic indices
# ---------------------------------------------------------------------------


def _to_percent(raw):
    arr = np.asarray(raw, dtype=float)
    return arr * 100.0 / arr.sum()


@given(st.lists(positive, min_size=1, max_size=40))
def test_hhi_range_for_percent_vectors(raw):
    s = _to_percent(raw)
    h = hhi(s)
    assert 0.0 < h <= 10_000.0 * (1 + 1e-12)
    assert h >= 10_000.0 / len(s) * (1 - 1e-12)  # equal shares minimise HHI


@given(st.lists(share, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_hhi_permutation_invariant(s, rnd):
    perm = list(s)
    rnd.shuffle(perm)
    assert hhi(perm) == pytest.approx(hhi(s), rel=1e-12, abs=1e-9)
    assert effective_number(perm + [1.0]) == pytest.approx(effective_number(s + [1.0]), rel=1e-12)


@given(st.lists(positive, min_size=1, max_size=40))
def test_effective_number_between_one_and_n(raw):
    n2 = effective_number(raw)
    assert 1.0 - 1e-12 <= n2 <= len(raw) * (1 + 1e-12)
    # Hill numbers: N2 <= N1 = exp(Shannon) <= n
    assert n2 <= math.exp(shannon_entropy(raw)) * (1 + 1e-9)


@given(st.lists(positive, min_size=2, max_size=30), st.data())
def test_merging_never_lowers_hhi(raw, data):
    s = _to_percent(raw)
    i, j = data.draw(st.lists(st.integers(0, len(s) - 1), min_size=2, max_size=2, unique=True))
    merged = np.append(np.delete(s, [i, j]), s[i] + s[j])
    delta = hhi(merged) - hhi(s)
    assert delta >= -1e-9
    assert delta == pytest.approx(2 * s[i] * s[j], rel=1e-9, abs=1e-7)


@given(st.lists(share, min_size=1, max_size=30), st.floats(0, 100))
def test_hhi_bounds_contain_any_split(listed, residual):
    lower, upper = hhi_bounds(listed, residual)
    for k in (1, 2, 7):
        pieces = np.full(k, residual / k)
        exact = hhi_like(np.concatenate([listed, pieces]))
        assert lower - 1e-9 <= exact <= upper + 1e-9
    # upper - lower subtracts two HHIs of up to ~1e4: float64 keeps ~1e-12 relative
    assert upper - lower == pytest.approx(residual**2, abs=1e-8)


@given(
    st.lists(positive, min_size=1, max_size=20),
    st.one_of(st.none(), st.integers(0, 19)),
    st.floats(0.0, 1e3),
    st.floats(0.0, 100.0),
)
def test_hhi_after_addition_matches_recomputation(q, k, c, resid):
    assume(k is None or k < len(q))
    new = np.asarray(q, dtype=float)
    if k is None:
        new = np.append(new, c)
    else:
        new[k] += c
    total = new.sum() + resid
    expected = float(np.sum((new * 100 / total) ** 2))  # residual fragmented: adds 0
    got = hhi_after_addition(q, k, c, fragmented_residual=resid)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if resid == 0:
        assert got == pytest.approx(hhi(_to_percent(new)), rel=1e-9, abs=1e-9)


@given(st.lists(positive, min_size=2, max_size=15), st.integers(0, 14))
def test_derivative_sign_matches_finite_difference(q, k):
    assume(k < len(q))
    arr = np.asarray(q, dtype=float)
    s = arr / arr.sum()
    gap = s[k] - np.sum(s**2)
    assume(abs(gap) > 1e-3)
    eps = 1e-6 * arr.sum()
    bumped = arr.copy()
    bumped[k] += eps
    diff = hhi(_to_percent(bumped)) - hhi(_to_percent(arr))
    assert hhi_derivative_sign(q, k) == int(np.sign(diff)) == int(np.sign(gap))


@given(st.lists(positive, min_size=1, max_size=30))
def test_concentration_ratio_and_count_consistent(raw):
    s = _to_percent(raw)
    n = count_to_threshold(s, 50.0)
    assert n is not None  # shares sum to 100 >= 50
    assert concentration_ratio(s, n) >= 50.0 - 1e-9
    if n > 1:
        assert concentration_ratio(s, n - 1) < 50.0
    assert concentration_ratio(s, 1) == pytest.approx(max(s))


@given(st.lists(positive, min_size=2, max_size=30))
def test_gini_bounds_and_unbiased_ratio(raw):
    n = len(raw)
    g = gini(raw)
    assert -1e-12 <= g <= (n - 1) / n + 1e-12
    assert gini(raw, unbiased=True) == pytest.approx(g * n / (n - 1), rel=1e-12, abs=1e-15)
    # pairwise definition, computed independently
    x = np.asarray(raw)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())
    assert g == pytest.approx(pairwise, rel=1e-9, abs=1e-12)
