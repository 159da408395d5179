"""Build the wheel, install it in a fresh venv, run the CLI from outside the repo.

The wheel is installed without its dependencies (``--no-deps --no-index``):
they are reached through a ``.pth`` line naming this interpreter's
site-packages folders. A folder named in a ``.pth`` file is put on
``sys.path`` without running the ``.pth`` files inside it, so the editable
install of the checkout (an import hook started by such a file) is not
active in the venv: ``chiprisk`` comes from the wheel alone, which the test
checks before running the installed ``chiprisk`` command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]

# Source folder -> package in the wheel (pyproject.toml, [tool.setuptools.package-dir]).
PACKAGES = {"graph": "graph", "cli": "cli", "ontology": "ontology", "data": "data"}
NOT_SHIPPED = {".md"}  # notes for editors of the data, not read by the code


def expected_files() -> set[str]:
    """Every file of the four source folders the wheel must hold: code, ontology,
    shapes, queries, rules, seed CSVs, scenarios and the data manifest."""
    out = set()
    for src, pkg in PACKAGES.items():
        for p in (ROOT / src).rglob("*"):
            if not p.is_file() or "__pycache__" in p.parts or p.suffix in NOT_SHIPPED:
                continue
            if p.suffix in {".pyc", ".pyo"}:
                continue
            out.add(f"chiprisk/{pkg}/{p.relative_to(ROOT / src).as_posix()}")
    return out


def test_wheel_installs_and_runs(tmp_path):
    # Built from a copy: setuptools works in <source>/build, which would be shared
    # with any other build of the checkout running at the same time and may hold
    # files of an earlier build that the source no longer has.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in PACKAGES:
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    (wheel,) = dist.glob("chiprisk-*.whl")

    # Package data and every module are in the wheel.
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = expected_files()
    assert {n for n in expected if n.endswith(".ttl")} >= {
        "chiprisk/ontology/chiprisk.ttl",
        "chiprisk/ontology/shapes/supply.shapes.ttl",
    }
    assert any(n.startswith("chiprisk/data/seed/") and n.endswith(".csv") for n in expected)
    assert any(n.startswith("chiprisk/ontology/queries/") for n in expected)
    missing = sorted(expected - names)
    assert missing == [], f"not in the wheel: {missing}"

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index"]
        + ["--quiet", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    here = sysconfig.get_paths()
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "_test_dependencies.pth").write_text(f"{here['purelib']}\n{here['platlib']}\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"CHIPRISK_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}

    # chiprisk and its data are imported from the wheel's files in the venv, only.
    where = subprocess.run(
        [str(py), "-c", "import chiprisk, chiprisk.ontology, chiprisk.data, chiprisk.graph\n"
         "print(*chiprisk.__path__, chiprisk.ontology.__file__, chiprisk.data.__file__,"
         " chiprisk.graph.__file__, sep='\\n')"],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr[-2000:]
    paths = where.stdout.split()
    assert len(paths) == 4 and all(p.startswith(str(site / "chiprisk")) for p in paths), paths

    exe = env_dir / "bin" / "chiprisk"
    outputs = {}
    for args in (["info"], ["validate"], ["summary"], ["query", "--named", "sole-source-inputs"]):
        r = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=outside, env=env)
        assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
        outputs[args[0]] = r.stdout
    assert "organizations" in outputs["info"]
    assert "conforms: no violations" in outputs["validate"]  # the shapes were read
    assert "euv-lithography" in outputs["summary"] and "hhi" in outputs["summary"]
    assert "euv-lithography" in outputs["query"] and "asml" in outputs["query"]
