"""Benchmark: rdflib vs Oxigraph (pyoxigraph) load and a 2-hop GROUP BY query.

Run on demand (not part of the test run)::

    python tests/benchmarks/bench_sparql.py [--triples 1000000] [--json out.json]

Graphs: the built-in data, and a seeded synthetic supply graph of about
``--triples`` triples (suppliers -> supply rows -> inputs, with countries).
Each engine loads the same N-Triples bytes and answers the same query (per
country: how many supply rows and distinct inputs, through supplier ->
country); the answers are checked equal, and the ratios rdflib / Oxigraph are
printed.
"""

from __future__ import annotations

import argparse
import json
import random
import time

QUERY = """PREFIX cr: <https://w3id.org/chiprisk/ontology#>
SELECT ?c (COUNT(?s) AS ?rows) (COUNT(DISTINCT ?i) AS ?inputs) WHERE {
  ?s cr:supplier ?o ; cr:input ?i .
  ?o cr:headquarteredIn ?c .
} GROUP BY ?c ORDER BY ?c"""


def synthetic_nt(n_triples: int, seed: int = 7) -> bytes:
    """About ``n_triples`` N-Triples of a supply graph (4 triples per supply row)."""
    rng = random.Random(seed)
    cr, crid = "https://w3id.org/chiprisk/ontology#", "https://w3id.org/chiprisk/id/"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    n_orgs, n_inputs = max(10, n_triples // 100), max(5, n_triples // 400)
    countries = ["TW", "KR", "JP", "US", "NL", "CN", "DE", "SG", "MY", "IL"]
    lines = [
        f"<{crid}org-{o}> <{cr}headquarteredIn> <{crid}{countries[o % len(countries)]}> ."
        for o in range(n_orgs)
    ]
    k = 0
    while len(lines) < n_triples:
        s = f"<{crid}sup-{k}>"
        lines += [
            f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cr}Supply> .",
            f"{s} <{cr}supplier> <{crid}org-{rng.randrange(n_orgs)}> .",
            f"{s} <{cr}input> <{crid}input-{rng.randrange(n_inputs)}> .",
            f'{s} <{cr}share> "{rng.random() * 100:.1f}"^^<{xsd}decimal> .',
        ]
        k += 1
    return ("\n".join(lines) + "\n").encode()


def bench(nt: bytes) -> dict:
    import pyoxigraph as ox
    from rdflib import Graph

    out: dict[str, float | int] = {}
    t = time.perf_counter()
    g = Graph()
    g.parse(data=nt, format="nt")
    out["rdflib_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    r1 = sorted((str(a), int(b), int(c)) for a, b, c in g.query(QUERY))
    out["rdflib_query_s"] = time.perf_counter() - t
    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(nt, ox.RdfFormat.N_TRIPLES)
    out["oxigraph_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    r2 = sorted(
        (s["c"].value, int(s["rows"].value), int(s["inputs"].value)) for s in store.query(QUERY)
    )
    out["oxigraph_query_s"] = time.perf_counter() - t
    assert r1 == r2, "the engines disagree"
    out["triples"] = len(g)
    out["load_ratio"] = out["rdflib_load_s"] / out["oxigraph_load_s"]
    out["query_ratio"] = out["rdflib_query_s"] / max(out["oxigraph_query_s"], 1e-9)
    out["result_rows"] = len(r1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--json", default=None, help="Write the results to this JSON file.")
    args = ap.parse_args()
    from chiprisk.graph.knowledge_graph import load

    kg = load()
    results = {"built-in": bench(kg.rdf.serialize(format="nt", encoding="utf-8"))}
    results[f"synthetic-{args.triples}"] = bench(synthetic_nt(args.triples))
    for name, r in results.items():
        print(
            f"{name:>20}: {r['triples']:>9} triples | load rdflib {r['rdflib_load_s']:.3f} s, "
            f"oxigraph {r['oxigraph_load_s']:.3f} s (x{r['load_ratio']:.1f}) | 2-hop GROUP BY "
            f"rdflib {r['rdflib_query_s']:.3f} s, oxigraph {r['oxigraph_query_s']:.3f} s "
            f"(x{r['query_ratio']:.1f})"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
