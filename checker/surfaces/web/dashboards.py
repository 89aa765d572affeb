"""A job's dashboard on the web, for its key holder: the same files ``python -m checker report``
writes, served under a link that carries a signed token (``GET /api/v1/jobs/<id>`` gives it to
the key that made the job; a browser cannot send the key itself).

The dashboard of a job is built once per state of the job (its counts of done and failed
items) and kept for the next requests: the figures, charts and lists of 1,000 adverts take
about a second to make, then each page is served from memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from checker.core.errors import NotFound
from checker.formats import glance
from checker.surfaces.dashboard import Advert, Dashboard
from checker.surfaces.clinics import country_of
from checker.surfaces.web.shared import external_url, get_store, limiter

dashboards = Blueprint("dashboards", __name__)

KEEP = 4
_built: OrderedDict[tuple[str, str, int, int], Dashboard] = OrderedDict()
_lock = threading.Lock()
# An SVG shown as an image runs no script; its own styles are what draw the chart.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def warm_up_charts() -> None:
    """Import the plotting library in the background when the app starts, so that the first
    dashboard someone opens does not wait for it."""
    from checker.surfaces.dashboard.charts import warm_up

    threading.Thread(target=warm_up, name="charts-warm-up", daemon=True).start()


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="job-dashboard")


def dashboard_url(job_id: str) -> str:
    """The link to a job's dashboard (give it only to the job's key holder)."""
    return external_url("dashboards.page", job_id=job_id, token=_signer().dumps(job_id),
                        path="index.html")


def _job(job_id: str, token: str) -> dict[str, Any]:
    try:
        if _signer().loads(token) != job_id:
            abort(404)
    except BadSignature:
        abort(404)
    try:
        return get_store().get_job(job_id)
    except NotFound:
        abort(404)


def job_dashboard(job: dict[str, Any]) -> Dashboard:
    """The dashboard of ``job`` as it stands (built once per state, then kept)."""
    state = (current_app.config["DATABASE"], job["id"], job["done"] or 0, job["failed"] or 0)
    with _lock:
        if state in _built:
            _built.move_to_end(state)
            return _built[state]
    store = get_store()
    adverts = []
    for row in store.job_results(job["id"]):
        if row["status"] != "done" or row["result"] is None:
            continue
        result = glance(row["result"])
        adverts.append(Advert(row["id"], result, clinic=row["clinic"], url=row["url"],
                              country=country_of(row["text"], result)))
    total = job["total"] or 0
    built = Dashboard(adverts, title=f"Job {job['id']}",
                      subtitle=f"{len(adverts):,} of {total:,} adverts checked ({job['state']})")
    built.figures  # noqa: B018 - compute the figures now, not in the first page's template
    with _lock:
        _built[state] = built
        while len(_built) > KEEP:
            _built.popitem(last=False)
    return built


@dashboards.get("/jobs/<job_id>/dashboard/<token>/")
def index(job_id: str, token: str) -> Any:
    _job(job_id, token)
    return redirect(url_for("dashboards.page", job_id=job_id, token=token, path="index.html"))


@dashboards.get("/jobs/<job_id>/dashboard/<token>/<path:path>")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def page(job_id: str, token: str, path: str) -> Response:
    job = _job(job_id, token)
    found = job_dashboard(job).file(path)
    if found is None:
        abort(404)
    body, mimetype = found
    response = Response(body, mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype
    if path.endswith(".svg"):
        response.headers["Content-Security-Policy"] = SVG_CSP
    response.headers["Referrer-Policy"] = "no-referrer"   # the token stays in this site
    return response
