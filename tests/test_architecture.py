"""Layout rules: import paths match folders, dependencies point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = {"graph", "ontology", "cli", "data"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _py_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_only_cli_imports_click():
    for folder in PACKAGES - {"cli"}:
        for f in _py_files(folder):
            assert not any(m == "click" or m.startswith("click.") for m in _imports(f)), f


def test_ontology_and_data_import_only_namespaces():
    for folder in ("ontology", "data"):
        for f in _py_files(folder):
            own = {m for m in _imports(f) if m.startswith("chiprisk")}
            allowed = {"chiprisk.ontology.namespaces", "chiprisk.ontology"}
            if folder == "ontology":
                allowed |= {"chiprisk.ontology.resources"}
            assert own <= allowed, (f, own)


def test_graph_never_imports_cli():
    for f in _py_files("graph"):
        assert not any(m.startswith("chiprisk.cli") for m in _imports(f)), f


def test_no_top_level_package_names_leak():
    code = (
        "import sys, chiprisk.graph as cg, chiprisk.cli.main; kg = cg.load(); kg.rdf; "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'graph','cli','ontology','data'}]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_root_init_and_explicit_packages():
    assert not (ROOT / "__init__.py").exists()
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    for folder in PACKAGES:
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).parts
            assert "chiprisk." + ".".join(rel) in listed, init


def test_graph_init_only_reexports():
    import chiprisk.graph as cg

    for name in cg.__all__:
        assert getattr(cg, name) is not None


def test_version_single_source():
    from importlib.metadata import version

    from rdflib import Graph
    from rdflib.namespace import OWL

    from chiprisk.ontology import resources
    from chiprisk.ontology.namespaces import ONTOLOGY_IRI

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version("chiprisk") == project
    g = Graph().parse(data=resources.ontology_text(), format="turtle")
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == project


def test_table_files_match_contract():
    from chiprisk.graph.io.contract import TABLES
    from chiprisk.graph.io.datadir import TABLE_FILES

    assert list(TABLE_FILES) == [t.file for t in TABLES.values()]


def test_no_submodule_shadows_a_reexported_name():
    """Importing a submodule sets it as an attribute of the package: none may share
    a name with a re-export (``chiprisk.graph.load`` once shadowed ``cg.load``)."""
    import importlib
    import pkgutil
    import types

    import chiprisk.graph as cg

    for info in pkgutil.walk_packages(cg.__path__, "chiprisk.graph."):
        importlib.import_module(info.name)
    for name in cg.__all__:
        assert not isinstance(getattr(cg, name), types.ModuleType), name
    assert callable(cg.load)


def test_analysis_commands_do_not_import_rdf_or_networkx():
    """Start-up is most of a computed answer: the RDF stack and networkx load on use only."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from chiprisk.cli.main import cli\n"
        "for args in (['summary'], ['concentration'], ['simulate', 'taiwan-strait-blockade']):\n"
        "    r = CliRunner().invoke(cli, ['--no-cache', *args])\n"
        "    assert r.exit_code == 0, r.output\n"
        "heavy = ('rdflib', 'networkx', 'pyshacl', 'matplotlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
