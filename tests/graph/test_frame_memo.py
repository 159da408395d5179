"""The frame memo: hits only for the very same frame objects and key."""

import gc

import pandas as pd

from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model import frame_memo
from chiprisk.graph.model.frame_memo import memo
from chiprisk.graph.model.ledger import capacity_as_of


def test_a_hit_needs_the_same_frames_and_key():
    a = pd.DataFrame({"x": [1]})
    calls = []

    def f():
        calls.append(1)
        return len(calls)

    assert memo((a,), 1, f) == 1
    assert memo((a,), 1, f) == 1
    assert memo((a,), 2, f) == 2
    assert memo((a.copy(),), 1, f) == 3  # an equal frame is another frame


def test_a_dead_frame_never_answers_for_a_new_one_at_the_same_address():
    a = pd.DataFrame({"x": [1]})
    memo((a,), "k", lambda: "old")
    key = next(k for k in frame_memo._MEMO if k[1] == "k")
    del a
    gc.collect()
    # whatever object now has that id, the dead weak reference refuses the hit
    ref = frame_memo._MEMO[key][0][0]
    assert ref() is None
    b = pd.DataFrame({"x": [1]})
    assert memo((b,), "k", lambda: "new") == "new"


def test_the_memo_is_bounded():
    frames = [pd.DataFrame({"x": [i]}) for i in range(frame_memo.MAX_ENTRIES + 10)]
    for i, df in enumerate(frames):
        memo((df,), "bounded", lambda i=i: i)
    assert len(frame_memo._MEMO) <= frame_memo.MAX_ENTRIES


def test_scaled_ledger_from_the_memo_equals_scaling_each_row():
    t = load_tables()
    base = capacity_as_of(t, 2030)
    site = "tsmc-arizona-fab-21"
    half = capacity_as_of(t, 2030, scale={site: 0.5})
    at = half["site"] == site
    assert at.any()
    assert (half.loc[at, "quantity"] == 0.5 * base.loc[at, "quantity"]).all()
    assert half.loc[~at, "quantity"].equals(base.loc[~at, "quantity"])
    # the memo hands out copies: changing one answer leaves the next intact
    half["quantity"] = -1.0
    assert (capacity_as_of(t, 2030)["quantity"] >= 0).all()


def test_site_weights_shared_between_years_without_a_new_site(monkeypatch):
    """A year between two site start years reuses the weights: the same networks."""
    from chiprisk.graph.model import network_build
    from chiprisk.graph.model.ledger import tables_as_of

    t = load_tables()
    for year in range(2018, 2032):
        tt = tables_as_of(t, year)
        shared = network_build.build_network(tt, year)
        with monkeypatch.context() as m:
            m.setattr(network_build, "_start_year_bound", lambda sites, y: y)
            m.setattr(frame_memo, "_MEMO", type(frame_memo._MEMO)())
            exact = network_build.build_network(tt, year)
        for name in ("W", "L", "S"):
            a, b = getattr(shared, name), getattr(exact, name)
            assert a.shape == b.shape and (a != b).nnz == 0, (year, name)
        assert shared.location_basis == exact.location_basis, year


def test_many_keys_compute_only_the_missing_ones_in_one_call():
    from chiprisk.graph.model.frame_memo import memo_many

    df = pd.DataFrame({"x": [1, 2]})
    calls = []

    def compute(keys):
        calls.append(list(keys))
        return {k: k * 10 for k in keys}

    assert memo_many((df,), ["a", "b"], compute) == {"a": "a" * 10, "b": "b" * 10}
    assert memo_many((df,), ["b", "c", "c"], compute) == {"b": "b" * 10, "c": "c" * 10}
    assert calls == [["a", "b"], ["c"]]


def test_networks_of_many_years_built_together_equal_each_built_alone(monkeypatch):
    """The batched site weights of :func:`build_networks` change no figure."""
    from chiprisk.graph.model import network_build
    from chiprisk.graph.model.ledger import tables_as_of

    t = load_tables()
    years = list(range(2020, 2032))
    worlds = [(tables_as_of(t, y), y) for y in years] + [(t, None)]
    together = network_build.build_networks(worlds)
    for (tt, year), net in zip(worlds, together, strict=True):
        with monkeypatch.context() as m:
            m.setattr(frame_memo, "_MEMO", type(frame_memo._MEMO)())
            alone = network_build.build_network(tt, year)
        assert net.year == year and net.suppliers == alone.suppliers
        for name in ("W", "R", "L", "S"):
            a, b = getattr(net, name), getattr(alone, name)
            assert a.shape == b.shape and (a != b).nnz == 0, (year, name)
        assert net.location_basis == alone.location_basis, year
        assert net.sites == alone.sites and net.countries == alone.countries
