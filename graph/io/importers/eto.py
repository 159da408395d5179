"""Import the CSET/ETO Advanced Semiconductor Supply Chain tables.

Reads the five ETO tables (``inputs.csv``, ``providers.csv``,
``provision.csv``, ``sequence.csv``, ``stages.csv``; in ``SRC`` or
``SRC/data``) and writes a data directory in the chiprisk file contract.
The ETO tables are CC BY-NC 4.0: chiprisk ships this importer, never the
tables.

Mapping
-------
- Ids stay recognisable: input ``N20`` -> ``eto-n20``, stage ``S2`` ->
  ``eto-s2`` (an input of kind ``process``), provider ``P45`` -> ``eto-p45``.
- ``providers.csv`` repeats a ``provider_id`` for each alias: one
  organisation per id, named by its first row; rows whose type or country
  disagree are an error.
- Countries: ETO's ISO 3166 alpha-3 codes become alpha-2 (pycountry;
  the legacy release's ``MAL`` is Malaysia). ``EUR`` (Europe) and
  ``Various countries`` / ``Various`` / ``Various companies`` are aggregates,
  not countries or firms: their rows go to the residual supplier ``other``.
  A firm's country is kept as ETO publishes it; the ones ETO's own notes or
  our reading flag (:data:`QUESTIONABLE_COUNTRIES`) are listed in the report,
  and ``country_overrides`` (provider id -> ISO2) changes them on the
  analyst's word.
- One supply row per provision row, keeping its ``year`` and ``source`` (one
  chiprisk source per distinct ETO source text; rows with no source text cite
  the dataset). Country rows have an ISO country as supplier, firm rows an
  organisation, so the ``country`` lens reads only country rows and the
  firm lenses only firm rows: the two levels are never added together.
- Shares are used as published (rows summing to 101-102 are not rescaled). A
  provider listed without a share gets ``share_min=0, share_max=100`` (the
  share is unknown); the legacy release's ``negligible`` flag becomes
  ``share_qual=negligible``.
- Basis: ``capacity`` where the input's or stage's chart caption speaks of
  capacity (ETO's fabrication and ATP stage charts), else ``revenue``.
- ``sequence.csv``: ``goes_into`` edges become requirements (the input goes
  into the product), ``is_type_of`` edges the taxonomy.
- Stages: ``design_resource`` -> design, ``tool_resource`` -> equipment,
  ``material_resource`` -> materials, ``ultimate_output`` -> product;
  processes by their stage (S1 design, S2 fabrication, S3 packaging).

The legacy release (``georgetown-cset/eto-supply-chain``) has no ``year``
column: pass ``year``. ETO's file names, codes and per-file readers are in
:mod:`chiprisk.graph.io.importers.eto_files`.

Examples
--------
>>> iso2("TWN"), iso2("MAL"), iso2("EUR")
('TW', 'MY', None)
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from chiprisk.graph.errors import DataError, DataErrors, UsageError
from chiprisk.graph.io.importers import ImportReport, write_checked
from chiprisk.graph.io.importers.eto_files import (
    AGGREGATES,
    CODE_ALIASES,
    DATASET_SOURCE,
    FILES,
    KIND,
    LEVELS,
    QUESTIONABLE_COUNTRIES,
    STAGE_OF_ID,
    STAGE_OF_KIND,
    _folder,
    _read,
    _share,
    _source_rows,
    eto_id,
    iso2,
)
from chiprisk.ontology.namespaces import RESIDUAL_ID


def read_eto(
    src: str | Path,
    *,
    year: int | None = None,
    country_overrides: dict[str, str] | None = None,
    levels: str = "both",
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read ETO tables into contract tables (not yet checked by the loader).

    Returns
    -------
    frames : dict of str to pandas.DataFrame
        ``sources``, ``organizations``, ``inputs``, ``requirements``,
        ``supplies`` (string cells, contract columns).
    notes : list of str

    Raises
    ------
    DataErrors
        Naming the ETO file, line and column of every problem.
    UsageError
        When ``src`` holds no ETO tables, or the legacy release is read without ``year``.

    Notes
    -----
    O(rows).
    """
    if levels not in LEVELS:
        raise UsageError(f"levels must be one of {', '.join(LEVELS)} (got {levels!r})")
    folder = _folder(Path(src))
    errors: list[DataError] = []
    notes: list[str] = []
    t = {name: _read(folder, name, errors) for name in FILES}
    if errors:
        raise DataErrors(errors)
    inputs, providers, provision = t["inputs.csv"], t["providers.csv"], t["provision.csv"]
    sequence, stages = t["sequence.csv"], t["stages.csv"]
    has_year = "year" in provision.columns
    if not has_year and year is None:
        raise UsageError(
            f"{folder / 'provision.csv'} has no year column (the legacy ETO release): give --year"
        )
    overrides = {k.upper(): v.upper() for k, v in (country_overrides or {}).items()}

    # ---------------------------------------------------------------- inputs
    captions: dict[str, str] = {}
    in_rows: list[dict] = []
    for r in stages.to_dict("records"):
        sid = r["stage_id"]
        if sid not in STAGE_OF_ID:
            errors.append(DataError("stages.csv", r["_line"], "stage_id", f"unknown stage {sid!r}"))
            continue
        captions[sid] = r.get("market_share_chart_caption", "")
        in_rows.append(
            {
                "id": eto_id(sid),
                "name": r["stage_name"],
                "stage": STAGE_OF_ID[sid],
                "kind": "process",
                "source_id": DATASET_SOURCE,
            }
        )
    for r in inputs.to_dict("records"):
        iid, typ = r["input_id"], r["type"]
        if typ not in KIND:
            errors.append(DataError("inputs.csv", r["_line"], "type", f"unknown type {typ!r}"))
            continue
        stage = STAGE_OF_KIND.get(typ) or STAGE_OF_ID.get(r.get("stage_id", ""))
        if stage is None:
            errors.append(
                DataError("inputs.csv", r["_line"], "stage_id", f"process {iid} has no stage")
            )
            continue
        captions[iid] = r.get("market_share_chart_caption", "")
        in_rows.append(
            {
                "id": eto_id(iid),
                "name": r["input_name"],
                "stage": stage,
                "kind": KIND[typ],
                "source_id": DATASET_SOURCE,
            }
        )
    known_inputs = {row["id"] for row in in_rows}
    dupes = pd.Series([row["id"] for row in in_rows])
    for d in sorted(set(dupes[dupes.duplicated()])):
        errors.append(DataError("inputs.csv", None, "input_id", f"duplicate input id {d!r}"))

    # -------------------------------------------------------------- sequence
    req_rows: list[dict] = []
    is_type: dict[str, str] = {}
    skipped_seq = 0
    for r in sequence.to_dict("records"):
        child = eto_id(r["input_id"])
        for col, kind in (("goes_into_id", "goes"), ("is_type_of_id", "type")):
            target = r[col]
            if not target:
                continue
            parent = eto_id(target)
            if child not in known_inputs or parent not in known_inputs:
                skipped_seq += 1
                continue
            if kind == "goes":
                req_rows.append({"product": parent, "input": child, "source_id": DATASET_SOURCE})
            elif child in is_type and is_type[child] != parent:
                notes.append(
                    f"sequence.csv line {r['_line']}: {r['input_id']} is a type of more than one "
                    f"input; kept {is_type[child]}"
                )
            else:
                is_type[child] = parent
    if skipped_seq:
        notes.append(
            f"sequence.csv: {skipped_seq} edge(s) name an input not in inputs.csv: skipped"
        )
    req_rows = list({(r["product"], r["input"]): r for r in req_rows}.values())
    for row in in_rows:
        row["is_type_of"] = is_type.get(row["id"], "")

    # ------------------------------------------------------------- providers
    supplier_of: dict[str, str] = {}
    org_rows: list[dict] = []
    seen: dict[str, dict] = {}
    for r in providers.to_dict("records"):
        pid = r["provider_id"]
        if pid in seen:
            first = seen[pid]
            for col in ("provider_type", "country"):
                if r[col] != first[col] and not (
                    col == "country" and r["provider_type"] == "country"
                ):
                    errors.append(
                        DataError(
                            "providers.csv",
                            r["_line"],
                            col,
                            f"{pid} is {r[col]!r} here but {first[col]!r} on line {first['_line']}",
                        )
                    )
            continue
        seen[pid] = r
        name, ptype, country = r["provider_name"], r["provider_type"], r["country"]
        if ptype == "country":
            code = None if name.upper() in AGGREGATES else iso2(name)
            if name.upper() in AGGREGATES:
                supplier_of[pid] = RESIDUAL_ID
            elif code is None:
                errors.append(
                    DataError(
                        "providers.csv", r["_line"], "provider_name", f"{name!r} is not ISO 3166"
                    )
                )
            else:
                supplier_of[pid] = code
                if name.upper() in CODE_ALIASES:
                    notes.append(f"providers.csv: {name} read as {code} (not an ISO 3166 code)")
            continue
        if ptype != "organization":
            errors.append(
                DataError("providers.csv", r["_line"], "provider_type", f"unknown type {ptype!r}")
            )
            continue
        if name.upper() in AGGREGATES or country.upper() in AGGREGATES and not overrides.get(pid):
            supplier_of[pid] = RESIDUAL_ID
            notes.append(f"providers.csv: {pid} {name!r} is an aggregate: its rows go to 'other'")
            continue
        code = overrides.get(pid) or iso2(country)
        if code is None:
            errors.append(
                DataError(
                    "providers.csv",
                    r["_line"],
                    "country",
                    f"{pid} {name!r}: country {country!r} is not ISO 3166 "
                    "(give a country override for it)",
                )
            )
            continue
        if pid in overrides:
            notes.append(f"providers.csv: {pid} {name!r} country {country} overridden to {code}")
        elif QUESTIONABLE_COUNTRIES.get(name, ("",))[0] == country.upper():
            notes.append(
                f"providers.csv: {pid} {name!r} kept as {country}, but "
                f"{QUESTIONABLE_COUNTRIES[name][1]}"
            )
        supplier_of[pid] = eto_id(pid)
        org_rows.append(
            {"id": eto_id(pid), "name": name, "hq_country": code, "source_id": DATASET_SOURCE}
        )

    # ------------------------------------------------------------- provision
    src_col = "source" if "source" in provision.columns else None
    source_rows, source_ids = _source_rows(list(provision[src_col]) if src_col else [])
    sup_rows: list[dict] = []
    seen_supply: dict[str, tuple[int, str]] = {}
    skipped_prov = 0
    for r in provision.to_dict("records"):
        line, pid = r["_line"], r["provider_id"]
        if pid not in seen:
            errors.append(
                DataError("provision.csv", line, "provider_id", f"unknown provider {pid!r}")
            )
            continue
        if pid not in supplier_of:
            continue  # its providers.csv row is already reported
        level = "country" if seen[pid]["provider_type"] == "country" else "firm"
        if levels != "both" and level != levels:
            continue
        inp = eto_id(r["provided_id"])
        if inp not in known_inputs:
            skipped_prov += 1
            continue
        y = r.get("year", "") if has_year else str(year)
        if not re.fullmatch(r"\d{4}", y or ""):
            errors.append(DataError("provision.csv", line, "year", f"{y!r} is not a year"))
            continue
        share = _share(r["share_provided"])
        if share is not None and not (0 <= share <= 100):
            errors.append(
                DataError(
                    "provision.csv",
                    line,
                    "share_provided",
                    f"{r['share_provided']!r} is not 0..100",
                )
            )
            continue
        sid = f"{inp}-{pid.lower()}-{y}"
        if sid in seen_supply:
            prev_line, prev_share = seen_supply[sid]
            if prev_share == r["share_provided"]:
                notes.append(f"provision.csv line {line}: repeats line {prev_line}: skipped")
                continue
            errors.append(
                DataError(
                    "provision.csv",
                    line,
                    "provider_id",
                    f"{pid} provides {r['provided_id']} in {y} twice (line {prev_line}) "
                    "with different shares",
                )
            )
            continue
        seen_supply[sid] = (line, r["share_provided"])
        raw_id = r["provided_id"].strip().upper()
        basis = "capacity" if "capacit" in captions.get(raw_id, "").lower() else "revenue"
        row = {
            "id": sid,
            "supplier": supplier_of[pid],
            "input": inp,
            "basis": basis,
            "year": y,
            "confidence": "secondary",
            "source_id": source_ids[r[src_col]] if src_col else DATASET_SOURCE,
        }
        if share is not None:
            row["share"] = repr(share)
        elif r.get("negligible_market_share", "").lower() == "negligible":
            row["share_qual"] = "negligible"
        else:
            row["share_min"], row["share_max"] = "0", "100"
        sup_rows.append(row)
    if skipped_prov:
        notes.append(
            f"provision.csv: {skipped_prov} row(s) name an input not in inputs.csv: skipped"
        )
    if errors:
        raise DataErrors(errors)
    used = {r["source_id"] for r in sup_rows} | {DATASET_SOURCE}
    frames = {
        "sources": pd.DataFrame([s for s in source_rows if s["id"] in used]),
        "organizations": pd.DataFrame(org_rows),
        "inputs": pd.DataFrame(in_rows),
        "requirements": pd.DataFrame(req_rows, columns=["product", "input", "source_id"]),
        "supplies": pd.DataFrame(sup_rows),
    }
    return frames, notes


def import_eto(
    src: str | Path,
    out_dir: str | Path,
    *,
    year: int | None = None,
    country_overrides: dict[str, str] | None = None,
    levels: str = "both",
    merge_builtin: bool = False,
    force: bool = False,
) -> ImportReport:
    """Import ETO tables into a data directory in the file contract.

    Parameters
    ----------
    src : str or Path
        The folder holding the ETO CSV tables (or its ``data/``).
    out_dir : str or Path
        Where to write (a new or empty folder, or a previous import).
    year : int, optional
        The year of every share, for the legacy release (no ``year`` column).
    country_overrides : dict of str to str, optional
        ETO provider id -> ISO 3166-1 alpha-2 code, on the analyst's word.
    levels : {"both", "firm", "country"}
        Which provision rows to import. ``both`` keeps firm and country rows
        (the lenses keep them apart, but ``chiprisk validate``'s share-sum and
        mixed-levels rules, which group by input, basis and year only, flag
        inputs that have both); ``firm`` or ``country`` imports one level.
    merge_builtin : bool
        Add chiprisk's built-in data to the output.

    Returns
    -------
    ImportReport

    Raises
    ------
    DataErrors
        For a malformed ETO table (file, line, column), or output that fails
        the loader's checks (nothing is written then).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "eto"
    >>> import_eto("tests/fixtures/eto", out).rows["supplies"]  # doctest: +SKIP
    25
    """
    frames, notes = read_eto(src, year=year, country_overrides=country_overrides, levels=levels)
    return write_checked(
        frames, None, out_dir, merge_builtin=merge_builtin, notes=notes, force=force
    )


__all__ = ["import_eto", "iso2", "read_eto"]
