"""Options regulators expect (only some categories, a minimum severity, an allow list of
phrases), on every surface; ``check --fail-on``; the list of a key's jobs; the job tables'
migration."""

from __future__ import annotations

import json
import sqlite3
import time

import orjson
import pytest

from checker.core.errors import OptionsError
from checker.core.options import CheckOptions
from checker.core.result import SEVERITIES
from checker.formats import to_v1, to_v2
from checker.surfaces.cli_check import FAIL_EXIT
from checker.surfaces.store import SCHEMA_VERSION, Store
from tests.conftest import SAMPLES, auth, cli

PROBLEM = "application/problem+json"
ADVERT = ("Our stem cells cure autism and Parkinson's. Treatment costs $15,000. Only 2 spots "
          "left, book now! No side effects. Thousands of happy patients.")
OPTIONS = [
    {"categories": ["efficacy"]},
    {"categories": ["price", "pressure"]},
    {"min_severity": "medium"},
    {"min_severity": "high"},
    {"allow": ["book now", "NO   SIDE effects"]},
    {"categories": ["indication", "safety"], "min_severity": "high", "allow": ["autism"]},
]


def texts() -> list[str]:
    return [ADVERT] + [p.read_text() for p in SAMPLES]


# -- the engine --------------------------------------------------------------------------------


@pytest.mark.parametrize("given", OPTIONS)
def test_options_drop_findings_and_never_raise_the_score(checker, given, validate):
    options = CheckOptions.parse(given)
    dropped = 0
    for text in texts():
        whole = checker.check(text).to_dict()
        narrow = checker.check(text, options=options).to_dict()
        validate(text, narrow)
        assert narrow["score"] <= whole["score"]
        kept = {(f["rule"], f["start"]) for f in narrow["findings"]}
        assert kept <= {(f["rule"], f["start"]) for f in whole["findings"]}
        for f in narrow["findings"]:
            assert options.keeps(f["category"], f["severity"], f["text"])
        assert narrow["options"] == {**options.to_dict(), "dropped": len(whole["findings"])
                                     - len(narrow["findings"])}
        # the counts, level and summary are those of the findings kept
        for category, entry in narrow["categories"].items():
            assert entry["count"] == sum(f["category"] == category for f in narrow["findings"])
        assert str(len(narrow["findings"])) in narrow["summary"] or not narrow["findings"]
        dropped += narrow["options"]["dropped"]
    assert dropped > 0


def test_each_option_really_removes_what_it_names(checker):
    whole = checker.check(ADVERT).to_dict()
    assert {"efficacy", "pressure", "safety"} <= {f["category"] for f in whole["findings"]}
    efficacy = checker.check(ADVERT, options=CheckOptions(categories=("efficacy",))).to_dict()
    assert {f["category"] for f in efficacy["findings"]} == {"efficacy"}
    assert efficacy["score"] < whole["score"]
    high = checker.check(ADVERT, options=CheckOptions(min_severity="high")).to_dict()
    assert high["findings"] and all(f["severity"] == "high" for f in high["findings"])
    allowed = checker.check(ADVERT, options=CheckOptions.parse(
        {"allow": ["  Book   NOW "]})).to_dict()
    assert "book now" in {f["text"].lower() for f in whole["findings"]}
    assert "book now" not in {f["text"].lower() for f in allowed["findings"]}
    assert allowed["options"] == {"allow": ["Book NOW"], "dropped": 1}
    # no options: no "options" key, the result as before
    assert "options" not in whole
    assert "options" not in checker.check(ADVERT, options=CheckOptions()).to_dict()


def test_a_narrowed_result_comes_back_to_format_1_byte_for_byte(checker):
    for given in OPTIONS:
        result = checker.check(ADVERT, options=CheckOptions.parse(given))
        v2 = json.loads(json.dumps(to_v2(result)))
        assert v2["options"] == result.to_dict()["options"]
        assert orjson.dumps(to_v1(v2), option=orjson.OPT_SORT_KEYS) == \
            orjson.dumps(result.to_dict(), option=orjson.OPT_SORT_KEYS)


@pytest.mark.parametrize("given, message", [
    ({"categories": ["efficacy", "bogus"]}, "unknown category 'bogus'"),
    ({"categories": []}, "'categories' is empty"),
    ({"categories": "efficacy"}, "must be a list of category names"),
    ({"categories": ["Efficacy"]}, "unknown category 'Efficacy'"),
    ({"min_severity": "HIGH"}, "must be one of low, medium, high"),
    ({"allow": "cure"}, "must be a list of phrases"),
    ({"allow": ["\t\n"]}, "'allow[0]' is empty"),
    ({"categories": [1]}, "must be a list of category names"),
    ({"categories": {"efficacy": True}}, "must be a list of category names"),
    ({"min_severity": "extreme"}, "must be one of low, medium, high"),
    ({"min_severity": 2}, "must be one of low, medium, high (got int)"),
    ({"allow": [" "]}, "'allow[0]' is empty"),
    ({"allow": [3]}, "must be a list of phrases"),
    ({"allow": ["x"] * 201}, "at most 200"),
    ({"allow": ["a" * 501]}, "more than 500 characters"),
    ({"allow": ["ok", "bad \ud800"]}, "'allow[1]' cannot be read"),
])
def test_bad_options_say_what_is_wrong(given, message):
    with pytest.raises(OptionsError) as caught:
        CheckOptions.parse(given)
    assert message in caught.value.message


def test_options_are_kept_in_one_order_once_each():
    options = CheckOptions.parse({"categories": ["price", "efficacy", "price"],
                                  "min_severity": "high", "allow": ["a  b", "A B", "c"]})
    assert options.to_dict() == {"categories": ["efficacy", "price"], "min_severity": "high",
                                 "allow": ["a b", "c"]}
    assert not CheckOptions.parse({"categories": None, "min_severity": None}).narrows
    assert [s for s in SEVERITIES if CheckOptions(min_severity="medium").keeps("price", s, "x")] \
        == ["medium", "high"]


# -- the API -----------------------------------------------------------------------------------


def test_check_takes_the_options_and_stores_them_with_the_result(client):
    response = client.post("/api/v1/check", json={"text": ADVERT, "categories": ["efficacy"],
                                                   "min_severity": "medium", "allow": ["xyz"]})
    assert response.status_code == 200
    result = response.get_json()
    assert {f["rule"].split(".")[0] for f in result["findings"]} == {"efficacy"}
    assert result["options"]["categories"] == ["efficacy"] and result["options"]["dropped"] > 0
    stored = client.get(f"/api/v1/checks/{result['id']}").get_json()["result"]
    assert stored["options"] == result["options"] and stored["score"] == result["score"]
    whole = client.post("/api/v1/check", json={"text": ADVERT, "save": False}).get_json()
    assert result["score"] < whole["score"] and "options" not in whole
    v1 = client.post("/api/v1/check?format=1", json={"text": ADVERT, "save": False,
                                                     "min_severity": "high"}).get_json()
    assert v1["options"]["min_severity"] == "high"
    assert all(f["severity"] == "high" for f in v1["findings"])


@pytest.mark.parametrize("body, detail", [
    ({"categories": ["efficacy", "bogus"]}, "Unknown category 'bogus'"),
    ({"categories": "efficacy"}, "'categories' must be a list"),
    ({"categories": ["efficacy"]}, None),
    ({"categories": []}, "'categories' is empty"),
    ({"categories": 5}, "'categories' must be a list"),
    ({"min_severity": "urgent"}, "'min_severity' must be one of low, medium, high"),
    ({"min_severity": ["high"]}, "'min_severity' must be one of"),
    ({"allow": ["   "]}, "'allow[0]' is empty"),
    ({"allow": "cure"}, "'allow' must be a list of phrases"),
    ({"allow": [{"phrase": "x"}]}, "'allow' must be a list of phrases"),
])
def test_bad_options_are_400_problems_on_check_and_batch(client, key, body, detail):
    for path, payload in (("/api/v1/check", {"text": ADVERT, "save": False, **body}),
                          ("/api/v1/batch", {"items": [{"id": 1, "text": ADVERT}], "save": False,
                                             **body})):
        response = client.post(path, json=payload, headers=auth(key))
        if detail is None:
            assert response.status_code == 200
            continue
        assert response.status_code == 400 and response.mimetype == PROBLEM, response.get_data()
        problem = response.get_json()
        assert problem["title"] == "Bad option" and detail in problem["detail"], problem


def test_batch_narrows_every_item(client, key):
    items = [{"id": "a", "text": ADVERT}, {"id": "b", "text": SAMPLES[0].read_text()}]
    whole = client.post("/api/v1/batch", json={"items": items, "save": False},
                        headers=auth(key)).get_json()["results"]
    narrow = client.post("/api/v1/batch", json={"items": items, "save": False,
                                                "categories": ["pressure"]},
                         headers=auth(key)).get_json()["results"]
    for w, n in zip(whole, narrow):
        assert n["options"]["categories"] == ["pressure"] and n["score"] <= w["score"]
        assert all(f["rule"].startswith("pressure.") for f in n["findings"])


@pytest.mark.parametrize("query, detail", [
    ("?categories=efficacy,nope", "Unknown category 'nope'"),
    ("?min_severity=low&min_severity=high", "Give 'min_severity' once"),
    ("?min_severity=grave", "'min_severity' must be one of"),
    ("?allow=%20", "'allow[0]' is empty"),
    ("?categories=", "'categories' is empty"),
])
def test_bad_job_options_are_400_problems_and_queue_nothing(app, client, key, query, detail):
    response = client.post(f"/api/v1/jobs{query}", data='{"id": 1, "text": "hi"}\n',
                           headers=auth(key), content_type="application/x-ndjson")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert detail in response.get_json()["detail"]
    assert Store(app.config["DATABASE"]).count("jobs") == 0


# -- GET /api/v1/jobs --------------------------------------------------------------------------


def test_the_job_list_is_the_keys_own_jobs_newest_first(app, client, key):
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.get("/api/v1/jobs").mimetype == PROBLEM
    ids = []
    for n, query in enumerate(("", "?categories=price&min_severity=medium", "")):
        created = client.post(f"/api/v1/jobs{query}", data=f'{{"id": {n}, "text": "hi"}}\n',
                              headers=auth(key), content_type="application/x-ndjson")
        ids.append(created.get_json()["id"])
        time.sleep(0.002)   # distinct creation times
    other, _ = Store(app.config["DATABASE"]).create_key("other")
    client.post("/api/v1/jobs", data='{"id": 1, "text": "hi"}\n', headers=auth(other),
                content_type="application/x-ndjson")
    page = client.get("/api/v1/jobs", headers=auth(key)).get_json()
    assert [j["id"] for j in page["jobs"]] == ids[::-1]
    assert (page["limit"], page["offset"]) == (100, 0)
    job = page["jobs"][1]
    assert {"id", "created", "state", "total", "done", "failed", "versions", "status_url",
            "results_url"} <= set(job)
    assert job["options"] == {"categories": ["price"], "min_severity": "medium"}
    assert job["status_url"] == f"/api/v1/jobs/{ids[1]}"
    assert client.get(job["status_url"], headers=auth(key)).get_json() == job
    assert (job["state"], job["total"], job["done"], job["failed"]) == ("queued", 1, 0, 0)
    assert "options" not in page["jobs"][0]
    second = client.get("/api/v1/jobs?limit=1&offset=1", headers=auth(key)).get_json()
    assert [j["id"] for j in second["jobs"]] == [ids[1]]
    assert client.get("/api/v1/jobs?limit=0", headers=auth(key)).status_code == 400
    assert client.get("/api/v1/jobs?bogus=1", headers=auth(key)).status_code == 400
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=auth(other))
            .get_json()["jobs"]] not in ([], ids)


def test_the_openapi_document_describes_the_options_and_the_job_list(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["paths"]["/api/v1/jobs"]["get"]["operationId"] == "listJobs"
    for name in ("CheckRequest", "BatchRequest"):
        assert {"categories", "min_severity", "allow"} <= \
            set(spec["components"]["schemas"][name]["properties"])
    parameters = {p["name"] for p in spec["paths"]["/api/v1/jobs"]["post"]["parameters"]}
    assert parameters == {"categories", "min_severity", "allow"}
    for version in ("ResultV1", "ResultV2"):
        assert "options" in spec["components"]["schemas"][version]["properties"]


# -- the command line --------------------------------------------------------------------------


def test_check_fail_on_exits_3_at_or_above_the_level_and_0_below(tmp_path):
    advert = tmp_path / "advert.txt"
    advert.write_text(ADVERT)
    harmless = tmp_path / "harmless.txt"
    harmless.write_text("The hospital offers knee replacement surgery after a consultation "
                        "with an orthopaedic surgeon, covered by most insurance plans.")
    assert cli("check", str(advert), "--fail-on", "high").returncode == FAIL_EXIT == 3
    assert cli("check", str(advert), "--fail-on", "medium").returncode == 3
    assert cli("check", str(advert)).returncode == 0
    assert cli("check", str(harmless), "--fail-on", "medium").returncode == 0
    assert cli("check", str(harmless), "--fail-on", "high").returncode == 0
    # narrowed to what makes it medium: fails on medium, not on high
    medium = cli("check", str(advert), "--categories", "pressure", "--format", "json",
                 "--fail-on", "high")
    assert json.loads(medium.stdout)["level"] == "medium" and medium.returncode == 0
    assert cli("check", str(advert), "--categories", "pressure", "--fail-on",
               "medium").returncode == 3
    # other errors keep their codes
    assert cli("check", str(tmp_path / "missing.txt"), "--fail-on", "high").returncode == 1
    assert cli("check", str(advert), "--fail-on", "low").returncode == 2


def test_check_options_on_the_command_line(tmp_path):
    advert = tmp_path / "advert.txt"
    advert.write_text(ADVERT)
    proc = cli("check", str(advert), "--format", "json", "--categories", "efficacy,safety",
               "--min-severity", "high", "--allow", "no side effects", "--allow", "cure")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["options"]["categories"] == ["efficacy", "safety"]
    assert result["options"]["allow"] == ["no side effects", "cure"]
    assert all(f["text"].lower() not in ("cure", "no side effects") for f in result["findings"])
    for args, message in ((["--categories", "efficacy,nope"], "unknown category 'nope'"),
                          (["--min-severity", "grave"], "'grave' is not one of"),
                          (["--allow", " "], "is empty")):
        bad = cli("check", str(advert), *args)
        err = bad.stderr.decode().strip()
        assert bad.returncode == 2 and message in err and len(err.splitlines()) == 1, err


def test_batch_options_on_the_command_line_and_resume_with_other_options_is_refused(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": ADVERT}) + "\n"
                      + json.dumps({"id": "b", "text": "Book now: only 3 spots left!"}) + "\n")
    out = tmp_path / "out.jsonl"
    proc = cli("batch", str(source), "-o", str(out), "--workers", "1", "--no-classifier",
               "--categories", "pressure", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(r["result"]["options"]["categories"] == ["pressure"] for r in rows)
    again = cli("batch", str(source), "-o", str(out), "--workers", "1", "--no-classifier",
                "--resume", "--no-progress")
    assert again.returncode == 1 and b"made with other options" in again.stderr, again.stderr
    same = cli("batch", str(source), "-o", str(out), "--workers", "1", "--no-classifier",
               "--resume", "--categories", "pressure", "--no-progress")
    assert same.returncode == 0 and b"skipped 2" in same.stderr, same.stderr


# -- the store ---------------------------------------------------------------------------------


def test_a_database_from_before_job_fields_is_migrated_and_its_jobs_still_read(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    job_id, _ = store.create_job([{"id": "x", "text": "hi", "url": "", "clinic": "A"}],
                                 key_id=None, versions={"checker": "0", "rules": "r", "model": "m"})
    store.close()
    conn = sqlite3.connect(path)   # as the database of the checker before migration 6
    conn.execute("drop index if exists idx_jobs_key_id_created")
    conn.execute("alter table job_items drop column fields")
    conn.execute("alter table jobs drop column options")
    conn.execute("delete from schema_migrations where version >= 6")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.get_job(job_id)["options"] == {}
    rows = list(store.job_results(job_id))
    assert rows[0]["fields"] == {} and rows[0]["clinic"] == "A"
    new_id, _ = store.create_job([{"id": "y", "text": "hi", "fields": {"country": "MX"}}],
                                 key_id=None, versions={"checker": "0", "rules": "r", "model": "m"},
                                 options={"min_severity": "high"})
    assert list(store.job_results(new_id))[0]["fields"] == {"country": "MX"}
    assert store.get_job(new_id)["options"] == {"min_severity": "high"}
    store.close()
