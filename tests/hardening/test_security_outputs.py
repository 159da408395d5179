"""Issue 20, output folders: ``report -o DIR`` (2) and ``export``/``import -o`` (7).

A command that writes a folder builds it fresh and swaps it in; it replaces an
existing folder only if that is empty or an unchanged earlier output of the
same command (the marker file lists what it wrote), else only with --force.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chiprisk.graph.io.outdir import MARKER

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """One report of the tiny data, built once (a report takes a few seconds)."""
    from click.testing import CliRunner

    from chiprisk.cli.main import cli

    out = tmp_path_factory.mktemp("rep") / "report"
    res = CliRunner().invoke(cli, ["--data", str(TINY), "report", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_report_refuses_a_folder_of_someone_elses_files(invoke, tmp_path, report_dir):
    d = tmp_path / "d"
    d.mkdir()
    (d / "t.txt").write_text("x")
    res = invoke("--data", str(TINY), "report", "-o", str(d))
    assert res.exit_code == 2
    assert "--force" in res.stderr and "t.txt" in res.stderr
    assert (d / "t.txt").read_text() == "x"  # the attack: t.txt was deleted, exit 0


def test_report_replaces_its_own_unchanged_output_and_only_that(invoke, tmp_path, report_dir):
    d = tmp_path / "report"
    shutil.copytree(report_dir, d)
    assert json.loads((d / MARKER).read_text())["command"] == "report"
    res = invoke("--data", str(TINY), "report", "-o", str(d))
    assert res.exit_code == 0, res.stderr
    (d / "tables" / "notes.txt").write_text("my notes")  # a file the user added
    res = invoke("--data", str(TINY), "report", "-o", str(d))
    assert res.exit_code == 2 and "notes.txt" in res.stderr
    assert (d / "tables" / "notes.txt").exists()
    res = invoke("--data", str(TINY), "report", "-o", str(d), "--force")
    assert res.exit_code == 0
    assert not (d / "tables" / "notes.txt").exists()


def test_export_csv_never_overwrites_a_data_directory(invoke, tmp_path):
    mine = tmp_path / "my-data"
    shutil.copytree(TINY, mine)
    (mine / "scenarios").mkdir(exist_ok=True)
    (mine / "scenarios" / "mine.yaml").write_text("id: mine\n")
    before = _snapshot(mine)
    # forgetting --data: the built-in data would have replaced the user's tables
    res = invoke("export", "--format", "csv", "-o", str(mine))
    assert res.exit_code == 2
    assert "--force" in res.stderr
    assert _snapshot(mine) == before


def test_export_csv_replaces_an_unchanged_earlier_export(invoke, tmp_path):
    out = tmp_path / "exported"
    assert invoke("--data", str(TINY), "export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert invoke("--data", str(TINY), "export", "--format", "csv", "-o", str(out)).exit_code == 0
    seed = next((out / "seed").glob("*.csv"))
    seed.write_text(seed.read_text() + "\n")  # the user edited an exported table
    res = invoke("--data", str(TINY), "export", "--format", "csv", "-o", str(out))
    assert res.exit_code == 2 and seed.name in res.stderr
    res = invoke("--data", str(TINY), "export", "--format", "csv", "-o", str(out), "--force")
    assert res.exit_code == 0


def test_import_csv_never_overwrites_a_data_directory(invoke, tmp_path):
    mine = tmp_path / "mine"
    shutil.copytree(TINY, mine)
    before = _snapshot(mine)
    res = invoke("import", "csv", str(TINY), "-o", str(mine))
    assert res.exit_code == 2 and "--force" in res.stderr
    assert _snapshot(mine) == before
    out = tmp_path / "imported"
    assert invoke("import", "csv", str(TINY), "-o", str(out)).exit_code == 0
    assert invoke("import", "csv", str(TINY), "-o", str(out)).exit_code == 0  # its own output


def test_a_file_or_symlink_is_never_replaced(invoke, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    link = tmp_path / "link"
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    link.symlink_to(target)
    for out in (f, link):
        res = invoke("--data", str(TINY), "export", "--format", "csv", "-o", str(out), "--force")
        assert res.exit_code == 2
    assert f.read_text() == "x" and (target / "keep.txt").read_text() == "keep"
