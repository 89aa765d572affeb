"""What the API says about jobs and how it reads check options.

* ``job_view(job)``: a job as ``GET /api/v1/jobs/<id>`` and ``GET /api/v1/jobs`` list it.
* ``jsonl_lines`` and ``csv_lines``: a job's results as JSON Lines (each line the item's ``id``,
  ``status``, ``url`` and ``clinic`` when given, ``fields`` with every other field of its input
  record, then the result's own keys, or ``error``) and as CSV (the summary rows the batch
  command writes, checker.surfaces.summary, then ``status`` and ``error``).
* ``body_options`` and ``query_options``: the check options (checker.core.options) of a JSON
  body or of the query string, or a 400 problem saying what is wrong.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator

from flask import request, url_for

from checker.core.errors import OptionsError
from checker.core.options import NAMES, CheckOptions, names
from checker.formats import to_v1
from checker.surfaces.summary import (STATUS_COLUMNS, SUMMARY_COLUMNS, csv_line, error_row,
                                      ranks_in_order, record_fields, summary_row)
from checker.surfaces.triage import triage_points
from checker.surfaces.web.api_common import ApiProblem, only_query
from checker.surfaces.web.dashboards import dashboard_url


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    """A job's state, progress, versions, options (when it has any) and links."""
    total = job["total"] or 0
    finished = (job["done"] or 0) + (job["failed"] or 0)
    out = {
        "id": job["id"], "created": job["created"], "state": job["state"], "total": total,
        "done": job["done"], "failed": job["failed"],
        "progress": round(finished / total, 4) if total else 1.0, "finished": job["finished"],
        "versions": {"checker": job["checker_version"], "rules": job["rules_version"],
                     "data": job["data_version"], "model": job["model_version"]},
    }
    if job.get("options"):
        out["options"] = job["options"]
    out["status_url"] = url_for("api.job_status", job_id=job["id"])
    out["results_url"] = url_for("api.job_results", job_id=job["id"])
    # The job's dashboard in a browser: a link with a signed token, for the key's holder only.
    out["dashboard_url"] = dashboard_url(job["id"])
    return out


# -- results ----------------------------------------------------------------------------------


def _head(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "status": row["status"], **record_fields(
        url=row.get("url", ""), clinic=row.get("clinic", ""), fields=row.get("fields"),
        text=row.get("text", ""), result=row.get("result"))}


def jsonl_lines(rows: Iterable[dict[str, Any]], result_format: str) -> Iterator[str]:
    for row in rows:
        if row["status"] in ("done", "error"):
            out = _head(row)
            result = row["result"]
            if result is not None and result_format == "1":
                result = to_v1(result)
            out.update(result or {"error": row["error"]})
            yield json.dumps(out, ensure_ascii=False) + "\n"


def csv_lines(rows: Callable[[], Iterable[dict[str, Any]]]) -> Iterator[str]:
    """The summary rows in input order, ranked within the job. ``rows()`` is read twice: first
    for the ranks, then for the rows; an item finished in between waits for the next request."""
    done = [(row["seq"], row["id"], triage_points(row["result"]), row["result"]["score"])
            for row in rows() if row["status"] == "done"]
    ranks = dict(zip((seq for seq, *_ in done),
                     ranks_in_order((item_id, points, score) for _s, item_id, points, score in done)))
    yield csv_line(SUMMARY_COLUMNS + STATUS_COLUMNS)
    for row in rows():
        if row["status"] == "done" and row["seq"] in ranks:
            yield csv_line(summary_row(row["id"], row["result"], url=row["url"],
                                       clinic=row["clinic"], triage_rank=ranks[row["seq"]])
                           + ["done", ""])
        elif row["status"] == "error":
            yield csv_line(error_row(row["id"], row["error"] or "", url=row["url"],
                                     clinic=row["clinic"]))


# -- check options ----------------------------------------------------------------------------


def _parsed(given: dict[str, Any]) -> CheckOptions:
    try:
        return CheckOptions.parse(given)
    except OptionsError as exc:
        raise ApiProblem(400, "Bad option", exc.message[0].upper() + exc.message[1:] + ".") \
            from None


def body_options(body: dict[str, Any]) -> CheckOptions:
    """``categories``, ``min_severity`` and ``allow`` of a JSON body."""
    return _parsed({name: body.get(name) for name in NAMES})


def query_options() -> CheckOptions:
    """The same from the query string: ``categories`` as names separated by commas (or the
    parameter repeated), ``min_severity`` once, ``allow`` once per phrase; no other parameter."""
    only_query(*NAMES)
    given: dict[str, Any] = {}
    if "categories" in request.args:
        given["categories"] = [n for value in request.args.getlist("categories")
                               for n in names(value)]
    if "min_severity" in request.args:
        severities = request.args.getlist("min_severity")
        if len(severities) > 1:
            raise ApiProblem(400, "Bad option", "Give 'min_severity' once.")
        given["min_severity"] = severities[0]
    if "allow" in request.args:
        given["allow"] = request.args.getlist("allow")
    return _parsed(given)
