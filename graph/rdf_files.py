"""Read RDF files safely: formats that never fetch anything remote.

Turtle, N-Triples, N-Quads and TriG cannot reference remote documents, so
they are the formats read here; JSON-LD (remote ``@context``) and RDF/XML
(external entities) are refused until they can be read with fetching
disabled. ``owl:imports`` is never followed: rdflib does not follow it.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
>>> _ = p.write_text("<urn:a> <urn:b> <urn:c> .")
>>> len(parse_rdf_file(p))
1
"""

from __future__ import annotations

from pathlib import Path

from chiprisk.graph.errors import UsageError
from rdflib import Dataset, Graph

SAFE_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
}


def parse_rdf_file(path: str | Path) -> Graph:
    """Parse an RDF file into one graph (named graphs are merged).

    Raises
    ------
    UsageError
        For an unsupported format or a syntax error (with the parser's message,
        which names the line).
    """
    path = Path(path)
    fmt = SAFE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: unsupported RDF format {path.suffix!r} "
            f"(use one of {', '.join(sorted(SAFE_FORMATS))})"
        )
    try:
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(path, format=fmt)
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
            return g
        g = Graph()
        g.parse(path, format=fmt)
        return g
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{path}: not valid {fmt}: {exc}") from None
