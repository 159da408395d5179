"""The diversification outlook at scale, against baselines measured in the same run.

Run on demand (not collected by the default test run)::

    python tests/benchmarks/bench_outlook.py --sizes 10k,100k,1M --out outlook.json

For each size a seeded synthetic network with a capacity ledger
(:func:`chiprisk.graph.io.synthetic.generate`) is written once; every measure
runs in a fresh process, after a warm-up process has filled the on-disk cache:

* ``io_floor``: pandas reads ``capacity.csv`` and ``sites.csv`` as text (the
  least any ledger answer must do);
* ``ledger``: :func:`~chiprisk.graph.model.ledger.capacity_as_of` for every
  ledger year;
* ``outlook``: :func:`~chiprisk.graph.algorithms.outlook.outlook` for every
  capability and year, with and without every policy, no loss rows;
* ``outlook_loss_year``: the loss rows of one year (two network builds and
  two simulations: with and without policies);
* ``static_concentration``: the firm-lens concentration of every input, the
  static analysis the outlook sits beside.

Ratios are to the I/O floor and to the static concentration.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def _tables(d: str):
    from chiprisk.graph.knowledge_graph import load

    return load(d).tables


def w_warm(d: str) -> dict:
    t0 = time.perf_counter()
    _tables(d)
    return {"seconds": time.perf_counter() - t0}


def w_io_floor(d: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    n = 0
    for name in ("capacity", "sites"):
        n += len(pd.read_csv(Path(d) / "seed" / f"{name}.csv", dtype=str, keep_default_na=False))
    return {"seconds": time.perf_counter() - t0, "rows": n}


def w_ledger(d: str) -> dict:
    from chiprisk.graph.model.ledger import capacity_as_of, ledger_years

    t = _tables(d)
    t0 = time.perf_counter()
    rows = sum(len(capacity_as_of(t, y)) for y in ledger_years(t))
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def w_outlook(d: str) -> dict:
    from chiprisk.graph.algorithms.outlook import outlook

    t = _tables(d)
    t0 = time.perf_counter()
    df = outlook(t, scenario=None)
    return {"seconds": time.perf_counter() - t0, "rows": len(df)}


def w_outlook_loss_year(d: str) -> dict:
    from chiprisk.graph.algorithms.outlook import outlook

    t = _tables(d)
    scenario = sorted(t.scenarios["id"])[0]
    year = 2026
    t0 = time.perf_counter()
    df = outlook(t, start=year, end=year, scenario=scenario)
    return {"seconds": time.perf_counter() - t0, "rows": int((df["section"] == "loss").sum())}


def w_static_concentration(d: str) -> dict:
    from chiprisk.graph.algorithms.concentration import concentration

    t = _tables(d)
    t0 = time.perf_counter()
    df = concentration(t, lens="firm")
    return {"seconds": time.perf_counter() - t0, "rows": len(df)}


WORKERS = {
    "warm": w_warm,
    "io_floor": w_io_floor,
    "ledger": w_ledger,
    "outlook": w_outlook,
    "outlook_loss_year": w_outlook_loss_year,
    "static_concentration": w_static_concentration,
}


def run_worker(name: str, d: Path) -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(d)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench(size: str, workdir: Path) -> dict:
    from chiprisk.graph.io.synthetic import generate

    d = workdir / f"synth-{size}"
    if not (d / "seed" / "capacity.csv").exists():
        generate(d, supply_rows=SIZES[size], seed=0)
    out = {"size": size}
    for name in WORKERS:
        out[name] = run_worker(name, d)
    floor = out["io_floor"].get("seconds")
    static = out["static_concentration"].get("seconds")
    for name in ("ledger", "outlook", "outlook_loss_year"):
        s = out[name].get("seconds")
        out[name]["x_io_floor"] = s / floor if s and floor else None
        out[name]["x_static_concentration"] = s / static if s and static else None
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10k")
    p.add_argument("--workdir", default=None)
    p.add_argument("--out", default=None)
    p.add_argument("--worker", nargs=2, metavar=("NAME", "DIR"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        name, d = a.worker
        print(json.dumps(WORKERS[name](d)))
        return
    workdir = Path(a.workdir or tempfile.mkdtemp(prefix="chiprisk-outlook-"))
    results = [bench(s, workdir) for s in a.sizes.split(",")]
    for r in results:
        print(f"\n{r['size']}:")
        for name in WORKERS:
            m = r[name]
            extra = ""
            if "x_io_floor" in m and m["x_io_floor"]:
                extra = (
                    f"  ({m['x_io_floor']:.1f}x the I/O floor, "
                    f"{m['x_static_concentration']:.2f}x the static concentration)"
                )
            secs = m.get("seconds")
            shown = f"{secs:8.3f} s" if secs is not None else f"error {m.get('error')}"
            print(f"  {name:22s} {shown}{extra}")
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
