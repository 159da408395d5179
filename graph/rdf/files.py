"""Read RDF files safely: no parser ever fetches a remote document.

- Turtle, N-Triples, N-Quads and TriG cannot reference remote documents.
- JSON-LD: rdflib would fetch a remote ``@context`` (or an ``@import``) over
  the network. The document is read as JSON first and refused, naming the
  reference, if any ``@context`` anywhere in it is a reference (a string)
  rather than an inline object, or if it uses ``@import``; only then is it
  handed to rdflib, which then has nothing to fetch.
- RDF/XML: read with an XML parser whose external general and parameter
  entities are switched off and whose entity resolver refuses everything; a
  document that declares an external entity or an external DTD is refused
  with a clear message before parsing.
- ``owl:imports`` is never followed: rdflib does not follow it, and nothing
  here does.
- Size: rdflib's N-Triples/N-Quads reader is quadratic in the length of a
  line (a 1 MiB literal took 15 s, 2 MiB 61 s). N-Triples is a subset of
  Turtle, so ``.nt`` files are read with the Turtle parser (a 100 MB literal:
  about 1 s, peak memory about 4.5x the file). N-Quads lines longer than
  :data:`MAX_NQUADS_LINE` are refused (convert such a file to TriG). There is
  no file-size limit: memory grows with the file.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
>>> _ = p.write_text("<urn:a> <urn:b> <urn:c> .")
>>> len(parse_rdf_file(p))
1
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from xml.sax import handler as sax_handler
from xml.sax import make_parser
from xml.sax.xmlreader import InputSource

from rdflib import Dataset, Graph

from chiprisk.graph.errors import UsageError

SAFE_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

MAX_NQUADS_LINE = 64 * 1024
"""Longest N-Quads line accepted, in bytes (rdflib reads a line in quadratic time)."""

_EXTERNAL_DECL = re.compile(
    rb"<!(?:DOCTYPE|ENTITY)\s+(?:%\s*)?[^\s>\[]+\s+(?:SYSTEM|PUBLIC)\b", re.IGNORECASE
)


def remote_references(doc: object) -> list[str]:
    """Every remote context reference in a JSON-LD document (JSON already parsed).

    A string ``@context`` (or a string inside a ``@context`` list) and any
    ``@import`` are references a JSON-LD processor would fetch.

    Examples
    --------
    >>> remote_references({"@context": ["http://x/ctx", {"a": "urn:a"}], "a": 1})
    ['http://x/ctx']
    >>> remote_references({"@context": {"a": "urn:a"}})
    []
    """
    found: list[str] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    items = value if isinstance(value, list) else [value]
                    found += [str(v) for v in items if isinstance(v, str)]
                elif key == "@import":
                    found.append(str(value))
                stack.append(value)
    return found


def _parse_jsonld(raw: bytes, path: Path, graph: Graph) -> None:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not valid JSON: {exc}") from None
    refs = remote_references(doc)
    if refs:
        raise UsageError(
            f"{path}: refers to a remote JSON-LD context ({refs[0]}); chiprisk never fetches "
            "remote documents: inline the context (chiprisk's is in ontology/context.jsonld)"
        )
    graph.parse(data=json.dumps(doc), format="json-ld", base=path.resolve().as_uri())


class _NoEntities(sax_handler.EntityResolver):
    def resolveEntity(self, publicId, systemId):  # noqa: N802 - SAX API name
        raise UsageError(f"refusing to read the external entity {systemId!r}")


def _parse_rdfxml(raw: bytes, path: Path, graph: Graph) -> None:
    from rdflib.plugins.parsers.rdfxml import ErrorHandler, RDFXMLHandler

    if _EXTERNAL_DECL.search(raw) or _EXTERNAL_DECL.search(raw.replace(b"\x00", b"")):
        raise UsageError(
            f"{path}: declares an external entity or DTD (SYSTEM/PUBLIC); chiprisk never "
            "reads external entities"
        )
    parser = make_parser()
    parser.setFeature(sax_handler.feature_namespaces, 1)
    parser.setFeature(sax_handler.feature_external_ges, 0)
    parser.setFeature(sax_handler.feature_external_pes, 0)
    parser.setEntityResolver(_NoEntities())
    source = InputSource(path.resolve().as_uri())
    source.setByteStream(io.BytesIO(raw))
    rdfxml = RDFXMLHandler(graph)
    rdfxml.setDocumentLocator(source)  # type: ignore[arg-type]
    parser.setContentHandler(rdfxml)
    parser.setErrorHandler(ErrorHandler())
    parser.parse(source)


def _check_line_lengths(path: Path) -> None:
    """Refuse an N-Quads file with a line over :data:`MAX_NQUADS_LINE` bytes."""
    with open(path, "rb") as f:
        for number, line in enumerate(iter(lambda: f.readline(MAX_NQUADS_LINE + 1), b""), 1):
            if len(line) > MAX_NQUADS_LINE and not line.endswith(b"\n"):
                raise UsageError(
                    f"{path}, line {number}: longer than {MAX_NQUADS_LINE} bytes; N-Quads "
                    "lines this long are refused (rdflib reads them in quadratic time): "
                    "convert the file to TriG"
                )


def parse_rdf_file(path: str | Path) -> Graph:
    """Parse an RDF file into one graph (named graphs are merged).

    The format comes from the suffix (:data:`SAFE_FORMATS`).

    Raises
    ------
    UsageError
        For an unsupported format, a syntax error (with the parser's message,
        which names the line), or a document that refers to a remote context
        or an external entity.

    Notes
    -----
    O(size of the file).
    """
    path = Path(path)
    fmt = SAFE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: unsupported RDF format {path.suffix!r} "
            f"(use one of {', '.join(sorted(SAFE_FORMATS))})"
        )
    try:
        if fmt == "nquads":
            _check_line_lengths(path)
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(path, format=fmt)
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
            return g
        g = Graph()
        if fmt == "json-ld":
            _parse_jsonld(path.read_bytes(), path, g)
        elif fmt == "xml":
            _parse_rdfxml(path.read_bytes(), path, g)
        else:
            # N-Triples is a subset of Turtle, whose parser is linear in a line's length.
            g.parse(path, format="turtle" if fmt == "nt" else fmt)
        return g
    except UsageError:
        raise
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except Exception as exc:
        raise UsageError(f"{path}: not valid {fmt}: {exc}") from None


def parse_rdf_dataset(path: str | Path) -> Dataset:
    """Parse a TriG or N-Quads file keeping its named graphs.

    Raises
    ------
    UsageError
        For another format or a syntax error.
    """
    path = Path(path)
    fmt = SAFE_FORMATS.get(path.suffix.lower())
    if fmt not in ("trig", "nquads"):
        raise UsageError(f"{path}: named graphs need a .trig or .nq file")
    ds = Dataset(default_union=False)
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:
        raise UsageError(f"{path}: not valid {fmt}: {exc}") from None
    return ds
