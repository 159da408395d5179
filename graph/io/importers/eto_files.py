"""ETO's files and codes: read the five tables, map country codes, ids and shares.

The lower half of :mod:`chiprisk.graph.io.importers.eto` (whose docstring
gives the mapping): the file names and required columns, ETO's aggregates and
country codes, and readers for one table, the source texts and a share cell.

Examples
--------
>>> iso2("TWN"), iso2("MAL"), iso2("EUR")
('TW', 'MY', None)
>>> eto_id("N20")
'eto-n20'
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pycountry

from chiprisk.graph.errors import DataError, UsageError

DATASET_URL = "https://eto.tech/dataset-docs/chipexplorer"
DATASET_SOURCE = "eto-dataset"
FILES = ("inputs.csv", "providers.csv", "provision.csv", "sequence.csv", "stages.csv")
REQUIRED_COLUMNS = {
    "inputs.csv": ("input_id", "input_name", "type"),
    "providers.csv": ("provider_name", "provider_id", "provider_type", "country"),
    "provision.csv": ("provider_id", "provided_id", "share_provided"),
    "sequence.csv": ("input_id", "goes_into_id", "is_type_of_id"),
    "stages.csv": ("stage_id", "stage_name"),
}
AGGREGATES = {"EUR", "VARIOUS COUNTRIES", "VARIOUS", "VARIOUS COMPANIES"}
"""Provider names or countries that are aggregates: mapped to the residual ``other``."""
CODE_ALIASES = {"MAL": "MY"}
"""Non-ISO codes ETO uses (the legacy release writes Malaysia as MAL)."""
QUESTIONABLE_COUNTRIES = {
    "Shenzhen Axxon Automation": ("SWE", "SWE for a Shenzhen company looks wrong"),
    "Okmetic": ("CHN", "CHN is the owner's country (a Finnish firm, Chinese-owned)"),
    "Mattson Tech": ("CHN", "CHN is the owner's country (a US firm, Chinese-owned)"),
}
"""Firm countries kept as published but flagged (ETO SOURCE notes)."""
KIND = {
    "design_resource": "design-resource",
    "tool_resource": "tool",
    "material_resource": "material",
    "process": "process",
    "ultimate_output": "product",
}
STAGE_OF_KIND = {
    "design_resource": "design",
    "tool_resource": "equipment",
    "material_resource": "materials",
    "ultimate_output": "product",
}
STAGE_OF_ID = {"S1": "design", "S2": "fabrication", "S3": "packaging"}
LEVELS = ("both", "firm", "country")
"""Which provision rows to import: firm rows, country rows, or both (kept apart by lens)."""


def iso2(code: str) -> str | None:
    """ETO country code -> ISO 3166-1 alpha-2 (None for aggregates and unknowns).

    Examples
    --------
    >>> iso2("KOR"), iso2("Various")
    ('KR', None)
    """
    code = code.strip()
    if code.upper() in AGGREGATES:
        return None
    if code.upper() in CODE_ALIASES:
        return CODE_ALIASES[code.upper()]
    c = pycountry.countries.get(alpha_3=code.upper()) if len(code) == 3 else None
    if c is None and len(code) == 2:
        c = pycountry.countries.get(alpha_2=code.upper())
    return c.alpha_2 if c else None


def eto_id(ident: str) -> str:
    """ETO id -> chiprisk slug (``N20`` -> ``eto-n20``).

    Examples
    --------
    >>> eto_id(" S2 ")
    'eto-s2'
    """
    return "eto-" + re.sub(r"[^a-z0-9]+", "-", ident.strip().lower()).strip("-")


def _folder(src: Path) -> Path:
    for cand in (src, src / "data"):
        if (cand / "provision.csv").is_file():
            return cand
    raise UsageError(f"{src}: no ETO provision.csv here (nor in {src / 'data'})")


def _read(folder: Path, name: str, errors: list[DataError]) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        errors.append(DataError(name, None, None, "required ETO file is missing"))
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        errors.append(DataError(name, None, None, f"cannot be read as CSV: {exc}"))
        return None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in df.columns]
    for c in missing:
        errors.append(DataError(name, 1, c, "required column is missing"))
    if missing:
        return None
    df = df.apply(lambda s: s.str.strip())
    df["_line"] = range(2, len(df) + 2)
    return df


def _source_rows(texts: list[str]) -> tuple[list[dict], dict[str, str]]:
    rows = [
        {
            "id": DATASET_SOURCE,
            "url": DATASET_URL,
            "title": "Emerging Technology Observatory Advanced Semiconductor Supply Chain Dataset",
            "publisher": "Georgetown CSET, Emerging Technology Observatory",
            "confidence": "secondary",
            "note": "Imported with chiprisk import eto. CC BY-NC 4.0: attribution required, "
            "no commercial use.",
        }
    ]
    ids = {"": DATASET_SOURCE}
    for text in sorted(set(texts) - {""}):
        sid = "eto-src-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
        urls = re.findall(r"https?://[^\s)\]>\"]+", text)
        title = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", text).strip()
        rows.append(
            {
                "id": sid,
                "url": urls[0] if urls else DATASET_URL,
                "title": title or text,
                "publisher": "Georgetown CSET, Emerging Technology Observatory (as cited there)",
                "confidence": "secondary",
                "note": f"ETO provision source, as written: {text}",
            }
        )
        ids[text] = sid
    return rows, ids


def _share(text: str) -> float | None:
    t = text.strip().rstrip("%").strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return float("nan")
