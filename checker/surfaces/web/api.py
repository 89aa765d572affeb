"""The regulators' JSON API under /api/v1: checks, batches, durable jobs, keys, audit.

Every error is an RFC 9457 problem document (``application/problem+json``) with the right 4xx
status; nothing a client can send produces a 500. Batch and job endpoints need an API key
(``Authorization: Bearer KEY``); single checks are open, rate limited per address (or per key
when one is sent).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (Blueprint, Response, current_app, g, jsonify, render_template, request,
                   stream_with_context, url_for)
from werkzeug.exceptions import RequestEntityTooLarge

from checker import __version__
from checker.surfaces.cli import rule_catalogue
from checker.core.errors import BadJSON, InputError
from checker.core.inputs import bad_character, load_json
from checker.core.errors import NotFound, UploadError
from checker.surfaces.store import SCHEMA_VERSION, Store
from checker.surfaces.web import get_checker, get_store, limiter, run_check
from checker.surfaces.web.jobs import MAX_JOB_ITEMS, parse_upload
from checker.formats import as_format, to_v1, to_v2
from checker.surfaces.summary import SUMMARY_COLUMNS, csv_line, summary_row
from checker.surfaces.web.openapi import openapi_document

api = Blueprint("api", __name__)

MAX_BATCH_ITEMS = 1000
MAX_BATCH_CHARS = 2_000_000        # a batch request's texts in all; more goes to a job
CHECK_BODY_BYTES = 4 * 1024 * 1024  # a /check body: 100,000 characters, JSON-escaped, fit
MAX_OFFSET = 1_000_000_000
JSON_TYPES = ("application/json",)
JOB_TYPES = {"application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
             "application/json-lines": "jsonl", "text/csv": "csv"}


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.path, **extra}
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="clinic-claim-checker"'
    return response


@api.errorhandler(ApiProblem)
def _api_problem(exc: ApiProblem) -> Response:
    _audit(exc.status, exc.detail)
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


# -- authentication and rate limits ----------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "Bad credentials", "Send the key as 'Authorization: Bearer KEY'.")
    return token.strip()


def current_key(required: bool) -> Any:
    if "api_key" not in g:
        token = _bearer()
        key = get_store().key_for_secret(token) if token else None
        if token and key is None:
            raise ApiProblem(401, "Bad credentials", "This API key is unknown or has been revoked.")
        g.api_key = key
    key = g.api_key
    if required and key is None:
        raise ApiProblem(401, "API key required",
                         "Batch and job endpoints need an API key: 'Authorization: Bearer KEY'. "
                         "Create one with: python -m checker keys create NAME")
    return key


def _rate_key() -> str:
    """Per key when a valid key is sent, else per address."""
    try:
        key = current_key(required=False)
    except ApiProblem:
        key = None
    return f"key:{key.id}" if key else f"addr:{request.remote_addr}"


def _read_limit() -> str:
    """Reads cost work too (a stored result, a job's results): limited like the pages."""
    try:
        keyed = current_key(required=False) is not None
    except ApiProblem:
        keyed = False
    cfg = current_app.config
    return cfg["RATELIMIT_KEYED"] if keyed else cfg["RATELIMIT_READS"]


def _rate_limit() -> str:
    try:
        keyed = current_key(required=False) is not None
    except ApiProblem:
        keyed = False
    cfg = current_app.config
    return cfg["RATELIMIT_KEYED"] if keyed else cfg["RATELIMIT_ANONYMOUS"]


def _audit(status: int, detail: str = "", target: str = "") -> None:
    """One audit row per API call. Calls refused for a missing, unknown or revoked key leave
    none: no key can ever read them, and anyone could grow the table with them."""
    key = g.get("api_key")
    if key is None and status == 401:
        return
    try:
        get_store().audit(f"{request.method} {request.url_rule.rule if request.url_rule else request.path}",
                          key_id=key.id if key else None, address=request.remote_addr,
                          target=target, status=status, detail=detail)
    except Exception:  # the audit must never turn a client error into a server error
        current_app.logger.exception("audit write failed")


# -- input ------------------------------------------------------------------------------------


def whole_body(limit: int | None = None) -> bytes:
    """The request body, or 413 when it is larger than ``limit`` (default: the app's).

    A body sent with Content-Length over the limit is refused before it is read. A chunked one
    has no length: Werkzeug stops reading at the limit and hands back what it read, so a body
    cut there would pass for a shorter one; one more read past it tells the two apart.
    """
    if limit is not None:
        request.max_content_length = limit
    limit = request.max_content_length
    try:
        data = request.get_data(cache=True)
        request.stream.read(1)
    except RequestEntityTooLarge:
        raise ApiProblem(413, "Request too large",
                         f"The body is larger than this endpoint accepts ({limit:,} bytes).") from None
    return data


def _json_body(limit: int | None = None) -> dict[str, Any]:
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES:
        raise ApiProblem(415, "Unsupported media type",
                         f"Send JSON with 'Content-Type: application/json' (got {mimetype or 'none'}).")
    raw = whole_body(limit)
    try:
        body = load_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiProblem(400, "Malformed JSON", "The body is not UTF-8.") from None
    except BadJSON as exc:
        raise ApiProblem(400, "Malformed JSON", f"The body is {exc.message}.") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, "Wrong type", "The body must be a JSON object.")
    return body


def _text_field(body: dict[str, Any], where: str = "text") -> str:
    text = body.get("text")
    if text is None:
        raise ApiProblem(400, "Missing text", f"'{where}' is required.")
    if not isinstance(text, str):
        raise ApiProblem(400, "Wrong type", f"'{where}' must be a string, not {type(text).__name__}.")
    if not text.strip():
        raise ApiProblem(400, "Empty text", f"'{where}' is empty.")
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise ApiProblem(413, "Text too long",
                         f"'{where}' has {len(text):,} characters; the limit is {limit:,}.")
    _readable(text, where)
    return text


def _readable(value: str, where: str) -> None:
    problem = bad_character(value)
    if problem:
        raise ApiProblem(400, "Invalid character", f"'{where}': {problem}.")


def _optional_str(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiProblem(400, "Wrong type", f"'{name}' must be a string.")
    if len(value) > limit:
        raise ApiProblem(400, "Too long", f"'{name}' has more than {limit} characters.")
    _readable(value, name)
    return value


def _optional_bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ApiProblem(400, "Wrong type", f"'{name}' must be true or false.")
    return value


# -- endpoints --------------------------------------------------------------------------------


@api.post("/api/v1/check")
@limiter.limit(_rate_limit, key_func=_rate_key)
def check() -> Response:
    key = current_key(required=False)
    body = _json_body(CHECK_BODY_BYTES)
    text = _text_field(body)
    url = _optional_str(body, "url", 2000)
    clinic = _optional_str(body, "clinic", 200)
    save = _optional_bool(body, "save", True)
    publish = _optional_bool(body, "publish", False)
    if publish and not save:
        raise ApiProblem(400, "Cannot publish", "A check that is not saved cannot be published.")
    fmt = _result_format()
    checked = run_check(text)
    result = as_format(checked, fmt)
    if save:
        stored = result if fmt == "2" else to_v2(checked)
        saved = get_store().save_check(text, stored, source="api", clinic=clinic, url=url,
                                       key_id=key.id if key else None, publish=publish)
        result["id"] = saved.id
        result["delete_token"] = saved.delete_token
        result["published"] = publish
    _audit(200, target=result.get("id", ""))
    return jsonify(result)


@api.post("/api/v1/batch")
@limiter.limit(_rate_limit, key_func=_rate_key)
def batch() -> Response:
    key = current_key(required=True)
    body = _json_body()
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
    save = _optional_bool(body, "save", True)
    publish = _optional_bool(body, "publish", False)
    if publish and not save:
        raise ApiProblem(400, "Cannot publish", "Checks that are not saved cannot be published.")
    checked: list[tuple[str, str, str, str]] = []
    chars = 0
    for i, item in enumerate(items):
        where = f"items[{i}]"
        if not isinstance(item, dict):
            raise ApiProblem(400, "Wrong type", f"'{where}' must be an object.")
        item_id = item.get("id")
        if not isinstance(item_id, (str, int)) or isinstance(item_id, bool) or str(item_id) == "":
            raise ApiProblem(400, "Missing id", f"'{where}.id' must be a non-empty string or number.")
        _readable(str(item_id), f"{where}.id")
        text = _text_field(item, f"{where}.text")
        chars += len(text)
        checked.append((str(item_id), text, _optional_str(item, "url", 2000),
                        _optional_str(item, "clinic", 200)))
    if chars > MAX_BATCH_CHARS:
        raise ApiProblem(413, "Batch too large",
                         f"The texts of a batch hold at most {MAX_BATCH_CHARS:,} characters in "
                         f"all (got {chars:,}); use POST /api/v1/jobs for more.")
    fmt = _result_format()
    store = get_store()
    results = []
    for item_id, text, url, clinic in checked:
        outcome = run_check(text)
        result = as_format(outcome, fmt)
        if save:
            stored = result if fmt == "2" else to_v2(outcome)
            saved = store.save_check(text, stored, source="api", clinic=clinic, url=url,
                                     key_id=key.id, publish=publish)
            result["check_id"] = saved.id
            result["published"] = publish
        results.append({"id": item_id, **result})
    _audit(200, detail=f"{len(results)} items")
    return jsonify({"results": results})


@api.post("/api/v1/jobs")
@limiter.limit(_rate_limit, key_func=_rate_key)
def create_job() -> Response:
    key = current_key(required=True)
    data, kind = _upload()
    try:
        items = parse_upload(data, kind, current_app.config["MAX_TEXT_CHARS"], MAX_JOB_ITEMS)
    except UploadError as exc:
        raise ApiProblem(exc.status, "Bad upload", exc.message, errors=exc.problems) from None
    job_id, total = get_store().create_job(items, key_id=key.id, versions=get_checker().versions)
    _audit(202, target=job_id, detail=f"{total} items")
    response = jsonify({"id": job_id, "state": "queued" if total else "done", "total": total,
                        "status_url": url_for("api.job_status", job_id=job_id),
                        "results_url": url_for("api.job_results", job_id=job_id)})
    response.status_code = 202
    response.headers["Location"] = url_for("api.job_status", job_id=job_id)
    return response


def _upload() -> tuple[bytes, str]:
    mimetype = request.mimetype or ""
    if mimetype == "multipart/form-data":
        try:
            upload = request.files.get("file")
            request.stream.read(1)   # a chunked body cut at the limit (see whole_body)
        except RequestEntityTooLarge:
            raise ApiProblem(413, "Request too large",
                             f"The upload is larger than {request.max_content_length:,} bytes.") from None
        if upload is None:
            raise ApiProblem(400, "Missing file", "Send the JSON Lines or CSV file as form field 'file'.")
        name = (upload.filename or "").lower()
        kind = "csv" if name.endswith(".csv") or upload.mimetype == "text/csv" else "jsonl"
        return upload.read(), kind
    if mimetype in JOB_TYPES:
        return whole_body(), JOB_TYPES[mimetype]
    raise ApiProblem(415, "Unsupported media type",
                     "Upload JSON Lines (Content-Type: application/x-ndjson), CSV (text/csv) or a "
                     "multipart form with field 'file'.")


def _owned_job(job_id: str) -> dict[str, Any]:
    key = current_key(required=True)
    try:
        job = get_store().get_job(job_id)
    except NotFound:
        raise ApiProblem(404, "Unknown job", f"There is no job {job_id!r}.") from None
    if job["key_id"] != key.id:
        raise ApiProblem(404, "Unknown job", f"There is no job {job_id!r} for this key.")
    return job


@api.get("/api/v1/jobs/<job_id>")
@limiter.limit(_read_limit, key_func=_rate_key)
def job_status(job_id: str) -> Response:
    job = _owned_job(job_id)
    total = job["total"] or 0
    finished = (job["done"] or 0) + (job["failed"] or 0)
    return jsonify({
        "id": job["id"], "state": job["state"], "total": total, "done": job["done"],
        "failed": job["failed"], "progress": round(finished / total, 4) if total else 1.0,
        "created": job["created"], "finished": job["finished"],
        "versions": {"checker": job["checker_version"], "rules": job["rules_version"],
                     "data": job["data_version"], "model": job["model_version"]},
        "results_url": url_for("api.job_results", job_id=job_id),
    })


@api.get("/api/v1/jobs/<job_id>/results")
@limiter.limit(_read_limit, key_func=_rate_key)
def job_results(job_id: str) -> Response:
    _owned_job(job_id)
    _only_query("format", "result_format")
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

    rows = job_rows()
    if fmt == "jsonl":
        def jsonl():  # type: ignore[no-untyped-def]
            for row in rows:
                if row["status"] in ("done", "error"):
                    out = {"id": row["id"], "status": row["status"]}
                    result = row["result"]
                    if result is not None and result_format == "1":
                        result = to_v1(result)
                    out.update(result or {"error": row["error"]})
                    yield json.dumps(out, ensure_ascii=False) + "\n"
        # Streamed, so a 100,000-item job is never held in memory.
        return Response(stream_with_context(jsonl()), mimetype="application/x-ndjson")

    def csv_rows():  # type: ignore[no-untyped-def]
        # The batch command's summary columns, then the item's status and error (if any).
        yield csv_line(SUMMARY_COLUMNS + ["status", "error"])
        for row in rows:
            if row["status"] == "done":
                yield csv_line(summary_row(row["id"], row["result"], url=row["url"],
                                           clinic=row["clinic"]) + ["done", ""])
            elif row["status"] == "error":
                blanks = [""] * (len(SUMMARY_COLUMNS) - 3)
                yield csv_line([row["id"], row["url"], row["clinic"], *blanks, "error",
                                row["error"] or ""])
    return Response(stream_with_context(csv_rows()), mimetype="text/csv")


def _stored(check_id: str) -> dict[str, Any]:
    """A stored check this caller may read: published, made without a key (its id is then the
    link that reaches it, as on the web), or made with the caller's own key."""
    try:
        row = get_store().get_check(check_id)
    except NotFound:
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r}.") from None
    key = current_key(required=False)
    if row["key_id"] and not row["published"] and (key is None or key.id != row["key_id"]):
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r}.")
    return row


@api.get("/api/v1/checks/<check_id>")
@limiter.limit(_read_limit, key_func=_rate_key)
def get_check(check_id: str) -> Response:
    fmt = _result_format()
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
@limiter.limit(_rate_limit, key_func=_rate_key)
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
    _audit(204, target=check_id)
    return Response(status=204)


def _result_format() -> str:
    """The result format asked for with ?format= (2, the default, or 1 for one more release)."""
    fmt = request.args.get("format", "2")
    if fmt not in ("1", "2"):
        raise ApiProblem(400, "Unknown format",
                         "format must be 2 (the default) or 1 (the former shape).")
    return fmt


def _only_query(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiProblem(400, "Unknown parameter",
                         f"Unknown query parameter(s): {', '.join(unknown)[:200]}.")


def _page(*also: str) -> tuple[int, int]:
    _only_query("limit", "offset", *also)
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiProblem(400, "Wrong type", "limit and offset must be integers.") from None
    if not 1 <= limit <= 1000 or not 0 <= offset <= MAX_OFFSET:
        raise ApiProblem(400, "Out of range",
                         f"limit must be 1-1000 and offset 0-{MAX_OFFSET:,}.")
    return limit, offset


def _own_page(name: str, fetch: Any) -> Response:
    """A page of the calling key's own rows: ``fetch(key_id, limit, offset)``."""
    key = current_key(required=True)
    limit, offset = _page("q")
    return jsonify({name: fetch(key.id, limit, offset), "limit": limit, "offset": offset})


@api.get("/api/v1/checks")
@limiter.limit(_read_limit, key_func=_rate_key)
def list_checks() -> Response:
    """The caller's own stored checks, for export and audit (newest first); ``q`` searches
    their text, clinic and address."""
    query = request.args.get("q", "")
    if query:
        key = current_key(required=True)
        limit, offset = _page("q")
        rows = get_store().search_checks(query[:200], key_id=key.id, limit=limit, offset=offset)
        return jsonify({"checks": rows, "limit": limit, "offset": offset})
    return _own_page("checks", get_store().checks_for_key)


@api.get("/api/v1/register")
@limiter.limit(_read_limit, key_func=_rate_key)
def register() -> Response:
    """The public register: checks their submitters chose to publish, newest first."""
    limit, offset = _page("q")
    rows = get_store().search_checks(request.args.get("q", "")[:200], limit=limit, offset=offset)
    return jsonify({"checks": rows, "limit": limit, "offset": offset})


@api.get("/api/v1/audit")
@limiter.limit(_read_limit, key_func=_rate_key)
def audit_trail() -> Response:
    """The caller's own audit trail: every API call made with this key."""
    return _own_page("audit", get_store().audit_for_key)


@api.get("/api/v1/rules")
@limiter.limit(_read_limit, key_func=_rate_key)
def rules() -> Response:
    return jsonify(rule_catalogue(get_checker().rulebook))


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
@limiter.limit(_read_limit, key_func=_rate_key)
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("/api/docs")
@limiter.limit(_read_limit, key_func=_rate_key)
def docs() -> str:
    return render_template("api_docs.html", spec=openapi_document())


__all__ = ["api", "problem", "InputError"]
