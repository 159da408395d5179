"""The whole-graph rules (share sums, requirement cycles) over integer-coded triples, with pandas.

``ontology/rules/share-sum.rq`` is the rule's reference text: shares of one
input, buyer, basis, year and level must sum to 98..102. rdflib took 18 s to
run it on a 6,000-supplier network; here it is a few joins and one group-by
over :class:`~chiprisk.graph.rdf.coded_triples.CodedTriples` with the SPARQL
semantics kept (inner joins for the required properties, left joins for the
optional ones, exact decimal sums as rdflib's ``SUM`` does them). Data the
fast path cannot sum exactly as rdflib would (a share that is not an
``xsd:decimal`` or ``xsd:integer`` value, a literal supplier) is handed to
the SPARQL text instead, so the findings are always the query's.

Examples
--------
>>> from rdflib import Graph
>>> from chiprisk.graph.rdf.coded_triples import CodedTriples
>>> share_sum_groups(CodedTriples.from_graph(Graph())).empty
True
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from chiprisk.graph.rdf.coded_triples import LITERAL, CodedTriples
from chiprisk.ontology.namespaces import CR

GROUP = ["input", "buyer", "basis", "year", "level"]
"""The share-sum rule's GROUP BY, in the query's order."""


def _pairs(ct: CodedTriples, pred, name: str, focus: np.ndarray) -> pd.DataFrame:
    s, o = ct.objects_of(pred, focus)
    return pd.DataFrame({"s": s, name: o})


def _numbers(ct: CodedTriples, ids: np.ndarray) -> list | None:
    """The values of decimal/integer literals as rdflib sums them, None if one is anything else."""
    out = []
    for i in ids.tolist():
        t = ct.terms[i]
        if i < 0:
            out.append(None)
        elif (
            isinstance(t, Literal)
            and t.datatype in (XSD.decimal, XSD.integer)
            and type(t.value) in (Decimal, int)
        ):
            out.append(t.value)
        else:
            return None
    return out


def share_sum_groups(ct: CodedTriples) -> pd.DataFrame | None:
    """The groups the share-sum query returns, as term ids and exact sums.

    Columns ``input``, ``buyer`` (-1: none), ``basis``, ``year`` (ids),
    ``level`` ("firm" or "country"), ``total``, ``mins`` (Decimal or int) and
    ``opens``; None when the data needs the SPARQL text (see the module notes).
    """
    supply, typ = ct.id_of(CR.Supply), ct.id_of(RDF.type)
    cols = ["s", "input", "basis", "year", "sup"]
    if supply is None or typ is None:
        return pd.DataFrame(columns=GROUP + ["total", "mins", "opens"])
    ts, to = ct.objects(RDF.type)
    focus = np.unique(ts[to == supply])
    rows = pd.DataFrame({"s": focus})
    for pred, name in zip(
        (CR.input, CR.basis, CR.year, CR.supplier), cols[1:], strict=True
    ):  # the required triple patterns: inner joins
        rows = rows.merge(_pairs(ct, pred, name, focus), on="s")
    for pred, name in ((CR.buyer, "buyer"), (CR.share, "sh"), (CR.shareMin, "mn")):
        rows = rows.merge(_pairs(ct, pred, name, focus), on="s", how="left")  # OPTIONAL
        rows[name] = rows[name].fillna(-1).astype(np.int64)
    if (ct.kinds[rows["sup"].to_numpy()] == LITERAL).any():
        return None
    sh = _numbers(ct, rows["sh"].to_numpy())
    mn = _numbers(ct, rows["mn"].to_numpy())
    if sh is None or mn is None:
        return None
    countries = (
        np.unique(ts[to == ct.id_of(CR.Country)]) if ct.id_of(CR.Country) is not None else []
    )
    sup = rows["sup"].to_numpy()
    is_country = np.isin(sup, countries)
    is_other = sup == (ct.id_of(CR.Other) if ct.id_of(CR.Other) is not None else -2)
    has_sh = rows["sh"].to_numpy() >= 0
    rows["exact"] = [v if v is not None else 0 for v in sh]
    rows["minv"] = [
        0 if b else (v if v is not None else 0) for b, v in zip(has_sh, mn, strict=True)
    ]
    rows["open"] = (~has_sh).astype(np.int64)
    rows["listed"] = (~is_other).astype(np.int64)
    firm = rows[is_other | ~is_country].assign(level="firm")
    country = rows[is_other | is_country].assign(level="country")
    both = pd.concat([firm, country], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=GROUP + ["total", "mins", "opens"])
    g = both.groupby(GROUP, sort=False).agg(
        total=("exact", _exact_sum),
        mins=("minv", _exact_sum),
        opens=("open", "sum"),
        listed=("listed", "sum"),
    )
    return g[g["listed"] > 0].drop(columns="listed").reset_index()


def _exact_sum(values: pd.Series):
    total = 0
    for v in values:
        total = total + v
    return total


def requirement_cycle_nodes(data: Graph | CodedTriples) -> list:
    """Nodes that require themselves through ``cr:requires`` (``?s cr:requires+ ?s``).

    Strongly connected components (scipy, no recursion), so any depth is fine;
    an acyclic graph is recognised first without them.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> g = Graph()
    >>> for a, b in [("a", "b"), ("b", "a"), ("b", "c")]:
    ...     _ = g.add((URIRef("urn:" + a), CR.requires, URIRef("urn:" + b)))
    >>> sorted(str(n) for n in requirement_cycle_nodes(g))
    ['urn:a', 'urn:b']
    """
    ct = data if isinstance(data, CodedTriples) else None
    if ct is None:
        ct = CodedTriples.from_triples(data.triples((None, CR.requires, None)))
    s, o = ct.objects(CR.requires)
    if not len(s):
        return []
    nodes, codes = np.unique(np.concatenate([s, o]), return_inverse=True)
    rows, cols = codes[: len(s)], codes[len(s) :]
    if not _may_cycle(rows, cols, len(nodes)):
        return []
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(nodes)
    adj = csr_matrix((np.ones(len(s)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(adj, directed=True, connection="strong")
    on_cycle = np.bincount(labels)[labels] > 1
    on_cycle[rows[rows == cols]] = True
    return [ct.terms[i] for i in nodes[on_cycle]]


def _may_cycle(rows: np.ndarray, cols: np.ndarray, n: int) -> bool:
    """False when the edges ``rows -> cols`` form a DAG (Kahn's peeling leaves nothing).

    Spares the strongly-connected-components pass (and scipy's import) on the
    usual acyclic bill of materials.
    """
    order = np.argsort(rows, kind="stable")
    starts = np.searchsorted(rows[order], np.arange(n + 1)).tolist()
    targets = cols[order].tolist()
    indeg = np.bincount(cols, minlength=n).tolist()
    todo = [i for i in range(n) if indeg[i] == 0]
    done = 0
    while todo:
        i = todo.pop()
        done += 1
        for j in targets[starts[i] : starts[i + 1]]:
            indeg[j] -= 1
            if indeg[j] == 0:
                todo.append(j)
    return done < n
