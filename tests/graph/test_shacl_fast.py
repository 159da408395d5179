"""The fast SHACL engine on shapes beyond the ontology's: its components and its fallbacks.

Each case validates a small graph with both engines (``shape_results``) and
asks for the same (shape, severity, focus, path, value) rows, and the same
message where the shape has a ``sh:message``; unsupported shapes must run
through pyshacl (``Plan.fallback``), never be skipped.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from chiprisk.graph.rdf.coded_triples import CodedTriples
from chiprisk.graph.rdf.shacl_plan import read_plan
from chiprisk.graph.rdf.validate import shape_results, shapes_graph, shapes_plan
from chiprisk.ontology.namespaces import CR

PREFIXES = """
@prefix ex: <urn:ex:> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
SHAPES = (
    PREFIXES
    + """
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:AgeShape, ex:PartShape, ex:RangeShape ;
    sh:xone ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ] ) ;
    sh:message "thing" .
ex:AgeShape a sh:PropertyShape ; sh:path ex:age ; sh:datatype xsd:integer ;
    sh:maxExclusive 150 ; sh:minExclusive -1 ; sh:severity sh:Warning .
ex:PartShape a sh:PropertyShape ; sh:path ex:part ;
    sh:node ex:PartNode ; sh:property ex:PartLabelShape ; sh:message "part" .
ex:PartNode a sh:NodeShape ; sh:class ex:Part, ex:Piece .
ex:PartLabelShape a sh:PropertyShape ; sh:path ex:label ; sh:minCount 1 ; sh:maxLength 5 ;
    sh:pattern "^[a-z]+$" ; sh:flags "i" .
ex:RangeShape a sh:PropertyShape ; sh:path ex:lo ; sh:lessThan ex:hi ; sh:lessThanOrEquals ex:hi2 .
ex:NotShape a sh:NodeShape ; sh:targetSubjectsOf ex:part ;
    sh:not [ sh:class ex:Forbidden ] ;
    sh:and ( [ sh:nodeKind sh:IRI ] [ sh:path ex:a ; sh:maxCount 2 ] ) .
ex:ObjShape a sh:NodeShape ; sh:targetObjectsOf ex:part ; sh:nodeKind sh:BlankNodeOrIRI ;
    sh:in ( ex:p1 ex:p2 ex:p3 "lit" ) .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:missing, ex:t1 ;
    sh:property [ sh:path ex:a ; sh:minCount 1 ; sh:minLength 2 ] .
ex:Off a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ; sh:class ex:Nothing .
ex:Implicit a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:a ; sh:datatype xsd:string ] .
ex:Sparql a sh:NodeShape ; sh:targetClass ex:Part ;
    sh:sparql [ sh:message "label too short" ; sh:select \"\"\"
        SELECT $this ?value WHERE { $this <urn:ex:label> ?value . FILTER (strlen(str(?value)) < 3) }
    \"\"\" ] .
"""
)
UNSUPPORTED = (
    PREFIXES
    + """
ex:Unsupported a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:a ; sh:equals ex:b ], ex:AgeShape .
ex:UnsupportedLang a sh:PropertyShape ; sh:targetClass ex:Part ; sh:path ex:label ;
    sh:languageIn ( "en" ) ; sh:message "english" .
ex:Optional a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
        $this <urn:ex:a> ?a OPTIONAL { $this <urn:ex:b> ?b } FILTER (!bound(?b)) }\"\"\" ] .
"""
)
DATA = (
    PREFIXES
    + """
ex:SubThing rdfs:subClassOf ex:Thing .
ex:t1 a ex:Thing ; ex:age 30, "x", 200 ; ex:a "v" ; ex:part ex:p1, ex:p2, ex:shared ;
    ex:lo 5 ; ex:hi 3, 10 ; ex:hi2 5, "s" .
ex:t2 a ex:SubThing ; ex:a "v", "w", "z" ; ex:b "q" ; ex:part ex:shared, [ a ex:Part ] ;
    ex:lo "a" ; ex:hi "b" .
ex:t3 a ex:Thing, ex:Forbidden ; ex:age -1 ; ex:part ex:p1 .
ex:p1 a ex:Part, ex:Piece ; ex:label "abc" .
ex:p2 a ex:Part ; ex:label "toolong", "OK", "b4d" .
ex:shared a ex:Piece ; ex:label "Xy"@en .
ex:i1 a ex:Implicit ; ex:a 5 .
"""
)
KEY = ["rule", "severity", "focus", "path", "value"]


def both(data: Graph, shapes: Graph) -> tuple[Counter, Counter]:
    fast, ref = shape_results(data, shapes), shape_results(data, shapes, engine="pyshacl")
    messaged = {str(s) for s in shapes.subjects(SH.message, None)}
    rows = []
    for df in (fast, ref):
        df = df.astype(object).where(df.notna(), None)
        rows.append(
            Counter(
                (*r[:5], r[5] if r[0] in messaged else None)
                for r in df[[*KEY, "message"]].itertuples(index=False)
            )
        )
    return rows[0], rows[1]


def test_components_match_pyshacl():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    fast, ref = both(Graph().parse(data=DATA, format="turtle"), shapes)
    assert fast == ref, {"only fast": fast - ref, "only pyshacl": ref - fast}
    assert not read_plan(shapes).fallback
    rules = {k[0].removeprefix("urn:ex:") for k in fast}
    # sh:node keeps the node shape's own results (pyshacl's sh:detail), once per pair
    assert {"ThingShape", "PartNode", "PartLabelShape", "RangeShape", "Sparql"} <= rules
    part = ("urn:ex:PartNode", "Violation", "urn:ex:shared", None, "urn:ex:shared", None)
    assert fast[part] == 2
    assert "Off" not in rules
    assert fast[("urn:ex:Sparql", "Violation", "urn:ex:p2", None, "OK", None)] == 1
    data = Graph().parse(data=DATA, format="turtle")
    for engine in ("fast", "pyshacl"):  # a sh:sparql result carries its constraint's message
        rows = shape_results(data, shapes, engine=engine)
        assert set(rows[rows["rule"] == "urn:ex:Sparql"]["message"]) == {"label too short"}


def test_unsupported_shapes_run_through_pyshacl():
    shapes = Graph().parse(data=SHAPES + UNSUPPORTED.replace(PREFIXES, ""), format="turtle")
    plan = read_plan(shapes)
    ex = "urn:ex:"
    assert set(plan.fallback) == {
        URIRef(ex + n) for n in ("Unsupported", "UnsupportedLang", "Optional")
    }
    assert "sh:equals is not supported" in " ".join(plan.reasons[URIRef(ex + "Unsupported")])
    assert "OPTIONAL" in " ".join(plan.reasons[URIRef(ex + "Optional")]).upper()
    assert URIRef(ex + "ThingShape") in {s.node for s in plan.top}
    # pyshacl's use_shapes drops IRI sub-shapes it is not given: the plan lists them too
    assert set(plan.fallback_shapes) == set(plan.fallback) | {URIRef(ex + "AgeShape")}
    fast, ref = both(Graph().parse(data=DATA, format="turtle"), shapes)
    assert fast == ref
    age = ("urn:ex:AgeShape", "Warning", "urn:ex:t1", "urn:ex:age", "200", None)
    assert fast[age] == 2  # once through ThingShape (engine), once through Unsupported (pyshacl)
    found = {(k[0].removeprefix("urn:ex:"), k[3]) for k in fast}
    # ex:Unsupported's result comes from its blank property shape (rule "shape")
    assert {("UnsupportedLang", "urn:ex:label"), ("Optional", None), ("shape", "urn:ex:a")} <= found


def test_an_unsupported_blank_top_shape_sends_everything_to_pyshacl():
    shapes = Graph().parse(
        data=SHAPES + "[] sh:targetClass ex:Thing ; sh:closed true .", format="turtle"
    )
    plan = read_plan(shapes)
    assert plan.fallback_all and not plan.top
    fast, ref = both(Graph().parse(data=DATA, format="turtle"), shapes)
    assert fast == ref


def test_the_ontology_shapes_need_no_pyshacl():
    plan = shapes_plan()
    assert not plan.fallback and not plan.reasons
    targeted = {s.node for s in read_plan(shapes_graph()).shapes.values() if s.targets}
    assert {s.node for s in plan.top} == targeted
    sparql = plan.shapes[CR.CapacityRecordUnitMatchShape]
    (check,) = dict(sparql.constraints)[SH.sparql]
    assert set(check.predicates) == {CR.capacityUnit, CR.input}


@pytest.mark.parametrize(
    "select, reason",
    [
        ("SELECT $this WHERE { $this ?p ?o }", "variable"),
        (
            "SELECT $this WHERE { $this <urn:ex:a> ?o FILTER NOT EXISTS { ?o a <urn:ex:X> } }",
            "EXISTS",
        ),
        ("SELECT ?x WHERE { ?x <urn:ex:a> ?o }", "$this"),
        ("SELECT $this WHERE { $this <urn:ex:a> ?o } GROUP BY $this", "Extend"),
        ("SELECT $this ?path WHERE { $this <urn:ex:a> ?path }", "?path"),
    ],
)
def test_sparql_constraints_the_engine_leaves_to_pyshacl(select, reason):
    shapes = Graph().parse(
        data=PREFIXES + f'ex:S sh:targetClass ex:Thing ; sh:sparql [ sh:select "{select}" ] .',
        format="turtle",
    )
    plan = read_plan(shapes)
    assert plan.fallback == [URIRef("urn:ex:S")]
    assert reason.lower() in " ".join(plan.reasons[URIRef("urn:ex:S")]).lower()


def test_coded_triples_instances_follow_subclasses():
    ct = CodedTriples.from_graph(Graph().parse(data=DATA, format="turtle"))
    names = {str(ct.terms[i]) for i in ct.instances(URIRef("urn:ex:Thing"))}
    assert names == {"urn:ex:t1", "urn:ex:t2", "urn:ex:t3"}
    assert not len(ct.instances(URIRef("urn:ex:Nothing")))
