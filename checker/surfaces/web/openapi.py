"""The OpenAPI 3.1 description of /api/v1, built from the code's own constants and schemas.

The result schema is docs/result.schema.json itself (its $defs moved under components), so the
API description and the published result format cannot disagree; schemathesis runs against this
document in the test suite.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from checker.core.versions import CHECKER_VERSION as __version__
from checker.core.paths import DOCS_DIR
from checker.core.inputs import VISIBLE_PATTERN
from checker.core.result import CATEGORIES
from checker.surfaces.web.jobs_openapi import (JOB_RESULTS, job_status_properties,
                                               jobs_list_operation, option_parameters,
                                               option_properties)
from checker.surfaces.web.clinics_openapi import clinic_paths, clinic_schemas

PROBLEM = {"$ref": "#/components/schemas/Problem"}
# A check that is not saved cannot be published: {"save": false, "publish": true} is a 400.
PUBLISH_NEEDS_SAVE = {"if": {"properties": {"publish": {"const": True}}, "required": ["publish"]},
                      "then": {"properties": {"save": {"const": True}}}}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": PROBLEM}}}


def _page_of(description: str, key: str) -> dict[str, Any]:
    """A page of a paged list: its rows under ``key``, and the limit and offset of the page."""
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "required": [key],
        "properties": {key: {"type": "array"}, "limit": {"type": "integer"},
                       "offset": {"type": "integer"}}}}}}


def _result_schemas() -> dict[str, Any]:
    """Result (format 2, the default, or format 1 with ?format=1) from the published schemas:
    docs/result.v2.schema.json and docs/result.schema.json, their $defs moved to components."""
    out: dict[str, Any] = {"Result": {"anyOf": [{"$ref": "#/components/schemas/ResultV2"},
                                                {"$ref": "#/components/schemas/ResultV1"}]}}
    for name, file in (("ResultV2", "result.v2.schema.json"), ("ResultV1", "result.schema.json")):
        schema = json.loads((DOCS_DIR / file).read_text())
        defs = schema.pop("$defs")
        for key in ("$schema", "$id"):
            schema.pop(key, None)

        def rewrite(node: Any, prefix: str = name) -> Any:
            if isinstance(node, dict):
                return {k: (f"#/components/schemas/{prefix}_" + v.split("/")[-1]
                            if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                            else rewrite(v)) for k, v in node.items()}
            if isinstance(node, list):
                return [rewrite(x) for x in node]
            return node

        out[name] = rewrite(schema)
        out.update({f"{name}_{d}": rewrite(body) for d, body in defs.items()})
    return out


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from checker.surfaces.web.shared import MAX_BATCH_ITEMS, MAX_JOB_ITEMS, MAX_TEXT_CHARS

    # The size limits are stated in words, not as maxLength/maxItems: going over them is answered
    # with 413 (Content Too Large), not with the 400 of a malformed request.
    # At least one character a reader can see, as the server counts it (checker.core.inputs):
    # white space neither to JSON Schema's regular expressions (ECMA-262) nor to Python's.
    text = {"type": "string", "minLength": 1, "pattern": VISIBLE_PATTERN,
            "description": f"The advert text. At most {MAX_TEXT_CHARS:,} characters (413 above)."}
    optional_str = {"type": ["string", "null"]}
    errors = {
        "400": _problem_response("Malformed JSON, wrong types, missing or empty text"),
        "413": _problem_response("Text (or the batch) over the limit"),
        "415": _problem_response("Unsupported media type"),
        "422": _problem_response("The check ran past its time budget, or the page at 'url' "
                                 "could not be fetched or had no text"),
        "429": _problem_response("Over the rate limit"),
        "503": _problem_response("The database cannot be written (disk full, unavailable)"),
    }
    read_errors = {"429": _problem_response("Over the rate limit")}
    auth_errors = {"401": _problem_response("Missing, unknown or revoked API key")}
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object", "required": ["type", "title", "status", "detail"],
            "description": "RFC 9457 problem details.",
            "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                           "status": {"type": "integer"}, "detail": {"type": "string"},
                           "instance": {"type": "string"},
                           "errors": {"type": "array", "items": {"type": "object"}}},
        },
        "CheckRequest": {
            "type": "object",
            "description": "Send the advert's text, or only its web address (url, without text) "
                           "to have the page fetched and its visible text checked. Text that "
                           "is HTML markup is checked as its visible text. When the checked "
                           "text is not the text sent, the response holds it as 'text' (the "
                           "findings' offsets point into it) and the result's 'source' says "
                           "where it came from.",
            "anyOf": [{"required": ["text"]},
                      {"required": ["url"],
                       "properties": {"url": {"type": "string",
                                              "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+"}}}],
            "properties": {"text": text,
                           "url": {**optional_str, "maxLength": 2000,
                                   "description": "Where the advert came from; alone, the "
                                                  "page to fetch (http or https, public "
                                                  "addresses only)."},
                           "clinic": {**optional_str, "maxLength": 200},
                           "save": {"type": "boolean", "default": True},
                           "publish": {"type": "boolean", "default": False,
                                       "description": "Put the saved check in the public "
                                                      "register (needs save)."},
                           **option_properties()},
            **PUBLISH_NEEDS_SAVE,
        },
        "CheckResponse": {"allOf": [{"$ref": "#/components/schemas/Result"},
                                    {"type": "object",
                                     "properties": {
                                         "id": {"type": "string"},
                                         "text": {"type": "string", "description":
                                                  "The text checked, when it is not the text "
                                                  "sent (a fetched page, markup's visible "
                                                  "text)."},
                                         "delete_token": {"type": "string", "description":
                                                          "Shown once: send it as the "
                                                          "Delete-Token header to delete the "
                                                          "check."},
                                         "published": {"type": "boolean"}}}]},
        "BatchRequest": {
            "type": "object", "required": ["items"],
            "properties": {
                "items": {"type": "array", "minItems": 1,
                          "description": f"At most {MAX_BATCH_ITEMS} items (413 above).",
                          "items": {"type": "object", "required": ["id", "text"],
                                    "properties": {"id": {"type": ["string", "integer"], "minLength": 1},
                                                   "text": text,
                                                   "url": {**optional_str, "maxLength": 2000},
                                                   "clinic": {**optional_str, "maxLength": 200}}}},
                "save": {"type": "boolean", "default": True},
                "publish": {"type": "boolean", "default": False},
                **option_properties()},
            **PUBLISH_NEEDS_SAVE,
        },
        "BatchResponse": {
            "type": "object", "required": ["results"],
            "properties": {"results": {"type": "array", "items": {"allOf": [
                {"$ref": "#/components/schemas/Result"},
                {"type": "object", "required": ["id"],
                 "properties": {"id": {"type": "string"}, "check_id": {"type": "string"},
                                "published": {"type": "boolean"}}}]}}},
        },
        "JobCreated": {
            "type": "object", "required": ["id", "state", "total"],
            "properties": {"id": {"type": "string"}, "state": {"enum": ["queued", "done"]},
                           "total": {"type": "integer", "minimum": 0, "maximum": MAX_JOB_ITEMS,
                                     "description": "0 for an upload with no records: the "
                                                    "job is done at once"},
                           "status_url": {"type": "string"}, "results_url": {"type": "string"}},
        },
        "JobStatus": {
            "type": "object", "required": ["id", "state", "total", "done", "failed", "progress"],
            "properties": {"id": {"type": "string"},
                           "state": {"enum": ["queued", "running", "done"]},
                           "total": {"type": "integer"}, "done": {"type": "integer"},
                           "failed": {"type": "integer"},
                           "progress": {"type": "number", "minimum": 0, "maximum": 1},
                           "created": {"type": "string"}, "finished": {"type": ["string", "null"]},
                           "versions": {"type": "object"}, "results_url": {"type": "string"},
                           **job_status_properties()},
        },
        "StoredCheck": {
            "type": "object", "required": ["id", "created", "text", "result"],
            "properties": {"id": {"type": "string"}, "created": {"type": "string"},
                           "source": {"type": "string"}, "text": {"type": "string"},
                           "clinic": {"type": "string"}, "url": {"type": "string"},
                           "published": {"type": "boolean"},
                           "key_id": {"type": ["string", "null"],
                                      "description": "Only to the key that made the check."},
                           "result": {"$ref": "#/components/schemas/Result"}},
        },
        "Health": {
            "type": "object", "required": ["status", "database", "versions"],
            "properties": {"status": {"enum": ["ok", "degraded"]},
                           "database": {"enum": ["ok", "read-only", "error"]},
                           "disk_free_bytes": {"type": ["integer", "null"]},
                           "problem": {"type": "string"},
                           "schema_version": {"type": "integer"}, "checker": {"type": "string"},
                           "versions": {"type": "object"}},
        },
        "Rules": {
            "type": "object", "required": ["version", "categories"],
            "properties": {"version": {"type": "string"},
                           "categories": {"type": "object",
                                          "required": list(CATEGORIES),
                                          "additionalProperties": {"type": "array"}}},
        },
    }
    schemas.update(_result_schemas())
    schemas.update(clinic_schemas())   # clinics and compare (checker.surfaces.web.clinics_api)
    security = [{"bearer": []}]
    result_format = [{"name": "format", "in": "query", "required": False,
                      "schema": {"enum": ["2", "1"], "default": "2"},
                      "description": "Result format: 2 (each source and rule once), or 1 (the "
                                     "former shape, for one more release)"}]
    paging = [{"name": "limit", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
              {"name": "offset", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000,
                          "default": 0}}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clinic Claim Checker API",
            "version": __version__,
            "description": (
                "Scores clinic marketing text for unsupported claims, unapproved indications and "
                "price red flags. Every result carries character offsets into the text sent, the "
                "rule or model behind each finding, verbatim citations, and the checker, rules "
                "and model versions. Errors are RFC 9457 problem details."),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "python -m checker keys create NAME"}},
            "schemas": schemas,
        },
        "paths": {
            "/api/v1/check": {"post": {
                "summary": "Check one text", "operationId": "check",
                "description": "Open to all (rate limited per address); a key raises the limit.",
                "parameters": result_format,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CheckRequest"}}}},
                "responses": {"200": {"description": "The result (format 1), with its id when saved",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/CheckResponse"}}}},
                              **errors, **auth_errors}}},
            "/api/v1/batch": {"post": {
                "summary": f"Check up to {MAX_BATCH_ITEMS} texts", "operationId": "batch",
                "security": security, "parameters": result_format,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/BatchRequest"}}}},
                "responses": {"200": {"description": "Results in input order, each with its id",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/BatchResponse"}}}},
                              **errors, **auth_errors}}},
            "/api/v1/jobs": {"get": jobs_list_operation(paging, security, {
                "400": _problem_response("Bad paging"), **auth_errors}), "post": {
                "summary": f"Queue up to {MAX_JOB_ITEMS:,} texts (JSON Lines or CSV)",
                "operationId": "createJob", "security": security,
                "parameters": option_parameters(),
                "requestBody": {"required": True, "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                                       "properties": {"file": {"type": "string",
                                                                               "format": "binary"}}}}}},
                "responses": {"202": {"description": "Queued", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/JobCreated"}}}},
                    **errors, **auth_errors}}},
            "/api/v1/jobs/{job_id}": {"get": {
                "summary": "Job state and progress", "operationId": "jobStatus",
                "security": security,
                "parameters": [{"name": "job_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "State", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/JobStatus"}}}},
                    "404": _problem_response("Unknown job"), **auth_errors}}},
            "/api/v1/jobs/{job_id}/results": {"get": {
                "summary": "Results so far, in input order", "operationId": "jobResults",
                "security": security,
                "parameters": [{"name": "job_id", "in": "path", "required": True,
                                "schema": {"type": "string"}},
                               {"name": "format", "in": "query", "required": False,
                                "schema": {"enum": ["jsonl", "csv"], "default": "jsonl"}},
                               {"name": "result_format", "in": "query", "required": False,
                                "schema": {"enum": ["2", "1"], "default": "2"}}],
                "responses": {"200": {"description": JOB_RESULTS, "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}}}},
                    "400": _problem_response("Unknown format"),
                    "404": _problem_response("Unknown job"), **auth_errors}}},
            "/api/v1/checks/{check_id}": {"get": {
                "summary": "A stored result with its text and versions", "operationId": "getCheck",
                "description": "A check made with a key is readable with that key only, "
                               "unless published; one made without a key, by its id.",
                "parameters": [{"name": "check_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}, *result_format],
                "responses": {"200": {"description": "Stored check", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/StoredCheck"}}}},
                    "400": _problem_response("Unknown format"),
                    "404": _problem_response("Unknown check, or not this caller's"),
                    **read_errors, **auth_errors}}, "delete": {
                "summary": "Delete a stored check for good", "operationId": "deleteCheck",
                "description": "With the key that made it, or with the delete token its "
                               "creation returned, as the Delete-Token header.",
                "parameters": [{"name": "check_id", "in": "path", "required": True,
                                "schema": {"type": "string"}},
                               {"name": "Delete-Token", "in": "header", "required": False,
                                "schema": {"type": "string"}}],
                "responses": {"204": {"description": "Deleted"},
                              "404": _problem_response("Unknown check, or not this caller's"),
                              **read_errors, **auth_errors}}},
            "/api/v1/register": {"get": {
                "summary": "The public register: published checks, newest first",
                "operationId": "register",
                "parameters": [*paging, {"name": "q", "in": "query", "required": False,
                                         "schema": {"type": "string"},
                                         "description": "Words in the text, clinic or address"}],
                "responses": {"200": _page_of("A page of published checks", "checks"),
                              "400": _problem_response("Bad paging"), **read_errors}}},
            "/api/v1/checks": {"get": {
                "summary": "This key's stored checks (export), newest first",
                "operationId": "listChecks", "security": security,
                "parameters": [*paging, {"name": "q", "in": "query", "required": False,
                                         "schema": {"type": "string"},
                                         "description": "Search this key's checks by words"}],
                "responses": {"200": _page_of("A page of checks", "checks"),
                              "400": _problem_response("Bad paging"), **auth_errors}}},
            "/api/v1/audit": {"get": {
                "summary": "This key's audit trail, newest first", "operationId": "auditTrail",
                "security": security, "parameters": paging,
                "responses": {"200": _page_of("A page of audit rows", "audit"),
                              "400": _problem_response("Bad paging"), **auth_errors}}},
            "/api/v1/rules": {"get": {
                "summary": "The rule catalogue with citations", "operationId": "rules",
                "responses": {"200": {"description": "Rules by category", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Rules"}}}}}}},
            "/api/v1/health": {"get": {
                "summary": "Versions and database state", "operationId": "health",
                "responses": {"200": {"description": "Healthy", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Health"}}}},
                    "503": {"description": "Database unavailable", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Health"}}}}}}},
            **clinic_paths(),
        },
    }


def openapi_document() -> dict[str, Any]:
    return copy.deepcopy(_document())
