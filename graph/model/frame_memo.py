"""Memoise results computed from checked DataFrames, keyed by the frames' identity.

A counterfactual loop (the outlook's years, the ranking's policies) asks for
the same year's ledger and site weights many times from the same loaded
frames. The frames of a :class:`~chiprisk.graph.io.loader.Tables` are never
modified after loading (every step builds new frames), so a result computed
from them can be reused while those very frame objects live: the memo holds
weak references to them and a hit requires each to be the same object.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"x": [1, 2]})
>>> calls = []
>>> def total():
...     calls.append(1)
...     return int(df["x"].sum())
>>> memo((df,), "total", total), memo((df,), "total", total), len(calls)
(3, 3, 1)
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import pandas as pd

__all__ = ["MAX_ENTRIES", "memo", "memo_many"]

T = TypeVar("T")

MAX_ENTRIES = 128
"""Results kept, least recently used dropped first."""

_MEMO: OrderedDict[tuple, tuple[tuple[weakref.ref, ...], object]] = OrderedDict()


def memo(
    frames: Sequence[pd.DataFrame],
    key: Hashable,
    compute: Callable[[], T],
    *,
    store: OrderedDict | None = None,
    limit: int = MAX_ENTRIES,
) -> T:
    """``compute()``, or its earlier result for the same frame objects and ``key``.

    Parameters
    ----------
    frames : sequence of pandas.DataFrame
        The frames the result is computed from (compared by identity).
    key : hashable
        Everything else the result depends on (function name, year, ...).
    compute : callable
        Computes the result; called on a miss only.
    store : OrderedDict, optional
        A caller's own store (default: the module's), with its own ``limit``:
        large results (a network of a million rows) keep only a few.
    limit : int
        Results kept in ``store``.

    Returns
    -------
    The result. Callers must not modify it (copy first).

    Examples
    --------
    >>> import pandas as pd
    >>> a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})
    >>> memo((a,), "k", lambda: "from a"), memo((b,), "k", lambda: "from b")
    ('from a', 'from b')
    """
    return memo_many(frames, [key], lambda _: {key: compute()}, store=store, limit=limit)[key]


def memo_many(
    frames: Sequence[pd.DataFrame],
    keys: Sequence[Hashable],
    compute: Callable[[list], dict],
    *,
    store: OrderedDict | None = None,
    limit: int = MAX_ENTRIES,
) -> dict:
    """:func:`memo` of several keys: ``compute(missing keys)`` returns the missing results.

    One call computes every key not held yet (the outlook's years of the
    ledger in one pass instead of one pass per year).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2]})
    >>> asked = []
    >>> def scaled(ks):
    ...     asked.append(ks)
    ...     return {k: int(df["x"].sum()) * k for k in ks}
    >>> memo_many((df,), [1, 2], scaled), memo_many((df,), [2, 3], scaled), asked
    ({1: 3, 2: 6}, {2: 6, 3: 9}, [[1, 2], [3]])
    """
    store = _MEMO if store is None else store
    ids = tuple(id(f) for f in frames)
    out, missing = {}, []
    for key in keys:
        hit = store.get((ids, key))
        if hit is not None and all(r() is f for r, f in zip(hit[0], frames, strict=True)):
            store.move_to_end((ids, key))
            out[key] = hit[1]
        elif key not in missing:
            missing.append(key)
    if missing:
        new = compute(missing)
        refs = tuple(weakref.ref(f) for f in frames)
        for key in missing:
            store[(ids, key)] = (refs, new[key])
            out[key] = new[key]
        while len(store) > limit:
            store.popitem(last=False)
    return out
