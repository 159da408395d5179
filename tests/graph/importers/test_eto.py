"""The ETO importer, on a small fixture in ETO's format and on the real tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pycountry
import pytest

from chiprisk.graph.errors import DataErrors, UsageError
from chiprisk.graph.io.importers.eto import import_eto, read_eto
from chiprisk.graph.knowledge_graph import load

FIXTURE = Path(__file__).parents[2] / "fixtures" / "eto"
REAL = Path(__file__).parents[4] / "shared" / "research" / "data" / "eto"
AGGREGATES = {"EUR", "Various countries", "Various", "Various companies"}


def pandas_hhi(folder: Path) -> pd.DataFrame:
    """HHI per input, year and level, straight from the ETO rows (independent of chiprisk)."""
    prov = pd.read_csv(folder / "provision.csv", dtype=str, keep_default_na=False)
    provs = pd.read_csv(folder / "providers.csv", dtype=str, keep_default_na=False)
    provs = provs.drop_duplicates("provider_id")
    df = prov.merge(provs[["provider_id", "provider_type", "country"]], on="provider_id")
    df["level"] = df["provider_type"].map({"country": "country", "organization": "firm"})
    keys = ["provided_id", "year", "level"]
    # a table with a provider listed without a share has bounds only: left out here
    blank = df.groupby(keys)["share_provided"].apply(lambda s: (s == "").any())
    df = df[~df["provider_name"].isin(AGGREGATES) & ~df["country"].isin(AGGREGATES)]
    df = df[df["share_provided"] != ""].assign(share=lambda d: d["share_provided"].astype(float))
    per_entity = df.groupby([*keys, "provider_id"])["share"].sum()
    hhi = (per_entity**2).groupby(level=[0, 1, 2]).sum().rename("hhi").reset_index()
    hhi = hhi[~hhi.set_index(keys).index.map(blank)]
    hhi["input"] = "eto-" + hhi["provided_id"].str.lower()
    hhi["year"] = hhi["year"].astype(int)
    return hhi


def chiprisk_hhi(data_dir: Path) -> pd.DataFrame:
    kg = load(data_dir, use_cache=False)
    out = []
    for lens, level in (("firm", "firm"), ("country", "country")):
        df = kg.concentration(by=lens)[["input", "year", "hhi"]].assign(level=level)
        out.append(df)
    return pd.concat(out)


def _compare(src: Path, out: Path) -> pd.DataFrame:
    expected = pandas_hhi(src)
    got = chiprisk_hhi(out)
    both = expected.merge(got, on=["input", "year", "level"], suffixes=("_pandas", "_chiprisk"))
    assert len(both) == len(expected), "every input with shares gets a score"
    assert (both["hhi_pandas"] - both["hhi_chiprisk"]).abs().max() < 1e-6
    return both


def test_fixture_hhi_matches_an_independent_pandas_computation(tmp_path):
    report = import_eto(FIXTURE, tmp_path / "out")
    both = _compare(FIXTURE, tmp_path / "out")
    by = {(r.input, r.level): r.hhi_chiprisk for r in both.itertuples()}
    assert by[("eto-n20", "firm")] == 10000
    assert by[("eto-n19", "firm")] == pytest.approx(70**2 + 20.5**2 + 8**2)  # aliases: one firm
    assert by[("eto-n19", "country")] == pytest.approx(70**2 + 28.5**2)  # not added to firm rows
    assert by[("eto-n26", "country")] == pytest.approx(56**2 + 30**2 + 15**2 + 1)  # sums to 102
    assert by[("eto-s1", "country")] == pytest.approx(50**2 + 30**2)  # EUR, Various -> other
    assert report.rows["supplies"] == 25


def test_fixture_rows_keep_year_source_and_iso_codes(tmp_path):
    import_eto(FIXTURE, tmp_path / "out")
    kg = load(tmp_path / "out", use_cache=False)
    sup = kg.tables["supplies"].set_index("id")
    assert sup.loc["eto-n26-p7-2019", "supplier"] == "JP"
    assert sup.loc["eto-n26-p7-2019", "year"] == 2019
    assert sup.loc["eto-s1-p312-2022", "supplier"] == "other"
    assert sup.loc["eto-s2-p8-2022", "basis"] == "capacity"  # "capacity" in the stage caption
    blank = sup.loc["eto-n26-p229-2019"]
    assert (blank["share_min"], blank["share_max"]) == (0, 100)
    src = kg.tables["sources"].set_index("id")
    sid = sup.loc["eto-n19-p88-2025", "source_id"]
    assert src.loc[sid, "url"] == "https://example.org/a"
    assert sup.loc["eto-n84-p1-2019", "source_id"] == sup.loc["eto-n26-p7-2019", "source_id"]
    assert sup.loc["eto-s1-p1-2022", "source_id"] == "eto-dataset"
    orgs = kg.tables["organizations"].set_index("id")
    assert orgs.loc["eto-p90", "name"] == "Beta Optics" and len(orgs) == 6
    inputs = kg.tables["inputs"].set_index("id")
    assert inputs.loc["eto-n20", "is_type_of"] == "eto-n19"
    assert inputs.loc["eto-n25", "stage"] == "fabrication"
    assert set(kg.tables["requirements"]["product"]) == {"eto-n25", "eto-n99"}


def test_questionable_countries_are_reported_and_overridable(tmp_path):
    report = import_eto(FIXTURE, tmp_path / "a")
    assert any("Okmetic" in n and "owner" in n for n in report.notes)
    report = import_eto(FIXTURE, tmp_path / "b", country_overrides={"P229": "FI"})
    kg = load(tmp_path / "b", use_cache=False)
    assert kg.tables["organizations"].set_index("id").loc["eto-p229", "hq_country"] == "FI"


def test_levels_option_imports_one_level(tmp_path):
    frames, _ = read_eto(FIXTURE, levels="firm")
    assert not frames["supplies"]["supplier"].isin([c.alpha_2 for c in pycountry.countries]).any()
    frames, _ = read_eto(FIXTURE, levels="country")
    assert not frames["supplies"]["supplier"].str.startswith("eto-").any()


def test_merge_with_builtin_data(tmp_path):
    report = import_eto(FIXTURE, tmp_path / "m", merge_builtin=True)
    kg = load(tmp_path / "m", use_cache=False)
    assert {"euv-lithography", "eto-n20"} <= set(kg.tables["inputs"]["id"])
    assert report.rows["scenarios"] == len(load().tables.scenarios)


def test_bad_rows_are_located_and_nothing_is_written(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIXTURE, src)
    text = (src / "provision.csv").read_text()
    (src / "provision.csv").write_text(
        text.replace("JPN,P7,Wafer,N26,56.0", "JPN,P7,Wafer,N26,156")
    )
    (src / "providers.csv").write_text(
        (src / "providers.csv").read_text() + "Zeta,,P999,organization,XXX\n"
    )
    with pytest.raises(DataErrors) as err:
        import_eto(src, tmp_path / "out")
    msg = str(err.value)
    assert "provision.csv, line 13, column share_provided" in msg
    assert "providers.csv, line 18, column country" in msg
    assert not (tmp_path / "out").exists()


def test_legacy_release_needs_a_year(tmp_path):
    src = tmp_path / "legacy"
    shutil.copytree(FIXTURE, src)
    prov = pd.read_csv(src / "provision.csv", dtype=str, keep_default_na=False)
    prov = prov.drop(columns=["year", "source"])
    prov["share_provided"] = prov["share_provided"].map(lambda s: f"{float(s):g}%" if s else "")
    prov["negligible_market_share"] = ""
    prov.to_csv(src / "provision.csv", index=False)
    with pytest.raises(UsageError, match="--year"):
        import_eto(src, tmp_path / "out")
    report = import_eto(src, tmp_path / "out", year=2019)
    assert report.rows["supplies"] > 0
    # shares as "61%" but duplicate (input, provider) rows of several years collapse
    assert set(load(tmp_path / "out", use_cache=False).tables["supplies"]["year"]) == {2019}


@pytest.mark.skipif(
    not REAL.is_dir(), reason="the ETO tables (../shared/research/data/eto) are absent"
)
def test_real_eto_tables_load_every_row(tmp_path):
    src = REAL / "chip-explorer"
    report = import_eto(src, tmp_path / "eto")
    prov = pd.read_csv(src / "provision.csv", dtype=str, keep_default_na=False)
    assert report.rows["supplies"] == len(prov)
    both = _compare(src, tmp_path / "eto")
    euv = both[(both["input"] == "eto-n20")]
    assert set(euv["hhi_chiprisk"]) == {10000}
    legacy = import_eto(REAL / "supply-chain-legacy", tmp_path / "legacy", year=2019)
    assert legacy.rows["supplies"] > 600
