"""The loader's two CSV readers give the same cells, lines and errors; fast checks agree.

Small, regular files are read by Python's ``csv`` module and everything else by
pandas' C parser (:mod:`chiprisk.graph.io.loader_read`); forcing every file
through pandas (``SMALL_FILE = 0``) must change nothing.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chiprisk.graph.io.loader_read as loader_read
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.io.loader_cells import _DATE, _SURE_DATE, _is_date, _to_float

BLOCS = TABLES["blocs"]  # id, name, members (required), source_id
HEAD = "id,name,members,source_id"

TEXTS = {
    "plain": f"{HEAD}\neu,EU,DE;FR,s1\nnato,NATO,US,s2\n",
    "no final newline": f"{HEAD}\neu,EU,DE;FR,s1",
    "crlf": f"{HEAD}\r\neu,EU,DE;FR,s1\r\nx,X,US,s2\r\n",
    "bare cr": f"{HEAD}\reu,EU,DE;FR,s1\rx,X,US,s2\r",
    "quoted comma": f'{HEAD}\neu,"EU, the union",DE;FR,s1\n',
    "quoted newline": f'{HEAD}\neu,"E\nU",DE,s1\nx,X,US,s2\n',
    "quoted crlf": f'{HEAD}\r\neu,"E\r\nU",DE,s1\r\nx,X,US,s2\r\n',
    "doubled quote": f'{HEAD}\neu,"say ""hi""",DE,s1\n',
    "stray quote kept": f'{HEAD}\neu,E"U,DE,s1\n',
    "text after closing quote": f'{HEAD}\neu,"E"U,DE,s1\n',
    "space before quote": f'{HEAD}\neu, "EU",DE,s1\n',
    "unclosed quote": f'{HEAD}\neu,"EU,DE,s1\nx,X,US,s2\n',
    "padded cells": f"{HEAD}\n eu ,EU ,DE,s1\n",
    "tab padded": f"{HEAD}\neu,\tEU,DE,s1\n",
    "non-breaking space": f"{HEAD}\neu,EU\u00a0,DE,s1\n",
    "quoted trailing newline": f'{HEAD}\neu,"EU\n",DE,s1\n',
    "blank line inside": f"{HEAD}\neu,EU,DE,s1\n\nx,X,US,s2\n",
    "blank lines at end": f"{HEAD}\neu,EU,DE,s1\n\n\n",
    "crlf blank line": f"{HEAD}\r\neu,EU,DE,s1\r\n\r\nx,X,US,s2\r\n",
    "blank line before header": f"\n{HEAD}\neu,EU,DE,s1\n",
    "whitespace-only line": f"{HEAD}\neu,EU,DE,s1\n   \nx,X,US,s2\n",
    "row of empty cells": f'{HEAD}\neu,EU,DE,s1\n,,,\nx,"X",US,s2\n',
    "row of blank cells": f'{HEAD}\n , , , \nx,"X",US,s2\n',
    "short row": f"{HEAD}\neu,EU,DE\n",
    "long row": f"{HEAD}\neu,EU,DE,s1\nx,X,US,s2,extra\n",
    "long first row": f"{HEAD}\neu,EU,DE,s1,extra\n",
    "trailing comma everywhere": f"{HEAD},\neu,EU,DE,s1,\n",
    "columns reordered": "members,id,source_id,name\nDE,eu,s1,EU\n",
    "optional column absent": "id,members,source_id\neu,DE,s1\n",
    "required column absent": "id,name,source_id\neu,EU,s1\n",
    "unknown column": f"{HEAD},colour\neu,EU,DE,s1,red\n",
    "repeated column": "id,name,name,members,source_id\neu,EU,E,DE,s1\n",
    "blank header cell": "id,,members,source_id\neu,EU,DE,s1\n",
    "bom inside header": f"\ufeff{HEAD}\neu,EU,DE,s1\n",
    "header only": f"{HEAD}\n",
    "nul byte": f"{HEAD}\neu,E\x00U,DE,s1\n",
    "control character": f"{HEAD}\neu,E\x0bU,DE,s1\n",
}


def _outcome(raw: bytes) -> tuple:
    errors: list = []
    got = loader_read._read_csv(BLOCS, raw, errors)
    shown = [(e.file, e.line, e.column, e.message) for e in errors]
    if got is None:
        return None, shown
    cols, lines = got
    return [(k, v.tolist()) for k, v in cols.items()], lines.tolist(), shown


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_csv_module_and_pandas_read_the_same(text, monkeypatch):
    raw = text.encode("utf-8")
    either = _outcome(raw)
    monkeypatch.setattr(loader_read, "SMALL_FILE", 0)  # every file through pandas
    assert _outcome(raw) == either


@pytest.mark.parametrize(
    "name", ["plain", "crlf", "quoted newline", "padded cells", "blank lines at end", "header only"]
)
def test_regular_files_take_the_csv_module(name):
    text = TEXTS[name]
    assert loader_read._read_small(BLOCS, text, text.encode("utf-8")) is not None


@given(
    st.lists(
        st.lists(
            st.sampled_from(["", "eu", "DE;FR", " a ", "b,c", 'q"q', "x\ny", "é", "\t"]),
            min_size=4,
            max_size=4,
        ),
        max_size=5,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_random_regular_files_read_the_same(rows, newline, quote_all):
    def cell(c: str) -> str:
        if quote_all or any(ch in c for ch in ',"\n'):
            return '"' + c.replace('"', '""') + '"'
        return c

    text = newline.join([HEAD] + [",".join(cell(c) for c in r) for r in rows]) + newline
    raw = text.encode("utf-8")
    either = _outcome(raw)
    old = loader_read.SMALL_FILE
    loader_read.SMALL_FILE = 0
    try:
        assert _outcome(raw) == either
    finally:
        loader_read.SMALL_FILE = old


def test_builtin_data_is_the_same_through_pandas(monkeypatch):
    fast = load_tables()
    monkeypatch.setattr(loader_read, "SMALL_FILE", 0)
    slow = load_tables()
    assert list(fast.frames) == list(slow.frames)
    for name in fast.frames:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True)
    pd.testing.assert_frame_equal(fast.scenarios, slow.scenarios)
    assert fast.data_hash == slow.data_hash and dict(fast.kinds) == dict(slow.kinds)


def test_long_numeric_columns_convert_each_value_as_float_does():
    rng = np.random.default_rng(0)
    texts = ["0", "-0", "+5", ".5", "5.", "1e3", "2024", "0.1", "123456789012345.6"]
    vals = np.array(rng.choice(texts, 3000).tolist(), dtype=object)
    assert np.array_equal(_to_float(vals), vals.astype(float))
    assert np.array_equal(np.signbit(_to_float(vals)), np.signbit(vals.astype(float)))


def test_sure_dates_exist_and_miss_only_29_february():
    sure = re.compile(_SURE_DATE)
    for year in ("0000", "0001", "1900", "2000", "2023", "2024", "9999"):
        for month in range(14):
            for day in range(33):
                for value in (year, f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"):
                    if sure.fullmatch(value):
                        assert _is_date(value), value
                    elif _is_date(value):
                        assert value.endswith("-02-29"), value
    assert re.fullmatch(_DATE, "2024-02-29") and _is_date("2024-02-29")
    assert not _is_date("2023-02-29") and dt.date(2024, 2, 29)
