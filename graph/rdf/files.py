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
  :data:`MAX_NQUADS_LINE` are refused (convert such a file to TriG).
- Limits checked *before* rdflib sees a byte: files over
  :data:`MAX_RDF_BYTES` are refused; nesting (``[``, ``(``, ``{`` in the
  Turtle family, objects and arrays in JSON-LD, elements in RDF/XML) deeper
  than :data:`MAX_RDF_DEPTH` is refused (rdflib's parsers recurse per level);
  in RDF/XML an internal entity whose value refers to another entity, or is
  over :data:`MAX_ENTITY_VALUE` characters, is refused (nested entities made
  a 1 KB file hang rdflib, which joins the expanded text in quadratic time),
  and so is an element whose text arrives in more than
  :data:`MAX_TEXT_PIECES` pieces.

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

MAX_RDF_BYTES = 1 << 30
"""Largest RDF file read (1 GiB): rdflib holds about 4.5x the file in memory."""

MAX_RDF_DEPTH = 100
"""Deepest nesting accepted in an RDF file (rdflib's parsers recurse per level)."""

MAX_ENTITY_VALUE = 4096
"""Longest value of an internal XML entity (``<!ENTITY owl "http://...">``)."""

MAX_TEXT_PIECES = 10_000
"""Most pieces (entity expansions, lines) the text of one XML element may come in."""


_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\n]|\\.)*"'
    rb"|'(?:[^'\\\n]|\\.)*'"
    rb'|<[^<>"{}|^`\\\x00-\x20]*>'
    rb"|#[^\n]*"
    rb"|[\[\(\{\]\)\}]",
    re.S,
)


def turtle_depth(raw) -> int:
    """The deepest nesting of ``[`` ``(`` ``{`` in a Turtle-family document.

    Strings, IRIs and comments are skipped; one regex pass, no recursion.
    ``raw`` is bytes or an mmap.

    Examples
    --------
    >>> turtle_depth(b'<urn:a> <urn:p> [ <urn:q> ( "[[(" ) ] . # [[[')
    2
    """
    depth = deepest = 0
    for m in _TURTLE_TOKENS.finditer(raw):
        tok = m.group()
        if len(tok) != 1:
            continue
        if tok in b"[({":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def json_depth(doc: object) -> int:
    """The deepest nesting of objects and arrays in parsed JSON (iterative).

    Examples
    --------
    >>> json_depth({"a": [1, {"b": []}]})
    4
    """
    deepest = 0
    stack = [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def _check_xml(raw: bytes, path: Path) -> None:
    """Refuse nested or huge internal entities, deep elements and over-split text."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    state = {"depth": 0, "pieces": 0}

    def entity(name, is_param, value, base, system_id, public_id, notation):
        if value is not None and ("&" in value or "%" in value):
            raise UsageError(
                f"{path}: the XML entity {name!r} refers to another entity; chiprisk "
                "refuses nested entities (they expand exponentially)"
            )
        if value is not None and len(value) > MAX_ENTITY_VALUE:
            raise UsageError(
                f"{path}: the XML entity {name!r} is over {MAX_ENTITY_VALUE} characters"
            )

    def start(name, attrs):
        state["depth"] += 1
        state["pieces"] = 0
        if state["depth"] > MAX_RDF_DEPTH:
            raise UsageError(f"{path}: elements nested over {MAX_RDF_DEPTH} levels deep")

    def end(name):
        state["depth"] -= 1
        state["pieces"] = 0

    def text(data):
        state["pieces"] += 1
        if state["pieces"] > MAX_TEXT_PIECES:
            raise UsageError(
                f"{path}: an element's text comes in over {MAX_TEXT_PIECES} pieces "
                "(entity references or lines); rdflib would join them in quadratic time"
            )

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise UsageError(f"{path}: not valid xml: {exc}") from None


def _check_limits(path: Path, fmt: str) -> None:
    """Check a file's size, and a Turtle-family file's nesting, before any parser runs."""
    import mmap

    size = path.stat().st_size
    if size > MAX_RDF_BYTES:
        raise UsageError(f"{path}: {size} bytes, over the {MAX_RDF_BYTES}-byte limit")
    if size == 0 or fmt not in ("turtle", "trig", "nt", "nquads"):
        return
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        opened = _count(raw, b"[") + _count(raw, b"(") + _count(raw, b"{")
        if opened > MAX_RDF_DEPTH and turtle_depth(raw) > MAX_RDF_DEPTH:
            raise UsageError(f"{path}: nested over {MAX_RDF_DEPTH} levels deep")


def _count(raw, byte: bytes, limit: int = MAX_RDF_DEPTH + 1) -> int:
    """How often ``byte`` occurs in ``raw``, counting no further than ``limit``."""
    n, i = 0, raw.find(byte)
    while i >= 0 and n < limit:
        n += 1
        i = raw.find(byte, i + 1)
    return n


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
    except RecursionError:
        raise UsageError(f"{path}: nested over {MAX_RDF_DEPTH} levels deep") from None
    if json_depth(doc) > MAX_RDF_DEPTH:
        raise UsageError(f"{path}: nested over {MAX_RDF_DEPTH} levels deep")
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
    _check_xml(raw, path)
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
        _check_limits(path, fmt)
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
        if fmt == "nquads":
            _check_line_lengths(path)
        _check_limits(path, fmt)
        ds.parse(path, format=fmt)
    except UsageError:
        raise
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except Exception as exc:
        raise UsageError(f"{path}: not valid {fmt}: {exc}") from None
    return ds
