"""Cached command output: the same answer, keyed by the data, never stale."""

from __future__ import annotations

import json
import os
from pathlib import Path


def _entries() -> list[Path]:
    root = Path(os.environ["CHIPRISK_CACHE_DIR"])
    return sorted(root.rglob("out-*.txt"))


def test_repeat_is_served_from_cache_and_identical(invoke, tiny_dir):
    args = ("--data", str(tiny_dir), "concentration", "--input", "logic", "--format", "json")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    before = set(_entries())
    second = invoke(*args)
    assert second.output == first.output
    assert set(_entries()) == before  # nothing new written: a hit
    assert json.loads(first.output)[0]["input"] == "logic"


def test_a_data_change_is_never_answered_from_cache(invoke, tiny_dir):
    args = ("--data", str(tiny_dir), "concentration", "--input", "logic", "--format", "json")
    first = json.loads(invoke(*args).output)
    supplies = tiny_dir / "seed" / "supplies.csv"
    text = supplies.read_text(encoding="utf-8")
    supplies.write_text(text.replace("s-logic-tsmc,tsmc,logic,,90", "s-logic-tsmc,tsmc,logic,,80"))
    second = json.loads(invoke(*args).output)
    firm = [r for r in first if r["lens"] == "firm"][0]["top_share"]
    assert firm == 90
    assert [r for r in second if r["lens"] == "firm"][0]["top_share"] == 80


def test_options_and_no_cache_change_nothing_but_speed(invoke, tiny_dir):
    base = ("--data", str(tiny_dir))
    a = invoke(*base, "concentration", "--input", "logic", "--by", "hq", "--format", "csv")
    b = invoke(*base, "concentration", "--input", "logic", "--by", "site", "--format", "csv")
    c = invoke(*base, "--no-cache", "concentration", "--input", "logic", "--by", "hq",
               "--format", "csv")  # fmt: skip
    assert a.output != b.output  # the options are part of the key
    assert c.output == a.output


def test_errors_are_not_cached(invoke, tiny_dir):
    res = invoke("--data", str(tiny_dir), "concentration", "--input", "nope")
    assert res.exit_code == 2
    assert "unknown input" in res.output
    assert invoke("--data", str(tiny_dir), "concentration", "--input", "nope").exit_code == 2


def test_output_cache_off_computes_the_answer_and_stores_no_output(invoke, tiny_dir, monkeypatch):
    from chiprisk.graph.io import cache

    args = ("--data", str(tiny_dir), "concentration", "--input", "logic", "--format", "json")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    before = set(_entries())
    assert before  # the default run stored its output
    real_get, replayed = cache.get, []

    def get(key, name):
        replayed.append(name.startswith("out-"))
        return real_get(key, name)

    monkeypatch.setattr(cache, "get", get)
    assert invoke(*args).output == first.output
    assert any(replayed)  # by default the printed answer is replayed
    replayed.clear()
    monkeypatch.setenv("CHIPRISK_OUTPUT_CACHE", "off")
    assert invoke(*args).output == first.output
    assert not any(replayed)  # computed: no output entry was even looked up
    assert set(_entries()) == before
