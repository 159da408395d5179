"""Computed scores as RDF, so a SPARQL user can query them beside the facts.

Each row of :func:`chiprisk.graph.algorithms.concentration.concentration`
(one input, lens, basis and year) becomes one ``cr:ConcentrationScore`` node
whose IRI is minted from those four keys. The score is ``prov:wasDerivedFrom``
the supply rows it was computed from, so ``explain`` works in SPARQL too.
Scores are derived data: exports put them in their own named graph
(:data:`DERIVED_GRAPH`) in TriG, and add them only when asked
(``--include-derived``).

Examples
--------
>>> import chiprisk.graph as cg
>>> g = concentration_graph(cg.load())
>>> q = ("SELECT ?hhi WHERE { ?s cr:scoredInput crid:euv-lithography ; "
...      "cr:lens 'firm' ; cr:hhi ?hhi }")
>>> [float(r.hhi) for r in g.query(q, initNs={"cr": cg.CR, "crid": cg.CRID})][:1]
[10000.0]
"""

from __future__ import annotations

import math

import pandas as pd
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS, XSD

from chiprisk.graph.rdf.triples import _dec, new_graph
from chiprisk.ontology.namespaces import CR, CRID, iri_for

DERIVED_GRAPH = CRID["derived-concentration-scores"]
"""The named graph the scores go into in TriG exports."""

_DECIMALS = {
    "hhi": CR.hhi,
    "hhi_low": CR.hhiLow,
    "hhi_high": CR.hhiHigh,
    "cr1": CR.cr1,
    "cr3": CR.cr3,
    "effective_n": CR.effectiveNumber,
    "top_share": CR.topShare,
}


def _present(v: object) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))


def score_id(row: dict) -> str:
    """The id of one score: ``score-<input>-<lens>-<basis>-<year>``.

    Examples
    --------
    >>> score_id({"input": "euv-lithography", "lens": "firm", "basis": "revenue", "year": 2025})
    'score-euv-lithography-firm-revenue-2025'
    """
    return f"score-{row['input']}-{row['lens']}-{row['basis']}-{int(row['year'])}"


def scores_graph(scores: pd.DataFrame) -> Graph:
    """Turn a concentration DataFrame (all its rows) into RDF.

    Notes
    -----
    O(rows x supply rows per score).
    """
    g = new_graph()
    for row in scores.to_dict("records"):
        s = iri_for(score_id(row))
        g.add((s, RDF.type, CR.ConcentrationScore))
        g.add((s, RDF.type, PROV.Entity))
        g.add(
            (
                s,
                RDFS.label,
                Literal(
                    f"{row['lens']} concentration of {row['input']}, {row['basis']} {row['year']}"
                ),
            )
        )
        g.add((s, CR.scoredInput, iri_for(row["input"])))
        g.add((s, CR.lens, Literal(row["lens"])))
        g.add((s, CR.scoreBasis, Literal(row["basis"])))
        g.add((s, CR.scoreYear, Literal(int(row["year"]), datatype=XSD.integer)))
        for col, prop in _DECIMALS.items():
            if _present(row.get(col)):
                g.add((s, prop, _dec(float(row[col]))))
        if _present(row.get("n_entities")):
            g.add((s, CR.entityCount, Literal(int(row["n_entities"]), datatype=XSD.integer)))
        if _present(row.get("hhi_method")):
            g.add((s, CR.hhiMethod, Literal(row["hhi_method"])))
        if _present(row.get("band_2023")):
            g.add((s, CR.band2023, Literal(row["band_2023"])))
        top = row.get("top_entity")
        if _present(top):
            g.add((s, CR.topEntity, iri_for(str(top))))
        for sup in row.get("supply_ids") or []:
            g.add((s, PROV.wasDerivedFrom, iri_for(sup)))
    return g


def concentration_graph(kg, *, year: int | None = None) -> Graph:
    """Concentration scores of every input and lens as RDF (latest year by default).

    Parameters
    ----------
    kg : KnowledgeGraph
    year : int, optional
        As-of year (see :meth:`KnowledgeGraph.concentration`).
    """
    return scores_graph(kg.concentration(by=None, year=year))


__all__ = ["DERIVED_GRAPH", "concentration_graph", "score_id", "scores_graph"]
