"""The data manifest (``datapackage.json``): files, hashes, row counts, columns.

The manifest is a Frictionless-style data package: one resource per file with
its sha256 and row count, and per column the contract type and the ontology
property it maps to. A test compares the shipped manifest with a fresh one,
so a silent edit of a seed file fails CI.

Examples
--------
>>> m = build_manifest()
>>> m["resources"][0]["path"]
'seed/sources.csv'
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.datadir import DataDir

_TYPES = {
    "int": "integer",
    "decimal": "number",
    "date": "string",
    "id": "string",
    "ref": "string",
}


def build_manifest(data_dir: str | Path | None = None) -> dict:
    """Describe a data directory's files as a data package (dict, JSON-ready)."""
    source = DataDir(data_dir)
    resources = []
    for name, f in source.files():
        raw = f.read_bytes()
        entry: dict = {
            "name": name.removesuffix(".csv").removesuffix(".yaml").replace("/", "-"),
            "path": name if name.startswith("scenarios/") else f"seed/{name}",
            "hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
        }
        table = TABLES.get(name.removesuffix(".csv"))
        if table is not None:
            text = raw.decode("utf-8-sig")
            entry["format"] = "csv"
            entry["rows"] = max(len([ln for ln in text.splitlines() if ln.strip()]) - 1, 0)
            entry["schema"] = {
                "fields": [
                    {
                        "name": c.name,
                        "type": _TYPES.get(c.kind, "string"),
                        "contract": c.kind,
                        "required": c.required,
                        **({"enum": list(c.choices)} if c.choices else {}),
                        **({"property": c.prop} if c.prop else {}),
                    }
                    for c in table.columns
                ],
                "primaryKey": list(table.key),
            }
        else:
            entry["format"] = "yaml"
        resources.append(entry)
    return {
        "name": "chiprisk-seed",
        "title": "chiprisk: the curated AI-chip supply-chain dataset",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def manifest_json(data_dir: str | Path | None = None) -> str:
    """The manifest as stable, pretty JSON text."""
    return json.dumps(build_manifest(data_dir), indent=2, ensure_ascii=False) + "\n"
