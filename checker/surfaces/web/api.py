"""The regulators' JSON API under /api/v1: checks, batches, durable jobs, keys, audit.

Every error is an RFC 9457 problem document (``application/problem+json``) with the right 4xx
status; nothing a client can send produces a 500. Batch and job endpoints need an API key
(``Authorization: Bearer KEY``); single checks are open, rate limited per address (or per key
when one is sent).
"""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, Response, current_app, g, jsonify, render_template, request,
                   stream_with_context, url_for)

from checker.core.errors import ExtractError, FetchError, InputTooLarge, NotFound, UploadError
from checker.core.versions import CHECKER_VERSION as __version__
from checker.surfaces.store import SCHEMA_VERSION, Store
from checker.surfaces.web.shared import (CHECK_BODY_BYTES, MAX_BATCH_CHARS, MAX_BATCH_ITEMS,
                                          MAX_JOB_ITEMS, get_checker, get_store, limiter,
                                          run_check, take_in)
from checker.surfaces.web.jobs import parse_upload
from checker.formats import as_format, to_v1, to_v2
from checker.surfaces.web.job_views import (body_options, csv_lines, job_view, jsonl_lines,
                                            query_options)
from checker.surfaces.web.openapi import openapi_document
from checker.surfaces.web.api_common import (ApiProblem, audit, current_key, json_body,
                                              only_query, optional_bool, optional_str,
                                              own_page, page_params, problem, rate_key,
                                              rate_limit, read_limit, readable, readable_check,
                                              result_format,
                                              text_field, upload)

api = Blueprint("api", __name__)


@api.errorhandler(ApiProblem)
def _api_problem(exc: ApiProblem) -> Response:
    audit(exc.status, exc.detail)
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


def intake_or_problem(text: str | None, url: str | None) -> Any:
    try:
        return take_in(text, url)
    except (FetchError, ExtractError) as exc:
        title = "Not fetched" if isinstance(exc, FetchError) else "No text to check"
        raise ApiProblem(exc.status, title, exc.message) from None
    except InputTooLarge as exc:
        raise ApiProblem(413, "Text too long", exc.message) from None


# -- endpoints --------------------------------------------------------------------------------


@api.post("/api/v1/check")
@limiter.limit(rate_limit, key_func=rate_key)
def check() -> Response:
    key = current_key(required=False)
    body = json_body(CHECK_BODY_BYTES)
    url = optional_str(body, "url", 2000)
    fetch_url = body.get("text") is None and bool(url)   # a web address alone: fetch the page
    given = None if fetch_url else text_field(body)
    clinic = optional_str(body, "clinic", 200)
    save = optional_bool(body, "save", True)
    publish = optional_bool(body, "publish", False)
    if publish and not save:
        raise ApiProblem(400, "Cannot publish", "A check that is not saved cannot be published.")
    options = body_options(body)
    fmt = result_format()
    taken = intake_or_problem(given, url)
    text = taken.text
    checked = run_check(text, taken.source, options)
    result = as_format(checked, fmt)
    if taken.source is not None:
        url = url or taken.source.get("url", "")
    if save:
        stored = result if fmt == "2" else to_v2(checked)
        saved = get_store().save_check(text, stored, source="api", clinic=clinic, url=url,
                                       key_id=key.id if key else None, publish=publish)
        result["id"] = saved.id
        result["delete_token"] = saved.delete_token
        result["published"] = publish
    if taken.source is not None:
        result["text"] = text   # the findings' offsets point into this text, not the input
    audit(200, target=result.get("id", ""))
    return jsonify(result)


@api.post("/api/v1/batch")
@limiter.limit(rate_limit, key_func=rate_key)
def batch() -> Response:
    key = current_key(required=True)
    body = json_body()
    items = body.get("items")
    if items is None:
        raise ApiProblem(400, "Missing items", "'items' is required: a list of {id, text}.")
    if not isinstance(items, list):
        raise ApiProblem(400, "Wrong type", "'items' must be a list.")
    if not items:
        raise ApiProblem(400, "Empty batch", "'items' is empty.")
    if len(items) > MAX_BATCH_ITEMS:
        raise ApiProblem(413, "Too many items",
                         f"A batch holds at most {MAX_BATCH_ITEMS} items (got {len(items)}); "
                         "use POST /api/v1/jobs for more.")
    save = optional_bool(body, "save", True)
    publish = optional_bool(body, "publish", False)
    if publish and not save:
        raise ApiProblem(400, "Cannot publish", "Checks that are not saved cannot be published.")
    options = body_options(body)
    checked: list[tuple[str, str, str, str]] = []
    chars = 0
    for i, item in enumerate(items):
        where = f"items[{i}]"
        if not isinstance(item, dict):
            raise ApiProblem(400, "Wrong type", f"'{where}' must be an object.")
        item_id = item.get("id")
        if not isinstance(item_id, (str, int)) or isinstance(item_id, bool) or str(item_id) == "":
            raise ApiProblem(400, "Missing id", f"'{where}.id' must be a non-empty string or number.")
        readable(str(item_id), f"{where}.id")
        text = text_field(item, f"{where}.text")
        chars += len(text)
        checked.append((str(item_id), text, optional_str(item, "url", 2000),
                        optional_str(item, "clinic", 200)))
    if chars > MAX_BATCH_CHARS:
        raise ApiProblem(413, "Batch too large",
                         f"The texts of a batch hold at most {MAX_BATCH_CHARS:,} characters in "
                         f"all (got {chars:,}); use POST /api/v1/jobs for more.")
    fmt = result_format()
    store = get_store()
    results = []
    for item_id, text, url, clinic in checked:
        outcome = run_check(text, options=options)
        result = as_format(outcome, fmt)
        if save:
            stored = result if fmt == "2" else to_v2(outcome)
            saved = store.save_check(text, stored, source="api", clinic=clinic, url=url,
                                     key_id=key.id, publish=publish)
            result["check_id"] = saved.id
            result["published"] = publish
        results.append({"id": item_id, **result})
    audit(200, detail=f"{len(results)} items")
    return jsonify({"results": results})


@api.post("/api/v1/jobs")
@limiter.limit(rate_limit, key_func=rate_key)
def create_job() -> Response:
    key = current_key(required=True)
    options = query_options()
    data, kind = upload()
    try:
        items = parse_upload(data, kind, current_app.config["MAX_TEXT_CHARS"], MAX_JOB_ITEMS)
    except UploadError as exc:
        raise ApiProblem(exc.status, "Bad upload", exc.message, errors=exc.problems) from None
    job_id, total = get_store().create_job(items, key_id=key.id, versions=get_checker().versions,
                                           options=options.to_dict())
    audit(202, target=job_id, detail=f"{total} items")
    response = jsonify({"id": job_id, "state": "queued" if total else "done", "total": total,
                        "status_url": url_for("api.job_status", job_id=job_id),
                        "results_url": url_for("api.job_results", job_id=job_id)})
    response.status_code = 202
    response.headers["Location"] = url_for("api.job_status", job_id=job_id)
    return response


def _owned_job(job_id: str) -> dict[str, Any]:
    key = current_key(required=True)
    try:
        job = get_store().get_job(job_id)
    except NotFound:
        raise ApiProblem(404, "Unknown job", f"There is no job {job_id!r}.") from None
    if job["key_id"] != key.id:
        raise ApiProblem(404, "Unknown job", f"There is no job {job_id!r} for this key.")
    return job


@api.get("/api/v1/jobs")
@limiter.limit(read_limit, key_func=rate_key)
def list_jobs() -> Response:
    """The caller's own jobs, newest first."""
    return own_page("jobs", lambda key_id, limit, offset: [
        job_view(job) for job in get_store().jobs_for_key(key_id, limit, offset)])


@api.get("/api/v1/jobs/<job_id>")
@limiter.limit(read_limit, key_func=rate_key)
def job_status(job_id: str) -> Response:
    return jsonify(job_view(_owned_job(job_id)))


@api.get("/api/v1/jobs/<job_id>/results")
@limiter.limit(read_limit, key_func=rate_key)
def job_results(job_id: str) -> Response:
    _owned_job(job_id)
    only_query("format", "result_format")
    fmt = request.args.get("format", "jsonl")
    if fmt not in ("jsonl", "csv"):
        raise ApiProblem(400, "Unknown format", "format must be jsonl or csv.")
    result_format = request.args.get("result_format", "2")
    if result_format not in ("1", "2"):
        raise ApiProblem(400, "Unknown format", "result_format must be 2 (the default) or 1.")
    db_path = current_app.config["DATABASE"]

    def job_rows():  # type: ignore[no-untyped-def]
        # Its own connection: the response streams after the request's connection is closed.
        store = Store(db_path)
        try:
            yield from store.job_results(job_id)
        finally:
            store.close()

    # Streamed, so a 100,000-item job is never held in memory (checker.surfaces.web.job_views).
    if fmt == "jsonl":
        return Response(stream_with_context(jsonl_lines(job_rows(), result_format)),
                        mimetype="application/x-ndjson")
    return Response(stream_with_context(csv_lines(job_rows)), mimetype="text/csv")


def _stored(check_id: str) -> dict[str, Any]:
    """A stored check this caller may read: published, made without a key (its id is then the
    link that reaches it, as on the web), or made with the caller's own key (the rule is
    ``readable_check``'s, which the compare and clinic endpoints share)."""
    return readable_check(check_id)


@api.get("/api/v1/checks/<check_id>")
@limiter.limit(read_limit, key_func=rate_key)
def get_check(check_id: str) -> Response:
    fmt = result_format()
    row = _stored(check_id)
    if fmt == "1":
        row["result"] = to_v1(row["result"])   # checks stored before format 2 stay format 1
    key = g.get("api_key")
    out = {"id": row["id"], "created": row["created"], "source": row["source"],
           "text": row["text"], "clinic": row["clinic"], "url": row["url"],
           "published": bool(row["published"]), "result": row["result"]}
    if key is not None and row["key_id"] == key.id:
        out["key_id"] = row["key_id"]   # shown to the key that made it, never to others
    return jsonify(out)


@api.delete("/api/v1/checks/<check_id>")
@limiter.limit(rate_limit, key_func=rate_key)
def delete_check(check_id: str) -> Response:
    """Delete a stored check: with the key that made it, or its delete token (Delete-Token)."""
    try:
        row = get_store().get_check(check_id)
    except NotFound:
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r}.") from None
    key = current_key(required=False)
    token = request.headers.get("Delete-Token", "").strip()
    if not get_store().owns(row, token=token or None, key_id=key.id if key else None):
        # The same answer as for a check that does not exist: no one learns that it does.
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r} that "
                         "this key or delete token may delete.")
    get_store().delete_check(check_id)
    audit(204, target=check_id)
    return Response(status=204)


@api.get("/api/v1/checks")
@limiter.limit(read_limit, key_func=rate_key)
def list_checks() -> Response:
    """The caller's own stored checks, for export and audit (newest first); ``q`` searches
    their text, clinic and address."""
    query = request.args.get("q", "")
    if query:
        key = current_key(required=True)
        limit, offset = page_params("q")
        rows = get_store().search_checks(query[:200], key_id=key.id, limit=limit, offset=offset)
        return jsonify({"checks": rows, "limit": limit, "offset": offset})
    return own_page("checks", get_store().checks_for_key)


@api.get("/api/v1/register")
@limiter.limit(read_limit, key_func=rate_key)
def register() -> Response:
    """The public register: checks their submitters chose to publish, newest first."""
    limit, offset = page_params("q")
    rows = get_store().search_checks(request.args.get("q", "")[:200], limit=limit, offset=offset)
    return jsonify({"checks": rows, "limit": limit, "offset": offset})


@api.get("/api/v1/audit")
@limiter.limit(read_limit, key_func=rate_key)
def audit_trail() -> Response:
    """The caller's own audit trail: every API call made with this key."""
    return own_page("audit", get_store().audit_for_key)


@api.get("/api/v1/rules")
@limiter.limit(read_limit, key_func=rate_key)
def rules() -> Response:
    return jsonify(get_checker().rulebook.catalogue())


@api.get("/api/v1/health")
def health() -> Response:
    """Up, and able to store: a database that can be read but not written is not healthy."""
    try:
        state = get_store().health(current_app.config["MIN_FREE_BYTES"])
    except Exception as exc:   # the database cannot even be opened
        state = {"readable": False, "writable": False, "free_bytes": None, "error": str(exc)}
    ok = state["readable"] and state["writable"]
    database = "ok" if ok else ("read-only" if state["readable"] else "error")
    body = {"status": "ok" if ok else "degraded", "database": database,
            "disk_free_bytes": state["free_bytes"], "schema_version": SCHEMA_VERSION,
            "versions": get_checker().versions, "checker": __version__}
    if not ok:
        body["problem"] = state.get("error", "")
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    return response


@api.get("/openapi.json")
@limiter.limit(read_limit, key_func=rate_key)
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("/api/docs")
@limiter.limit(read_limit, key_func=rate_key)
def docs() -> str:
    return render_template("api_docs.html", spec=openapi_document())


__all__ = ["api", "problem"]
