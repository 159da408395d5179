"""CLI: export formats, serve, push, import (CliRunner; real servers where needed)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from rdflib import Graph

FIXTURES = Path(__file__).parents[1] / "fixtures"
_spec = importlib.util.spec_from_file_location(
    "sparql_servers", Path(__file__).parents[1] / "graph" / "sparql_servers.py"
)
servers = importlib.util.module_from_spec(_spec)
sys.modules["sparql_servers"] = servers
_spec.loader.exec_module(servers)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "xml", "trig"])
def test_export_rdf_formats_to_stdout(invoke, tiny_dir, fmt):
    res = invoke("--data", str(tiny_dir), "export", "--format", fmt)
    assert res.exit_code == 0, res.output
    g = Graph().parse(data=res.stdout, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(g) > 20


def test_export_graphml_and_csv_to_files(invoke, tiny_dir, tmp_path):
    res = invoke(
        "--data", str(tiny_dir), "export", "--format", "graphml", "-o", str(tmp_path / "g.graphml")
    )
    assert res.exit_code == 0 and (tmp_path / "g.graphml").read_bytes().startswith(b"<?xml")
    res = invoke("--data", str(tiny_dir), "export", "--format", "csv", "-o", str(tmp_path / "t"))
    assert res.exit_code == 0 and (tmp_path / "t" / "seed" / "supplies.csv").is_file()


def test_export_usage_errors(invoke, tiny_dir):
    res = invoke("--data", str(tiny_dir), "export", "--format", "csv")
    assert res.exit_code == 2 and "-o DIR" in res.output
    res = invoke("--data", str(tiny_dir), "export", "--format", "graphml", "--include-derived")
    assert res.exit_code == 2
    res = invoke("--data", str(tiny_dir), "export", "--format", "yaml")
    assert res.exit_code == 2


def test_export_include_derived(invoke, tiny_dir):
    res = invoke("--data", str(tiny_dir), "export", "--format", "nt", "--include-derived")
    assert "ConcentrationScore" in res.stdout


def test_import_eto_then_use_the_directory(invoke, tmp_path):
    out = tmp_path / "eto"
    res = invoke("import", "eto", str(FIXTURES / "eto"), "-o", str(out), "--format", "json")
    assert res.exit_code == 0, res.output
    rows = {r["table"]: r["rows"] for r in json.loads(res.stdout)}
    assert rows["supplies"] == 25
    assert "Okmetic" in res.stderr
    res = invoke(
        "--data", str(out), "--no-cache", "concentration", "--input", "eto-n20", "--format", "json"
    )
    assert res.exit_code == 0, res.output
    assert {r["hhi"] for r in json.loads(res.stdout)} == {10000}


def test_import_eto_bad_override_and_missing_folder(invoke, tmp_path):
    res = invoke(
        "import", "eto", str(FIXTURES / "eto"), "-o", str(tmp_path / "x"), "--country", "P1"
    )
    assert res.exit_code == 2
    (tmp_path / "empty").mkdir()
    res = invoke("import", "eto", str(tmp_path / "empty"), "-o", str(tmp_path / "x"))
    assert res.exit_code == 2 and "provision.csv" in res.output


def test_import_csv(invoke, tiny_dir, tmp_path):
    res = invoke("import", "csv", str(tiny_dir), "-o", str(tmp_path / "c"), "--format", "csv")
    assert res.exit_code == 0 and res.stdout.startswith("table,rows")
    (tiny_dir / "seed" / "inputs.csv").write_text("id,name\nBad Id,x\n")
    res = invoke("import", "csv", str(tiny_dir), "-o", str(tmp_path / "d"))
    assert res.exit_code == 2 and "inputs.csv" in res.output


@pytest.mark.skipif(servers.oxigraph_binary() is None, reason="the oxigraph binary is missing")
def test_push_to_oxigraph(invoke, tiny_dir, tmp_path):
    with servers.oxigraph_server(tmp_path / "store") as base:
        res = invoke("--data", str(tiny_dir), "push", f"{base}/store", "--format", "json")
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)[0]["triples"] > 20
    with servers.refused_port() as port:
        res = invoke("--data", str(tiny_dir), "push", f"http://127.0.0.1:{port}/store")
    assert res.exit_code == 2 and "cannot reach" in res.output


def test_serve_refuses_a_busy_port(invoke, tiny_dir):
    pytest.importorskip("pyoxigraph")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = invoke("--data", str(tiny_dir), "serve", "--port", str(port))
    assert res.exit_code == 2 and "cannot listen" in res.output
