"""The stage/lens frame: each stage's country shares, owned (hq) beside located (site).

Every input's chosen share table (:func:`~chiprisk.graph.report.frames.concentration_frame`)
is split by country under the ``hq`` and ``site`` lenses in one batched pass
over the market rows (the rows :func:`~chiprisk.graph.algorithms.concentration.explain`
returns for one input and lens, for all inputs at once), then averaged per
stage.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> df = stage_country_frame(load_tables())
>>> df.columns[:3].tolist()
['stage', 'lens', 'country']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.report.frames import _ids, _stage_rank, concentration_frame

__all__ = ["lens_country_rows", "stage_country_frame"]

_LENSES = ("hq", "site")
_ROW_COLUMNS = ["stage", "lens", "input", "country", "name", "share", "src"]


def _explain_all(tables: Tables, conc: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """``explain(tables, input, lens=..., year=year, basis=basis)`` for every row of
    ``conc`` and both lenses, kept to the row's year, in one frame."""
    from chiprisk.graph.algorithms.concentration_scores import _entity_name, _names
    from chiprisk.graph.algorithms.lens_rows import explain_frame, lens_rows
    from chiprisk.graph.algorithms.share_rows import market_rows

    m = market_rows(tables, list(conc["input"]), None, None, year)
    ex = explain_frame(tables, m, lens_rows(tables, m, _LENSES))
    pos = pd.Index(conc["input"]).get_indexer(ex["input"])
    keep = (
        (pos >= 0)
        & (ex["basis"].to_numpy(dtype=object) == conc["basis"].to_numpy(dtype=object)[pos])
        & (ex["year"].to_numpy() == conc["year"].to_numpy()[pos])
    )
    ex = ex[keep].assign(_pos=pos[keep], _lens=ex["lens"][keep].map(_LENSES.index))
    # explain's order (entity, then supply id) within each input's table and lens
    ex = ex.sort_values(["_pos", "_lens", "entity", "id"], kind="stable")
    names = _names(tables, [*ex["supplier"], *ex["entity"]])
    ex["entity_name"] = [_entity_name(x, names) for x in ex["entity"]]
    return ex.reset_index(drop=True)


def lens_country_rows(
    tables: Tables, conc: pd.DataFrame, *, year: int | None = None
) -> pd.DataFrame:
    """Each input's share per country under the ``hq`` and ``site`` lenses.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    conc : pandas.DataFrame
        One share table per input: :func:`~chiprisk.graph.report.frames.concentration_frame`
        (columns ``input``, ``stage``, ``basis``, ``year``).
    year : int, optional
        The as-of year ``conc`` was computed for.

    Returns
    -------
    pandas.DataFrame
        One row per (input, lens, country), in ``conc``'s input order, lens
        ``hq`` before ``site``, countries sorted. Columns: ``stage``,
        ``lens``, ``input``, ``country``, ``name``, ``share`` (percent: the
        midpoints of the rows' share intervals, scaled to 100 where they sum
        past it), ``src`` (``;``-joined source ids). Rows without an entity
        under the lens are left out.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.report.frames import concentration_frame
    >>> t = load_tables()
    >>> conc = concentration_frame(t, stage="equipment")
    >>> rows = lens_country_rows(t, conc)
    >>> euv = rows[rows["input"] == "euv-lithography"]
    >>> euv[["lens", "country", "share"]].values.tolist()
    [['hq', 'NL', 100.0], ['site', 'NL', 100.0]]
    """
    if not len(conc):
        return pd.DataFrame(columns=_ROW_COLUMNS)
    ex = _explain_all(tables, conc, year)
    mid_all = (ex["lo"].to_numpy(dtype=float) + ex["hi"].to_numpy(dtype=float)) / 2
    mid_all[np.isnan(mid_all)] = 0.0
    entity = ex["entity"].to_numpy(dtype=object)
    ename = ex["entity_name"].to_numpy(dtype=object)
    source = ex["source_id"].to_numpy(dtype=object)
    stages = conc["stage"].to_numpy(dtype=object)
    inputs = conc["input"].to_numpy(dtype=object)
    key = ex["_pos"].to_numpy() * len(_LENSES) + ex["_lens"].to_numpy()
    bounds = np.flatnonzero(np.diff(key)) + 1
    rows = []
    for a, b in zip([0, *bounds], [*bounds, len(key)], strict=True):
        pos, li = divmod(int(key[a]), len(_LENSES))
        mid = mid_all[a:b]
        total = mid.sum()
        if total > 100.0:  # qualitative shares: their midpoints overshoot
            mid = mid * (100.0 / total)
        ent = entity[a:b]
        has = np.flatnonzero(pd.notna(ent))
        if not has.size:
            continue
        # entities are sorted within the table (missing last): one run per entity
        starts = has[np.r_[True, ent[has][1:] != ent[has][:-1]]]
        ends = [*starts[1:], has[-1] + 1]
        for s, e in zip(starts, ends, strict=True):
            rows.append(
                (
                    stages[pos],
                    _LENSES[li],
                    inputs[pos],
                    ent[s],
                    ename[a + s],
                    mid[s:e].sum(),
                    ";".join(_ids(source[a + s : a + e])),
                )
            )
    return pd.DataFrame(rows, columns=_ROW_COLUMNS)


def stage_country_frame(
    tables: Tables,
    *,
    year: int | None = None,
    top: int = 6,
    concentration: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Country shares per stage under the two lenses: owned (``hq``) and located (``site``).

    Each input's share table (as in :func:`~chiprisk.graph.report.frames.concentration_frame`)
    is split by country under each lens (a share interval counts at its
    midpoint); a stage's share for a country is the mean over the stage's
    inputs, each input weighing the same; midpoints that sum past 100
    (qualitative shares) are scaled to 100, the equal split the HHI also
    uses. Countries outside a stage's ``top``, and the tables' own "other"
    rows, are pooled as ``other``; what the tables leave unattributed is
    ``unattributed``.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    year : int, optional
        As of this year (default: the latest data).
    top : int
        Countries shown per stage and lens; the rest pool as ``other``.
    concentration : pandas.DataFrame, optional
        ``concentration_frame(tables, year=year)`` when already computed.

    Returns
    -------
    pandas.DataFrame
        Columns: ``stage``, ``lens`` (``hq`` or ``site``), ``country``,
        ``country_name``, ``share`` (percent of the stage), ``n_inputs``,
        ``source_ids``.

    Notes
    -----
    One :func:`~chiprisk.graph.algorithms.share_rows.market_rows` and one
    :func:`~chiprisk.graph.algorithms.lens_rows.lens_rows` call for all
    inputs and both lenses (about 0.1 s on the built-in data), instead of
    one ``explain`` per input and lens.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = stage_country_frame(load_tables())
    >>> sorted(set(df["lens"]))
    ['hq', 'site']
    """
    conc = concentration if concentration is not None else concentration_frame(tables, year=year)
    cols = ["stage", "lens", "country", "country_name", "share", "n_inputs", "source_ids"]
    e = lens_country_rows(tables, conc, year=year)
    if not len(e):
        return pd.DataFrame(columns=cols)
    n_inputs = conc.groupby("stage")["input"].nunique()
    out = []
    for (stage, lens), g in e.groupby(["stage", "lens"], sort=False):
        n = int(n_inputs.get(stage, 1))
        per = g.groupby(["country", "name"], as_index=False).agg(
            share=("share", "sum"), src=("src", lambda s: ";".join(_ids(s)))
        )
        per["share"] = per["share"] / n
        per = per.sort_values(["share", "country"], ascending=[False, True])
        residual = per["country"] == "other"  # a table's own "other" row pools too
        head = per[~residual].head(top)
        tail = pd.concat([per[~residual].iloc[top:], per[residual]])
        for x in head.itertuples(index=False):
            out.append((stage, lens, x.country, x.name, x.share, n, x.src))
        if len(tail):
            out.append(
                (
                    stage,
                    lens,
                    "other",
                    "other countries",
                    tail["share"].sum(),
                    n,
                    ";".join(_ids(tail["src"])),
                )
            )
        rest = 100.0 - per["share"].sum()
        if rest > 0.05:
            out.append((stage, lens, "unattributed", "not attributed", rest, n, ""))
    df = pd.DataFrame(out, columns=cols)
    df["_r"] = df["stage"].map(_stage_rank)
    df["_l"] = df["lens"].map({"hq": 0, "site": 1})
    df = df.sort_values(["_r", "_l"], kind="stable").drop(columns=["_r", "_l"])
    return df.reset_index(drop=True)
