"""What every API endpoint shares: problem details, keys and rate limits, the audit row, and
reading a request (its body, its fields, its paging and result format) with a 4xx for anything
wrong."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from checker.core.errors import BadJSON, NotFound
from checker.core.inputs import bad_character, has_text, load_json
from checker.surfaces.web.shared import get_store

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


# -- authentication and rate limits ----------------------------------------------------------


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(401, "Bad credentials", "Send the key as 'Authorization: Bearer KEY'.")
    return token.strip()


def current_key(required: bool) -> Any:
    if "api_key" not in g:
        token = bearer()
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


def readable_check(check_id: str) -> dict[str, Any]:
    """A stored check this caller may read (else a 404 problem): published, made without a key
    (its id is then the link that reaches it, as on the web), or made with the caller's own key."""
    try:
        row = get_store().get_check(check_id)
    except NotFound:
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r}.") from None
    key = current_key(required=False)
    if row["key_id"] and not row["published"] and (key is None or key.id != row["key_id"]):
        raise ApiProblem(404, "Unknown check", f"There is no saved check {check_id!r}.")
    return row


def rate_key() -> str:
    """Per key when a valid key is sent, else per address."""
    try:
        key = current_key(required=False)
    except ApiProblem:
        key = None
    return f"key:{key.id}" if key else f"addr:{request.remote_addr}"


def _keyed() -> bool:
    try:
        return current_key(required=False) is not None
    except ApiProblem:
        return False


def read_limit() -> str:
    """Reads cost work too (a stored result, a job's results): limited like the pages."""
    cfg = current_app.config
    return cfg["RATELIMIT_KEYED"] if _keyed() else cfg["RATELIMIT_READS"]


def rate_limit() -> str:
    cfg = current_app.config
    return cfg["RATELIMIT_KEYED"] if _keyed() else cfg["RATELIMIT_ANONYMOUS"]


def audit(status: int, detail: str = "", target: str = "") -> None:
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


def json_body(limit: int | None = None) -> dict[str, Any]:
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


def text_field(body: dict[str, Any], where: str = "text") -> str:
    text = body.get("text")
    if text is None:
        raise ApiProblem(400, "Missing text", f"'{where}' is required.")
    if not isinstance(text, str):
        raise ApiProblem(400, "Wrong type", f"'{where}' must be a string, not {type(text).__name__}.")
    if not has_text(text):
        raise ApiProblem(400, "Empty text", f"'{where}' is empty.")
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise ApiProblem(413, "Text too long",
                         f"'{where}' has {len(text):,} characters; the limit is {limit:,}.")
    readable(text, where)
    return text


def readable(value: str, where: str) -> None:
    problem = bad_character(value)
    if problem:
        raise ApiProblem(400, "Invalid character", f"'{where}': {problem}.")


def optional_str(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiProblem(400, "Wrong type", f"'{name}' must be a string.")
    if len(value) > limit:
        raise ApiProblem(400, "Too long", f"'{name}' has more than {limit} characters.")
    readable(value, name)
    return value


def optional_bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ApiProblem(400, "Wrong type", f"'{name}' must be true or false.")
    return value



def result_format() -> str:
    """The result format asked for with ?format= (2, the default, or 1 for one more release)."""
    fmt = request.args.get("format", "2")
    if fmt not in ("1", "2"):
        raise ApiProblem(400, "Unknown format",
                         "format must be 2 (the default) or 1 (the former shape).")
    return fmt


def only_query(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiProblem(400, "Unknown parameter",
                         f"Unknown query parameter(s): {', '.join(unknown)[:200]}.")


def page_params(*also: str) -> tuple[int, int]:
    only_query("limit", "offset", *also)
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiProblem(400, "Wrong type", "limit and offset must be integers.") from None
    if not 1 <= limit <= 1000 or not 0 <= offset <= MAX_OFFSET:
        raise ApiProblem(400, "Out of range",
                         f"limit must be 1-1000 and offset 0-{MAX_OFFSET:,}.")
    return limit, offset


def own_page(name: str, fetch: Any) -> Response:
    """A page of the calling key's own rows: ``fetch(key_id, limit, offset)``."""
    key = current_key(required=True)
    limit, offset = page_params("q")
    return jsonify({name: fetch(key.id, limit, offset), "limit": limit, "offset": offset})


def upload() -> tuple[bytes, str]:
    """A job's upload and its kind (jsonl or csv): a raw body, or a multipart form's file."""
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
