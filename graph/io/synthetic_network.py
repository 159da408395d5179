"""Draw a synthetic network's entities: inputs, the requirements DAG, firms and sites.

The first half of :func:`chiprisk.graph.io.synthetic.generate` (its module
docstring describes the model). The share tables drawn over these entities
are in :mod:`chiprisk.graph.io.synthetic_shares`.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> net = draw_network(rng, 40, 2, 30, lambda n: np.full(n, "src-1", dtype=object))
>>> len(net.frames["inputs"]), len(net.frames["organizations"])
(40, 30)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

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


def _zipf_p(n: int, s: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


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


@dataclass
class Network:
    """The drawn entities, as frames and as the arrays the share tables index.

    Attributes
    ----------
    frames : dict of str to pandas.DataFrame
        ``inputs``, ``requirements``, ``organizations`` and ``sites``.
    countries, cw : numpy.ndarray
        Country codes and their normalised weights (:data:`COUNTRY_WEIGHTS`).
    stage_of, in_ids : numpy.ndarray
        Per input: its stage and its id.
    stage_members : dict of str to numpy.ndarray
        Stage -> the positions of its inputs.
    req_p, req_i : numpy.ndarray
        Per requirement: the positions of the requiring input and the required one.
    org_stage, org_ids : numpy.ndarray
        Per firm: its stage and its id.
    site_org, site_ids, is_fab : numpy.ndarray
        Per site: its firm's position, its id, whether it is a (memory) fab.
    first_site : numpy.ndarray
        Per firm: the position of its first site, -1 when it has none.
    """

    frames: dict[str, pd.DataFrame]
    countries: np.ndarray
    cw: np.ndarray
    stage_of: np.ndarray
    in_ids: np.ndarray
    stage_members: dict[str, np.ndarray]
    req_p: np.ndarray
    req_i: np.ndarray
    org_stage: np.ndarray
    org_ids: np.ndarray
    site_org: np.ndarray
    site_ids: np.ndarray
    is_fab: np.ndarray
    first_site: np.ndarray


def draw_network(
    rng: np.random.Generator,
    n_inputs: int,
    n_products: int,
    n_orgs: int,
    src: Callable[[int], np.ndarray],
) -> Network:
    """Draw the inputs, requirements, firms and sites of a synthetic network.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's one random stream (drawn from in a fixed order).
    n_inputs, n_products, n_orgs : int
        Inputs (products included), products and organisations to draw.
    src : callable
        ``src(n)``: ``n`` source ids for the rows drawn.

    Returns
    -------
    Network

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> net = draw_network(rng, 20, 2, 12, lambda n: np.full(n, "s", dtype=object))
    >>> sorted(set(net.stage_of))[:3]
    ['design', 'equipment', 'fabrication']
    """
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

    return Network(
        frames={
            "inputs": inputs_df,
            "requirements": requirements,
            "organizations": orgs,
            "sites": sites,
        },
        countries=countries,
        cw=cw,
        stage_of=stage_of,
        in_ids=in_ids,
        stage_members=stage_members,
        req_p=req_p_arr,
        req_i=req_i_arr,
        org_stage=org_stage,
        org_ids=org_ids,
        site_org=site_org,
        site_ids=site_ids,
        is_fab=is_fab,
        first_site=first_site,
    )
