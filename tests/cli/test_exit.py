"""The console script ends without interpreter teardown, but as Python would end it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CHIPRISK = [str(Path(sys.executable).with_name("chiprisk"))]


def _run_main(prelude: str, *args: str) -> subprocess.CompletedProcess:
    code = textwrap.dedent(prelude) + (
        f"\nimport sys\nsys.argv = ['chiprisk', *{list(args)!r}]\n"
        "from chiprisk.cli.main import main\nmain()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_atexit_handlers_run_and_output_is_complete(tmp_path):
    out = tmp_path / "info.json"
    prelude = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('atexit ran', file=sys.stderr, flush=True))\n"
        f"sys.stdout = open({str(out)!r}, 'w')  # buffered: must be flushed before the exit\n"
    )
    r = _run_main(prelude, "info", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "atexit ran" in r.stderr
    assert out.read_text().rstrip().endswith("]")


def test_a_live_thread_is_waited_for():
    r = _run_main(
        """
        import sys, threading, time
        def late():
            time.sleep(0.3)
            print("thread done", file=sys.stderr, flush=True)
        threading.Thread(target=late).start()
        """,
        "info",
    )
    assert r.returncode == 0
    assert "thread done" in r.stderr


def test_exit_codes_are_kept():
    assert subprocess.run([*CHIPRISK, "no-such-command"], capture_output=True).returncode == 2
    bad = subprocess.run(
        [*CHIPRISK, "--no-cache", "simulate", "no-such-scenario"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "unknown scenario" in bad.stderr
    assert subprocess.run([*CHIPRISK, "info"], capture_output=True).returncode == 0


def test_a_reader_that_leaves_early_is_not_an_error():
    p = subprocess.Popen(
        [*CHIPRISK, "concentration", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdout.readline()
    p.stdout.close()  # like `| head -1`
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0
    assert "Traceback" not in err and "Exception ignored" not in err
