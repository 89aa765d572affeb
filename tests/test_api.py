"""The regulators' API: endpoints, problem details, keys, jobs, audit, reproducibility."""

from __future__ import annotations

import json
import time

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from checker.formats import to_v2
from checker.surfaces.store import Store
from checker.surfaces.web import create_app
from checker.surfaces.web.openapi import openapi_document
from checker.surfaces.web.jobs import JobWorker
from tests.conftest import SAMPLES, auth, cli

PROBLEM = "application/problem+json"


def test_check_returns_the_result_format_and_its_id(client, validate):
    text = SAMPLES[0].read_text()
    response = client.post("/api/v1/check", json={"text": text, "clinic": "Sun Clinic"})
    assert response.status_code == 200
    result = response.get_json()
    check_id = result.pop("id")
    validate(text, result)
    stored = client.get(f"/api/v1/checks/{check_id}").get_json()
    assert stored["text"] == text and stored["clinic"] == "Sun Clinic"
    assert stored["result"]["input"]["sha256"] == result["input"]["sha256"]
    assert stored["result"]["versions"] == result["versions"]


def test_check_without_saving_has_no_id(client):
    result = client.post("/api/v1/check", json={"text": "Our stem cells cure MS.", "save": False}).get_json()
    assert "id" not in result and result["level"] in ("medium", "high")


def test_batch_keeps_order_and_ids(client, key):
    items = [{"id": "b", "text": "Our exosomes regrow hair."}, {"id": 7, "text": "Hello there."},
             {"id": "a", "text": "Only 2 spots left - book now!"}]
    response = client.post("/api/v1/batch", json={"items": items}, headers=auth(key))
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == ["b", "7", "a"]
    assert results[1]["level"] == "low" and results[0]["findings"]


@pytest.mark.parametrize("kwargs, status, title", [
    ({"data": "{not json", "content_type": "application/json"}, 400, "Malformed JSON"),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, "Wrong type"),
    ({"json": {"text": 42}}, 400, "Wrong type"),
    ({"json": {"clinic": "x"}}, 400, "Missing text"),
    ({"json": {"text": "   "}}, 400, "Empty text"),
    ({"json": {"text": "x" * 100_001}}, 413, "Text too long"),
    ({"json": {"text": "ok", "save": "yes"}}, 400, "Wrong type"),
    ({"data": "text=hello", "content_type": "application/x-www-form-urlencoded"}, 415,
     "Unsupported media type"),
])
def test_bad_single_checks_are_problem_details(client, kwargs, status, title):
    response = client.post("/api/v1/check", **kwargs)
    assert response.status_code == status
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == title and body["status"] == status and body["detail"]


@pytest.mark.parametrize("body, status, title", [
    ({"items": []}, 400, "Empty batch"),
    ({"items": "nope"}, 400, "Wrong type"),
    ({}, 400, "Missing items"),
    ({"items": [{"id": "x", "text": ""}]}, 400, "Empty text"),
    ({"items": [{"text": "hi"}]}, 400, "Missing id"),
    ({"items": [{"id": i, "text": "hi"} for i in range(1001)]}, 413, "Too many items"),
])
def test_bad_batches_are_problem_details(client, key, body, status, title):
    response = client.post("/api/v1/batch", json=body, headers=auth(key))
    assert (response.status_code, response.get_json()["title"]) == (status, title)
    assert response.content_type == PROBLEM


@pytest.mark.parametrize("headers, title", [
    ({}, "API key required"),
    ({"Authorization": "Bearer ccc_not_a_real_key"}, "Bad credentials"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "Bad credentials"),
])
def test_batch_and_jobs_need_a_valid_key(client, headers, title):
    for path in ("/api/v1/batch", "/api/v1/jobs"):
        response = client.post(path, json={"items": [{"id": 1, "text": "x"}]}, headers=headers)
        assert response.status_code == 401 and response.get_json()["title"] == title
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(app, client, key):
    store = Store(app.config["DATABASE"])
    key_id = store.key_for_secret(key).id
    assert client.post("/api/v1/batch", json={"items": [{"id": 1, "text": "x"}]},
                       headers=auth(key)).status_code == 200
    store.revoke_key(key_id)
    assert client.post("/api/v1/batch", json={"items": [{"id": 1, "text": "x"}]},
                       headers=auth(key)).status_code == 401


def test_unknown_jobs_and_checks_are_404(client, key):
    for path in ("/api/v1/jobs/nope", "/api/v1/jobs/nope/results"):
        response = client.get(path, headers=auth(key))
        assert response.status_code == 404 and response.content_type == PROBLEM
    assert client.get("/api/v1/checks/nope").status_code == 404


def test_rate_limits_answer_429_per_address_and_per_key(tmp_path, checker):
    app = create_app({"DATABASE": str(tmp_path / "rl.db"), "CHECKER": checker, "JOB_WORKER": False,
                      "SECRET_KEY": "t", "RATELIMIT_ANONYMOUS": "3/minute",
                      "RATELIMIT_KEYED": "5/minute"})
    client = app.test_client()
    codes = [client.post("/api/v1/check", json={"text": "hi", "save": False}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.post("/api/v1/check", json={"text": "hi", "save": False})
    assert limited.content_type == PROBLEM and limited.get_json()["status"] == 429
    secret, _ = Store(app.config["DATABASE"]).create_key("rl")
    keyed = [client.post("/api/v1/check", json={"text": "hi", "save": False},
                         headers=auth(secret)).status_code for _ in range(6)]
    assert keyed == [200] * 5 + [429]


def run_worker_until_done(app, job_id: str, timeout: float = 120) -> dict:
    store = Store(app.config["DATABASE"])
    worker = JobWorker(app)
    deadline = time.time() + timeout
    while time.time() < deadline:
        worker.work_once(store)
        job = store.get_job(job_id)
        if job["state"] == "done":
            return job
    raise AssertionError("job did not finish")


def test_a_jsonl_job_runs_to_completion_with_results_in_order(app, client, key):
    lines = [json.dumps({"id": f"ad-{i}", "text": t}) for i, t in enumerate(
        ["Our stem cells cure autism.", "Hello.", "Exosome facial, $1,500 per session."] * 4)]
    response = client.post("/api/v1/jobs", data="\n".join(lines) + "\n", headers=auth(key),
                           content_type="application/x-ndjson")
    assert response.status_code == 202
    job = response.get_json()
    assert job["total"] == 12 and response.headers["Location"].endswith(job["id"])
    status = client.get(f"/api/v1/jobs/{job['id']}", headers=auth(key)).get_json()
    assert status["state"] == "queued" and status["done"] == 0
    run_worker_until_done(app, job["id"])
    status = client.get(f"/api/v1/jobs/{job['id']}", headers=auth(key)).get_json()
    assert (status["state"], status["done"], status["failed"], status["progress"]) == ("done", 12, 0, 1.0)
    results = [json.loads(x) for x in client.get(f"/api/v1/jobs/{job['id']}/results",
                                                 headers=auth(key)).get_data(as_text=True).splitlines()]
    assert [r["id"] for r in results] == [f"ad-{i}" for i in range(12)]
    assert results[0]["level"] in ("medium", "high") and results[1]["level"] == "low"
    csv_text = client.get(f"/api/v1/jobs/{job['id']}/results?format=csv", headers=auth(key)).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("id,clinic,clinic_key,url,level,score") and len(csv_text.splitlines()) == 13
    assert csv_text.splitlines()[0].endswith(",status,error")


def test_a_csv_job_upload_as_a_file(app, client, key):
    from io import BytesIO
    data = "id,text,clinic\n1,Our stem cells reverse MS.,A\n2,\"Quoted, with comma\",B\n"
    response = client.post("/api/v1/jobs", data={"file": (BytesIO(data.encode()), "ads.csv")},
                           headers=auth(key), content_type="multipart/form-data")
    assert response.status_code == 202 and response.get_json()["total"] == 2


@pytest.mark.parametrize("body, content_type, status, problem", [
    ('{"id": 1, "text": "ok"}\n{broken\n', "application/x-ndjson", 400, "line 2"),
    ('{"id": 1, "text": ""}\n', "application/x-ndjson", 400, "no text"),
    ('{"text": "no id"}\n', "application/x-ndjson", 400, "no id"),
    ('{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n', "application/x-ndjson", 400, "duplicate id"),
    ("name,body\nx,y\n", "text/csv", 400, "columns id and text"),
    ("hello", "text/plain", 415, "Upload JSON Lines"),
])
def test_bad_uploads_queue_nothing_and_say_why(app, client, key, body, content_type, status, problem):
    before = Store(app.config["DATABASE"]).count("jobs")
    response = client.post("/api/v1/jobs", data=body, headers=auth(key), content_type=content_type)
    assert response.status_code == status and response.content_type == PROBLEM
    text = json.dumps(response.get_json())
    assert problem in text or problem in text.replace('"line": 2', "line 2")
    assert Store(app.config["DATABASE"]).count("jobs") == before


@pytest.mark.parametrize("body, content_type", [("", "application/x-ndjson"),
                                                ("\n\n", "application/x-ndjson"),
                                                ("id,text\n", "text/csv"), ("", "text/csv")])
def test_an_upload_with_no_records_is_an_empty_job_done_at_once(client, key, body, content_type):
    response = client.post("/api/v1/jobs", data=body, headers=auth(key), content_type=content_type)
    assert response.status_code == 202
    created = response.get_json()
    assert (created["total"], created["state"]) == (0, "done")
    status = client.get(f"/api/v1/jobs/{created['id']}", headers=auth(key)).get_json()
    assert (status["state"], status["total"], status["progress"]) == ("done", 0, 1.0)
    assert client.get(f"/api/v1/jobs/{created['id']}/results", headers=auth(key)).get_data() == b""


def test_jobs_belong_to_their_key(app, client, key):
    response = client.post("/api/v1/jobs", data='{"id": 1, "text": "hi"}\n', headers=auth(key),
                           content_type="application/x-ndjson")
    other, _ = Store(app.config["DATABASE"]).create_key("other")
    assert client.get(f"/api/v1/jobs/{response.get_json()['id']}", headers=auth(other)).status_code == 404


def test_every_api_call_leaves_an_audit_row_with_its_key(app, client, key):
    client.post("/api/v1/batch", json={"items": [{"id": 1, "text": "x"}]}, headers=auth(key))
    client.post("/api/v1/batch", json={"items": []}, headers=auth(key))
    rows = list(Store(app.config["DATABASE"]).db["audit"].rows)
    key_id = Store(app.config["DATABASE"]).key_for_secret(key).id
    assert [(r["status"], r["key_id"]) for r in rows[-2:]] == [(200, key_id), (400, key_id)]


def test_a_key_can_export_its_own_checks_and_audit_trail(app, client, key):
    client.post("/api/v1/batch", json={"items": [{"id": 1, "text": "Stem cells cure MS."},
                                                 {"id": 2, "text": "Hello."}]}, headers=auth(key))
    other, _ = Store(app.config["DATABASE"]).create_key("other")
    client.post("/api/v1/check", json={"text": "Not mine."}, headers=auth(other))
    checks = client.get("/api/v1/checks?limit=10", headers=auth(key)).get_json()["checks"]
    assert len(checks) == 2 and all(c["rules_version"] and c["sha256"] for c in checks)
    audit = client.get("/api/v1/audit", headers=auth(key)).get_json()["audit"]
    assert audit and all("batch" in a["action"] or "audit" in a["action"] for a in audit)
    assert client.get("/api/v1/checks?limit=0", headers=auth(key)).status_code == 400
    assert client.get("/api/v1/checks").status_code == 401


def test_rerunning_a_stored_input_with_the_same_versions_gives_the_same_result(client, checker):
    text = SAMPLES[2].read_text()
    stored_id = client.post("/api/v1/check", json={"text": text}).get_json()["id"]
    stored = client.get(f"/api/v1/checks/{stored_id}").get_json()
    assert stored["result"]["versions"] == checker.versions and stored["result"]["format"] == "2"
    again = json.loads(json.dumps(to_v2(checker.check(stored["text"]))))
    assert again == stored["result"]
    as_v1 = client.get(f"/api/v1/checks/{stored_id}?format=1").get_json()["result"]
    assert as_v1 == json.loads(json.dumps(checker.check(stored["text"]).to_dict()))


def test_health_rules_openapi_and_docs(client, checker):
    health = client.get("/api/v1/health").get_json()
    assert health["database"] == "ok" and health["versions"] == checker.versions
    rules = client.get("/api/v1/rules").get_json()
    assert sum(len(v) for v in rules["categories"].values()) == len(checker.rulebook.rules)
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/check", "/api/v1/batch", "/api/v1/jobs", "/api/v1/jobs/{job_id}",
            "/api/v1/jobs/{job_id}/results", "/api/v1/checks/{check_id}", "/api/v1/rules",
            "/api/v1/health"} <= set(spec["paths"])
    assert "/api/v1/batch" in client.get("/api/docs").get_data(as_text=True)


def test_the_cli_prints_a_new_key_once_and_nothing_else(tmp_path):
    db = tmp_path / "keys.db"
    run = lambda *a: cli("keys", *a, "--db", str(db))  # noqa: E731
    created = run("create", "Regulator A")
    assert created.returncode == 0
    secret = created.stdout.decode().strip()
    assert secret.startswith("ccc_") and "\n" not in secret
    store = Store(db)
    assert store.key_for_secret(secret) is not None
    assert secret not in "".join(str(r) for r in store.db["keys"].rows)  # stored hashed only
    listed = run("list")
    assert "Regulator A" in listed.stdout.decode() and secret not in listed.stdout.decode()
    key_id = listed.stdout.decode().split("\t")[0]
    assert run("revoke", key_id).returncode == 0
    assert store.key_for_secret(secret) is None
    missing = run("revoke", "nope")
    assert missing.returncode == 1 and b"no key" in missing.stderr and b"Traceback" not in missing.stderr


# -- the contract: schemathesis against /openapi.json ----------------------------------------

class _ContractApp:
    """The WSGI app schemathesis calls: the real app, built by the ``contract`` fixture when the
    first contract case runs (with the session's checker), not when the tests are collected."""

    app = None

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        return self.app(environ, start_response)


# The published document, the one /openapi.json serves: built from the code, no app needed.
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = _CONTRACT_APP = _ContractApp()


@pytest.fixture(scope="session")
def contract(tmp_path_factory, checker):
    """A key for the app under contract test, once the app is built."""
    db = tmp_path_factory.mktemp("contract") / "contract.db"
    _CONTRACT_APP.app = create_app({
        "DATABASE": str(db), "CHECKER": checker, "JOB_WORKER": False, "SECRET_KEY": "contract",
        "RATELIMIT_ANONYMOUS": "100000/minute", "RATELIMIT_KEYED": "100000/minute",
        "RATELIMIT_READS": "100000/minute"})
    return Store(db).create_key("contract")[0]


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True)   # the same cases on every run
def test_api_contract(case, contract):
    # Any string is "valid" for a text/csv or JSON Lines body as far as a schema can say;
    # the upload checks above cover what a valid upload is.
    excluded = [positive_data_acceptance] if case.operation.path == "/api/v1/jobs" else []
    # A web address alone is fetched: whether a page is there no schema can say (422 if not).
    if (case.operation.path == "/api/v1/check" and isinstance(case.body, dict)
            and case.body.get("text") is None and case.body.get("url")):
        excluded = [positive_data_acceptance]
    # schemathesis's WSGI transport asks for gzip but does not unzip: ask for plain bodies
    # (tests/test_patient_result.py holds that gzip answers unzip to the same bytes).
    case.call_and_validate(headers={**auth(contract), "Accept-Encoding": "identity"},
                           excluded_checks=excluded)
