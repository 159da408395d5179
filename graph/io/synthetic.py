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
* **Capacity ledger.** About 60 % of the fabrication, memory and packaging
  sites get ``capacity.csv`` rows for one or two inputs over 2022-2030, in one
  unit per stage (the inputs' ``capacity_unit``); see
  :mod:`~chiprisk.graph.io.synthetic_ledger`. The ledger has its own random
  stream, so the other files' rows do not depend on it.
* **Policies.** A few subsidies fund existing sites with added capacity, an
  export control restricts one tool; fx rates for their currencies; a handful
  of scenarios (country, bloc, firm, input targets).

The entities are drawn in :mod:`~chiprisk.graph.io.synthetic_network`, the
share tables in :mod:`~chiprisk.graph.io.synthetic_shares`; this module holds
the entry point, the policies and the files written.

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

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.synthetic_ledger import capacity_units, draw_ledger
from chiprisk.graph.io.synthetic_network import (
    _STAGES,
    COUNTRY_WEIGHTS,
    Network,
    _ids,
    draw_network,
)
from chiprisk.graph.io.synthetic_shares import _YEARS, draw_supplies

__all__ = ["COUNTRY_WEIGHTS", "SIZES", "generate", "parse_size"]

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
"""Named sizes accepted by :func:`parse_size`."""

_N_SOURCES = 8
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
    ['blocs.csv', 'capacity.csv', 'fx_rates.csv']
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

    net = draw_network(rng, n_inputs, n_products, n_orgs, src)
    supplies = draw_supplies(rng, net, n_rows, src)
    policies, actions = _policies(rng, net, n_rows, src)
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

    # the ledger draws from its own stream: the other files' rows are as before
    ledger = draw_ledger(np.random.default_rng([int(seed), 16]), net, src_ids)
    inputs_df = net.frames["inputs"].copy()
    inputs_df.insert(len(inputs_df.columns) - 1, "capacity_unit", capacity_units(net))

    seed_dir = out / "seed"
    for name, df in (
        ("sources", sources),
        ("organizations", net.frames["organizations"]),
        ("sites", net.frames["sites"]),
        ("blocs", blocs),
        ("inputs", inputs_df.sort_values("id", kind="stable")),
        (
            "requirements",
            net.frames["requirements"].sort_values(["product", "input"], kind="stable"),
        ),
        ("supplies", supplies),
        ("capacity", ledger),
        ("policies", policies),
        ("policy_actions", actions),
        ("fx_rates", fx),
    ):
        _write_csv(df, seed_dir / f"{name}.csv")

    # scenarios
    for f in (out / "scenarios").glob("*.yaml"):
        f.unlink()
    tools = net.stage_members["equipment"]
    big_firm = net.org_ids[0]
    top_tool = net.in_ids[tools[0]] if len(tools) else net.in_ids[0]
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


def _policies(
    rng: np.random.Generator, net: Network, n_rows: int, src: Callable[[int], np.ndarray]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A few subsidies funding existing fabs, and one export control of a tool."""
    countries, is_fab, org_stage, site_org = net.countries, net.is_fab, net.org_stage, net.site_org
    stage_members, in_ids, site_ids = net.stage_members, net.in_ids, net.site_ids
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
    return policies, actions


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
