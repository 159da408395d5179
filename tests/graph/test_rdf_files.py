"""Hostile RDF files: no parser fetches a remote document or reads a local file."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from chiprisk.graph.errors import UsageError
from chiprisk.graph.rdf.files import parse_rdf_file, remote_references

_spec = importlib.util.spec_from_file_location(
    "sparql_servers", Path(__file__).with_name("sparql_servers.py")
)
servers = importlib.util.module_from_spec(_spec)
sys.modules["sparql_servers"] = servers
_spec.loader.exec_module(servers)


@pytest.fixture
def recorder():
    with servers.RecordingServer() as rec:
        yield rec


@pytest.mark.parametrize(
    "doc",
    [
        lambda u: {"@context": u, "@id": "urn:a", "x": "1"},
        lambda u: {"@context": [u, {"y": "urn:y"}], "@id": "urn:a", "y": "1"},
        lambda u: {"@context": {"@import": u}, "@id": "urn:a"},
        lambda u: {"@graph": [{"@context": u, "@id": "urn:a", "x": "1"}]},
        lambda u: {"@context": {"t": {"@id": "urn:t", "@context": u}}, "@id": "urn:a"},
    ],
)
def test_jsonld_remote_contexts_are_refused_and_never_fetched(tmp_path, recorder, doc):
    p = tmp_path / "hostile.jsonld"
    p.write_text(json.dumps(doc(recorder.url)))
    with pytest.raises(UsageError, match="remote JSON-LD context"):
        parse_rdf_file(p)
    assert recorder.requests == []


def test_jsonld_with_an_inline_context_parses(tmp_path):
    p = tmp_path / "ok.jsonld"
    p.write_text(json.dumps({"@context": {"cr": "urn:cr#"}, "@id": "urn:a", "cr:x": "1"}))
    assert len(parse_rdf_file(p)) == 1
    assert remote_references({"@context": {"cr": "urn:cr#"}}) == []


def test_rdfxml_external_entity_is_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    p = tmp_path / "xxe.rdf"
    p.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{secret.as_uri()}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
  <rdf:Description rdf:about="urn:a"><ex:p>&xxe;</ex:p></rdf:Description>
</rdf:RDF>"""
    )
    with pytest.raises(UsageError) as err:
        parse_rdf_file(p)
    assert "TOP-SECRET" not in str(err.value)


def test_rdfxml_external_dtd_is_never_fetched(tmp_path, recorder):
    p = tmp_path / "dtd.rdf"
    p.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{recorder.url}evil.dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
  <rdf:Description rdf:about="urn:a"><ex:p>x</ex:p></rdf:Description>
</rdf:RDF>"""
    )
    with pytest.raises(UsageError, match="external"):
        parse_rdf_file(p)
    assert recorder.requests == []


def test_rdfxml_internal_entities_still_work(tmp_path):
    p = tmp_path / "ok.rdf"
    p.write_text(
        """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "urn:ex#"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
  <rdf:Description rdf:about="&ex;a"><ex:p>x</ex:p></rdf:Description>
</rdf:RDF>"""
    )
    g = parse_rdf_file(p)
    assert {str(s) for s in g.subjects()} == {"urn:ex#a"}


def test_owl_imports_is_not_followed(tmp_path, recorder):
    p = tmp_path / "imports.ttl"
    p.write_text(
        f"<urn:o> a <http://www.w3.org/2002/07/owl#Ontology> ; "
        f"<http://www.w3.org/2002/07/owl#imports> <{recorder.url}onto.ttl> ."
    )
    assert len(parse_rdf_file(p)) == 2
    assert recorder.requests == []
