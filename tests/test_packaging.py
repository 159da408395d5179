"""Build the wheel, install it in a fresh venv, run the CLI from outside the repo."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_installs_and_runs(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    (wheel,) = dist.glob("chiprisk-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr[-3000:]
    exe = env_dir / "bin" / "chiprisk"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"CHIPRISK_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    for args in (["info"], ["validate"], ["summary"], ["query", "--named", "sole-source-inputs"]):
        r = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=outside, env=env)
        assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
    assert (
        "organizations"
        in subprocess.run(
            [str(exe), "info"], capture_output=True, text=True, cwd=outside, env=env
        ).stdout
    )
