"""Country and currency codes: ISO 3166-1 and ISO 4217 from pycountry, never a hand list.

Examples
--------
>>> "TW" in ISO_COUNTRIES, "EUR" in ISO_CURRENCIES
(True, True)
>>> country_label("KR")
'South Korea'
"""

from __future__ import annotations

from functools import cache

import pycountry

ISO_COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)
"""Every ISO 3166-1 alpha-2 code."""

ISO_CURRENCIES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies)
"""Every ISO 4217 alphabetic code."""


@cache
def country_label(code: str) -> str:
    """Readable name of an ISO 3166-1 alpha-2 code (pycountry's common name).

    Examples
    --------
    >>> country_label("TW")
    'Taiwan'
    """
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or c.name
