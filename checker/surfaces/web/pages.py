"""The patients' pages: the form, the result, the permalink, reports, guidance, rules, search."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   session, url_for)

from checker.core.guidance import load_guidance
from checker.core.reporting import load_routes
from checker.core.inputs import bad_character, has_text
from checker.formats import to_v2
from checker.core.errors import ExtractError, FetchError, InputTooLarge, NotFound
from checker.intake import Intake, address_of, from_file, is_address
from checker.surfaces.web.shared import (external_url, get_checker, get_store, limiter, take_in,
                                          web_check, within_limit)
from checker.surfaces.web.pdf import PdfUnavailable, html_to_pdf
from checker.surfaces.web.present import markdown_report, view

pages = Blueprint("pages", __name__)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SAFE_URL = re.compile(r"^https?://[^\s<>\"']{1,2000}$", re.IGNORECASE)


def _form_values() -> dict[str, Any]:
    return {
        "text": request.form.get("text", ""),
        "clinic": request.form.get("clinic", "").strip()[:200],
        "url": request.form.get("url", "").strip()[:2000],
        "dont_save": request.form.get("dont_save") == "1",
        "publish": request.form.get("publish") == "1",
    }


def _limit() -> int:
    return current_app.config["MAX_TEXT_CHARS"]


MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _problem_with(values: dict[str, Any]) -> tuple[str, int] | None:
    text = values["text"]
    if len(text) > _limit():
        return (f"That text has {len(text):,} characters. Please paste at most {_limit():,} "
                "(about 15,000 words) - for example the part of the page that describes the "
                "treatment.", 413)
    if values["dont_save"] and values["publish"]:
        return ("You ticked both \u201cdon't save\u201d and \u201cpublish\u201d. A check "
                "that is not saved cannot be published: untick one of them.", 400)
    for name in ("text", "clinic", "url"):
        problem = bad_character(values[name])
        if problem:
            return f"The {name} cannot be read: {problem}. Please copy it again.", 400
    return None


def _uploaded() -> Intake | None:
    """An uploaded PDF, saved web page or text file, read into the text to check."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ExtractError(f"That file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
                           "Please upload a smaller file, or paste its text.", 413)
    return within_limit(from_file(data, name), "That file's text")


def _taken(values: dict[str, Any]) -> Intake:
    """What to check: an uploaded file, else the pasted text (a web address alone in it is
    fetched, markup is read as its visible text), else the page at the web address."""
    taken = _uploaded()
    if taken is None:
        text = values["text"]
        if has_text(text) and is_address(text):
            values["url"] = address_of(text)[:2000]
            taken = take_in(None, values["url"])
        elif has_text(text) or values["url"]:
            taken = take_in(text, values["url"])
        else:
            raise ExtractError("Please paste the text of the advert into the box, give its web "
                               "address, or upload a PDF brochure.", 400)
    if taken.source is not None and not values["url"] and taken.source.get("url"):
        values["url"] = taken.source["url"][:2000]
    return taken


def _checked_form() -> tuple[Any, Any]:
    """The posted form and its result, or (the form page with the problem, None)."""
    values = _form_values()
    problem = _problem_with(values)
    taken = None
    if not problem:
        try:
            taken = _taken(values)
        except (FetchError, ExtractError) as exc:
            problem = exc.message, exc.status
        except InputTooLarge as exc:
            problem = exc.message, 413
    if problem:
        message, status = problem
        page = render_template("index.html", values=values, error=message, limit=_limit())
        return (page, status), None
    values["text"] = taken.text
    return values, get_checker().check(taken.text, source=taken.source or _carried_source(taken))


def _signer() -> Any:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsaved-source")


def _carried_source(taken: Intake) -> dict[str, Any] | None:
    """The source block an unsaved check's report form carries back: only as we signed it, and
    only with the very text it describes (no one can forge a page's evidence)."""
    signed = request.form.get("source", "")
    if not signed:
        return None
    try:
        source = _signer().loads(signed)
    except Exception:  # a bad signature or garbage: no evidence, the text is still checked
        return None
    digest = "sha256:" + hashlib.sha256(taken.text.encode("utf-8")).hexdigest()
    return source if isinstance(source, dict) and source.get("text_sha256") == digest else None


@pages.get("/")
def form() -> str:
    return render_template("index.html", values={}, error=None, limit=_limit())


@pages.post("/check")
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS"])
def check() -> Any:
    values, result = _checked_form()
    if result is None:
        return values  # the form again, with the problem explained
    if values["dont_save"]:
        result = result.to_dict()
        signed = _signer().dumps(result["source"]) if result.get("source") else ""
        return render_template("result.html", result=result, text=values["text"],
                               clinic=values["clinic"], url=_safe_url(values["url"]),
                               url_text=values["url"], check=None, saved=False,
                               signed_source=signed, **_page_view(result, values["text"]))
    saved = get_store().save_check(values["text"], to_v2(result), source="web", clinic=values["clinic"],
                                   url=values["url"], publish=values["publish"])
    # The delete link is shown once, on the page this redirects to (the session cookie carries
    # it there and the page takes it out again).
    session["just_saved"] = {"id": saved.id, "token": saved.delete_token}
    return redirect(url_for("pages.permalink", check_id=saved.id), code=303)


@pages.get("/r/<check_id>")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def permalink(check_id: str) -> str:
    row = _saved(check_id)
    just_saved = session.get("just_saved")
    manage = None
    if just_saved and just_saved.get("id") == check_id:
        session.pop("just_saved")
        manage = external_url("pages.manage", check_id=check_id, token=just_saved["token"])
    return render_template("result.html", result=row["result"], text=row["text"],
                           clinic=row["clinic"], url=_safe_url(row["url"]), url_text=row["url"],
                           check=row, saved=True, manage=manage,
                           permalink=external_url("pages.permalink", check_id=check_id),
                           **_page_view(row["result"], row["text"]))


@pages.get("/r/<check_id>/manage")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def manage(check_id: str) -> str:
    row, token = _owned(check_id, request.args.get("token", ""))
    return render_template("manage.html", check=row, token=token,
                           permalink=external_url("pages.permalink", check_id=check_id))


@pages.post("/r/<check_id>/manage")
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS"])
def manage_post(check_id: str) -> Any:
    row, token = _owned(check_id, request.form.get("token", ""))
    action = request.form.get("action", "")
    store = get_store()
    if action == "delete":
        store.delete_check(check_id)
        return render_template("deleted.html")
    if action in ("publish", "unpublish"):
        store.set_published(check_id, action == "publish")
        return redirect(url_for("pages.manage", check_id=check_id, token=token), code=303)
    abort(400)


@pages.get("/r/<check_id>/report.md")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def report_markdown(check_id: str) -> Response:
    row = _saved(check_id)
    body = markdown_report(row["result"], row["text"], clinic=row["clinic"], url=row["url"],
                           reporting_page=external_url("reporting.page"),
                           permalink=external_url("pages.permalink", check_id=check_id),
                           created=row["created"])
    return _download(body, f"claim-check-{check_id[:8]}.md", "text/markdown; charset=utf-8")


@pages.get("/r/<check_id>/report.html")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def report_html(check_id: str) -> Response:
    row = _saved(check_id)
    body = _report(row["result"], row["text"], clinic=row["clinic"], url_text=row["url"],
                   check=row, permalink=external_url("pages.permalink", check_id=check_id))
    return _download(body, f"claim-check-{check_id[:8]}.html", "text/html; charset=utf-8")


@pages.get("/r/<check_id>/report.pdf")
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS"])
def report_pdf(check_id: str) -> Response:
    row = _saved(check_id)
    body = _report(row["result"], row["text"], clinic=row["clinic"], url_text=row["url"],
                   check=row, permalink=external_url("pages.permalink", check_id=check_id),
                   pdf=True)
    return _pdf_download(body, f"claim-check-{check_id[:8]}.pdf")


@pages.post("/report.<fmt>")
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS"])
def report_unsaved(fmt: str) -> Any:
    """Reports for a check the user chose not to save: the text comes back in the form."""
    if fmt not in ("md", "html", "pdf"):
        abort(404)
    values, checked = _checked_form()
    if checked is None:
        return values
    result = checked.to_dict()
    if fmt == "md":
        body = markdown_report(result, values["text"], clinic=values["clinic"], url=values["url"],
                               reporting_page=external_url("reporting.page"))
        return _download(body, "claim-check.md", "text/markdown; charset=utf-8")
    body = _report(result, values["text"], clinic=values["clinic"], url_text=values["url"],
                   check=None, permalink="", pdf=fmt == "pdf")
    if fmt == "pdf":
        return _pdf_download(body, "claim-check.pdf")
    return _download(body, "claim-check.html", "text/html; charset=utf-8")


def _page_view(result: dict[str, Any], text: str) -> dict[str, Any]:
    """What the result page lays out: the view, with the link to the reporting routes of the
    country the advert seems to be in."""
    shown = view(result, text)
    shown["reporting_link"] = _reporting_link(shown["country"], external=False)
    return shown


def _report(result: dict[str, Any], text: str, *, clinic: str, url_text: str,
            check: dict[str, Any] | None, permalink: str, pdf: bool = False) -> str:
    """The HTML report: one file that stands alone (styles inlined, every group open, rule ids
    and the decision trail shown), which the PDF lays out on pages."""
    shown = view(result, text)
    country = shown["country"]
    routes = load_routes().get(country["code"]).routes if country else []
    shown["reporting_link"] = _reporting_link(country)
    checked_on = check["created"] if check else datetime.now(timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC") + " (not saved)"
    return render_template("report.html", result=result, text=text, clinic=clinic,
                           url_text=url_text, check=check, permalink=permalink, pdf=pdf,
                           routes=[r for r in routes if r.kind != "trial_check"],
                           checked_on=checked_on, stylesheet=_stylesheet(), open_all=True,
                           full_detail=True, **shown)


def _reporting_link(country: dict[str, str] | None, external: bool = True) -> str:
    """The page of reporting routes, for the advert's country when it has one: a full address
    for reports (read away from the site), a path for the site's own pages."""
    where = {"country": country["code"]} if country else {}
    return external_url("reporting.page", **where) if external else url_for("reporting.page",
                                                                             **where)


def _stylesheet() -> str:
    return (Path(current_app.static_folder or "") / "style.css").read_text(encoding="utf-8")


def _pdf_download(html_body: str, filename: str) -> Response:
    try:
        data = html_to_pdf(html_body)
    except PdfUnavailable:
        return Response("The PDF report is not available on this server (WeasyPrint or the "
                        "Pango library is not installed). Download the HTML report instead: "
                        "it prints the same.", status=503, mimetype="text/plain")
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{html.escape(filename)}"'
    return response


@pages.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")


@pages.get("/guidance")
def guidance() -> str:
    g = load_guidance()
    catalogue = get_checker().rulebook.catalogue()
    cited_by: dict[str, list[str]] = {pid: [] for pid in g.passages}
    for rules in catalogue["categories"].values():
        for rule in rules:
            for c in rule["citations"]:
                if c.get("passage") in cited_by:
                    cited_by[c["passage"]].append(rule["id"])
    return render_template("guidance.html", guidance=g, cited_by=cited_by)


@pages.get("/rules")
def rules() -> str:
    from checker.core.result import CATEGORY_LABELS

    return render_template("rules.html", catalogue=get_checker().rulebook.catalogue(),
                           labels=CATEGORY_LABELS)


@pages.get("/search")
@limiter.limit(lambda: current_app.config["RATELIMIT_READS"])
def search() -> str:
    """The public register: only checks their submitters chose to publish."""
    query = request.args.get("q", "").strip()[:200]
    rows = get_store().search_checks(query, limit=50)
    return render_template("search.html", query=query, rows=rows)


@pages.get("/about")
def about() -> str:
    from checker.decide.wording import CANNOT_TELL

    return render_template("about.html", cannot_tell=CANNOT_TELL,
                           retention_days=current_app.config["RETENTION_DAYS"],
                           keyed_retention_days=current_app.config["KEYED_RETENTION_DAYS"])


def _saved(check_id: str) -> dict[str, Any]:
    """A stored check the web may show: made on the form or the open API, or published; its
    result in format 1, which the pages lay out (checks are stored in format 2).

    A check made with an API key belongs to that key: the web shows it only once published.
    (The rule is ``web_check``'s, which the compare page shares.)
    """
    return web_check(check_id)


def _owned(check_id: str, token: str) -> tuple[dict[str, Any], str]:
    """The check and its delete token, when the token is the one shown to its submitter."""
    if not ID_PATTERN.match(check_id) or not ID_PATTERN.match(token or ""):
        abort(404)
    try:
        row = get_store().get_check(check_id)
    except NotFound:
        abort(404)
    if not get_store().owns(row, token=token):
        abort(404)
    return row, token


def _safe_url(url: str) -> str | None:
    """Only http(s) addresses become links; anything else (javascript:, data:) stays text."""
    return url if url and SAFE_URL.match(url) else None


def _download(body: str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{html.escape(filename)}"'
    return response
