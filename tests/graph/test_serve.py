"""The read-only endpoint, started for real on loopback (no mocks)."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pandas as pd
import pytest
import sparql_servers as servers  # tests/graph, on pytest's pythonpath

from chiprisk.graph.knowledge_graph import load
from chiprisk.graph.rdf.push import remote_query
from chiprisk.graph.rdf.query import named_bindings, run_query
from chiprisk.graph.rdf.serve import QueryRefused, check_query, make_server
from chiprisk.ontology import resources

pytest.importorskip("pyoxigraph", reason="chiprisk serve needs pyoxigraph")


@pytest.fixture(scope="module")
def kg():
    return load()


@pytest.fixture(scope="module")
def endpoint(kg):
    with servers.chiprisk_endpoint(kg.rdf, timeout=3) as srv:
        yield srv


def _get(url: str, query: str, accept: str = "application/sparql-results+json"):
    req = urllib.request.Request(f"{url}?query={quote(query)}", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read()


def _canon(df):
    def norm(v):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        return round(v, 6) if isinstance(v, float) else v

    return sorted((tuple(norm(v) for v in r) for r in df.itertuples(index=False)), key=repr)


def test_endpoint_listens_on_loopback_only_by_default(endpoint):
    assert endpoint.server_address[0] == "127.0.0.1"


def test_every_named_query_answers_as_rdflib_does(kg, endpoint):
    for name in resources.query_names():
        text, bindings = named_bindings(name, {})
        local = run_query(kg.rdf, text, bindings)
        remote = remote_query(endpoint.url, text, bindings)
        assert _canon(remote) == _canon(local), name


def test_result_formats(endpoint):
    q = "SELECT ?f WHERE { ?f a cr:Fab } ORDER BY ?f LIMIT 2"
    status, ctype, body = _get(endpoint.url, q, "text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert body.decode().splitlines()[0] == "f"
    status, ctype, body = _get(endpoint.url, q, "application/sparql-results+xml")
    assert status == 200 and b"<sparql" in body and b"<uri>https://w3id.org" in body
    status, ctype, body = _get(endpoint.url, q, "text/tab-separated-values")
    assert body.decode().splitlines()[0] == "?f" and body.decode().count("<https://") == 2
    status, ctype, body = _get(endpoint.url, "CONSTRUCT WHERE { crid:tsmc ?p ?o }")
    assert status == 200 and ctype == "application/n-triples" and b"crid" not in body
    assert b"<https://w3id.org/chiprisk/id/tsmc>" in body
    status, _, body = _get(endpoint.url, "ASK { crid:tsmc ?p ?o }")
    assert status == 200 and b'"boolean": true' in body


def test_post_forms_of_the_protocol(endpoint):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a cr:Fab }"
    for data, ctype in (
        (q.encode(), "application/sparql-query"),
        (urlencode({"query": q}).encode(), "application/x-www-form-urlencoded"),
    ):
        req = urllib.request.Request(endpoint.url, data=data, headers={"Content-Type": ctype})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200 and b'"n"' in r.read()


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/x>",
        "DROP ALL",
    ],
)
def test_updates_are_refused(endpoint, query, kg):
    status, _, body = _get(endpoint.url, query)
    assert status == 400 and b"read-only" in body
    req = urllib.request.Request(
        endpoint.url,
        data=urlencode({"update": query}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 400
    status, _, body = _get(endpoint.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert str(len(kg.rdf)).encode() in body


def test_service_is_refused_and_nothing_is_fetched(endpoint):
    with servers.RecordingServer() as rec:
        for q in (
            f"SELECT * WHERE {{ SERVICE <{rec.url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o . service silent <{rec.url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{rec.url}> {{ ?s ?p ?o }} }}",
        ):
            status, _, body = _get(endpoint.url, q)
            assert status == 400, q
        assert rec.requests == []


def test_timeout_stops_the_query_and_the_endpoint_recovers(endpoint):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, body = _get(endpoint.url, slow)
    assert status == 503 and b"timed out" in body
    status, _, body = _get(endpoint.url, "ASK { crid:tsmc ?p ?o }")
    assert status == 200


def test_result_cap(endpoint):
    status, _, body = _get(endpoint.url, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 400 and b"more than 500" in body
    status, _, _ = _get(endpoint.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 500")
    assert status == 200


def test_bad_requests(endpoint):
    assert _get(endpoint.url, "SELECT WHERE nonsense {")[0] == 400
    base = endpoint.url.rsplit("/", 1)[0]
    assert _get(base + "/nope", "ASK {}")[0] == 404
    big = "ASK { }" + " " * 70_000
    req = urllib.request.Request(
        endpoint.url, data=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 413


def test_policy_reads_the_parsed_query_not_its_words():
    assert check_query('SELECT ?service { ?s <urn:SERVICE> "SERVICE" } # SERVICE') == "SELECT"
    assert check_query('SELECT * { ?s rdfs:label "service" . ?s ex:insert ?o }') == "SELECT"
    with pytest.raises(QueryRefused):
        check_query("SELECT * { SERVICE <urn:x> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused):
        check_query("SELECT * { ?s ?p '''x''' . } ; INSERT DATA {}")
    with pytest.raises(QueryRefused):
        check_query("nothing here")


def test_a_busy_port_is_a_clear_error(kg, endpoint):
    from chiprisk.graph.errors import UsageError

    with pytest.raises(UsageError, match="cannot listen"):
        make_server(kg.rdf, port=endpoint.server_address[1])
