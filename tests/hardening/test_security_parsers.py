"""Issue 20, parsers: YAML aliases (5), RDF/XML nested entities (6), RDF limits.

Each attack runs in a subprocess with a hard timeout and an address-space
limit, so a regression fails the test instead of hanging the machine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from chiprisk.graph.errors import UsageError
from chiprisk.graph.rdf.files import MAX_RDF_DEPTH, parse_rdf_file

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"

LAUGHS = (
    "a: &a [x,x,x,x,x,x,x,x,x]\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "id: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
)


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
    code = limit + "from chiprisk.cli.main import main; import sys; sys.argv[0]='chiprisk'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout
    )


def test_billion_laughs_scenario_is_refused_at_once(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir(exist_ok=True)
    (data / "scenarios" / "laughs.yaml").write_text(LAUGHS)
    t0 = time.monotonic()
    res = _cli("--data", str(data), "--no-cache", "validate")
    assert time.monotonic() - t0 < 30  # was: past 120 s at 2.5 GB
    assert res.returncode == 2, res.stderr[-500:]
    assert "aliases (*name) are not allowed" in res.stderr
    assert len(res.stderr) < 5000


def test_a_scenario_file_with_aliases_prints_a_short_error(tmp_path):
    """Was: a 7-level file made ``simulate`` print a 35 MB error."""
    f = tmp_path / "laughs.yaml"
    f.write_text(LAUGHS)
    res = _cli("--data", str(TINY), "simulate", str(f))
    assert res.returncode == 2, res.stderr[-500:]
    assert "aliases" in res.stderr
    assert len(res.stderr) + len(res.stdout) < 5000


def test_yaml_limits_are_named_errors():
    from chiprisk.graph.io.loader_scenarios import MAX_DEPTH, parse_scenario

    for text, expect in (
        ("id: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "nested more than"),
        ("id: x\nname: " + "y" * (2 << 20), "over"),
        ("a: &x 1\nb: *x\n", "aliases"),
    ):
        errors: list = []
        assert parse_scenario(text, "s.yaml", errors) is None
        assert expect in str(errors[0]), errors
    errors = []
    parse_scenario("id: " + repr("A" * 10_000), "s.yaml", errors)
    assert all(len(str(e)) < 400 for e in errors)  # values are cut in messages


def _nested_entities(levels: int, fan: int = 10) -> str:
    ents = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * fan}">' for i in range(1, levels + 1)
    )
    return textwrap.dedent(f"""\
        <?xml version="1.0"?>
        <!DOCTYPE rdf:RDF [{ents}]>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
          <rdf:Description rdf:about="urn:a"><ex:p>&a{levels};</ex:p></rdf:Description>
        </rdf:RDF>
        """)


def test_rdfxml_nested_internal_entities_are_refused_at_once(tmp_path):
    p = tmp_path / "lol.rdf"
    p.write_text(_nested_entities(6))
    assert p.stat().st_size < 1100  # the 1 KB file
    t0 = time.monotonic()
    res = _cli("--no-cache", "validate", "--rdf", str(p))
    assert time.monotonic() - t0 < 30
    assert res.returncode == 2, res.stderr[-500:]
    assert "refers to another entity" in res.stderr


def test_rdfxml_plain_entities_still_work(tmp_path):
    p = tmp_path / "owl.rdf"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "urn:ex#">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">'
        '<rdf:Description rdf:about="&ex;a"><ex:p>1</ex:p></rdf:Description></rdf:RDF>'
    )
    assert len(parse_rdf_file(p)) == 1


def test_rdfxml_text_split_into_too_many_pieces_is_refused(tmp_path):
    p = tmp_path / "pieces.rdf"
    refs = "&e;" * 20_000
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">'
        f'<rdf:Description rdf:about="urn:a"><ex:p>{refs}</ex:p></rdf:Description></rdf:RDF>'
    )
    with pytest.raises(UsageError, match="pieces"):
        parse_rdf_file(p)


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nt", ".jsonld", ".rdf"])
def test_deep_rdf_is_refused_before_rdflib(tmp_path, suffix):
    n = MAX_RDF_DEPTH + 50
    p = tmp_path / f"deep{suffix}"
    if suffix == ".jsonld":
        p.write_text('{"@id": "urn:a", "urn:p": ' + "[" * n + "1" + "]" * n + "}")
    elif suffix == ".rdf":
        p.write_text(
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            + "<x>" * n
            + "</x>" * n
            + "</rdf:RDF>"
        )
    else:
        body = "<urn:a> <urn:p> " + "[ <urn:p> " * n + "<urn:o>" + " ]" * n + " ."
        p.write_text("{ " + body + " }" if suffix == ".trig" else body)
    with pytest.raises(UsageError, match="nested over|levels deep"):
        parse_rdf_file(p)


def test_depth_scan_skips_strings_and_iris(tmp_path):
    p = tmp_path / "brackets.ttl"
    p.write_text(
        '<urn:a> <urn:p> "'
        + "[" * 500
        + '" .\n# '
        + "(" * 500
        + "\n<urn:a> <urn:q> [ <urn:r> 1 ] ."
    )
    assert len(parse_rdf_file(p)) == 3


def test_rdf_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    import chiprisk.graph.rdf.files as files

    p = tmp_path / "x.ttl"
    p.write_text("<urn:a> <urn:b> <urn:c> .")
    monkeypatch.setattr(files, "MAX_RDF_BYTES", 10)
    with pytest.raises(UsageError, match="over the 10-byte limit"):
        files.parse_rdf_file(p)
