"""The OpenAPI description of the clinic and compare endpoints (checker.surfaces.web.clinics_api),
merged into the API's document by checker.surfaces.web.openapi."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _PROBLEM}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{schema}"}}}}


def _string_list() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


def clinic_schemas() -> dict[str, Any]:
    side = {"type": "object", "required": ["id", "level", "score", "rules", "findings"],
            "properties": {"id": {"type": "string"}, "created": {"type": "string"},
                           "clinic": {"type": "string"}, "url": {"type": "string"},
                           "clinic_key": {"type": "string"}, "published": {"type": "boolean"},
                           "level": {"type": "string"}, "score": {"type": "number"},
                           "rules": {**_string_list(), "description": "The rules that fired, "
                                     "each once, in the order they first fired."},
                           "findings": {"type": "integer", "minimum": 0}}}
    signs = {"type": "array", "items": {"$ref": "#/components/schemas/WarningSign"}}
    return {
        "WarningSign": {
            "type": "object", "required": ["rule", "category", "severity", "phrase", "count"],
            "description": "A warning sign as compared: its rule and its phrase (lowercased, "
                           "white space folded); a phrase repeated counts once.",
            "properties": {"rule": {"type": "string"}, "category": {"type": "string"},
                           "severity": {"type": "string"}, "phrase": {"type": "string"},
                           "count": {"type": "integer", "minimum": 1},
                           "count_before": {"type": "integer", "minimum": 1},
                           "severity_before": {"type": "string"}}},
        "Comparison": {
            "type": "object",
            "required": ["a", "b", "score", "level", "counts", "added", "removed", "unchanged",
                         "rules", "diff"],
            "properties": {
                "a": side, "b": side,
                "score": {"type": "object", "required": ["before", "after", "delta"],
                          "properties": {"before": {"type": "number"},
                                         "after": {"type": "number"},
                                         "delta": {"type": "number"}}},
                "level": {"type": "object", "required": ["before", "after", "changed"],
                          "properties": {"before": {"type": "string"},
                                         "after": {"type": "string"},
                                         "changed": {"type": "boolean"}}},
                "counts": {"type": "object", "required": ["added", "removed", "unchanged"],
                           "properties": {k: {"type": "integer", "minimum": 0}
                                          for k in ("added", "removed", "unchanged")}},
                "added": signs, "removed": signs, "unchanged": signs,
                "rules": {"type": "object", "required": ["added", "removed"],
                          "properties": {"added": _string_list(), "removed": _string_list()}},
                "diff": {"type": "object", "required": ["available", "runs", "truncated"],
                         "description": "The text's changes word by word: read in order, the "
                                        "equal and delete runs give the earlier text, the "
                                        "equal and insert runs the later one.",
                         "properties": {
                             "available": {"type": "boolean"},
                             "truncated": {"type": "boolean"},
                             "changed": {"type": ["boolean", "null"]},
                             "runs": {"type": "array", "items": {
                                 "type": "object", "required": ["op", "text"],
                                 "properties": {"op": {"enum": ["equal", "delete", "insert"]},
                                                "text": {"type": "string"}}}}}}}},
        "ClinicList": {
            "type": "object", "required": ["clinics", "total", "limit", "offset"],
            "properties": {
                "clinics": {"type": "array", "items": {
                    "type": "object", "required": ["key", "name", "checks", "last_checked"],
                    "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                                   "checks": {"type": "integer", "minimum": 1},
                                   "last_checked": {"type": "string"},
                                   "latest": {"type": "object"},
                                   "clinic_url": {"type": "string"}}}},
                "total": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer"}, "offset": {"type": "integer"}}},
        "ClinicHistory": {
            "type": "object", "required": ["key", "name", "total", "shown", "checks"],
            "properties": {
                "key": {"type": "string"}, "name": {"type": "string"},
                "total": {"type": "integer", "minimum": 1},
                "shown": {"type": "integer", "minimum": 1},
                "checks": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "created", "level", "score", "triage", "rules", "change"],
                    "properties": {
                        "id": {"type": "string"}, "created": {"type": "string"},
                        "clinic": {"type": "string"}, "url": {"type": "string"},
                        "published": {"type": "boolean"}, "level": {"type": "string"},
                        "score": {"type": "number"}, "triage": {"type": "number"},
                        "findings": {"type": "integer"}, "rules": _string_list(),
                        "check_url": {"type": "string"},
                        "change": {"type": ["object", "null"], "description":
                                   "What changed from the check before (null for the first)."}}}}}},
    }


def clinic_paths() -> dict[str, Any]:
    read_errors = {"401": _problem("Unknown or revoked API key"),
                   "429": _problem("Over the rate limit")}
    check_id = {"type": "string", "minLength": 1}
    paging = [{"name": "limit", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
              {"name": "offset", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000,
                          "default": 0}}]
    return {
        "/api/v1/compare/{a}/{b}": {"get": {
            "summary": "Compare two stored checks", "operationId": "compareChecks",
            "description": "Warning signs added (only in b), removed (only in a) and unchanged, "
                           "matched by rule and phrase; the score and level change; the text's "
                           "changes word by word. Each check must be readable by the caller as "
                           "GET /api/v1/checks/{check_id} reads it.",
            "parameters": [{"name": "a", "in": "path", "required": True, "schema": check_id,
                            "description": "The earlier check's id"},
                           {"name": "b", "in": "path", "required": True, "schema": check_id,
                            "description": "The later check's id"}],
            "responses": {"200": _ok("The comparison", "Comparison"),
                          "400": _problem("Unknown query parameter"),
                          "404": _problem("Unknown check, or not this caller's"),
                          **read_errors}}},
        "/api/v1/clinics": {"get": {
            "summary": "Clinics and their latest check, most recently checked first",
            "operationId": "listClinics",
            "description": "Without a key, the clinics of published checks; with a key, of "
                           "that key's own checks and the published ones. Private checks of "
                           "others are never listed.",
            "parameters": [*paging, {"name": "q", "in": "query", "required": False,
                                     "schema": {"type": "string"},
                                     "description": "Part of a clinic's name or domain"}],
            "responses": {"200": _ok("A page of clinics", "ClinicList"),
                          "400": _problem("Bad paging"), **read_errors}}},
        "/api/v1/clinics/{clinic_key}": {"get": {
            "summary": "One clinic over time: its checks oldest first, what changed each time",
            "operationId": "getClinic",
            "description": "The checks of the clinic this caller may list (published ones, and "
                           "with a key that key's own), each with its level, score, triage "
                           "points, the rules that fired and what changed from the one before.",
            "parameters": [{"name": "clinic_key", "in": "path", "required": True,
                            "schema": {"type": "string", "minLength": 1},
                            "description": "The clinic's key, as GET /api/v1/clinics gives it"}],
            "responses": {"200": _ok("The clinic's history", "ClinicHistory"),
                          "400": _problem("Unknown query parameter"),
                          "404": _problem("No checks of this clinic the caller may list"),
                          **read_errors}}},
    }
