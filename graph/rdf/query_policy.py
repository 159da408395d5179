"""Decide which SPARQL queries the read-only endpoint accepts (no update, no SERVICE).

The query text is tokenised (strings, IRIs, comments, variables and prefixed
names skipped) so that a keyword hidden in a literal or IRI is not mistaken
for one; codepoint escapes (``\\uXXXX``), which SPARQL expands before parsing
and so could hide a keyword, are refused outright. Used by
:mod:`chiprisk.graph.rdf.serve`.

Examples
--------
>>> check_query("ASK { ?s ?p ?o }")
'ASK'
"""

from __future__ import annotations

import re

from chiprisk.graph.errors import ChipriskError

__all__ = ["QueryRefused", "check_query", "keywords"]


class QueryRefused(ChipriskError):
    """A query the endpoint will not run (update, SERVICE, unsupported form)."""


_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def keywords(text: str) -> list[str]:
    """The bare words of a query in order, upper-cased: strings, IRIs, comments,
    variables, prefixed names, blank node labels and language tags skipped.

    Examples
    --------
    >>> keywords('SELECT ?service { ?s <urn:SERVICE> "service" . ex:service ?p ?o } # SERVICE')
    ['SELECT']
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            quote3 = text[i : i + 3]
            if quote3 in ('"""', "'''"):
                j = i + 3
                while j < n and text[j : j + 3] != quote3:
                    j += 2 if text[j] == "\\" else 1
                i = j + 3
            else:
                j = i + 1
                while j < n and text[j] != c and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
        elif c == "<":
            m = _IRI.match(text, i)
            i = m.end() if m else i + 1
        elif c in "?$@":
            m = _WORD.match(text, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            end = m.end() if m else i + 1
            # A prefixed name (ex:x) or blank node label (_:x) is not a keyword.
            while end < n and (text[end].isalnum() or text[end] in "_-.:%"):
                end += 1
            word = text[i:end]
            if ":" not in word:
                out.append(word.upper())
            i = end
        elif c == ":":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-.:%"):
                j += 1
            i = j
        else:
            i += 1
    return out


def check_query(text: str) -> str:
    """Check a query for the endpoint and return its form (SELECT, ASK, ...).

    Raises
    ------
    QueryRefused
        For an update, a SERVICE call, codepoint escapes, or no query form.
    """
    if "\\u" in text or "\\U" in text:
        raise QueryRefused(
            "codepoint escapes (\\uXXXX) are not accepted by this endpoint; "
            "write the characters themselves"
        )
    words = keywords(text)
    if "SERVICE" in words:
        raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint")
    form = next((w for w in words if w in _FORMS), None)
    update = next((w for w in words if w in _UPDATE_WORDS), None)
    if update is not None:
        raise QueryRefused(f"the endpoint is read-only: {update} (SPARQL Update) is refused")
    if form is None:
        raise QueryRefused("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form
