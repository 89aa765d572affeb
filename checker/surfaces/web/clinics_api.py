"""The JSON twins of the clinic and compare pages, under /api/v1.

* ``GET /api/v1/compare/<a>/<b>``: what changed from check ``a`` to check ``b``; each must be
  readable by the caller as ``GET /api/v1/checks/<id>`` would read it (``readable_check``),
  else a 404 problem.
* ``GET /api/v1/clinics``: clinics and their latest check: without a key, of the published
  checks; with a key, of that key's own checks and the published ones.
* ``GET /api/v1/clinics/<key>``: one clinic's checks the caller may list, oldest first, each
  with what changed from the one before.

Errors are problem documents, as in the rest of the API (checker.surfaces.web.api).
"""

from __future__ import annotations


from flask import Blueprint, Response, jsonify, request, url_for

from checker.surfaces.clinic_history import clinic_view
from checker.surfaces.clinics import clinic_label
from checker.surfaces.compare import compare, side
from checker.surfaces.store.clinics import clinic_checks, list_clinics
from checker.surfaces.web.api_common import (ApiProblem, audit, current_key, only_query,
                                              page_params, problem, rate_key, read_limit,
                                              readable_check)
from checker.surfaces.web.shared import get_store, limiter

clinics_api = Blueprint("clinics_api", __name__)


@clinics_api.errorhandler(ApiProblem)
def _api_problem(exc: ApiProblem) -> Response:
    audit(exc.status, exc.detail)
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


@clinics_api.get("/api/v1/compare/<a>/<b>")
@limiter.limit(read_limit, key_func=rate_key)
def compare_checks(a: str, b: str) -> Response:
    only_query()
    before, after = readable_check(a), readable_check(b)
    c = compare(side(before), side(after))
    return jsonify(c)


@clinics_api.get("/api/v1/clinics")
@limiter.limit(read_limit, key_func=rate_key)
def clinics_list() -> Response:
    key = current_key(required=False)
    limit, offset = page_params("q")
    rows, total = list_clinics(get_store(), key_id=key.id if key else None,
                               query=request.args.get("q", "")[:200], limit=limit,
                               offset=offset)
    out = []
    for row in rows:
        out.append({"key": row["key"], "name": clinic_label(row["clinic"], row["url"]),
                    "checks": row["checks"], "last_checked": row["last_checked"],
                    "latest": {"id": row["latest_id"], "level": row["level"],
                               "score": row["score"]},
                    "clinic_url": url_for("clinics_api.clinic", key=row["key"])})
    return jsonify({"clinics": out, "total": total, "limit": limit, "offset": offset})


@clinics_api.get("/api/v1/clinics/<key>")
@limiter.limit(read_limit, key_func=rate_key)
def clinic(key: str) -> Response:
    only_query()
    caller = current_key(required=False)
    rows, total = clinic_checks(get_store(), key, key_id=caller.id if caller else None)
    if not rows:
        raise ApiProblem(404, "Unknown clinic",
                         f"There are no checks of a clinic {key[:200]!r} this caller may list.")
    view = clinic_view(key, rows, total)
    for entry in view["checks"]:
        entry["check_url"] = url_for("api.get_check", check_id=entry["id"])
        if entry["change"] is not None:
            entry["change"]["compare_url"] = url_for("clinics_api.compare_checks",
                                                     a=entry["change"]["from"], b=entry["id"])
    return jsonify(view)
