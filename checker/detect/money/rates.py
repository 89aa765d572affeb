"""The offline exchange-rate table (``corpus/fx_rates.yaml``) and ``to_usd``."""

from __future__ import annotations

from pathlib import Path

import yaml

from checker.core.paths import CORPUS_DIR

_RATES_PATH = CORPUS_DIR / "fx_rates.yaml"


def _load_rates(path: Path) -> tuple[str, dict[str, float]]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    rates = {str(k).upper(): float(v) for k, v in (data.get("rates") or {}).items()}
    return str(data.get("date")), rates


RATES_DATE, RATES = _load_rates(_RATES_PATH)


def to_usd(amount: float, currency: str) -> float | None:
    """Convert ``amount`` of ``currency`` (ISO code) to USD with the offline table.

    Returns None when the currency is not in the table.  The result is rounded
    to cents; the table is approximate, so treat it as an estimate.
    """
    rate = RATES.get((currency or "").upper())
    if rate is None:
        return None
    return round(amount * rate, 2)
