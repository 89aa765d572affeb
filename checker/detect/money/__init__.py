"""Find prices in clinic marketing text.

``find_prices(text)`` returns every price mention in ``text`` as a
:class:`PriceMention`: where it is, the amount (or range), the ISO 4217
currency, an approximate USD value from the offline table in
``corpus/fx_rates.yaml``, the unit it is quoted in ("per injection",
"per 100 million cells", "package of 3", "deposit", ...) and a qualifier
("from", "up_to", "about").

Design
------
Everything is done with small, precompiled regular expressions whose every
repetition is bounded, applied either at one position (``match``) or inside a
small window, so the running time is linear in the length of the text.

1. *Numbers.*  ``_AMOUNT_RE`` finds digit groups ("15,000", "15.000", "15 000",
   "15'000", "3,50,000", "6.900,50", "1.2").  A multiplier may follow ("k",
   "M", "thousand", "million", "lakh", "crore", "grand").  The number text is
   converted with ``price_parser`` (``Price.fromstring``), which knows both
   separator conventions and Indian grouping.
2. *Currency.*  A currency marker must sit right before the number ("$",
   "US$", "MX$", "EUR", "Rs.", ...) or right after it ("€", "円", "USD",
   "dollars", "pesos", "baht", ...).  A number with no currency is not a
   price; the only implied currencies are "grand" (USD) and "lakh"/"crore"
   (INR).  Written numbers ("twenty-five thousand US dollars") are found by
   ``WORDNUM_RE`` and need a currency word right after them.
3. *Ranges.*  Two neighbouring numbers joined by "-", "–", "to", "~" (or
   "between X and Y") become one mention when they share a currency (one side
   may omit it: "5.000-8.000 €") and the second is larger.
4. *Qualifiers and units* are read from short windows just before and just
   after the mention ("from", "up to", "~"; "per vial", "/mo", "for 50 million
   cells", "3-session package", "Deposit:", "Consultation fee").  They are
   reported in fields and are NOT part of ``mention.text``, which always
   starts and ends with the amount or its currency marker (for
   "between $5,000 and $8,000" the text is "$5,000 and $8,000").

Ambiguities are resolved conservatively: a bare "$" is USD, a bare "¥" is JPY,
"pesos" is MXN, "Rs" is INR, "C$" is CAD, "$1.500" is 1500 (dot as thousands
separator), "1,5" is 1.5.

The package imports nothing from the rest of ``checker`` but
``checker.core.paths`` (in ``rates``).  Its modules:

* ``rates``      -- the offline exchange-rate table and ``to_usd``;
* ``numbers``    -- digit groups, multipliers and written numbers;
* ``currencies`` -- currency markers and their ISO codes;
* ``amounts``    -- scanning a text for amounts with their markers;
* ``units``      -- qualifier and unit words around an amount, and ``UNITS``;
* ``finder``     -- ``find_prices`` and ``PriceMention``.
"""

from __future__ import annotations

from checker.detect.money.finder import PriceMention, find_prices
from checker.detect.money.rates import RATES, RATES_DATE, to_usd
from checker.detect.money.units import UNITS

__all__ = ["PriceMention", "find_prices", "to_usd", "RATES_DATE", "RATES", "UNITS"]
