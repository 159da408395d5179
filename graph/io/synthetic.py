"""A seeded generator of synthetic supply networks in the chiprisk file contract.

Analysts merge the curated dataset with their own supplier lists of tens of
thousands to millions of rows; this module writes networks of that size so
tests and benchmarks can reproduce the load on any machine. Every figure is
synthetic and its source row says so (publisher ``chiprisk synthetic
generator``, confidence ``estimate``): nothing here is a real market share.

Model
-----
* **Tiers.** Inputs are split over the contract's stages: ``design``,
  ``equipment`` and ``materials`` (leaves), ``fabrication``, ``memory`` and
  ``packaging`` (middle tier), and ``product`` (AI accelerators, the roots).
* **Requirements DAG (AND).** A product requires 1-3 fabrication, 0-2 memory,
  1-2 packaging and one design input; a fabrication or memory process
  requires 2-6 tools and 1-6 materials; packaging requires materials and a
  tool; a third of the tools require 1-2 lower-numbered tools (sub-assemblies)
  and a fifth of the materials a lower-numbered material (precursors), so the
  DAG is 4-6 levels deep. Popular leaves (wafers, resists) are required by
  many processes: choices follow a Zipf law over the input index.
* **Firms.** ``suppliers`` organisations, each specialised in one stage (role
  ``equipment``, ``materials``, ``foundry``, ``memory``, ``osat``, ``eda``,
  ``designer``), headquartered in a country drawn from a skewed distribution
  (CN, US, TW, JP, KR first, then a tail). Lower-numbered firms are the big
  ones: they are drawn more often as suppliers and 15 % of the others have a
  parent among them (so parents roll up over 1-3 levels).
* **Sites.** Firms have 0-4 sites (geometric) of the kind that makes their
  stage (fabs, memory fabs, packaging and test plants, equipment and materials
  plants), 70 % in the HQ country, the rest abroad; fabs often state a
  capacity in wafers/month. Most sites are operating, a few are ramping,
  under construction or announced.
* **Share tables (OR).** The rows are spread over (input, basis, year) tables
  with heavy-tailed sizes (lognormal): a few inputs have thousands of
  suppliers, many have a handful, some one. Within a table the shares follow a
  Zipf law with a random exponent plus lognormal noise, rounded to 0.01 and
  summing to exactly 100; 30 % of tables end with an ``other`` residual row;
  5 % of rows give a range and 1 % only a qualitative label. About 10 % of the
  rows in fab, memory and packaging tables name a site rather than its firm.
  Each input has a 2024 table, 40 % also a 2023 and 20 % a 2022 one (nested
  supplier sets); small networks get more history (back to 2015) so that the
  rows fit. A table holds at most 5,000 rows, each share at least 0.01.
  Up to 3 % of the rows are a product's own sourcing (``buyer`` set, basis
  ``sourcing``, 1-3 rows per requirement of a product) and up to 2 % country
  totals for a tenth of the inputs (basis
  ``capacity``, in tables of their own so firm and country rows never mix).
* **Policies.** A few subsidies fund existing sites with added capacity, an
  export control restricts one tool; fx rates for their currencies; a handful
  of scenarios (country, bloc, firm, input targets).

Sizes are exact: ``supplies.csv`` holds ``supply_rows`` rows. Generation is
vectorised (numpy) and deterministic for a seed: one million rows take about
12-25 s and write 95 MB of CSV.

Examples
--------
>>> import tempfile
>>> from chiprisk.graph.io.loader import load_tables
>>> out = generate(tempfile.mkdtemp(), supply_rows=500, seed=1)
>>> len(load_tables(out)["supplies"])
500
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from chiprisk.graph.errors import UsageError

__all__ = ["COUNTRY_WEIGHTS", "SIZES", "generate", "parse_size"]

COUNTRY_WEIGHTS: dict[str, float] = {
    "CN": 0.20,
    "US": 0.18,
    "TW": 0.12,
    "JP": 0.12,
    "KR": 0.08,
    "DE": 0.04,
    "NL": 0.03,
    "SG": 0.03,
    "MY": 0.03,
    "FR": 0.02,
    "IL": 0.02,
    "GB": 0.02,
    "IN": 0.02,
    "VN": 0.015,
    "PH": 0.015,
    "TH": 0.01,
    "IE": 0.01,
    "IT": 0.01,
    "AT": 0.005,
    "BE": 0.005,
    "CH": 0.005,
    "SE": 0.005,
    "FI": 0.005,
    "CA": 0.005,
    "MX": 0.005,
    "BR": 0.005,
    "CZ": 0.005,
    "PL": 0.005,
    "HU": 0.005,
    "ES": 0.005,
}
"""Where synthetic firms are headquartered (weights, normalised on use)."""

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
"""Named sizes accepted by :func:`parse_size`."""

_STAGES = ("design", "equipment", "materials", "fabrication", "memory", "packaging")
_STAGE_FRACTION = np.array([0.05, 0.25, 0.30, 0.15, 0.10, 0.15])
_INPUT_KIND = {
    "design": "design-resource",
    "equipment": "tool",
    "materials": "material",
    "fabrication": "process",
    "memory": "component",
    "packaging": "process",
}
_ROLE = {
    "design": "eda",
    "equipment": "equipment",
    "materials": "materials",
    "fabrication": "foundry",
    "memory": "memory",
    "packaging": "osat",
}
_SITE_KINDS = {
    "design": ("rnd",),
    "equipment": ("equipment",),
    "materials": ("materials",),
    "fabrication": ("fab",),
    "memory": ("memory-fab",),
    "packaging": ("packaging", "assembly-test"),
}
_YEARS = tuple(range(2015, 2025))
_N_SOURCES = 8
_MAX_TABLE = 5_000
"""Most rows in one share table (so every listed share can be at least 0.01 %)."""
_EU = ("AT", "BE", "CZ", "DE", "ES", "FI", "FR", "HU", "IE", "IT", "NL", "PL", "SE")


def parse_size(text: str | int) -> int:
    """Parse ``10k``, ``1M``, ``250000`` into a row count.

    Examples
    --------
    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    if isinstance(text, int):
        return text
    t = str(text).strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    num = t[:-1] if mult > 1 else t
    try:
        value = int(float(num) * mult)
    except ValueError:
        raise UsageError(f"size {text!r} is not a row count like 10000, 10k or 1M") from None
    if value < 1:
        raise UsageError(f"size {text!r} must be at least 1")
    return value


def _zipf_p(n: int, s: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


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


def _topk_gumbel(logp: np.ndarray, k: int, rng) -> np.ndarray:
    """``k`` distinct indices drawn without replacement with probabilities exp(logp)."""
    if k >= len(logp):
        return np.argsort(-logp, kind="stable")
    keys = logp + rng.gumbel(size=len(logp))
    idx = np.argpartition(-keys, k - 1)[:k]
    return idx[np.argsort(-keys[idx], kind="stable")]


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(4, len(str(n)))
    return np.array([f"{prefix}-{k:0{width}d}" for k in range(1, n + 1)], dtype=object)


def _default_inputs(supply_rows: int) -> int:
    return int(max(14, min(20_000, round(supply_rows / 500))))


def generate(
    out_dir: str | Path,
    *,
    supply_rows: int,
    suppliers: int | None = None,
    inputs: int | None = None,
    products: int | None = None,
    seed: int = 0,
) -> Path:
    """Write a synthetic data directory (``OUT/seed/*.csv``, ``OUT/scenarios/*.yaml``).

    Parameters
    ----------
    out_dir : str or Path
        Folder to write (created; existing contract files are overwritten).
    supply_rows : int
        Exact number of rows of ``supplies.csv``.
    suppliers : int, optional
        Number of organisations (default ``supply_rows / 10``, at least 20).
    inputs : int, optional
        Number of inputs including products (default ``supply_rows / 500``,
        14..20,000).
    products : int, optional
        Number of products (default 5 % of the inputs, at least 2).
    seed : int
        Random seed; the same arguments and seed write the same bytes.

    Returns
    -------
    Path
        ``out_dir``, ready for ``chiprisk --data OUT`` or
        :func:`chiprisk.graph.io.loader.load_tables`.

    Raises
    ------
    UsageError
        Sizes that cannot be honoured (fewer rows than share tables need).

    Notes
    -----
    O(supply_rows + inputs x suppliers / stages) time (one Gumbel top-k draw
    over a stage's firms per input) and memory; no Python loop over rows.

    Examples
    --------
    >>> import tempfile
    >>> d = generate(tempfile.mkdtemp(), supply_rows=1000, seed=3)
    >>> sorted(p.name for p in (d / "seed").iterdir())[:3]
    ['blocs.csv', 'fx_rates.csv', 'inputs.csv']
    """
    n_rows = int(supply_rows)
    if n_rows < 50:
        raise UsageError(f"supply_rows must be at least 50, got {supply_rows}")
    n_inputs = int(inputs) if inputs is not None else _default_inputs(n_rows)
    n_products = int(products) if products is not None else max(2, round(n_inputs * 0.05))
    if n_inputs - n_products < len(_STAGES):
        raise UsageError(
            f"inputs must leave at least {len(_STAGES)} non-product inputs "
            f"(got inputs={n_inputs}, products={n_products})"
        )
    n_orgs = int(suppliers) if suppliers is not None else max(20, n_rows // 10)
    if n_orgs < 2 * len(_STAGES):
        raise UsageError(f"suppliers must be at least {2 * len(_STAGES)}, got {n_orgs}")
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    (out / "seed").mkdir(parents=True, exist_ok=True)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    src_ids = np.array([f"src-synthetic-{k:02d}" for k in range(1, _N_SOURCES + 1)], dtype=object)

    def src(n: int) -> np.ndarray:
        return src_ids[rng.integers(0, _N_SOURCES, size=n)]

    countries = np.array(list(COUNTRY_WEIGHTS), dtype=object)
    cw = np.array(list(COUNTRY_WEIGHTS.values()))
    cw = cw / cw.sum()

    # ---------------------------------------------------------------- inputs
    n_mid = n_inputs - n_products
    per_stage = np.maximum(1, np.floor(_STAGE_FRACTION * n_mid).astype(np.int64))
    per_stage[2] += n_mid - per_stage.sum()  # materials absorb the rounding
    if per_stage[2] < 1:
        per_stage[np.argmax(per_stage)] -= 1 - per_stage[2]
        per_stage[2] = 1
    stage_of = np.concatenate(
        [np.repeat(np.array(_STAGES, dtype=object), per_stage), np.full(n_products, "product")]
    )
    in_ids = np.empty(n_inputs, dtype=object)
    in_names = np.empty(n_inputs, dtype=object)
    stage_members: dict[str, np.ndarray] = {}
    for st in (*_STAGES, "product"):
        idx = np.flatnonzero(stage_of == st)
        stage_members[st] = idx
        width = max(3, len(str(len(idx))))
        short = {"fabrication": "fab", "materials": "mat", "equipment": "tool"}.get(st, st)
        in_ids[idx] = [f"{short}-{k:0{width}d}" for k in range(1, len(idx) + 1)]
        in_names[idx] = [f"Synthetic {st} input {k}" for k in range(1, len(idx) + 1)]
    in_kind = np.array([_INPUT_KIND.get(s, "product") for s in stage_of], dtype=object)
    subst = np.where(
        (stage_of != "product") & (rng.random(n_inputs) < 0.6),
        np.round(rng.beta(1.2, 3.0, size=n_inputs), 2),
        np.nan,
    )
    inputs_df = pd.DataFrame(
        {
            "id": in_ids,
            "name": in_names,
            "stage": stage_of,
            "kind": in_kind,
            "is_type_of": None,
            "substitutability": subst,
            "source_id": src(n_inputs),
        }
    )

    # ----------------------------------------------------------- requirements
    def pick(stage: str, lo: int, hi: int, below: int | None = None) -> list[int]:
        pool = stage_members[stage]
        if below is not None:
            pool = pool[pool < below]
        if len(pool) == 0:
            return []
        k = int(rng.integers(lo, hi + 1))
        k = min(k, len(pool))
        if k == 0:
            return []
        return list(pool[_topk_gumbel(np.log(_zipf_p(len(pool), 0.9)), k, rng)])

    rules = {
        "product": [("fabrication", 1, 3), ("memory", 0, 2), ("packaging", 1, 2), ("design", 1, 1)],
        "fabrication": [("equipment", 2, 6), ("materials", 1, 6)],
        "memory": [("equipment", 2, 5), ("materials", 1, 4)],
        "packaging": [("materials", 1, 3), ("equipment", 0, 2)],
    }
    req_p: list[int] = []
    req_i: list[int] = []
    for k in range(n_inputs):
        st = stage_of[k]
        chosen: list[int] = []
        for child_stage, lo, hi in rules.get(st, []):
            chosen += pick(child_stage, lo, hi)
        if st == "equipment" and rng.random() < 0.33:
            chosen += pick("equipment", 1, 2, below=k)
        if st == "materials" and rng.random() < 0.2:
            chosen += pick("materials", 1, 1, below=k)
        for c in sorted(set(chosen)):
            req_p.append(k)
            req_i.append(c)
    req_p_arr = np.array(req_p, dtype=np.int64)
    req_i_arr = np.array(req_i, dtype=np.int64)
    requirements = pd.DataFrame(
        {"product": in_ids[req_p_arr], "input": in_ids[req_i_arr], "source_id": src(len(req_p))}
    )

    # ------------------------------------------------------------------ firms
    org_stage = rng.choice(np.array(_STAGES, dtype=object), size=n_orgs, p=_STAGE_FRACTION)
    org_ids = _ids("org", n_orgs)
    hq = rng.choice(countries, size=n_orgs, p=cw)
    roles = np.array([_ROLE[s] for s in org_stage], dtype=object)
    parent = np.full(n_orgs, None, dtype=object)
    big = max(2, n_orgs // 20)
    child = np.flatnonzero((np.arange(n_orgs) >= 1) & (rng.random(n_orgs) < 0.15))
    if len(child):
        par = (rng.random(len(child)) * np.minimum(child, big)).astype(np.int64)
        parent[child] = org_ids[par]
        hq[child] = np.where(rng.random(len(child)) < 0.6, hq[par], hq[child])
    orgs = pd.DataFrame(
        {
            "id": org_ids,
            "name": [f"Synthetic Firm {k}" for k in range(1, n_orgs + 1)],
            "hq_country": hq,
            "roles": roles,
            "parent": parent,
            "wikidata": None,
            "source_id": src(n_orgs),
        }
    )

    # ------------------------------------------------------------------ sites
    n_site_per_org = np.minimum(rng.geometric(0.55, size=n_orgs) - 1, 4)
    site_org = np.repeat(np.arange(n_orgs), n_site_per_org)
    n_sites = len(site_org)
    site_ids = _ids("site", n_sites)
    abroad = rng.random(n_sites) < 0.3
    site_country = np.where(abroad, rng.choice(countries, size=n_sites, p=cw), hq[site_org])
    site_kind = np.array(
        [
            _SITE_KINDS[s][int(r * len(_SITE_KINDS[s]))]
            for s, r in zip(org_stage[site_org], rng.random(n_sites), strict=True)
        ],
        dtype=object,
    )
    status = rng.choice(
        np.array(["operating", "ramping", "under-construction", "announced"], dtype=object),
        size=n_sites,
        p=[0.85, 0.05, 0.05, 0.05],
    )
    future = np.isin(status, ["under-construction", "announced"])
    start = np.where(future, rng.integers(2025, 2029, n_sites), rng.integers(1990, 2025, n_sites))
    is_fab = np.isin(site_kind, ["fab", "memory-fab"])
    has_cap = is_fab & (rng.random(n_sites) < 0.7)
    cap = np.where(has_cap, np.round(rng.lognormal(10.0, 0.8, n_sites), -2), np.nan)
    sites = pd.DataFrame(
        {
            "id": site_ids,
            "name": [f"Synthetic Site {k}" for k in range(1, n_sites + 1)],
            "operator": org_ids[site_org],
            "country": site_country,
            "city": None,
            "lat": None,
            "lon": None,
            "kind": site_kind,
            "process_node": None,
            "status": status,
            "start_year": start,
            "capacity": cap,
            "capacity_unit": np.where(has_cap, "wafers/month", None),
            "source_id": src(n_sites),
        }
    )
    first_site = np.full(n_orgs, -1, dtype=np.int64)
    if n_sites:
        u, pos = np.unique(site_org, return_index=True)
        first_site[u] = pos

    # ----------------------------------------------------------- share tables
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

    # --------------------------------------------------- policies, fx, misc
    n_pol = int(min(50, max(3, n_rows // 20_000)))
    pol_ids = _ids("pol", n_pol)
    jur = np.where(rng.random(n_pol) < 0.2, "eu", rng.choice(countries[:8], size=n_pol))
    currency = np.array(
        [{"eu": "EUR", "JP": "JPY", "KR": "KRW"}.get(j, "USD") for j in jur], dtype=object
    )
    budget = np.round(rng.lognormal(21.0, 1.0, n_pol), -6)
    policies = pd.DataFrame(
        {
            "id": pol_ids,
            "name": [f"Synthetic subsidy {k}" for k in range(1, n_pol + 1)],
            "jurisdiction": jur,
            "kind": "subsidy",
            "status": "enacted",
            "enacted": "2023-01-01",
            "budget": budget,
            "currency": currency,
            "source_id": src(n_pol),
        }
    )
    fab_sites = np.flatnonzero(is_fab)
    act_rows = []
    for p in range(n_pol):
        if not len(fab_sites):
            break
        for s in rng.choice(fab_sites, size=min(3, len(fab_sites)), replace=False):
            st = org_stage[site_org[s]]
            cand = stage_members.get(st, np.array([], dtype=np.int64))
            inp = in_ids[rng.choice(cand)] if len(cand) else None
            act_rows.append(
                {
                    "policy": pol_ids[p],
                    "action": "funds",
                    "target": site_ids[s],
                    "amount": float(np.round(budget[p] / 4, -3)),
                    "currency": currency[p],
                    "adds_capacity": float(np.round(rng.lognormal(9.5, 0.5), -2)),
                    "capacity_unit": "wafers/month",
                    "input": inp,
                    "effective_year": int(rng.integers(2024, 2029)),
                    "condition": None,
                }
            )
    tools = stage_members["equipment"]
    act_rows.append(
        {
            "policy": pol_ids[0],
            "action": "restricts",
            "target": "CN",
            "amount": None,
            "currency": None,
            "adds_capacity": None,
            "capacity_unit": None,
            "input": in_ids[tools[0]] if len(tools) else None,
            "effective_year": 2024,
            "condition": "synthetic export control",
        }
    )
    actions = pd.DataFrame(act_rows)
    actions.insert(0, "id", _ids("act", len(actions)))
    actions["source_id"] = src(len(actions))
    fx = pd.DataFrame(
        [
            (c, y, round(v * (1 + 0.02 * (y - 2022)), 4), src_ids[0])
            for c, v in (("EUR", 0.92), ("JPY", 140.0), ("KRW", 1300.0))
            for y in _YEARS[-3:]
        ],
        columns=["currency", "year", "per_usd", "source_id"],
    )
    blocs = pd.DataFrame(
        {
            "id": ["eu"],
            "name": ["European Union"],
            "members": [";".join(_EU)],
            "source_id": src_ids[0],
        }
    )
    sources = pd.DataFrame(
        {
            "id": src_ids,
            "url": [f"https://example.org/chiprisk-synthetic/{k:02d}" for k in range(1, 9)],
            "title": [f"Synthetic supply network (seed {seed}), part {k}" for k in range(1, 9)],
            "publisher": "chiprisk synthetic generator",
            "published": "2025-01-01",
            "confidence": "estimate",
            "note": "Synthetic data for tests and benchmarks; not real figures.",
        }
    )

    seed_dir = out / "seed"
    for name, df in (
        ("sources", sources),
        ("organizations", orgs),
        ("sites", sites),
        ("blocs", blocs),
        ("inputs", inputs_df.sort_values("id", kind="stable")),
        ("requirements", requirements.sort_values(["product", "input"], kind="stable")),
        ("supplies", supplies),
        ("policies", policies),
        ("policy_actions", actions),
        ("fx_rates", fx),
    ):
        _write_csv(df, seed_dir / f"{name}.csv")

    # scenarios
    for f in (out / "scenarios").glob("*.yaml"):
        f.unlink()
    big_firm = org_ids[0]
    top_tool = in_ids[tools[0]] if len(tools) else in_ids[0]
    scen = [
        ("synth-tw-blockade", "Synthetic Taiwan blockade", "country:TW", 0.9, 0.01),
        ("synth-kr-outage", "Synthetic Korean outage", "country:KR", 0.5, 0.02),
        ("synth-eu-export-ban", "Synthetic EU export ban", "bloc:eu", 0.7, 0.01),
        ("synth-firm-fire", "Synthetic fire at the largest firm", f"org:{big_firm}", 0.6, 0.05),
        ("synth-tool-shortage", "Synthetic tool shortage", f"input:{top_tool}", 0.4, 0.05),
    ]
    for sid, name, target, sev, prob in scen:
        (out / "scenarios" / f"{sid}.yaml").write_text(
            f"id: {sid}\nname: {name}\ntargets: [{target}]\nseverity: {sev}\n"
            f"duration_weeks: 12\nprobability: {prob}\n"
            "rationale: Synthetic scenario for tests and benchmarks.\n"
            f"source_id: {src_ids[0]}\n",
            encoding="utf-8",
        )
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
