"""A seeded tiered supplier network in the chiprisk file contract (firm-to-firm edges).

The shape of an analyst's supplier list (and of SupplierShield's own
network): ``products`` at the top; tier-1 firms sell tier-1 parts that the
products require; tier-2 firms sell tier-2 parts that tier-1 firms buy
(``supplies.csv`` rows with ``buyer`` = the tier-1 firm, basis
``sourcing``); tier-3 firms sell to tier-2 firms the same way. Every part
also has a market-wide table over all its makers. With ``events`` every
supplier gets one scenario (``org:<firm>``, an annual probability and a
duration), the "one event per supplier" of issue 21: as scenario files
(``events_as="yaml"``, the default) or as rows of ``events.csv``
(``events_as="csv"``: failure probabilities as data, fast to load at 100k).

Used by ``bench_tiered.py`` and by the tests (``tests/graph/test_firm_tiers.py``)::

    from tiered import write_tiered
    write_tiered(tmp_path / "net", suppliers=1200, seed=0)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COUNTRIES = ["US", "TW", "JP", "KR", "CN", "DE", "NL", "MY", "VN", "MX"]
STAGE = {
    1: ("packaging", "component"),
    2: ("fabrication", "component"),
    3: ("materials", "material"),
}
SOURCE = {
    "id": "src-synthetic",
    "url": "https://example.org/synthetic",
    "title": "Synthetic tiered network",
    "publisher": "chiprisk benchmarks",
    "published": "2026-01-01",
    "confidence": "estimate",
    "note": "generated",
}


def tier_sizes(suppliers: int, shares: tuple[float, ...] = (0.15, 0.35, 0.5)) -> list[int]:
    """Firms per tier (at least one each), summing to ``suppliers``.

    >>> tier_sizes(1200)
    [180, 420, 600]
    """
    sizes = [max(1, int(round(suppliers * s))) for s in shares]
    sizes[-1] = max(1, suppliers - sum(sizes[:-1]))
    return sizes


def _shares(rng: np.random.Generator, n: int) -> np.ndarray:
    """n positive percents summing to 100 (rounded to 0.01, the rest on the first)."""
    w = rng.random(n) + 0.2
    p = np.round(100.0 * w / w.sum(), 2)
    p[0] = round(100.0 - p[1:].sum(), 2)
    return p


def tiered_frames(
    suppliers: int = 1200,
    *,
    products: int = 10,
    parts_per_product: int = 5,
    makers_per_part: int = 4,
    buys_per_firm: int = 2,
    single_source: float = 0.3,
    event_probability: float = 0.02,
    events: bool = True,
    seed: int = 0,
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """The tables and scenarios of a tiered network (see the module notes)."""
    rng = np.random.default_rng(seed)
    sizes = tier_sizes(suppliers)
    firms = {t: [f"t{t}-f{k:06d}" for k in range(n)] for t, n in zip((1, 2, 3), sizes, strict=True)}
    parts = {
        t: [f"t{t}-part{k:05d}" for k in range(max(1, n // makers_per_part))]
        for t, n in zip((1, 2, 3), sizes, strict=True)
    }
    makes = {}  # every part has a maker; the rest at random (some parts keep one maker)
    for t in (1, 2, 3):
        pick = rng.integers(0, len(parts[t]), size=len(firms[t]))
        pick[: len(parts[t])] = np.arange(min(len(parts[t]), len(firms[t])))
        makes[t] = {f: parts[t][int(k)] for f, k in zip(firms[t], pick, strict=True)}
    makers = {t: {} for t in (1, 2, 3)}
    for t in (1, 2, 3):
        for f, p in makes[t].items():
            makers[t].setdefault(p, []).append(f)
    orgs = pd.DataFrame(
        {
            "id": [f for t in (1, 2, 3) for f in firms[t]],
            "name": [f"Firm {f}" for t in (1, 2, 3) for f in firms[t]],
            "hq_country": rng.choice(COUNTRIES, size=sum(sizes)),
            "source_id": SOURCE["id"],
        }
    )
    prod_ids = [f"product-{k:03d}" for k in range(products)]
    inputs = [
        {"id": p, "name": f"Product {p}", "stage": "product", "kind": "product"} for p in prod_ids
    ]
    for t in (1, 2, 3):
        stage, kind = STAGE[t]
        inputs += [{"id": p, "name": f"Part {p}", "stage": stage, "kind": kind} for p in parts[t]]
    inputs = pd.DataFrame(inputs).assign(source_id=SOURCE["id"])
    reqs = []
    for p in prod_ids:
        k = min(parts_per_product, len(parts[1]))
        reqs += [(p, x) for x in sorted(rng.choice(parts[1], size=k, replace=False))]
    reqs = pd.DataFrame(reqs, columns=["product", "input"]).assign(source_id=SOURCE["id"])
    rows = []

    def add(supplier: str, part: str, share: float, buyer: str = "", basis: str = "units"):
        rows.append(
            {
                "id": f"s{len(rows):07d}",
                "supplier": supplier,
                "input": part,
                "buyer": buyer,
                "share": share,
                "basis": basis,
                "year": 2025,
                "confidence": "estimate",
                "source_id": SOURCE["id"],
            }
        )

    for t in (1, 2, 3):
        for part, ms in makers[t].items():
            for f, s in zip(ms, _shares(rng, len(ms)), strict=True):
                add(f, part, float(s))
    for t in (1, 2):
        up = np.array(parts[t + 1])  # once: a list would be converted per buyer
        for buyer in firms[t]:
            for part in rng.choice(up, size=min(buys_per_firm, len(up)), replace=False):
                ms = makers[t + 1][part]
                n = 1 if rng.random() < single_source else min(len(ms), int(rng.integers(2, 4)))
                chosen = rng.choice(ms, size=n, replace=False)
                for f, s in zip(chosen, _shares(rng, n), strict=True):
                    add(str(f), str(part), float(s), buyer=buyer, basis="sourcing")
    supplies = pd.DataFrame(rows)
    scenarios = []
    if events:
        dur = rng.integers(2, 27, size=sum(sizes))
        for k, f in enumerate(orgs["id"]):
            scenarios.append(
                {
                    "id": f"fail-{f}",
                    "name": f"{f} offline",
                    "targets": [f"org:{f}"],
                    "severity": 1.0,
                    "duration_weeks": int(dur[k]),
                    "probability": event_probability,
                    "rationale": "synthetic supplier failure",
                    "source_id": SOURCE["id"],
                }
            )
    frames = {
        "sources": pd.DataFrame([SOURCE]),
        "organizations": orgs,
        "inputs": inputs,
        "requirements": reqs,
        "supplies": supplies,
    }
    return frames, scenarios


def events_frame(scenarios: list[dict]) -> pd.DataFrame:
    """The one-target scenarios of :func:`tiered_frames` as ``events.csv`` rows."""
    return pd.DataFrame(
        {
            "id": [s["id"] for s in scenarios],
            "target": [s["targets"][0].partition(":")[2] for s in scenarios],
            "probability": [s["probability"] for s in scenarios],
            "duration_weeks": [s["duration_weeks"] for s in scenarios],
            "severity": [s["severity"] for s in scenarios],
            "source_id": [s["source_id"] for s in scenarios],
            "note": [s["rationale"] for s in scenarios],
        }
    )


def write_frames(
    out: str | Path,
    frames: dict[str, pd.DataFrame],
    scenarios: list[dict],
    events_as: str = "yaml",
) -> Path:
    """Write tables as ``out/seed/*.csv`` and scenarios as ``out/scenarios/*.yaml``.

    With ``events_as="csv"`` the scenarios are written as ``out/seed/events.csv``.
    """
    if events_as not in ("yaml", "csv"):
        raise ValueError(f"events_as must be yaml or csv, not {events_as!r}")
    out = Path(out)
    (out / "seed").mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(out / "seed" / f"{name}.csv", index=False)
    if scenarios and events_as == "csv":
        events_frame(scenarios).to_csv(out / "seed" / "events.csv", index=False)
    elif scenarios:
        (out / "scenarios").mkdir(exist_ok=True)
        for sc in scenarios:
            lines = [
                f"{k}: [{', '.join(v)}]" if isinstance(v, list) else f"{k}: {v}"
                for k, v in sc.items()
            ]
            (out / "scenarios" / f"{sc['id']}.yaml").write_text("\n".join(lines) + "\n")
    return out


def write_tiered(out: str | Path, suppliers: int = 1200, *, events_as: str = "yaml", **kw) -> Path:
    """Write a tiered network (:func:`tiered_frames` keywords) as a data directory."""
    frames, scenarios = tiered_frames(suppliers, **kw)
    return write_frames(out, frames, scenarios, events_as)
