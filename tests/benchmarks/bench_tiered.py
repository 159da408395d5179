"""Benchmark: tiered supplier networks (issue 21), chiprisk vs a networkx baseline.

Run on demand (not collected by the default test run)::

    python tests/benchmarks/bench_tiered.py [--sizes 1200,6000] [--runs 2000]
        [--repeats 3] [--validate [--validate-pyshacl]] [--events csv|yaml] [--json out.json]

``--sizes 100k`` is accepted (opt-in: the networkx baseline is sampled and
scaled there too; run it with ``nice``, it peaks near 3 GiB at 1,000 runs).
Each size writes a seeded tiered network (``tiered.py``: three tiers of
firms, firm-to-firm purchases, one event per supplier, as ``events.csv``
rows by default) and times, medians of ``--repeats``:

* ``gen_s``, ``load_s``, ``build_s``: writing, loading and building it;
* ``event_set_s``: resolving the events
  (:func:`~chiprisk.graph.algorithms.montecarlo.event_set`, one batch);
* ``mc_runs_per_s``: :func:`~chiprisk.graph.algorithms.montecarlo.sample_losses`
  over ``--runs`` simulated years of the one-event-per-supplier set
  (sampling and event resolution outside the timing);
* ``mc_products_runs_per_s``: :func:`~chiprisk.graph.algorithms.montecarlo.montecarlo`
  end to end (events resolved, drawn, the products' losses only, statistics);
* ``spof_s``: :func:`~chiprisk.graph.algorithms.chokepoints.chokepoints`
  without betweenness (inputs, firms and sites);
* ``exposure_firm_s``: :func:`~chiprisk.graph.algorithms.exposure.exposure`
  of one product ``by="firm"``;
* with ``--validate``: ``validate_s``, what ``chiprisk validate`` runs
  (:func:`~chiprisk.graph.rdf.validate.validate_tables`, the fast engine on
  the rows' coded triples), its ``validate_findings``, and ``validate_kg_s``,
  ``KnowledgeGraph.validate`` (builds the rdflib graph first); with
  ``--validate-pyshacl`` also the reference engine (pyshacl and the rules'
  SPARQL, minutes at 6,000) and whether its findings are the same.

The networkx baseline, in the same run: the same AND/OR model (with the
firm-to-firm dependencies) evaluated in Python over a ``networkx.DiGraph``
in topological order, one evaluation per Monte Carlo run (static segment
losses) and one per single-point-of-failure candidate (firms), timed on a
sample and scaled; its answers are checked equal to chiprisk's on the sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from tiered import write_tiered  # noqa: E402


def _peak_gib() -> float:
    """Peak resident memory of this process so far, GiB (Linux: ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def _median(f, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


class NxModel:
    """The AND/OR model with firm dependencies on a networkx DiGraph, evaluated in Python."""

    def __init__(self, net):
        import networkx as nx

        g = nx.DiGraph()
        W, R = net.W.tocsr(), net.R.tocsr()
        for k in range(net.n_nodes):
            sl = slice(W.indptr[k], W.indptr[k + 1])
            g.add_node(
                ("n", k), w=list(zip(W.indices[sl].tolist(), W.data[sl].tolist(), strict=True))
            )
            for j in R.indices[R.indptr[k] : R.indptr[k + 1]]:
                g.add_edge(("n", int(j)), ("n", k))
            for s in W.indices[sl]:
                g.add_edge(("s", int(s)), ("n", k))
        for lv in net._levels:
            for s, lo in zip(lv.dep_sup, lv.dep_starts, strict=True):
                hi = np.searchsorted(lv.dep_starts, lo, side="right")
                stop = lv.dep_starts[hi] if hi < len(lv.dep_starts) else len(lv.dep_idx)
                for p in lv.dep_idx[lo:stop]:
                    g.add_edge(("n", int(p)), ("s", int(s)))
        self.order = list(nx.topological_sort(g))
        self.g = g
        self.children = {
            k: [int(j) for j in R.indices[R.indptr[k] : R.indptr[k + 1]]]
            for k in range(net.n_nodes)
        }
        self.needs = {s: [p for p, _ in g.in_edges(("s", s))] for s in range(net.n_suppliers)}
        self.n_nodes = net.n_nodes

    def run(self, a: np.ndarray, cap: np.ndarray | None = None) -> np.ndarray:
        eff = {}
        out = np.ones(self.n_nodes)
        for kind, k in self.order:
            if kind == "s":
                v = float(a[k])
                for _n, p in self.needs[k]:
                    if out[p] < 1.0:
                        v = min(v, out[p])
                eff[k] = v
                continue
            w = self.g.nodes[("n", k)]["w"]
            v = sum(x * eff.get(s, float(a[s])) for s, x in w) if w else 1.0
            for j in self.children[k]:
                v = min(v, out[j])
            if cap is not None:
                v = min(v, cap[k])
            v = 1.0 if v > 1 - 1e-9 else 0.0 if v < 1e-9 else v
            out[k] = v
        return out


def _validate_rows(tables, repeats: int, reference: bool) -> dict:
    """Time ``chiprisk validate``'s engine, ``kg.validate()`` and (opt-in) the pyshacl reference."""
    from chiprisk.graph.knowledge_graph import KnowledgeGraph
    from chiprisk.graph.rdf.triples import build_graph
    from chiprisk.graph.rdf.validate import validate_graph, validate_tables

    def rows(report) -> list:
        return sorted(map(tuple, report.results.astype(str).to_numpy().tolist()))

    out: dict = {}
    out["validate_s"], report = _median(lambda: validate_tables(tables), repeats)
    out["validate_findings"] = len(report.results)
    out["validate_kg_s"], _ = _median(lambda: KnowledgeGraph(tables).validate(), repeats)
    if reference:
        graph = build_graph(tables)
        t0 = time.perf_counter()
        ref = validate_graph(graph, engine="pyshacl")
        out["validate_pyshacl_s"] = time.perf_counter() - t0
        out["validate_same_findings"] = rows(ref) == rows(report)
    return out


def bench_size(
    n: int,
    runs: int,
    repeats: int,
    validate: bool | str,
    sample: int,
    seed: int,
    events_as: str = "csv",
) -> dict:
    from chiprisk.graph.algorithms.chokepoints import chokepoints
    from chiprisk.graph.algorithms.data_events import data_events
    from chiprisk.graph.algorithms.event_rows import apply_events
    from chiprisk.graph.algorithms.exposure import exposure
    from chiprisk.graph.algorithms.montecarlo import (
        event_set,
        montecarlo,
        sample_events,
        sample_losses,
    )
    from chiprisk.graph.algorithms.scenarios import named_scenarios
    from chiprisk.graph.algorithms.simulate import WEEKS_PER_YEAR
    from chiprisk.graph.io.loader import load_tables
    from chiprisk.graph.model.propagation import build_network

    row: dict = {"suppliers": n}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        d = write_tiered(Path(tmp) / "net", n, seed=seed, events_as=events_as)
        row["gen_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        tables = load_tables(d)
        row["load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        net = build_network(tables)
        row["build_s"] = time.perf_counter() - t0
        row.update(nodes=net.n_nodes, supplier_nodes=net.n_suppliers, notes=len(net.notes))
        scs = named_scenarios(tables) + data_events(tables)
        t0 = time.perf_counter()
        ev = event_set(net, tables, scs)
        row["events"] = len(ev.ids)
        row["event_set_s"] = time.perf_counter() - t0
        occ = sample_events(ev.probs, runs, seed)
        mc_s, L = _median(lambda: sample_losses(net, ev, occ), repeats)
        row["mc_runs_per_s"] = runs / mc_s
        row["mc_peak_gib"] = _peak_gib()
        mcp_s, _ = _median(lambda: montecarlo(tables, runs=runs, seed=seed, network=net), repeats)
        row["mc_products_runs_per_s"] = runs / mcp_s
        row["spof_s"], spof = _median(
            lambda: chokepoints(tables, network=net, betweenness=False), repeats
        )
        row["spof_found"] = int((spof["products_affected"] > 0).sum())
        product = net.products[0]
        row["exposure_firm_s"], _ = _median(
            lambda: exposure(tables, product, by="firm", network=net), repeats
        )
        if validate:
            row.update(_validate_rows(tables, repeats, validate == "pyshacl"))

        # networkx baseline: the same model in Python, sampled and scaled
        t0 = time.perf_counter()
        model = NxModel(net)
        row["nx_build_s"] = time.perf_counter() - t0
        k = min(sample, runs)
        t0 = time.perf_counter()
        worst = 0.0
        for r in range(k):
            on = np.flatnonzero(occ[:, r])
            loss = np.zeros(net.n_nodes)
            prev = 0.0
            for dur in np.unique(ev.durations):
                act = np.zeros((len(ev.ids), 1), dtype=bool)
                act[[e for e in on if ev.durations[e] >= dur]] = True
                if act.any():
                    a = apply_events(ev.inc_a, act)[:, 0]  # the least over the events
                    cap = apply_events(ev.inc_c, act)[:, 0]
                    loss += (1 - model.run(a, cap)) * (dur - prev) / WEEKS_PER_YEAR
                prev = dur
            worst = max(worst, float(np.abs(np.clip(loss, 0, 1) - L[:, r]).max()))
        row["nx_mc_runs_per_s"] = k / (time.perf_counter() - t0)
        row["nx_mc_max_diff"] = worst
        firms = [f for f in net.firms][: min(sample, len(net.firms))]
        t0 = time.perf_counter()
        for f in firms:
            a = np.where(net.supplier_firm == net.firms.index(f), 0.0, 1.0)
            model.run(a)
        per = (time.perf_counter() - t0) / max(1, len(firms))
        row["nx_spof_firms_s_scaled"] = per * len(net.firms)
        row["mc_speedup_vs_nx"] = row["mc_runs_per_s"] / row["nx_mc_runs_per_s"]
        row["peak_gib"] = _peak_gib()
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1200,6000", help="suppliers, comma-separated (100k opt-in)")
    ap.add_argument("--runs", type=int, default=2000, help="Monte Carlo runs")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sample", type=int, default=50, help="networkx runs/candidates timed")
    ap.add_argument("--validate", action="store_true", help="also time chiprisk validate")
    ap.add_argument(
        "--validate-pyshacl",
        action="store_true",
        help="with --validate: also the pyshacl reference engine (minutes at 6,000) and a "
        "findings comparison",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--events", default="csv", choices=("csv", "yaml"), help="one event per supplier as"
    )
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        row = bench_size(
            _parse_size(size),
            args.runs,
            args.repeats,
            "pyshacl" if args.validate and args.validate_pyshacl else args.validate,
            args.sample,
            args.seed,
            args.events,
        )
        rows.append(row)
        print(json.dumps(row), flush=True)
    keys = [k for k in rows[0] if k != "suppliers"]
    print(f"\n{'measure':<24}" + "".join(f"{r['suppliers']:>14,}" for r in rows))
    for key in keys:
        vals = [r.get(key) for r in rows]
        cells = "".join(f"{v:>14.4g}" if isinstance(v, float) else f"{v!s:>14}" for v in vals)
        print(f"{key:<24}{cells}")
    if args.json:
        Path(args.json).write_text(json.dumps({"argv": sys.argv, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
