"""Draw a synthetic network's share tables: the rows of ``supplies.csv``.

The second half of :func:`chiprisk.graph.io.synthetic.generate`: market share
tables per (input, basis, year) with heavy-tailed sizes, a product's own
sourcing rows and country totals, over a :class:`~chiprisk.graph.io.synthetic_network.Network`.

Examples
--------
>>> import numpy as np
>>> from chiprisk.graph.io.synthetic_network import draw_network
>>> rng = np.random.default_rng(0)
>>> src = lambda n: np.full(n, "src-1", dtype=object)
>>> net = draw_network(rng, 40, 2, 30, src)
>>> supplies = draw_supplies(rng, net, 200, src)
>>> len(supplies), list(supplies.columns[:3])
(200, ['id', 'supplier', 'input'])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.synthetic_network import _STAGES, Network, _ids, _topk_gumbel, _zipf_p

_YEARS = tuple(range(2015, 2025))
_MAX_TABLE = 5_000
"""Most rows in one share table (so every listed share can be at least 0.01 %)."""


def _spread(total: int, weights: np.ndarray, low: np.ndarray, high: np.ndarray, rng) -> np.ndarray:
    """Integers summing to ``total``, about proportional to ``weights``, within [low, high]."""
    if total < low.sum() or total > high.sum():
        raise UsageError(f"cannot place {total} rows in tables of {low.sum()}..{high.sum()} rows")
    size = low.copy()
    left = total - int(size.sum())
    while left > 0:
        room = high - size
        w = np.where(room > 0, weights, 0.0)
        add = np.minimum(np.floor(w / w.sum() * left).astype(np.int64), room)
        if add.sum() == 0:  # hand out the last rows one at a time
            idx = rng.choice(np.flatnonzero(room > 0), size=min(left, int((room > 0).sum())))
            add = np.bincount(idx, minlength=len(size))
            add = np.minimum(add, room)
        size += add
        left = total - int(size.sum())
    return size


def draw_supplies(
    rng: np.random.Generator, net: Network, n_rows: int, src: Callable[[int], np.ndarray]
) -> pd.DataFrame:
    """Draw exactly ``n_rows`` supply rows over the entities of ``net``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random stream (continued after :func:`draw_network`).
    net : Network
        The drawn inputs, requirements, firms and sites.
    n_rows : int
        Rows to draw.
    src : callable
        ``src(n)``: ``n`` source ids for the rows drawn.

    Returns
    -------
    pandas.DataFrame
        The ``supplies`` table of the file contract.

    Raises
    ------
    UsageError
        When ``n_rows`` cannot be spread over the share tables.

    Examples
    --------
    >>> from chiprisk.graph.io.synthetic_network import draw_network
    >>> rng = np.random.default_rng(2)
    >>> src = lambda n: np.full(n, "s", dtype=object)
    >>> rows = draw_supplies(rng, draw_network(rng, 30, 2, 20, src), 120, src)
    >>> len(rows), bool(rows["supplier"].notna().all())
    (120, True)
    """
    stage_of, in_ids, org_stage, org_ids = net.stage_of, net.in_ids, net.org_stage, net.org_ids
    req_p_arr, req_i_arr, countries, cw = net.req_p, net.req_i, net.countries, net.cw
    site_ids, first_site = net.site_ids, net.first_site
    n_inputs, n_orgs = len(in_ids), len(org_ids)
    mid_inputs = np.flatnonzero(stage_of != "product")
    per_stage_orgs = {st: int((org_stage == st).sum()) for st in _STAGES}
    pool_size0 = np.array([per_stage_orgs.get(st, 0) for st in stage_of], dtype=np.int64)
    # buyer-specific sourcing: (product, input) edges of products, 1-3 rows each
    want_buyer = int(round(n_rows * 0.03))
    buyer_edges: list[tuple[int, int]] = []
    for e in rng.permutation(np.flatnonzero(stage_of[req_p_arr] == "product")):
        if want_buyer <= 0:
            break
        i = int(req_i_arr[e])
        k = min(int(rng.integers(1, 4)), want_buyer, max(int(pool_size0[i]), 1))
        buyer_edges.append((int(e), k))
        want_buyer -= k
    n_buyer = sum(k for _, k in buyer_edges)
    n_country_inputs = max(1, len(mid_inputs) // 10)
    n_country = int(min(round(n_rows * 0.02), n_country_inputs * 15))
    n_market = n_rows - n_buyer - n_country

    # market tables: one per (input, year), sizes heavy-tailed, nested per input
    extra_years = (rng.random(len(mid_inputs)) < 0.4).astype(int) + (
        rng.random(len(mid_inputs)) < 0.2
    ).astype(int)
    pool_size = pool_size0
    room = np.minimum(np.maximum(pool_size[mid_inputs], 1) + 1, _MAX_TABLE)
    while (room * (1 + extra_years)).sum() < 1.2 * n_market and extra_years.min() < len(_YEARS) - 1:
        extra_years = np.minimum(extra_years + 1, len(_YEARS) - 1)  # more history, more tables
    t_input = np.repeat(mid_inputs, 1 + extra_years)
    t_year = np.concatenate([np.array(_YEARS[::-1][: 1 + e]) for e in extra_years])
    w_input = rng.lognormal(0.0, 1.3, size=n_inputs)
    t_w = w_input[t_input] * np.where(t_year == _YEARS[-1], 1.0, 0.7)
    t_high = np.minimum(np.maximum(pool_size[t_input], 1), _MAX_TABLE - 1)
    t_size = _spread(n_market, t_w, np.ones(len(t_input), dtype=np.int64), t_high + 1, rng)
    # +1 room for an 'other' row: a table of size s lists min(s, pool) firms
    basis_of_input = rng.choice(
        np.array(["revenue", "shipments", "capacity"], dtype=object),
        size=n_inputs,
        p=[0.7, 0.15, 0.15],
    )

    country_inputs = rng.permutation(mid_inputs)[:n_country_inputs] if n_country else []
    basis_of_input[country_inputs] = "revenue"  # firm and country rows never share a group
    parts = []
    stage_pools = {st: np.flatnonzero(org_stage == st) for st in _STAGES}
    max_size = np.zeros(n_inputs, dtype=np.int64)
    np.maximum.at(max_size, t_input, t_size)
    ranked: dict[int, np.ndarray] = {}
    for i in mid_inputs:
        pool = stage_pools[stage_of[i]]
        if len(pool) == 0:
            pool = np.arange(n_orgs)
        k = min(max(int(max_size[i]), 3), len(pool))
        logp = np.log(_zipf_p(len(pool), 0.8))
        ranked[i] = pool[_topk_gumbel(logp, k, rng)]
    for ti in range(len(t_input)):
        i, size = int(t_input[ti]), int(t_size[ti])
        firms = ranked[i]
        resid = size > len(firms) or (size >= 3 and rng.random() < 0.3)
        n_list = size - 1 if resid else size
        listed = firms[:n_list]
        parts.append((i, None, basis_of_input[i], int(t_year[ti]), listed, resid, "firm"))

    for e, k in buyer_edges:
        i = int(req_i_arr[e])
        listed = ranked[i][rng.permutation(min(len(ranked[i]), 6))[:k]]
        parts.append((i, in_ids[req_p_arr[e]], "sourcing", 2024, listed, False, "firm"))
    # country totals: separate capacity tables for a tenth of the inputs
    if n_country:
        cand = np.asarray(country_inputs)
        k_tables = len(cand)
        c_sizes = _spread(
            n_country,
            np.ones(k_tables),
            np.ones(k_tables, dtype=np.int64),
            np.full(k_tables, len(countries), dtype=np.int64),
            rng,
        )
        for i, size in zip(cand[:k_tables], c_sizes, strict=True):
            cs = _topk_gumbel(np.log(cw), int(size), rng)
            parts.append((int(i), None, "country-capacity", 2024, cs, False, "country"))

    sup_cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("supplier", "input", "buyer", "share", "basis", "year", "table")
    }
    for t, (i, buyer, basis, year, listed, resid, level) in enumerate(parts):
        n = len(listed) + int(resid)
        raw = (np.arange(1, n + 1) ** -rng.uniform(0.8, 1.6)) * rng.lognormal(0, 0.3, n)
        raw = np.sort(raw)[::-1]
        share = 0.01 + (100.0 - 0.01 * n) * raw / raw.sum()  # every row at least 0.01
        share = np.floor(share * 100.0 + 1e-6) / 100.0
        share[0] = round(100.0 - share[1:].sum(), 2)  # floors leave the rest to the top row
        if level == "country":
            sup = countries[listed]
        else:
            sup = org_ids[listed].astype(object)
            if stage_of[i] in ("fabrication", "memory", "packaging"):
                swap = (rng.random(len(listed)) < 0.1) & (first_site[listed] >= 0)
                sup = np.where(swap, site_ids[np.maximum(first_site[listed], 0)], sup)
        if resid:
            sup = np.concatenate([sup, np.array(["other"], dtype=object)])
        sup_cols["supplier"].append(sup)
        sup_cols["input"].append(np.full(n, i))
        sup_cols["buyer"].append(np.full(n, buyer, dtype=object))
        sup_cols["share"].append(share)
        sup_cols["basis"].append(np.full(n, "capacity" if basis == "country-capacity" else basis))
        sup_cols["year"].append(np.full(n, year))
        sup_cols["table"].append(np.full(n, t))
    cols = {k: np.concatenate(v) for k, v in sup_cols.items()}
    n_sup = len(cols["share"])
    if n_sup != n_rows:  # pragma: no cover - guarded by _spread
        raise AssertionError(f"generated {n_sup} rows, expected {n_rows}")
    share = cols["share"]
    u = rng.random(n_sup)
    is_range = u < 0.05
    is_qual = (u >= 0.05) & (u < 0.06)
    smin = np.where(is_range, np.round(share * 0.8, 2), np.nan)
    smax = np.where(is_range, np.round(np.minimum(100.0, share * 1.2), 2), np.nan)
    qual = np.where(
        is_qual, np.where(share >= 10, "major", np.where(share >= 1, "minor", "negligible")), None
    )
    exact = np.where(is_range | is_qual, np.nan, share)
    sup_ids = _ids("sup", n_sup)
    supplies = pd.DataFrame(
        {
            "id": sup_ids,
            "supplier": cols["supplier"],
            "input": in_ids[cols["input"]],
            "buyer": cols["buyer"],
            "share": exact,
            "share_min": smin,
            "share_max": smax,
            "share_qual": qual,
            "capacity": None,
            "capacity_unit": None,
            "basis": cols["basis"],
            "year": cols["year"],
            "confidence": rng.choice(
                np.array(["primary", "secondary", "estimate"], dtype=object),
                size=n_sup,
                p=[0.2, 0.5, 0.3],
            ),
            "source_id": src(n_sup),
        }
    )
    return supplies
