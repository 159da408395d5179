"""The wings of chiprisk.graph import downwards only, and nothing imports in a circle.

Every module of the package is parsed (``ast``, so nothing runs) and each
``import`` / ``from ... import`` naming a ``chiprisk`` module is an edge, lazy
imports inside functions and ``TYPE_CHECKING`` blocks included. The rules are
the table in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).parents[1]
GRAPH = ROOT / "graph"

# wing -> the wings (and shared modules) it may import, besides itself.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "io": {"errors", "ontology", "data"},
    "model": {"errors", "ontology", "data", "io"},
    "rdf": {"errors", "ontology", "data", "io", "model"},
    "algorithms": {"errors", "ontology", "data", "io", "model"},
    "report": {"errors", "ontology", "data", "io", "model", "rdf", "algorithms"},
    "facade": {"errors", "ontology", "data", "io", "model", "rdf", "algorithms", "report"},
}


def wing_of(module: str) -> str:
    """The wing a dotted ``chiprisk`` module belongs to."""
    parts = module.split(".")
    if parts[1] in {"ontology", "data"}:
        return parts[1]
    if len(parts) == 2:  # chiprisk.graph itself
        return "facade"
    if parts[2] in ALLOWED and parts[2] != "facade":
        return parts[2]
    return "facade"  # knowledge_graph, _moved: the top of the house


def module_name(path: Path) -> str:
    rel = path.relative_to(GRAPH).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(["chiprisk", "graph", *parts])


def chiprisk_imports(path: Path) -> set[str]:
    """Every chiprisk module a file imports (absolute, or relative resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            # ``from chiprisk.graph import loader``: the names may be modules
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m.startswith("chiprisk.") and m.count(".") >= 1}


def package_imports() -> dict[str, set[str]]:
    """Module -> the chiprisk modules it imports, for every module of chiprisk.graph."""
    modules = {module_name(p): p for p in GRAPH.rglob("*.py")}
    known = set(modules)
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for m in chiprisk_imports(path):
            if m.startswith("chiprisk.graph"):
                # keep the longest prefix that is a module of the package
                while m not in known and m.count(".") > 1:
                    m = m.rpartition(".")[0]
                if m in known and m != name:
                    targets.add(m)
            else:
                targets.add(m)
        edges[name] = targets
    return edges


def forbidden_edges(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The (importer, imported) pairs that run against the wings' order."""
    bad = []
    for src, targets in edges.items():
        w = wing_of(src)
        for dst in targets:
            d = wing_of(dst)
            if d != w and d not in ALLOWED[w]:
                bad.append((src, dst))
    return sorted(bad)


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    g = nx.DiGraph()
    for src, targets in edges.items():
        g.add_edges_from((src, t) for t in targets if t.startswith("chiprisk.graph"))
    # the package itself re-exports lazily; edges into it are not cycles of modules
    g.remove_nodes_from(["chiprisk.graph"])
    return [c for c in nx.simple_cycles(g)]


def test_no_import_runs_against_the_wings():
    assert forbidden_edges(package_imports()) == []


def test_no_import_circle():
    assert import_cycles(package_imports()) == []


def test_every_wing_has_a_docstring_saying_what_it_may_import():
    for wing in ("io", "model", "rdf", "algorithms", "report"):
        doc = ast.get_docstring(ast.parse((GRAPH / wing / "__init__.py").read_text()))
        assert doc and "import" in doc, wing


def test_the_check_catches_an_upward_edge():
    """A synthetic module set: io importing model, model importing algorithms."""
    edges = {
        "chiprisk.graph.io.loader": {"chiprisk.graph.errors", "chiprisk.graph.model.lenses"},
        "chiprisk.graph.model.lenses": {"chiprisk.graph.io.loader"},
        "chiprisk.graph.model.propagation": {"chiprisk.graph.algorithms.indices"},
        "chiprisk.graph.algorithms.indices": {"chiprisk.graph.io.contract"},
        "chiprisk.graph.report.plot": {"chiprisk.graph.knowledge_graph"},
        "chiprisk.graph.rdf.export": {"chiprisk.graph.algorithms.concentration"},
        "chiprisk.graph.knowledge_graph": {"chiprisk.graph.report.plot"},
    }
    assert forbidden_edges(edges) == [
        ("chiprisk.graph.io.loader", "chiprisk.graph.model.lenses"),
        ("chiprisk.graph.model.propagation", "chiprisk.graph.algorithms.indices"),
        ("chiprisk.graph.rdf.export", "chiprisk.graph.algorithms.concentration"),
        ("chiprisk.graph.report.plot", "chiprisk.graph.knowledge_graph"),
    ]
    assert sorted(map(sorted, import_cycles(edges))) == [
        ["chiprisk.graph.io.loader", "chiprisk.graph.model.lenses"],
        ["chiprisk.graph.knowledge_graph", "chiprisk.graph.report.plot"],
    ]


def test_no_module_over_500_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in GRAPH.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


def test_every_module_names_its_job_in_its_first_line():
    for p in GRAPH.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
        assert doc and doc.splitlines()[0].strip(), p


def test_architecture_doc_lists_every_module():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for p in GRAPH.rglob("*.py"):
        wing = p.parent.relative_to(GRAPH).as_posix()
        heading = f"### `graph/{wing + '/' if wing != '.' else ''}`"
        section = doc.split(heading, 1)[1].split("\n### ", 1)[0] if heading in doc else ""
        if f"| `{p.name}` |" not in section:
            missing.append(str(p.relative_to(ROOT)))
    assert sorted(missing) == []
