"""The OpenAPI parts of the check options (checker.core.options) and of the job list: what
checker.surfaces.web.openapi puts into the document for them."""

from __future__ import annotations

from typing import Any

from checker.core.inputs import VISIBLE_PATTERN
from checker.core.options import MAX_ALLOW, MAX_PHRASE_CHARS
from checker.core.result import CATEGORIES, SEVERITIES

NARROWED = ("Only the findings kept are listed and scored: the score, level, summary and "
            "category counts are those of what is kept (never higher than the whole result), "
            "and the result records the options under 'options' with 'dropped', how many "
            "findings they removed. An unknown category or severity, or a value of the wrong "
            "type, is a 400.")
_PHRASE = {"type": "string", "minLength": 1, "maxLength": MAX_PHRASE_CHARS,
           "pattern": VISIBLE_PATTERN}


def option_properties() -> dict[str, Any]:
    """The options as properties of a JSON request body (check, batch)."""
    return {
        "categories": {"type": ["array", "null"], "minItems": 1,
                       "items": {"enum": list(CATEGORIES)},
                       "description": "Keep only findings of these categories. " + NARROWED},
        "min_severity": {"enum": [*SEVERITIES, None],
                         "description": "Keep only findings of at least this severity."},
        "allow": {"type": ["array", "null"], "maxItems": MAX_ALLOW, "items": _PHRASE,
                  "description": "Phrases to leave alone: a finding whose text equals one of "
                                 "them, ignoring case and spacing, is dropped."},
    }


def option_parameters() -> list[dict[str, Any]]:
    """The same options as query parameters (job creation: they apply to the whole job)."""
    return [
        {"name": "categories", "in": "query", "required": False, "style": "form",
         "explode": True, "schema": {"type": "array", "minItems": 1,
                                     "items": {"enum": list(CATEGORIES)}},
         "description": "Keep only findings of these categories (repeat the parameter, or "
                        "separate the names with commas). " + NARROWED},
        {"name": "min_severity", "in": "query", "required": False,
         "schema": {"enum": list(SEVERITIES)},
         "description": "Keep only findings of at least this severity."},
        {"name": "allow", "in": "query", "required": False, "style": "form", "explode": True,
         "schema": {"type": "array", "maxItems": MAX_ALLOW, "items": _PHRASE},
         "description": "A phrase to leave alone (repeat for more): a finding whose text "
                        "equals it, ignoring case and spacing, is dropped."},
    ]


def job_status_properties() -> dict[str, Any]:
    """What a job's status says beyond its state and counts."""
    return {"options": {"type": "object", "description": "The options the job was created "
                                                         "with (absent when none)."},
            "status_url": {"type": "string"},
            "dashboard_url": {"type": "string", "description": "The job's dashboard in a "
                              "browser (figures, charts, CSV): a link with a signed token, for "
                              "this key's holder only; keep it private."}}


def jobs_list_operation(paging: list[dict[str, Any]], security: list[dict[str, Any]],
                        errors: dict[str, Any]) -> dict[str, Any]:
    """``GET /api/v1/jobs``."""
    return {
        "summary": "This key's jobs, newest first", "operationId": "listJobs",
        "security": security, "parameters": paging,
        "responses": {"200": {"description": "A page of jobs", "content": {"application/json": {
            "schema": {"type": "object", "required": ["jobs", "limit", "offset"],
                       "properties": {"jobs": {"type": "array", "items": {
                           "$ref": "#/components/schemas/JobStatus"}},
                           "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}},
            **errors}}


JOB_RESULTS = ("One line per finished item, in input order. JSON Lines: the item's id, status, "
               "url and clinic (when given), 'fields' (every other field of its input record "
               "but the text, as uploaded; absent when none), then the result's own keys, or "
               "'error'. CSV: the batch command's summary columns (id, clinic, clinic_key, url, "
               "level, score, triage, triage_rank, one count per category, findings, rule_ids, "
               "conditions, prices, summary, input_sha256, checker, rules, model), then status "
               "and error; triage_rank ranks the job's finished items (1 = read first).")
