"""How to report a clinic, and how to check a trial: one page, by country (its routes are data
with a source and a date, rules/reporting.yaml)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from checker.core.reporting import load_routes

reporting = Blueprint("reporting", __name__)

KIND_HEADINGS = {
    "regulator": "Report the treatment, or harm from it, to the medicines regulator",
    "advertising": "Report a misleading advert",
    "medical_board": "Report a doctor",
    "trial_check": "Check that a trial is registered and real",
}


@reporting.get("/report-a-clinic")
def page() -> str:
    routes = load_routes()
    code = request.args.get("country", "").strip().upper()[:8]
    country = routes.get(code) if code else None
    return render_template("reporting.html", routes=routes, country=country,
                           asked=code if code and country is None else "",
                           headings=KIND_HEADINGS)
