"""Benchmark: the weekly simulation against the static one (issue 17; goal <= 5x).

Run on demand (not collected by the default test run)::

    python tests/benchmarks/bench_weekly.py [--synthetic-rows 1000000] [--json out.json]

For the built-in data and a seeded synthetic network
(:func:`chiprisk.graph.io.synthetic.generate`, ``--synthetic-rows`` supply
rows, suppliers = rows / 10), all products x all named scenarios:

* ``static``: the flow-only model, :func:`~chiprisk.graph.model.propagation.propagate`
  of the scenarios' effects (the work ``simulate`` did before the weekly model);
* ``weekly``: :func:`~chiprisk.graph.algorithms.weekly_scenarios.run_weekly`
  over ``--weeks`` (default 104) from the same effects.

Resolving the scenarios' targets (shared by both) and the network build are
timed apart. The synthetic data have no stock-and-flow columns, so the
benchmark draws them (seeded: 30% installed, buffers 0-8, lead 0-16,
restart 0-8 weeks) to time the kernels the built-in data use. Medians of
``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time

import numpy as np


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(label: str, tables, weeks: int, repeats: int, random_params: bool) -> dict:
    from chiprisk.graph.algorithms.scenario_effects import scenario_effects
    from chiprisk.graph.algorithms.scenarios import named_scenarios
    from chiprisk.graph.algorithms.weekly import WeeklyParams, node_params
    from chiprisk.graph.algorithms.weekly_scenarios import run_weekly
    from chiprisk.graph.model.propagation import build_network, propagate

    t0 = time.perf_counter()
    net = build_network(tables)
    build = time.perf_counter() - t0
    scs = named_scenarios(tables)
    t0 = time.perf_counter()
    A = np.ones((net.n_suppliers, len(scs)))
    C = np.ones((net.n_nodes, len(scs)))
    for k, sc in enumerate(scs):
        A[:, k], C[:, k], _ = scenario_effects(net, tables, sc)
    effects = time.perf_counter() - t0
    params = node_params(net, tables, scs)
    if random_params:
        rng = np.random.default_rng(0)
        shape = (net.n_nodes, len(scs))
        inst = np.repeat((rng.random(net.n_nodes) < 0.3)[:, None], len(scs), axis=1)
        params = WeeklyParams(
            inst,
            np.repeat(rng.integers(0, 9, net.n_nodes)[:, None], len(scs), axis=1).astype(float),
            np.repeat(rng.integers(0, 17, net.n_nodes)[:, None], len(scs), axis=1).astype(float),
            np.repeat(rng.integers(0, 9, net.n_nodes)[:, None], len(scs), axis=1).astype(float),
            np.where(inst, 0.15, 0.0) + np.zeros(shape),
        )
    static = _median(lambda: propagate(net, A, C), repeats)
    weekly = _median(
        lambda: run_weekly(tables, scs, network=net, weeks=weeks, effects=(A, C), params=params),
        repeats,
    )
    out = {
        "network": label,
        "nodes": net.n_nodes,
        "suppliers": net.n_suppliers,
        "products": len(net.products),
        "scenarios": len(scs),
        "weeks": weeks,
        "build_s": build,
        "effects_s": effects,
        "static_s": static,
        "weekly_s": weekly,
        "ratio_weekly_to_static": weekly / static,
        "ratio_incl_effects": (weekly + effects) / (static + effects),
    }
    print(
        f"{label}: {net.n_nodes} nodes, {len(scs)} scenarios x {weeks} weeks: static "
        f"{static * 1e3:.2f} ms, weekly {weekly * 1e3:.2f} ms ({weekly / static:.1f}x; "
        f"{out['ratio_incl_effects']:.2f}x with the shared target resolution "
        f"{effects * 1e3:.1f} ms)"
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--synthetic-rows", type=int, default=1_000_000)
    ap.add_argument("--json", default=None, help="Write the results to this JSON file.")
    args = ap.parse_args()

    from chiprisk.graph.errors import DataErrors
    from chiprisk.graph.io.loader import load_tables
    from chiprisk.graph.io.synthetic import generate

    results = [bench("built-in", load_tables(), args.weeks, args.repeats, False)]
    with tempfile.TemporaryDirectory() as d:
        for seed in range(10):  # some generator seeds write invalid rows: take the first valid
            generate(
                d,
                supply_rows=args.synthetic_rows,
                suppliers=max(args.synthetic_rows // 10, 10),
                seed=seed,
            )
            try:
                tables = load_tables(d)
                break
            except DataErrors:
                continue
        else:
            raise SystemExit("no valid synthetic network in 10 seeds")
        label = f"synthetic {args.synthetic_rows:,} rows"
        results.append(bench(label, tables, args.weeks, args.repeats, True))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
