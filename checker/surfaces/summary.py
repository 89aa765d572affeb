"""One summary row per checked advert: the batch command's CSV and an API job's CSV share it."""

from __future__ import annotations

import csv
import io
from typing import Any

from checker.core.result import CATEGORIES

SUMMARY_COLUMNS = ["id", "url", "clinic", "level", "score", "findings", "categories", "rule_ids",
                   "summary", "input_sha256", "checker", "rules", "model"]


def summary_row(item_id: str, result: dict[str, Any], *, url: str = "",
                clinic: str = "") -> list[Any]:
    """The SUMMARY_COLUMNS of one result (a result in format 1 or 2)."""
    versions = result["versions"]
    return [
        item_id, url, clinic, result["level"], result["score"], len(result["findings"]),
        ";".join(c for c in CATEGORIES if result["categories"][c]["count"]),
        ";".join(dict.fromkeys(f["rule"] for f in result["findings"])),
        result["summary"], result["input"]["sha256"],
        versions["checker"], versions["rules"], versions["model"],
    ]


def csv_line(values: list[Any]) -> str:
    """One CSV record, with its line end (as csv.writer writes it)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()
