"""Benchmark: ``chiprisk serve`` under concurrent load (the bigger run of the load test).

Run on demand (not part of the test run)::

    python tests/benchmarks/bench_serve_load.py [--requests 5000] [--clients 32]
        [--timeouts N] [--workers 3] [--timeout 2] [--json out.json]

Starts the real endpoint on loopback over the built-in data, fires the same
mix as ``tests/hardening/test_serve_load.py`` (cheap named queries checked
against rdflib, heavy aggregations, cross joins that must be stopped at the
timeout, hostile UPDATE/SERVICE/LOAD/escaped/malformed requests), then prints
throughput, p50/p95 per class, timeouts enforced and any wrong answer.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _driver():
    sys.path.insert(0, str(HERE.parent / "graph"))  # sparql_servers, as pytest's pythonpath
    spec = importlib.util.spec_from_file_location(
        "serve_load_driver", HERE.parent / "hardening" / "test_serve_load.py"
    )
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument(
        "--timeouts",
        type=int,
        default=None,
        help="cross joins in the mix (default: one per 500 requests, at least 1; "
        "more than the workers can absorb makes cheap queries meet 'server is busy')",
    )
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=2.0, help="server timeout, seconds")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    if args.timeouts is None:
        args.timeouts = max(1, args.requests // 500)

    from chiprisk.graph.knowledge_graph import load

    drv = _driver()
    kg = load()
    endpoint = drv.servers.chiprisk_endpoint(
        kg.rdf, timeout=args.timeout, max_results=drv.MAX_RESULTS, workers=args.workers
    )
    with endpoint as srv:
        with drv.servers.RecordingServer() as rec:
            jobs = drv.build_jobs(kg, rec.url, total=args.requests, timeouts=args.timeouts)
            outcomes, wall = drv.run_load(srv.url, jobs, clients=args.clients)
            stats = drv.figures(outcomes, wall, args.clients)
            stats["remote_fetches"] = len(rec.requests)
        time.sleep(1)
        stats["workers_alive_after"] = len(drv.worker_pids(srv))
    stats.update(
        workers=args.workers,
        server_timeout_s=args.timeout,
        triples=srv.n_triples,
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        python=platform.python_version(),
        command=" ".join([Path(sys.executable).name, *sys.argv]),
    )
    print(json.dumps(stats, indent=1))
    for o in [o for o in outcomes if o.problems][:10]:
        print("WRONG", o.job.label, o.problems, file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(stats, indent=1))
    return 1 if stats["wrong"] or stats["no_response"] or stats["remote_fetches"] else 0


if __name__ == "__main__":
    sys.exit(main())
