"""Draw a synthetic network's capacity ledger: the rows of ``capacity.csv``.

Part of :func:`chiprisk.graph.io.synthetic.generate`. About 60 % of the sites
of fabrication, memory and packaging firms get a ledger: one or two inputs of
their firm's stage, each with 2-5 rows over 2022-2030 (end of year). The
quantity grows along the ramp (lognormal start, 0-25 % a year); a site that
is announced or under construction has zero rows before its start year
(status ``under-construction``), its first producing year is ``ramping``,
later years ``operating`` (``planned`` after 2025 for a forecast), and 2 % of
the series end ``paused``. Units are one per stage: ``wafers/month`` for
fabrication and memory inputs, ``packages/month`` for packaging
(:data:`STAGE_UNITS`, the inputs' ``capacity_unit``).

The draw uses its own random stream (seeded from the generator's seed), so
adding the ledger changed no other file's rows.

Examples
--------
>>> import numpy as np
>>> from chiprisk.graph.io.synthetic_network import draw_network
>>> net = draw_network(np.random.default_rng(0), 40, 2, 60,
...                    lambda n: np.full(n, "src-1", dtype=object))
>>> cap = draw_ledger(np.random.default_rng(1), net, np.array(["src-1"], dtype=object))
>>> list(cap.columns)[:4]
['id', 'site', 'input', 'year']
>>> bool(cap.duplicated(["site", "input", "year"]).any())
False
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.io.synthetic_network import Network, _ids

STAGE_UNITS = {
    "fabrication": "wafers/month",
    "memory": "wafers/month",
    "packaging": "packages/month",
}
"""The capacity unit of a synthetic input, by its stage."""

LEDGER_YEARS = np.arange(2022, 2031)
"""The years a synthetic ledger spans (end of year)."""

_COLUMNS = [
    "id",
    "site",
    "input",
    "year",
    "quantity",
    "unit",
    "status",
    "confidence",
    "source_id",
    "note",
]


def capacity_units(net: Network) -> np.ndarray:
    """Per input (in ``net.in_ids`` order): its capacity unit, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from chiprisk.graph.io.synthetic_network import draw_network
    >>> net = draw_network(np.random.default_rng(0), 40, 2, 30,
    ...                    lambda n: np.full(n, "src-1", dtype=object))
    >>> sorted({u for u in capacity_units(net) if u})
    ['packages/month', 'wafers/month']
    """
    return np.array([STAGE_UNITS.get(s) for s in net.stage_of], dtype=object)


def draw_ledger(rng: np.random.Generator, net: Network, src_ids: np.ndarray) -> pd.DataFrame:
    """The synthetic ledger rows (contract columns, sorted by id).

    Parameters
    ----------
    rng : numpy.random.Generator
        The ledger's own stream.
    net : Network
        The drawn entities (:func:`~chiprisk.graph.io.synthetic_network.draw_network`).
    src_ids : numpy.ndarray
        The synthetic source ids rows draw from.

    Returns
    -------
    pandas.DataFrame

    Notes
    -----
    O(sites + rows), vectorised; no Python loop over rows.
    """
    sites = net.frames["sites"]
    site_stage = net.org_stage[net.site_org]
    members = {s: net.stage_members.get(s, np.zeros(0, dtype=np.int64)) for s in STAGE_UNITS}
    eligible = np.isin(site_stage, list(STAGE_UNITS)) & np.array(
        [len(members.get(s, ())) > 0 for s in site_stage], dtype=bool
    )
    chosen = np.flatnonzero(eligible & (rng.random(len(site_stage)) < 0.6))
    if not len(chosen):
        return pd.DataFrame({c: [] for c in _COLUMNS})
    # one or two inputs of the firm's stage per site (distinct when the stage has two)
    n_in = 1 + (rng.random(len(chosen)) < 0.35)
    pair_site = np.repeat(chosen, n_in)
    second = np.zeros(len(pair_site), dtype=bool)
    second[np.cumsum(n_in)[n_in == 2] - 1] = True
    draw = rng.random(len(pair_site))
    pool_len = np.array([len(members[site_stage[s]]) for s in pair_site])
    k = (draw * pool_len).astype(np.int64)
    k = np.where(second, (np.roll(k, 1) + 1) % pool_len, k)
    inputs = np.array(
        [members[site_stage[s]][j] for s, j in zip(pair_site, k, strict=True)], dtype=np.int64
    )
    keep = ~(second & (pool_len < 2))
    pair_site, inputs = pair_site[keep], inputs[keep]
    # 2-5 distinct years per (site, input): the first k of a random order, sorted
    n_pairs = len(pair_site)
    n_years = rng.integers(2, 6, n_pairs)
    order = np.argsort(rng.random((n_pairs, len(LEDGER_YEARS))), axis=1)
    take = np.arange(len(LEDGER_YEARS))[None, :] < n_years[:, None]
    years = np.sort(np.where(take, LEDGER_YEARS[order], 9999), axis=1)
    row_pair = np.repeat(np.arange(n_pairs), n_years)
    year = years[years < 9999]  # row-major: each pair's years in order, as row_pair
    # quantities grow along the ramp; zeros before a future site's start
    base = np.round(rng.lognormal(9.0, 0.8, n_pairs), -2) + 100
    growth = 1 + rng.uniform(0.0, 0.25, n_pairs)
    first_year = years[:, 0]
    qty = np.round(base[row_pair] * growth[row_pair] ** (year - first_year[row_pair]), -2)
    start = sites["start_year"].to_numpy(dtype=np.int64)[pair_site][row_pair]
    status_site = sites["status"].to_numpy(dtype=object)[pair_site][row_pair]
    future = np.isin(status_site, ["under-construction", "announced"])
    before = future & (year < start)
    qty = np.where(before, 0.0, qty)
    first_on = np.r_[True, row_pair[1:] != row_pair[:-1]]
    prev_before = np.r_[False, before[:-1]] & np.r_[False, row_pair[1:] == row_pair[:-1]]
    status = np.where(
        before,
        "under-construction",
        np.where(
            (first_on | prev_before) & (future | (status_site == "ramping")),
            "ramping",
            np.where(year > 2025, "planned", "operating"),
        ),
    ).astype(object)
    last = np.r_[row_pair[1:] != row_pair[:-1], True]
    paused = last & ~before & (rng.random(len(year)) < 0.02)
    status = np.where(paused, "paused", status)
    unit = capacity_units(net)[inputs][row_pair]
    n = len(year)
    cap = pd.DataFrame(
        {
            "site": net.site_ids[pair_site][row_pair],
            "input": net.in_ids[inputs][row_pair],
            "year": year,
            "quantity": qty,
            "unit": unit,
            "status": status,
            "confidence": "estimate",
            "source_id": src_ids[rng.integers(0, len(src_ids), n)],
            "note": None,
        }
    )
    # one row per (site, input, year) (the second input of a site always differs)
    cap = cap.drop_duplicates(["site", "input", "year"]).reset_index(drop=True)
    cap.insert(0, "id", _ids("cap", len(cap)))
    return cap
