"""What the data can and cannot answer: a coverage report over the checked rows.

Every finding is one row of a DataFrame with the columns

``check``
    the rule that found it (see :data:`CHECKS`);
``severity``
    ``warning`` (an analysis will be silent or wrong here), or ``info``
    (context an analyst should know: grades, gaps that are expected);
``entity``
    the id the finding is about (an input, site, policy, table or
    ``CUR:YEAR``);
``detail``
    one sentence saying what is missing or off;
``count``
    the number of rows (or fields) the finding covers.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.coverage import coverage
>>> report = coverage(load_tables(), as_of=2025)
>>> list(report.columns)
['check', 'severity', 'entity', 'detail', 'count']
>>> "confidence" in set(report["check"])
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.ledger import ledger_parents
from chiprisk.graph.model.ledger_coverage import LEDGER_CHECKS, ledger_findings

COLUMNS = ["check", "severity", "entity", "detail", "count"]

CHECKS: dict[str, str] = {
    "no-supplies": "inputs with no supplies row at all (neither market-wide nor buyer-specific)",
    "no-market-shares": "inputs with no market-wide numeric share, range or capacity row",
    "share-sum": "share tables whose shares do not sum to 98..102 and carry no `other` residual",
    "stale-facts": "inputs whose supplies rows are older than the staleness horizon",
    "stale-table": "inputs whose latest market-wide share table (or ledger year) is more than "
    "three years before the as-of year, with the search that found nothing newer if recorded",
    "confidence": "share of rows per confidence grade, per table",
    "site-gaps": "sites without capacity, coordinates or start year",
    "policy-no-effect": "policies with no action funding a site or firm with an amount or capacity",
    "fx-missing": "currencies used by budgets or amounts without an exchange rate for that year",
    "buyer-unapplied": "buyer-specific supplies rows that the network cannot apply",
    **LEDGER_CHECKS,
}
"""The checks :func:`coverage` runs, by name."""

SUM_LOW, SUM_HIGH = 98.0, 102.0
GRADES = ("primary", "secondary", "estimate")
_SITE_OR_ORG = {"sites", "organizations"}


def _row(check: str, severity: str, entity: str, detail: str, count: int) -> dict:
    return dict(check=check, severity=severity, entity=entity, detail=detail, count=count)


def _has(v: object) -> bool:
    return v is not None and not (isinstance(v, float) and pd.isna(v)) and v is not pd.NA


def _year_of(value: object) -> int | None:
    """The year of a contract date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), else None."""
    if not _has(value):
        return None
    text = str(value)
    return int(text[:4]) if text[:4].isdigit() else None


def _is_residual(supplier: object) -> bool:
    return str(supplier) == "other"


def _supplies_findings(tables: Tables) -> Iterable[dict]:
    inputs = tables["inputs"]
    sup = tables["supplies"]
    market = sup[sup["buyer"].isna()]
    numeric = market[
        market["share"].notna()
        | market["share_min"].notna()
        | market["share_max"].notna()
        | market["capacity"].notna()
    ]
    with_any = set(sup["input"])
    with_numeric = set(numeric["input"])
    with_qual = set(market.loc[market["share_qual"].notna(), "input"])
    for r in inputs.itertuples(index=False):
        product = r.kind == "product"
        if r.id not in with_any:
            yield _row(
                "no-supplies",
                "info" if product else "warning",
                r.id,
                "end product: no supplier rows (its risk comes through its requirements)"
                if product
                else "no supplier rows: concentration and exposure cannot see who supplies it",
                0,
            )
        elif r.id not in with_numeric:
            n = int((sup["input"] == r.id).sum())
            if r.id in with_qual:
                detail = "only qualitative market rows (major/minor): HHI uses nominal midpoints"
            else:
                detail = "only buyer-specific rows: no market-wide share table"
            yield _row("no-market-shares", "info" if product else "warning", r.id, detail, n)


def _share_sum_findings(tables: Tables) -> Iterable[dict]:
    sup = tables["supplies"]
    rows = sup[sup["share"].notna() | sup["share_min"].notna() | sup["share_max"].notna()]
    if rows.empty:
        return
    rows = rows.assign(
        _level=rows["supplier"].map(
            lambda s: "country" if tables.kind_of(str(s)) == "countries" else "firm"
        ),
        _buyer=rows["buyer"].fillna(""),
    )
    keys = ["input", "_buyer", "basis", "year", "_level"]
    for (inp, buyer, basis, year, level), g in rows.groupby(keys, sort=True):
        full = sup[
            (sup["input"] == inp)
            & (sup["buyer"].fillna("") == buyer)
            & (sup["basis"] == basis)
            & (sup["year"] == year)
        ]
        if full["supplier"].map(_is_residual).any() or full["share_qual"].notna().any():
            continue
        lo = g["share"].fillna(g["share_min"]).fillna(g["share_max"]).sum()
        hi = g["share"].fillna(g["share_max"]).fillna(g["share_min"]).sum()
        if hi < SUM_LOW or lo > SUM_HIGH:
            total = f"{lo:g}" if lo == hi else f"{lo:g}..{hi:g}"
            where = f" for buyer {buyer}" if buyer else ""
            yield _row(
                "share-sum",
                "warning",
                str(inp),
                f"{level} shares{where} ({basis}, {int(year)}) sum to {total} "
                "with no `other` residual row",
                len(g),
            )


def _stale_findings(tables: Tables, stale_years: int, as_of: int) -> Iterable[dict]:
    sup = tables["supplies"]
    horizon = as_of - stale_years
    for inp, g in sup.groupby("input", sort=True):
        old = g[g["year"] < horizon]
        if old.empty:
            continue
        latest = int(g["year"].max())
        market = g[g["buyer"].isna()]
        latest_market = int(market["year"].max()) if len(market) else None
        stale = latest < horizon
        detail = f"{len(old)} of {len(g)} rows refer to years before {horizon}; " + (
            f"the newest is {latest}: no recent figure"
            if stale
            else f"newer rows exist (latest {latest}"
            + (f", market-wide {latest_market}" if latest_market else "")
            + ")"
        )
        yield _row("stale-facts", "warning" if stale else "info", str(inp), detail, len(old))


STALE_TABLE_YEARS = 3
"""A firm-share table older than this many years before the as-of year is stale."""


def _stale_table_findings(tables: Tables, as_of: int) -> Iterable[dict]:
    sup = tables["supplies"]
    market = sup["buyer"].isna() | (sup["buyer"] == "")
    named = market & ~sup["supplier"].map(_is_residual) & (sup["basis"] != "sourcing")
    latest = sup[named & (sup["year"] <= as_of)].groupby("input")["year"].max()
    cap = tables.frames.get("capacity")
    if cap is not None and len(cap):
        led = cap[cap["year"] <= as_of].groupby("input")["year"].max().to_dict()
        parents = ledger_parents(tables)
        for inp, y in list(led.items()):  # a parent capability sums its children's rows
            while inp in parents:
                inp = parents[inp]
                led[inp] = max(led.get(inp, y), y)
        latest = pd.concat([latest, pd.Series(led, dtype="int64")]).groupby(level=0).max()
    inputs = tables["inputs"].set_index("id")
    search = inputs["share_search"] if "share_search" in inputs else pd.Series(dtype=object)
    limit = as_of - STALE_TABLE_YEARS
    for inp, year in latest[latest < limit].sort_index().items():
        note = search.get(inp)
        found = f"; no public source found: {note}" if _has(note) else ""
        yield _row(
            "stale-table",
            "info" if found else "warning",
            str(inp),
            f"latest market-wide share table is {int(year)}, more than {STALE_TABLE_YEARS} years "
            f"before {as_of}{found}",
            1,
        )


def _grades(tables: Tables) -> dict[str, pd.Series]:
    """The confidence grade of every fact row, per table (the row's own, else its source's)."""
    src = tables["sources"].set_index("id")["confidence"]
    out: dict[str, pd.Series] = {}
    for name, df in tables.frames.items():
        if name == "sources" or "source_id" not in df.columns or df.empty:
            continue
        if "confidence" in df.columns:
            grade = df["confidence"].fillna(df["source_id"].map(src))
        else:
            grade = df["source_id"].map(src)
        out[name] = grade
    sc = tables.scenarios
    if len(sc) and "source_id" in sc.columns:
        out["scenarios"] = sc["source_id"].map(src)
    return out


def confidence_mix(tables: Tables) -> pd.DataFrame:
    """Rows per confidence grade and table, with the share of the table.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).

    Returns
    -------
    pandas.DataFrame
        ``table``, ``confidence`` (primary, secondary, estimate), ``rows``,
        ``share`` (percent of the table's rows); a final ``all`` table sums
        every fact row.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> mix = confidence_mix(load_tables())
    >>> sorted(set(mix["confidence"])) == ["estimate", "primary", "secondary"]
    True

    Notes
    -----
    O(rows) over all tables.
    """
    records = []
    everything = []
    for name, grade in _grades(tables).items():
        everything.append(grade)
        for g in GRADES:
            n = int((grade == g).sum())
            records.append((name, g, n, 100.0 * n / len(grade) if len(grade) else 0.0))
    if everything:
        allg = pd.concat(everything, ignore_index=True)
        for g in GRADES:
            n = int((allg == g).sum())
            records.append(("all", g, n, 100.0 * n / len(allg) if len(allg) else 0.0))
    return pd.DataFrame(records, columns=["table", "confidence", "rows", "share"])


def _confidence_findings(tables: Tables) -> Iterable[dict]:
    mix = confidence_mix(tables)
    for r in mix.itertuples(index=False):
        total = int(mix.loc[mix["table"] == r.table, "rows"].sum())
        yield _row(
            "confidence",
            "info",
            r.table,
            f"{r.confidence}: {r.share:.1f}% of {total} rows",
            int(r.rows),
        )


def _site_findings(tables: Tables) -> Iterable[dict]:
    for r in tables["sites"].itertuples(index=False):
        missing = []
        if not _has(r.capacity):
            missing.append("capacity")
        if not (_has(r.lat) and _has(r.lon)):
            missing.append("coordinates")
        if not _has(r.start_year):
            missing.append("start year")
        if missing:
            planned = r.status in ("announced", "under-construction", "ramping")
            urgent = "coordinates" in missing or (planned and "start year" in missing)
            severity = "warning" if urgent and r.status != "cancelled" else "info"
            yield _row(
                "site-gaps",
                severity,
                r.id,
                f"{r.kind} ({r.status}) without " + ", ".join(missing),
                len(missing),
            )


def _policy_findings(tables: Tables) -> Iterable[dict]:
    acts = tables["policy_actions"]
    effective = acts[
        (acts["amount"].notna() | acts["adds_capacity"].notna())
        & acts["target"].map(lambda t: tables.kind_of(str(t)) in _SITE_OR_ORG)
    ]
    counted = set(effective["policy"])
    for r in tables["policies"].itertuples(index=False):
        if r.id in counted:
            continue
        mine = acts[acts["policy"] == r.id]
        no_money = ("export-control", "tax-credit", "legislation")
        expected = r.kind in no_money or r.status == "proposed"
        if mine.empty:
            detail = "no actions: a what-if cannot apply it"
        else:
            kinds = ", ".join(sorted(set(mine["action"])))
            targets = ", ".join(sorted(set(mine["target"].astype(str))))
            detail = (
                f"{len(mine)} action(s) ({kinds}) on {targets}; none funds a site or firm "
                "with an amount or capacity"
            )
        yield _row("policy-no-effect", "info" if expected else "warning", r.id, detail, len(mine))


def _fx_findings(tables: Tables) -> Iterable[dict]:
    fx = tables["fx_rates"]
    have = set(zip(fx["currency"], fx["year"].astype(int), strict=True))
    by_currency = set(fx["currency"])
    pol = tables["policies"].set_index("id")
    need: dict[tuple[str, int | None], int] = {}
    for r in tables["policies"].itertuples(index=False):
        if _has(r.budget) and _has(r.currency):
            key = (str(r.currency), _year_of(r.enacted))
            need[key] = need.get(key, 0) + 1
    for r in tables["policy_actions"].itertuples(index=False):
        if _has(r.amount) and _has(r.currency):
            # money is committed when the policy is enacted; the effective year
            # (first production) is only the fallback
            year = _year_of(pol.at[r.policy, "enacted"]) if r.policy in pol.index else None
            if year is None and _has(r.effective_year):
                year = int(r.effective_year)
            key = (str(r.currency), year)
            need[key] = need.get(key, 0) + 1
    for (cur, year), n in sorted(need.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if cur == "USD":
            continue
        if year is None:
            if cur not in by_currency:
                yield _row("fx-missing", "warning", cur, f"{cur} amounts with no rate at all", n)
        elif (cur, year) not in have:
            years = sorted(y for c, y in have if c == cur)
            near = f"; rates exist for {', '.join(map(str, years))}" if years else "; no rate"
            yield _row(
                "fx-missing", "warning", f"{cur}:{year}", f"no {cur} rate for {year}{near}", n
            )


def _buyer_findings(tables: Tables) -> Iterable[dict]:
    sup = tables["supplies"]
    req = tables["requirements"]
    needs = set(zip(req["product"], req["input"], strict=True))
    rows = sup[sup["buyer"].notna()]
    for (inp, buyer), g in rows.groupby(["input", "buyer"], sort=True):
        if tables.kind_of(str(buyer)) != "inputs":
            detail = f"buyer {buyer} is an organisation: no product links it to {inp}"
        elif (buyer, inp) not in needs:
            detail = f"{buyer} does not require {inp} directly: the rows are not used"
        else:
            continue
        yield _row("buyer-unapplied", "warning", f"{inp}@{buyer}", detail, len(g))


def coverage(tables: Tables, *, stale_years: int = 5, as_of: int | None = None) -> pd.DataFrame:
    """What the data can and cannot answer, one row per finding.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    stale_years : int, default 5
        A supplies row is stale when its ``year`` is more than this many
        years before ``as_of``.
    as_of : int, optional
        The year staleness is measured from (default: the current calendar year).

    Returns
    -------
    pandas.DataFrame
        Columns ``check``, ``severity``, ``entity``, ``detail``, ``count``,
        sorted by check (in :data:`CHECKS` order), severity (warnings first)
        and entity.

    Raises
    ------
    UsageError
        If ``stale_years`` is negative.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> report = coverage(load_tables(), stale_years=5, as_of=2025)
    >>> set(report["severity"]) <= {"warning", "info"}
    True

    Notes
    -----
    O(S log S + P + A) for S supplies rows, P policies and A policy actions;
    every check is a pass over one or two tables.
    """
    if stale_years < 0:
        raise UsageError(f"--stale-years must be >= 0, got {stale_years}")
    year = dt.date.today().year if as_of is None else int(as_of)
    rows: list[dict] = []
    rows += _supplies_findings(tables)
    rows += _share_sum_findings(tables)
    rows += _stale_findings(tables, stale_years, year)
    rows += _stale_table_findings(tables, year)
    rows += _confidence_findings(tables)
    rows += _site_findings(tables)
    rows += _policy_findings(tables)
    rows += _fx_findings(tables)
    rows += _buyer_findings(tables)
    rows += ledger_findings(tables)
    df = pd.DataFrame(rows, columns=COLUMNS)
    order = {c: k for k, c in enumerate(CHECKS)}
    df = df.assign(
        _c=df["check"].map(order), _s=df["severity"].map({"warning": 0, "info": 1})
    ).sort_values(["_c", "_s", "entity"], kind="stable")
    df = df.drop(columns=["_c", "_s"]).reset_index(drop=True)
    df["count"] = df["count"].astype("int64")
    return df
