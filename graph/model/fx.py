"""Currency conversion with the sourced annual rates of ``fx_rates.csv``.

``fx_rates.csv`` holds, per currency and year, ``per_usd``: units of the
currency per 1 USD (annual averages, each row with a source). A conversion
uses, for each currency involved, the rate of the **nearest year on or before**
the requested year, else the nearest later year, and returns the rate, the
year and the source used with the amount, so every converted number can be
printed with its provenance. USD needs no rate (``per_usd`` = 1 by definition).

Examples
--------
>>> import pandas as pd
>>> fx = pd.DataFrame({"currency": ["EUR", "JPY"], "year": [2023, 2022],
...                    "per_usd": [0.9245, 131.4589], "source_id": ["fed", "fed"]})
>>> c = convert(fx, 476e9, "JPY", "USD", 2024)
>>> round(c.amount / 1e9, 3), c.rates[0].year, c.rates[0].how
(3.621, 2022, 'nearest earlier year')
>>> convert(fx, 100.0, "USD", "EUR", 2023).note
'1 USD = 0.9245 EUR (2023, source fed)'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chiprisk.graph.errors import UsageError

__all__ = ["Conversion", "FxRate", "convert", "rate"]


@dataclass(frozen=True)
class FxRate:
    """One annual rate used: ``per_usd`` units of ``currency`` per USD."""

    currency: str
    year: int | None
    per_usd: float
    source_id: str | None
    how: str
    """``exact year``, ``nearest earlier year``, ``nearest later year`` or ``USD``."""

    @property
    def note(self) -> str:
        if self.currency == "USD":
            return "USD (no conversion)"
        return f"1 USD = {self.per_usd:g} {self.currency} ({self.year}, source {self.source_id})"


@dataclass(frozen=True)
class Conversion:
    """A converted amount with the rates behind it."""

    amount: float
    currency: str
    rates: tuple[FxRate, ...]

    @property
    def note(self) -> str:
        """The rates used, readable (``;``-joined)."""
        return "; ".join(r.note for r in self.rates if r.currency != "USD") or "no conversion"

    @property
    def source_ids(self) -> list[str]:
        return sorted({r.source_id for r in self.rates if r.source_id})


def _frame(fx: pd.DataFrame | object) -> pd.DataFrame:
    """Accept the fx_rates DataFrame or a Tables object."""
    if isinstance(fx, pd.DataFrame):
        return fx
    try:
        return fx["fx_rates"]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UsageError("expected the fx_rates table or a Tables object") from None


def rate(fx: pd.DataFrame | object, currency: str, year: int | None) -> FxRate:
    """The rate to use for ``currency`` as of ``year``.

    Parameters
    ----------
    fx : pandas.DataFrame or Tables
        The ``fx_rates`` table (``currency``, ``year``, ``per_usd``, ``source_id``).
    currency : str
        ISO 4217 code.
    year : int or None
        The year of the amount; None takes the latest rate.

    Raises
    ------
    UsageError
        When the data hold no rate for ``currency``.

    Notes
    -----
    O(rows of the currency).
    """
    if currency == "USD":
        return FxRate("USD", year, 1.0, None, "USD")
    df = _frame(fx)
    rows = df[df["currency"] == currency]
    if rows.empty:
        known = ", ".join(sorted(set(df["currency"]))) or "none"
        raise UsageError(f"no exchange rate for {currency!r} in fx_rates.csv (have: {known})")
    years = rows["year"].astype(int)
    if year is None:
        pick, how = rows.loc[years.idxmax()], "latest year"
    elif (years == year).any():
        pick, how = rows[years == year].iloc[0], "exact year"
    elif (years < year).any():
        pick, how = rows.loc[years[years < year].idxmax()], "nearest earlier year"
    else:
        pick, how = rows.loc[years.idxmin()], "nearest later year"
    return FxRate(currency, int(pick["year"]), float(pick["per_usd"]), pick.get("source_id"), how)


def convert(
    fx: pd.DataFrame | object,
    amount: float,
    currency: str,
    to: str = "USD",
    year: int | None = None,
) -> Conversion:
    """Convert ``amount`` of ``currency`` into ``to`` with the rates as of ``year``.

    ``amount / per_usd(currency) * per_usd(to)``; both rates are returned.

    Examples
    --------
    >>> import pandas as pd
    >>> fx = pd.DataFrame({"currency": ["EUR"], "year": [2023], "per_usd": [0.9245],
    ...                    "source_id": ["fed"]})
    >>> round(convert(fx, 3.3e9, "EUR", "USD", 2023).amount / 1e9, 4)
    3.5695
    """
    src = rate(fx, currency, year)
    dst = rate(fx, to, year)
    value = float(amount) / src.per_usd * dst.per_usd
    used = tuple(r for r in (src, dst) if r.currency != "USD") or (src,)
    return Conversion(value, to, used)
