"""The capacity ledger as of a year: what each site can make of each capability.

``capacity.csv`` holds one row per site x capability x year: the quantity in
place at the end of that year, in the capability's one unit
(``inputs.capacity_unit``), with the status the source gave. As of a year
``Y`` a (site, capability) counts the quantity of its latest row with
``year <= Y``: planned capacity counts only from its own year, installed
capacity stays in place after its last row, and a latest row that is
``paused`` or ``cancelled`` counts zero. A parent capability with a capacity
unit (``leading-edge-logic``) is the sum of its children in the same unit
(``is_type_of``); a child never stands in for a sibling (a 28 nm fab does not
make 4 nm dies).

A counterfactual scales sites: ``scale={"tsmc-arizona-fab-21": 0.0}`` is the
world without that fab's capacity (a policy's funded sites times
``1 - additionality``).

:func:`tables_as_of` writes the ledger into the supply rows, so every
analysis (concentration, exposure, simulation, Monte Carlo) reads it: for
each capability with capacity in place, the market-wide ``capacity`` table is
the ledger's (one row per site, the site's share of the total), and a
buyer's sourcing from a firm (H100's logic die from TSMC) is spread over that
firm's sites of that capability by their ledger capacity.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> cap = capacity_as_of(t, 2025)
>>> sorted(cap.columns)[:4]
['capacity_unit', 'confidence', 'country', 'input']
>>> bool((cap["quantity"] >= 0).all())
True
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.frame_memo import memo_many
from chiprisk.graph.model.lenses import ultimate_parents

__all__ = [
    "LEDGER_COLUMNS",
    "ledger_parents",
    "ledger_year",
    "NOT_COUNTED",
    "capacity_as_of",
    "has_ledger",
    "ledger_inputs",
    "ledger_years",
    "tables_as_of",
]

NOT_COUNTED = frozenset({"paused", "cancelled"})
"""Statuses whose quantity never counts (the capacity is not there)."""

LEDGER_COLUMNS = [
    "input",
    "site",
    "site_name",
    "country",
    "operator",
    "owner",
    "owner_country",
    "year",
    "ledger_year",
    "status",
    "quantity",
    "capacity_unit",
    "confidence",
    "ledger_ids",
    "source_ids",
]
"""Columns of :func:`capacity_as_of`."""


def ledger_year(year: int | None) -> int:
    """The as-of year of the ledger: ``year``, or this calendar year when None.

    Examples
    --------
    >>> ledger_year(2030)
    2030
    >>> ledger_year(None) >= 2026
    True
    """
    return int(year) if year is not None else datetime.date.today().year


def _capacity(tables: Tables) -> pd.DataFrame:
    return tables.frames.get("capacity", pd.DataFrame())


def has_ledger(tables: Tables) -> bool:
    """True when the data has capacity ledger rows.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> has_ledger(load_tables())
    True
    """
    cap = _capacity(tables)
    return bool(len(cap))


def ledger_years(tables: Tables) -> list[int]:
    """The years the ledger has rows for, ascending.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> ys = ledger_years(load_tables())
    >>> ys[0] <= 2022 and ys[-1] >= 2030
    True
    """
    cap = _capacity(tables)
    return sorted({int(y) for y in cap["year"]}) if len(cap) else []


def ledger_parents(tables: Tables) -> dict[str, str]:
    """Child capability -> parent capability, where both share a capacity unit.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> ledger_parents(load_tables())["logic-5nm-class"]
    'logic-5nm-and-below'
    """
    inputs = tables["inputs"]
    if "capacity_unit" not in inputs:
        return {}
    unit = dict(zip(inputs["id"], inputs["capacity_unit"], strict=True))
    out = {}
    for child, parent in zip(inputs["id"], inputs["is_type_of"], strict=True):
        if isinstance(parent, str) and unit.get(parent) and unit.get(parent) == unit.get(child):
            out[child] = parent
    return out


def ledger_inputs(tables: Tables) -> list[str]:
    """Capabilities with ledger rows, and their parents in the same unit, sorted.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> "leading-edge-logic" in ledger_inputs(load_tables())
    True
    """
    cap = _capacity(tables)
    if not len(cap):
        return []
    parents = ledger_parents(tables)
    out = set(cap["input"])
    frontier = set(out)
    while frontier:
        frontier = {parents[c] for c in frontier if c in parents} - out
        out |= frontier
    return sorted(out)


def capacity_as_of(
    tables: Tables, year: int, *, scale: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Capacity in place at the end of ``year``, per (capability, site).

    Parameters
    ----------
    tables : Tables
        Checked rows with a ``capacity`` table.
    year : int
        The as-of year.
    scale : mapping of site id to float, optional
        Multiply a site's quantity (a counterfactual: 0 removes the site).

    Returns
    -------
    pandas.DataFrame
        :data:`LEDGER_COLUMNS`, sorted by input then site. ``year`` is the
        as-of year, ``ledger_year`` the year of the row used (a parent
        capability's rows carry the children's sites, ``status`` ``rollup``),
        ``quantity`` after ``scale`` and the status rules, ``owner`` the
        operator's ultimate parent and ``owner_country`` its headquarters.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> n5 = capacity_as_of(t, 2030).query("input == 'logic-5nm-class'")
    >>> bool((n5["quantity"] > 0).any())
    True
    >>> without = capacity_as_of(t, 2030, scale={"tsmc-arizona-fab-21": 0.0})
    >>> float(without.query("site == 'tsmc-arizona-fab-21'")["quantity"].sum())
    0.0

    Notes
    -----
    One sort and one group-by over the ledger: O(r log r) for r rows.
    """
    cap = _capacity(tables)
    if not len(cap):
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    # the ledger's last year comes along: the summary, the what-if and the
    # ranking ask for it next, and one pass for two years costs what one does
    last = int(cap["year"].astype(int).max())
    return _scaled(_memoised(tables, sorted({int(year), last}))[int(year)], scale)


def capacity_by_year(
    tables: Tables, years: Iterable[int], *, scale: Mapping[str, float] | None = None
) -> dict[int, pd.DataFrame]:
    """:func:`capacity_as_of` of several years; the years not computed yet in one pass.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> caps = capacity_by_year(load_tables(), [2025, 2030])
    >>> sorted(caps), bool(caps[2030]["quantity"].sum() > caps[2025]["quantity"].sum())
    ([2025, 2030], True)
    """
    years = [int(y) for y in years]
    if not len(_capacity(tables)):
        return {y: pd.DataFrame(columns=LEDGER_COLUMNS) for y in years}
    got = _memoised(tables, years)
    return {y: _scaled(got[y], scale) for y in years}


def _memoised(tables: Tables, years: list[int]) -> dict[int, pd.DataFrame]:
    """The unscaled ledger of ``years`` from the memo, the missing years in one pass."""
    cap = _capacity(tables)
    frames = (cap, tables["sites"], tables["organizations"], tables["inputs"])
    got = memo_many(
        frames,
        [("capacity_as_of", y) for y in years],
        lambda missing: {
            ("capacity_as_of", y): f for y, f in _unscaled(tables, [k[1] for k in missing]).items()
        },
    )
    return {key[1]: frame for key, frame in got.items()}


def _scaled(unscaled: pd.DataFrame, scale: Mapping[str, float] | None) -> pd.DataFrame:
    out = unscaled.copy()
    if scale:
        # a site's factor scales its rows and its roll-ups alike: as if scaled before summing
        factor = out["site"].map(lambda s: scale.get(s, 1.0)).to_numpy(dtype=float)
        out["quantity"] = out["quantity"].to_numpy(dtype=float) * factor
    return out


def _unscaled(tables: Tables, years: list[int]) -> dict[int, pd.DataFrame]:
    """:func:`capacity_as_of` of ``years`` without a scale, all in one pass.

    Per (capability, site) the last row of each year or earlier; the columns
    that do not depend on the year are mapped once for every ledger row.
    """
    cap = _capacity(tables)
    row_year = cap["year"].astype(int).to_numpy()
    inp_code = pd.factorize(cap["input"], sort=True)[0]
    site_code = pd.factorize(cap["site"], sort=True)[0]
    order = np.lexsort((row_year, site_code, inp_code))
    group = (inp_code * (site_code.max() + 1) + site_code)[order]
    last_of_group = np.r_[group[1:] != group[:-1], True]
    sorted_year = row_year[order]
    picks = []
    for y in years:
        upto = sorted_year <= y
        picks.append(order[upto & (last_of_group | ~np.r_[upto[1:], False])])
    pick = np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)
    as_of = np.repeat(np.asarray(years, dtype=np.int64), [len(p) for p in picks])
    sites = tables["sites"].set_index("id")
    orgs = tables["organizations"]
    roots = ultimate_parents(orgs)
    hq = dict(zip(orgs["id"], orgs["hq_country"], strict=True))
    operator = cap["site"].map(sites["operator"])
    owner = operator.map(lambda o: roots.get(o, o))
    units = dict(zip(tables["inputs"]["id"], tables["inputs"].get("capacity_unit"), strict=True))
    qty = cap["quantity"].astype(float).to_numpy()
    qty = np.where(cap["status"].isin(NOT_COUNTED).to_numpy(), 0.0, qty)
    columns = {
        "input": cap["input"].to_numpy(),
        "site": cap["site"].to_numpy(),
        "site_name": cap["site"].map(sites["name"]).to_numpy(),
        "country": cap["site"].map(sites["country"]).to_numpy(),
        "operator": operator.to_numpy(),
        "owner": owner.to_numpy(),
        "owner_country": owner.map(hq).to_numpy(),
        "year": None,
        "ledger_year": row_year,
        "status": cap["status"].to_numpy(),
        "quantity": qty,
        "capacity_unit": cap["input"].map(units).to_numpy(),
        "confidence": cap["confidence"].to_numpy(),
        "ledger_ids": cap["id"].to_numpy(),
        "source_ids": cap["source_id"].to_numpy(),
    }

    def frame(rows: np.ndarray, as_of: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({c: as_of if c == "year" else v[rows] for c, v in columns.items()})

    out = frame(pick, as_of)
    parents = ledger_parents(tables)
    ancestors = {}
    for child in set(out["input"]):
        chain, cur = [], child
        while cur in parents and parents[cur] not in chain:
            cur = parents[cur]
            chain.append(cur)
        ancestors[child] = chain
    chains = [ancestors[i] for i in out["input"]]
    counts = np.fromiter(map(len, chains), dtype=np.int64, count=len(chains))
    up = out.iloc[np.repeat(np.arange(len(out)), counts)].assign(
        input=[a for chain in chains for a in chain]
    )
    if len(up):
        up = _rollup(up)
        up["status"] = "rollup"
        up["capacity_unit"] = up["input"].map(units)
        out = pd.concat([out, up[LEDGER_COLUMNS]], ignore_index=True)
    out = out.sort_values(["year", "input", "site"]).reset_index(drop=True)[LEDGER_COLUMNS]
    at = out["year"].to_numpy()
    lo, hi = np.searchsorted(at, years, side="left"), np.searchsorted(at, years, side="right")
    empty = frame(pick[:0], as_of[:0])[LEDGER_COLUMNS]
    return {
        y: out.iloc[a:b].reset_index(drop=True) if b > a else empty.copy()
        for y, a, b in zip(years, lo, hi, strict=True)
    }


def _rollup(up: pd.DataFrame) -> pd.DataFrame:
    """One row per (as-of year, parent capability, site): quantities summed, ids joined."""
    keys, summed = ("year", "input", "site"), ("quantity", "ledger_year")
    g = up.groupby(list(keys), sort=True)
    first = [c for c in LEDGER_COLUMNS if c not in keys + summed]
    out = g[first].first()
    out["quantity"] = g["quantity"].sum()
    out["ledger_year"] = g["ledger_year"].max()
    lids, sids = up["ledger_ids"].tolist(), up["source_ids"].tolist()
    ledger_ids, source_ids = [], []
    for key in out.index:
        rows = g.indices[key]  # positions of the group's rows
        ledger_ids.append(";".join(sorted(lids[k] for k in rows)))
        source_ids.append(";".join(sorted({s for k in rows for s in sids[k].split(";")})))
    out["ledger_ids"] = ledger_ids
    out["source_ids"] = source_ids
    return out.reset_index()


def tables_as_of(
    tables: Tables, year: int | None, *, scale: Mapping[str, float] | None = None
) -> Tables:
    """The rows with the ledger as the ``capacity`` basis as of ``year``.

    For every capability with capacity in place at ``year``: its market-wide
    ``capacity``-basis firm and site rows (any year) are replaced by one row
    per site of the ledger (country totals a source published stay, for the
    ``country`` lens) (``share`` = the site's percent of the total,
    ``basis`` capacity, ``year`` the as-of year); buyer-specific rows whose
    supplier is an organisation with ledger capacity of that capability (or
    of its nearest ``is_type_of`` ancestor with ledger rows: HBM3E stacks are
    made where the firm's HBM capacity is) are spread over the group's sites
    by that capacity. Everything else is
    unchanged. Without a ledger, or with ``year`` None, the rows are
    returned as they are.

    Parameters
    ----------
    tables : Tables
    year : int or None
    scale : mapping of site id to float, optional
        See :func:`capacity_as_of`.

    Returns
    -------
    Tables
        A new Tables (the input is not modified); ``data_hash`` gains
        ``+ledger<year>`` so caches keyed by it stay apart.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = tables_as_of(load_tables(), 2030)
    >>> s = t["supplies"].query("input == 'logic-5nm-class' and basis == 'capacity'")
    >>> round(float(s["share"].sum()), 6), bool(s["id"].str.startswith("ledger-").all())
    (100.0, True)
    """
    if year is None or not has_ledger(tables):
        return tables
    cap = capacity_as_of(tables, int(year), scale=scale)
    cap = cap[cap["quantity"] > 0]
    if cap.empty:
        return tables
    totals = cap.groupby("input")["quantity"].sum()
    covered = set(totals.index)
    sup = tables["supplies"]
    buyer = sup["buyer"]
    market = buyer.isna() | (buyer == "")
    # country totals a source published stay: they are the country lens's own table
    firm_level = ~sup["supplier"].isin(ISO_COUNTRIES)
    drop = market & firm_level & (sup["basis"] == "capacity") & sup["input"].isin(covered)
    new = pd.DataFrame(
        {
            "id": "ledger-" + cap["site"] + "-" + cap["input"] + f"-{int(year)}",
            "supplier": cap["site"],
            "input": cap["input"],
            "share": 100.0 * cap["quantity"] / cap["input"].map(totals),
            "capacity": cap["quantity"],
            "capacity_unit": cap["capacity_unit"],
            "basis": "capacity",
            "year": int(year),
            "confidence": cap["confidence"],
            "source_id": cap["source_ids"].str.split(";").str[0],
        }
    )
    spread, replaced = _spread_firm_sourcing(sup[~market], cap, _anchors(tables, covered))
    frames = dict(tables.frames)
    keep = sup[~drop & ~sup["id"].isin(replaced)]
    frames["supplies"] = pd.concat([keep, new, spread], ignore_index=True).reindex(
        columns=sup.columns
    )
    kinds = dict(tables.kinds)
    kinds.update({i: "supplies" for i in new["id"]})
    kinds.update({i: "supplies" for i in spread.get("id", ())})
    tag = f"+ledger{int(year)}" + ("s" if scale else "")
    return Tables(frames, tables.scenarios, tables.origin, tables.data_hash + tag, kinds)


def _anchors(tables: Tables, covered: set[str]) -> dict[str, str]:
    """Input -> itself or its nearest ``is_type_of`` ancestor with ledger capacity.

    HBM3E stacks are a type of HBM: a buyer's HBM3E from SK hynix is made where
    SK hynix's HBM capacity is.
    """
    parent = dict(zip(tables["inputs"]["id"], tables["inputs"]["is_type_of"], strict=True))
    out = {}
    for start in parent:
        cur, seen = start, set()
        while isinstance(cur, str) and cur not in covered and cur not in seen:
            seen.add(cur)
            cur = parent.get(cur)
        if isinstance(cur, str) and cur in covered:
            out[start] = cur
    return out


def _spread_firm_sourcing(
    rows: pd.DataFrame, cap: pd.DataFrame, anchors: dict[str, str]
) -> tuple[pd.DataFrame, set[str]]:
    """Buyer rows naming a firm with ledger capacity -> one row per site of that firm.

    The capacity is that of the row's input, or of its nearest ancestor with
    ledger rows (:func:`_anchors`).
    """
    if rows.empty:
        return pd.DataFrame(), set()
    sites = pd.DataFrame(
        {
            "_anchor": cap["input"].to_numpy(dtype=object),
            "_owner": cap["owner"].to_numpy(dtype=object),
            "_site": cap["site"].to_numpy(dtype=object),
            "_w": cap["quantity"].to_numpy(dtype=float),
            "_src": cap["source_ids"].to_numpy(dtype=object),
            "_cpos": np.arange(len(cap)),
        }
    )
    sites["_w"] = sites["_w"] / sites.groupby(["_anchor", "_owner"])["_w"].transform("sum")
    # each row joined to its firm's ledger sites, in row order, then ledger order
    at: dict[tuple, list[int]] = {}
    for k, key in enumerate(zip(sites["_anchor"], sites["_owner"], strict=True)):
        at.setdefault(key, []).append(k)
    pairs = [
        (p, k)
        for p, key in enumerate(
            zip((anchors.get(i, i) for i in rows["input"]), rows["supplier"], strict=True)
        )
        for k in at.get(key, ())
    ]
    if not pairs:
        return pd.DataFrame(), set()
    pos, cpos = np.array(pairs, dtype=np.int64).T
    m = rows.iloc[pos].reset_index(drop=True)
    site = sites.iloc[cpos].reset_index(drop=True)
    m[["_site", "_src"]] = site[["_site", "_src"]]
    w = site["_w"].to_numpy(dtype=float)
    replaced = set(m["id"])
    m["id"] = m["id"] + "-at-" + m["_site"]
    m["supplier"] = m["_site"]
    for col in ("share", "share_min", "share_max"):
        if col in m:
            m[col] = pd.to_numeric(m[col], errors="coerce").to_numpy(dtype=float) * w
    m["note"] = "spread over the firm's ledger sites (capacity from " + m["_src"] + ")"
    return m.reindex(columns=rows.columns).reset_index(drop=True), replaced
