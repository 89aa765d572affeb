"""One summary row per checked advert: the batch command's CSV and an API job's CSV share it,
byte for byte (``tests/test_summary_rows.py`` holds them to it).

The columns, in order (``SUMMARY_COLUMNS``):

* ``id``, ``clinic`` (as given), ``clinic_key`` (checker.surfaces.clinics: the clinic's name
  folded, else its web address's domain), ``url``;
* ``level``, ``score``; ``triage`` (the triage points, checker.surfaces.triage) and
  ``triage_rank`` (1 = read first, within the whole batch or job: empty in a batch CSV until the
  run has finished, since a rank needs every row);
* one column per category (``efficacy`` ... ``pressure``): how many findings of it;
* ``findings`` (how many in all); ``rule_ids``: the distinct rules, in order of first
  appearance, ``;``-joined;
* ``conditions``: each condition the advert offers treatment for, as ``label=status``
  (``no_approval``, ``approved_elsewhere``, ...), ``;``-joined;
* ``prices``: each price as ``amount currency`` (``low-high currency`` for a range), with its
  value in US dollars after it in brackets when known (``12000 EUR (13920 USD)``), ``;``-joined;
* ``summary``, ``input_sha256``, and the ``checker``, ``rules`` and ``model`` versions.

A job's CSV adds ``status`` (``done`` or ``error``) and ``error`` after them (``STATUS_COLUMNS``);
an item that could not be checked has its id, clinic, clinic key and url, blanks, ``error`` and
the reason. The batch command writes such records to its errors file instead.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from checker.core.result import CATEGORIES
from checker.surfaces.clinics import clinic_key, country_of
from checker.surfaces.triage import rank, triage_points

SUMMARY_COLUMNS = ["id", "clinic", "clinic_key", "url", "level", "score", "triage",
                   "triage_rank", *CATEGORIES, "findings", "rule_ids", "conditions", "prices",
                   "summary", "input_sha256", "checker", "rules", "model"]
STATUS_COLUMNS = ["status", "error"]
TRIAGE, RANK, SCORE = (SUMMARY_COLUMNS.index(c) for c in ("triage", "triage_rank", "score"))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def price_text(price: dict[str, Any]) -> str:
    amount = _number(price["amount"])
    if price.get("amount_max") is not None:
        amount += "-" + _number(price["amount_max"])
    out = f"{amount} {price['currency']}"
    return out + (f" ({_number(price['usd'])} USD)" if price.get("usd") is not None else "")


def summary_row(item_id: str, result: dict[str, Any], *, url: str = "", clinic: str = "",
                triage_rank: int | None = None) -> list[Any]:
    """The SUMMARY_COLUMNS of one result (format 1 or 2); ``triage_rank`` None leaves it empty."""
    versions = result["versions"]
    counts = [result["categories"][c]["count"] for c in CATEGORIES]
    return [
        item_id, clinic, clinic_key(clinic, url), url, result["level"], result["score"],
        triage_points(result), "" if triage_rank is None else triage_rank, *counts,
        len(result["findings"]),
        ";".join(dict.fromkeys(f["rule"] for f in result["findings"])),
        ";".join(f"{i['label']}={i['status']}" for i in result["indications"] if i.get("offered")),
        ";".join(price_text(p) for p in result["prices"]),
        result["summary"], result["input"]["sha256"],
        versions["checker"], versions["rules"], versions["model"],
    ]


def record_fields(*, url: str = "", clinic: str = "", fields: dict[str, Any] | None = None,
                  text: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a JSON Lines row says of its record beside the id (the batch's and a job's rows
    alike): its url and clinic and every other input field (``fields``) when given, and the
    country the advert seems to be in when its result points to one."""
    out: dict[str, Any] = {}
    for name, value in (("url", url), ("clinic", clinic), ("fields", fields)):
        if value:
            out[name] = value
    country = country_of(text, result) if result else ""
    if country:
        out["country"] = country
    return out


def error_row(item_id: str, error: str, *, url: str = "", clinic: str = "") -> list[Any]:
    """A job item that could not be checked: the SUMMARY_COLUMNS blank but the first four, then
    the STATUS_COLUMNS."""
    blanks = [""] * (len(SUMMARY_COLUMNS) - 4)
    return [item_id, clinic, clinic_key(clinic, url), url, *blanks, "error", error]


def ranks_in_order(items: Iterable[tuple[str, float, float]]) -> list[int]:
    """The triage rank of each (id, triage points, score) item, in the items' order: most points
    first, then the higher score, then the id, then the order given (a batch's ids may repeat)."""
    keyed = [((item_id, n), points, score) for n, (item_id, points, score) in enumerate(items)]
    ranked = rank(keyed)   # type: ignore[arg-type]   # (id, n) sorts as the id, then n
    return [ranked[key] for key, _p, _s in keyed]


def ranks_of_rows(rows: Iterable[list[str]]) -> list[int]:
    """The triage ranks of summary rows read back from a CSV (its header row not among them)."""
    return ranks_in_order((row[0], float(row[TRIAGE]), float(row[SCORE])) for row in rows)


def csv_line(values: list[Any]) -> str:
    """One CSV record, with its line end (as csv.writer writes it)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()
