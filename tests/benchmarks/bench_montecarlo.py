"""Benchmark: Monte Carlo scenarios per second, vectorised vs a per-scenario Python loop.

Run on demand (not collected by the default test run)::

    python tests/benchmarks/bench_montecarlo.py [--runs 200000] [--json out.json]

Two networks: the built-in data, and a synthetic network with 100,000
suppliers (``chiprisk.graph.io.synthetic.generate``, 1,000,000 supply rows).
Three timings per network, all in the same run:

* ``vectorised``: :func:`~chiprisk.graph.algorithms.montecarlo.sample_losses`
  with de-duplication of identical event patterns (the library default);
* ``vectorised, no dedupe``: one propagate call per duration segment over
  every run;
* ``python loop``: the competent baseline, one ``propagate`` call per run
  (measured on a subset of runs and reported per scenario).

Sampling, statistics and the network build are outside the timings (the
build is reported separately).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np


def _loop(net, ev, occ, n: int) -> float:
    """Per-scenario Python loop over the first n runs (same model, same segments)."""
    from chiprisk.graph.model.propagation import propagate

    t0 = time.perf_counter()
    levels = np.unique(ev.durations)
    for r in range(n):
        on = np.flatnonzero(occ[:, r])
        prev = 0.0
        loss = np.zeros(net.n_nodes)
        for d in levels:
            act = [e for e in on if ev.durations[e] >= d]
            if act:
                a = ev.A[:, act].min(axis=1)
                cap = ev.C[:, act].min(axis=1)
                loss += (1 - propagate(net, a, cap)) * (d - prev) / 52
            prev = d
    return time.perf_counter() - t0


def bench(label: str, tables, runs: int, loop_runs: int, seed: int = 0) -> dict:
    from chiprisk.graph.algorithms.montecarlo import event_set, sample_events, sample_losses
    from chiprisk.graph.algorithms.scenarios import named_scenarios
    from chiprisk.graph.model.propagation import build_network

    t0 = time.perf_counter()
    net = build_network(tables)
    build = time.perf_counter() - t0
    ev = event_set(net, tables, named_scenarios(tables))
    occ = sample_events(ev.probs, runs, seed)
    out = {
        "network": label,
        "suppliers": net.n_suppliers,
        "nodes": net.n_nodes,
        "events": len(ev.ids),
        "runs": runs,
        "build_s": build,
    }
    t0 = time.perf_counter()
    a = sample_losses(net, ev, occ, dedupe=True)
    out["vectorised_per_s"] = runs / (time.perf_counter() - t0)
    nd_runs = min(runs, 50_000 if net.n_suppliers > 10_000 else runs)
    t0 = time.perf_counter()
    b = sample_losses(net, ev, occ[:, :nd_runs], dedupe=False)
    out["no_dedupe_per_s"] = nd_runs / (time.perf_counter() - t0)
    assert np.allclose(a[:, :nd_runs], b)
    secs = _loop(net, ev, occ, loop_runs)
    out["loop_per_s"] = loop_runs / secs
    out["speedup_vs_loop"] = out["vectorised_per_s"] / out["loop_per_s"]
    out["speedup_no_dedupe_vs_loop"] = out["no_dedupe_per_s"] / out["loop_per_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200_000)
    ap.add_argument("--loop-runs", type=int, default=5_000)
    ap.add_argument("--synthetic-rows", type=int, default=1_000_000)
    ap.add_argument("--synthetic-suppliers", type=int, default=100_000)
    ap.add_argument("--json", default="bench_montecarlo.json")
    args = ap.parse_args()

    from chiprisk.graph.io.loader import load_tables
    from chiprisk.graph.io.synthetic import generate

    results = [bench("built-in", load_tables(), args.runs, args.loop_runs)]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        from chiprisk.graph.errors import DataErrors

        for seed in range(10):  # some generator seeds write invalid rows: take the first valid
            generate(
                d, supply_rows=args.synthetic_rows, suppliers=args.synthetic_suppliers, seed=seed
            )
            try:
                tables = load_tables(d)
                break
            except DataErrors as exc:
                print(f"synthetic seed {seed} does not load ({len(exc.errors)} problems); next")
        else:
            raise SystemExit("no valid synthetic network in 10 seeds")
        print(f"synthetic network generated and loaded in {time.perf_counter() - t0:.1f} s")
        results.append(
            bench(
                f"synthetic {args.synthetic_suppliers:,} suppliers",
                tables,
                args.runs,
                max(args.loop_runs // 10, 200),
            )
        )
    head = (
        f"{'network':32} {'suppliers':>9} {'events':>6} {'runs':>8} {'vectorised/s':>13} "
        f"{'no-dedupe/s':>12} {'loop/s':>9} {'x loop':>8}"
    )
    print(head)
    for r in results:
        print(
            f"{r['network']:32} {r['suppliers']:>9,} {r['events']:>6} {r['runs']:>8,} "
            f"{r['vectorised_per_s']:>13,.0f} {r['no_dedupe_per_s']:>12,.0f} "
            f"{r['loop_per_s']:>9,.0f} {r['speedup_vs_loop']:>8,.0f}"
        )
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
