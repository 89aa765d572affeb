"""The clinics' pages and the comparison of two checks, on the web.

* ``/clinics``: the clinics of the public register (published checks grouped by clinic).
* ``/clinics/<key>``: one clinic over time: its published checks, oldest first, what fired each
  time and what changed from the check before.
* ``/compare/<a>/<b>``: what changed from check ``a`` to check ``b``. Each check must be one the
  web shows by its link (``web_check``: made on the form or the open API, or published), else
  404, as its own page would be.
* ``/compare``: a form that takes two checks' links.

Private checks are never listed: the clinic pages list published checks only.
``register(app)`` adds these pages and their JSON twins (checker.surfaces.web.clinics_api).
"""

from __future__ import annotations

import re
from typing import Any

from flask import (Blueprint, Flask, abort, current_app, redirect, render_template, request,
                   url_for)

from checker.core.result import CATEGORY_LABELS
from checker.surfaces.clinic_history import clinic_view
from checker.surfaces.clinics import clinic_label
from checker.surfaces.compare import compare, side
from checker.surfaces.store.clinics import clinic_checks, list_clinics
from checker.surfaces.web.shared import CHECK_ID, csrf, get_store, limiter, web_check

clinics = Blueprint("clinics", __name__)

# A name's key is ascii words joined by "-"; a domain's may hold any letters (an IDN) and dots.
CLINIC_KEY = re.compile(r"^[^\s/?#]{1,300}$")
PAGE_SIZE = 100


def register(app: Flask) -> None:
    """Add the clinic and compare pages and their API endpoints to the app."""
    from checker.surfaces.web.clinics_api import clinics_api

    app.register_blueprint(clinics)
    app.register_blueprint(clinics_api)
    csrf.exempt(clinics_api)


def _reads() -> str:
    return current_app.config["RATELIMIT_READS"]


def _side(row: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A comparison's side as the page shows it: with the clinic's label."""
    result, text, meta = side(row)
    return result, text, {**meta, "label": clinic_label(row["clinic"], row["url"])}


@clinics.get("/clinics")
@limiter.limit(_reads)
def index() -> str:
    query = request.args.get("q", "").strip()[:200]
    try:
        page = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    rows, total = list_clinics(get_store(), query=query, limit=PAGE_SIZE,
                               offset=(page - 1) * PAGE_SIZE)
    for row in rows:
        row["label"] = clinic_label(row["clinic"], row["url"])
    return render_template("clinics.html", rows=rows, total=total, query=query, page=page,
                           more=page * PAGE_SIZE < total)


@clinics.get("/clinics/<key>")
@limiter.limit(_reads)
def clinic(key: str) -> str:
    if not CLINIC_KEY.match(key):
        abort(404)
    rows, total = clinic_checks(get_store(), key)
    if not rows:
        abort(404)
    return render_template("clinic.html", clinic=clinic_view(key, rows, total))


def _check_id(given: str) -> str:
    """A check's id from its id or its link (…/r/<id>, …/compare/<a>/<b> is not one)."""
    text = given.strip().rstrip("/")
    last = text.rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return last if CHECK_ID.match(last) else ""


@clinics.get("/compare")
@limiter.limit(_reads)
def compare_form() -> Any:
    given = {"a": request.args.get("a", "")[:2000], "b": request.args.get("b", "")[:2000]}
    if given["b"]:      # /compare?a=ID alone fills in the first check and asks for the second
        a, b = _check_id(given["a"]), _check_id(given["b"])
        if a and b:
            return redirect(url_for("clinics.compare_page", a=a, b=b), code=303)
        error = "Please give the link (or the id) of two saved checks."
        return render_template("compare_form.html", given=given, error=error), 400
    return render_template("compare_form.html", given=given, error=None)


@clinics.get("/compare/<a>/<b>")
@limiter.limit(_reads)
def compare_page(a: str, b: str) -> str:
    before, after = _side(web_check(a)), _side(web_check(b))
    c = compare(before, after)
    same = before[2]["clinic_key"] and before[2]["clinic_key"] == after[2]["clinic_key"]
    clinic_link = (url_for("clinics.clinic", key=before[2]["clinic_key"])
                   if same and before[2]["published"] and after[2]["published"] else None)
    return render_template("compare.html", c=c, clinic_link=clinic_link,
                           labels=CATEGORY_LABELS)
