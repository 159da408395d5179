"""Cache entries as data, never code: a JSON tree plus numpy arrays in one ``.npz``.

The on-disk cache used to hold pickles, and unpickling runs code: anyone who
could write to a shared ``CHIPRISK_CACHE_DIR`` could run code as every user of
it. This codec stores only plain values: the structure is JSON, numbers and
codes are numpy arrays of plain dtypes read with ``allow_pickle=False``, and
objects are rebuilt only for the dataclasses the caller names (their fields
are set one by one; no constructor or ``__setstate__`` of the file's choosing
runs). What it stores: ``None``, bools, ints, floats, strings, lists, tuples,
dicts, numpy arrays and scalars, pandas DataFrames, Series and indexes
(numpy, nullable and string dtypes; object columns of text), scipy CSR
matrices, and named dataclasses. Anything else raises :class:`TypeError`
(then nothing is cached).

Examples
--------
>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"id": ["a", None], "x": [1.5, np.nan],
...                    "n": pd.array([1, None], dtype="Int64")})
>>> back = loads(dumps({"df": df, "v": np.arange(3), "t": ("x", 1)}))
>>> back["df"].equals(df), back["v"].tolist(), back["t"]
(True, [0, 1, 2], ('x', 1))
"""

from __future__ import annotations

import dataclasses
import io
import json
import math

import numpy as np
import pandas as pd

__all__ = ["dumps", "loads"]

_TREE = "__tree__"


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray) -> dict:
        if a.dtype.hasobject:
            raise TypeError("object arrays are not cached")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(a)
        return {"A": name}

    def enc(self, v: object) -> object:
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else {"F": repr(v)}
        if isinstance(v, np.generic):
            return self.enc(v.item())
        if isinstance(v, list):
            return {"L": [self.enc(x) for x in v]}
        if isinstance(v, tuple):
            return {"T": [self.enc(x) for x in v]}
        if isinstance(v, dict):
            return {"D": [[self.enc(k), self.enc(x)] for k, x in v.items()]}
        if isinstance(v, np.ndarray):
            if v.dtype.hasobject:
                return {"AO": [self.enc(x) for x in v.tolist()], "shape": list(v.shape)}
            return self.array(v)
        if isinstance(v, pd.DataFrame):
            return {
                "DF": [self.enc(list(v.columns)), [self.series(v[c]) for c in v.columns]],
                "index": self.index(v.index),
                "attrs": self.enc(dict(v.attrs)),
            }
        if isinstance(v, pd.Series):
            return {"S": self.series(v), "index": self.index(v.index), "name": self.enc(v.name)}
        if isinstance(v, pd.Index):
            return {"IX": self.index(v)}
        if type(v).__name__ in ("csr_matrix", "csr_array"):
            return {
                "CSR": [self.array(v.data), self.array(v.indices), self.array(v.indptr)],
                "shape": list(v.shape),
            }
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {
                "DC": type(v).__name__,
                "fields": {f.name: self.enc(getattr(v, f.name)) for f in dataclasses.fields(v)},
            }
        raise TypeError(f"cannot cache a {type(v).__name__}")

    def index(self, ix: pd.Index) -> dict:
        if isinstance(ix, pd.RangeIndex):
            return {"RI": [ix.start, ix.stop, ix.step]}
        return {"vals": self.series(pd.Series(ix, copy=False)), "name": self.enc(ix.name)}

    def series(self, s: pd.Series) -> dict:
        dtype = s.dtype
        if isinstance(dtype, np.dtype) and not dtype.hasobject:
            return {"num": self.array(s.to_numpy())}
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and hasattr(s.array, "_mask"):
            arr = s.array
            return {
                "masked": str(dtype),
                "data": self.array(np.asarray(arr._data)),
                "mask": self.array(np.asarray(arr._mask)),
            }
        values = s.to_numpy(dtype=object)
        out: dict = {"dtype": None if isinstance(dtype, np.dtype) else str(dtype)}
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists): stored value by value below
            codes, uniques = None, [None]
        if codes is not None and all(type(u) is str for u in uniques):
            missing = values[codes < 0]
            kinds = {"none" if x is None else "nan" for x in missing}
            if len(kinds) <= 1 and all(x is None or _is_nan(x) for x in missing):
                out.update(
                    codes=self.array(codes.astype(np.int32 if len(uniques) < 2**31 else np.int64)),
                    uniques=list(uniques),
                    fill=next(iter(kinds), "none"),
                )
                return out
        out["values"] = [self.enc(x) for x in values.tolist()]
        return out


def _is_nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


class _Reader:
    def __init__(self, arrays, classes: dict[str, type]) -> None:
        self.arrays, self.classes = arrays, classes

    def array(self, ref: dict) -> np.ndarray:
        return self.arrays[str(ref["A"])]

    def dec(self, v: object) -> object:
        if not isinstance(v, dict):
            return v
        if "F" in v:
            return float(v["F"])
        if "L" in v:
            return [self.dec(x) for x in v["L"]]
        if "T" in v:
            return tuple(self.dec(x) for x in v["T"])
        if "D" in v:
            return {self.dec(k): self.dec(x) for k, x in v["D"]}
        if "A" in v:
            return self.array(v)
        if "AO" in v:
            out = np.empty(len(v["AO"]), dtype=object)
            out[:] = [self.dec(x) for x in v["AO"]]
            return out.reshape(v["shape"])
        if "DF" in v:
            names, cols = v["DF"]
            names = self.dec(names)
            index = self.index(v["index"])
            data = {i: self.series(c, index) for i, c in enumerate(cols)}
            df = pd.DataFrame(data, index=index, copy=False)
            df.columns = pd.Index(names) if names else df.columns  # inferred, as a fresh frame
            df.attrs = self.dec(v["attrs"])
            return df
        if "S" in v:
            return pd.Series(
                self.series(v["S"], None).array,
                index=self.index(v["index"]),
                name=self.dec(v["name"]),
            )
        if "IX" in v:
            return self.index(v["IX"])
        if "CSR" in v:
            from scipy.sparse import csr_matrix

            data, indices, indptr = (self.array(x) for x in v["CSR"])
            return csr_matrix((data, indices, indptr), shape=tuple(v["shape"]))
        if "DC" in v:
            cls = self.classes.get(v["DC"])
            if cls is None:
                raise ValueError(f"the entry holds a {v['DC']}, which the caller did not allow")
            obj = cls.__new__(cls)
            names = {f.name for f in dataclasses.fields(cls)}
            for name, value in v["fields"].items():
                if name not in names:
                    raise ValueError(f"{v['DC']} has no field {name!r}")
                object.__setattr__(obj, name, self.dec(value))
            return obj
        raise ValueError(f"unknown cache node {sorted(v)[:3]}")

    def index(self, v: dict) -> pd.Index:
        if "RI" in v:
            return pd.RangeIndex(*v["RI"])
        s = self.series(v["vals"], None)
        return pd.Index(s.array, name=self.dec(v["name"]), copy=False)

    def series(self, v: dict, index) -> pd.Series:
        if "num" in v:
            return pd.Series(self.array(v["num"]), index=index, copy=False)
        if "masked" in v:
            dtype = pd.api.types.pandas_dtype(v["masked"])
            arr = dtype.construct_array_type()(self.array(v["data"]), self.array(v["mask"]))
            return pd.Series(arr, index=index, copy=False)
        if "codes" in v:
            fill = None if v["fill"] == "none" else np.nan
            uniques = np.empty(len(v["uniques"]) + 1, dtype=object)
            uniques[:-1] = v["uniques"]
            uniques[-1] = fill
            values = uniques[self.array(v["codes"])]
        else:
            values = np.empty(len(v["values"]), dtype=object)
            values[:] = [self.dec(x) for x in v["values"]]
        s = pd.Series(values, index=index, dtype=object, copy=False)
        return s if v["dtype"] is None else s.astype(v["dtype"])


def dumps(obj: object) -> bytes:
    """Encode ``obj`` as an ``.npz`` archive (JSON structure + plain arrays).

    Raises
    ------
    TypeError
        For a value the codec does not store (then do not cache it).
    """
    w = _Writer()
    tree = json.dumps(w.enc(obj), separators=(",", ":"), allow_nan=False).encode()
    buf = io.BytesIO()
    np.savez(buf, **{_TREE: np.frombuffer(tree, dtype=np.uint8)}, **w.arrays)
    return buf.getvalue()


def loads(blob: bytes, classes: dict[str, type] | None = None) -> object:
    """Decode what :func:`dumps` wrote; dataclasses only of the ``classes`` given.

    Raises
    ------
    ValueError
        For anything but a well-formed entry (a torn file, an object array, a
        class not in ``classes``).

    Examples
    --------
    >>> try:
    ...     loads(b"not an archive")
    ... except ValueError:
    ...     print("refused")
    refused
    """
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        tree = json.loads(arrays.pop(_TREE).tobytes())
        return _Reader(arrays, dict(classes or {})).dec(tree)
    except ValueError:
        raise
    except Exception as exc:  # a zip, npy or JSON error: a broken entry
        raise ValueError(f"not a cache entry: {type(exc).__name__}") from None


def put_object(key: str, name: str, obj: object) -> bool:
    """Store ``obj`` in the on-disk cache under ``key``; False if it cannot be encoded."""
    from chiprisk.graph.io import cache

    try:
        blob = dumps(obj)
    except (TypeError, ValueError):
        return False
    cache.put(key, name, blob)
    return True


def get_object(key: str, name: str, classes: dict[str, type] | None = None) -> object | None:
    """The cached object under ``key``, or None (missing, torn, planted: then rebuild)."""
    from chiprisk.graph.io import cache

    blob = cache.get(key, name)
    if blob is None:
        return None
    try:
        return loads(blob, classes)
    except (ValueError, TypeError, KeyError):
        cache.discard(key, name)
        return None


def put_tables(key: str, tables) -> bool:
    """Cache checked :class:`~chiprisk.graph.io.loader.Tables` (no pickle)."""
    state = {f.name: getattr(tables, f.name) for f in dataclasses.fields(tables)}
    state.pop("kinds", None)  # rebuilt from the frames when first used
    state.pop("origin", None)  # the entry is keyed by content: two folders share it
    return put_object(key, "tables.npz", state)


def get_tables(key: str, origin: str):
    """The cached :class:`~chiprisk.graph.io.loader.Tables` of ``key`` with ``origin``, or None.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["CHIPRISK_CACHE_DIR"] = tempfile.mkdtemp()
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> put_tables("k" * 32, t)
    True
    >>> back = get_tables("k" * 32, "built-in")
    >>> all(back[n].equals(t[n]) for n in t.frames), back.kind_of("tsmc") == t.kind_of("tsmc")
    (True, True)
    """
    from chiprisk.graph.io.loader import Tables

    state = get_object(key, "tables.npz")
    if not isinstance(state, dict) or not isinstance(state.get("frames"), dict):
        return None
    names = {f.name for f in dataclasses.fields(Tables)}
    if set(state) | {"kinds", "origin"} != names:
        return None  # written by another shape of Tables: rebuild
    tables = Tables.__new__(Tables)
    tables.__setstate__({**state, "origin": origin, "kinds": None})
    return tables
