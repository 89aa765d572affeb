"""Issue 14's probes, each as a test: private by default, bounded work, bad input a 4xx,
reports that cannot be forged, and the settings a deployment relies on.

Every test here failed on the code before the issue was worked on (the probe that found it is
named in its docstring); the real-server probes are in test_deploy.py.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from checker.core.errors import ExtractError
from checker.intake import from_pasted
from checker.decide.findings import MAX_FINDINGS, MAX_PER_RULE, MAX_SAME_PHRASE
from checker.core.records import BadRecord, read_input
from checker.surfaces.store import Store
from checker.core.text import MAX_RUN, prepare
from checker.decide.wording import LEVEL_WORDS
from tests.conftest import SAMPLES, auth, form_token, submit
from tests.payloads import INJECTIONS

ADVERT = "Our stem cells cure autism and reverse MS. No side effects! Only $9,800."


@pytest.fixture
def keys(app):
    store = Store(app.config["DATABASE"])
    a, _ = store.create_key("regulator A")
    b, _ = store.create_key("regulator B")
    store.close()
    return a, b


# -- private by default ---------------------------------------------------------------------


def test_nothing_is_listed_or_searchable_unless_published(client, keys):
    """Probe: /search listed the latest checks and searched every saved one, keyed ones too."""
    key_a, _ = keys
    client.post("/api/v1/check", json={"text": ADVERT, "clinic": "Keyed Zebra Clinic"},
                headers=auth(key_a))
    submit(client, ADVERT, clinic="Form Zebra Clinic")
    client.post("/api/v1/check", json={"text": ADVERT, "clinic": "Open Zebra Clinic"})
    for page in (client.get("/search").get_data(as_text=True),
                 client.get("/search?q=Zebra").get_data(as_text=True),
                 client.get("/search?q=autism").get_data(as_text=True)):
        assert "Zebra Clinic" not in page and "No published checks" in page
    assert client.get("/api/v1/register?q=Zebra").get_json()["checks"] == []
    submit(client, ADVERT, clinic="Public Zebra Clinic", publish="1")
    assert "Public Zebra Clinic" in client.get("/search?q=Zebra").get_data(as_text=True)
    listed = [c["clinic"] for c in client.get("/api/v1/register?q=Zebra").get_json()["checks"]]
    assert listed == ["Public Zebra Clinic"]


def test_a_keyed_check_is_readable_with_its_key_only(client, keys):
    """Probe: GET /api/v1/checks/<id> returned text, clinic and key_id to anyone."""
    key_a, key_b = keys
    made = client.post("/api/v1/check", json={"text": ADVERT, "clinic": "Confidential"},
                       headers=auth(key_a)).get_json()
    path = f"/api/v1/checks/{made['id']}"
    assert client.get(path).status_code == 404
    assert client.get(path, headers=auth(key_b)).status_code == 404
    assert client.get(path, headers=auth("ccc_not-a-real-key")).status_code == 401
    own = client.get(path, headers=auth(key_a))
    assert own.status_code == 200 and own.get_json()["text"] == ADVERT
    assert own.get_json()["key_id"]
    assert client.get(f"/r/{made['id']}").status_code == 404          # not on the web either
    assert client.get(f"/r/{made['id']}/report.md").status_code == 404
    searched = client.get("/api/v1/checks?q=autism", headers=auth(key_a)).get_json()["checks"]
    assert [c["id"] for c in searched] == [made["id"]]
    assert client.get("/api/v1/checks?q=autism", headers=auth(key_b)).get_json()["checks"] == []


def test_an_open_check_is_reachable_by_its_id_and_never_names_a_key(client):
    made = client.post("/api/v1/check", json={"text": ADVERT}).get_json()
    stored = client.get(f"/api/v1/checks/{made['id']}").get_json()
    assert stored["text"] == ADVERT and "key_id" not in stored and stored["published"] is False


def test_the_owner_deletes_with_the_token_shown_once_or_the_key(client, keys):
    key_a, key_b = keys
    open_check = client.post("/api/v1/check", json={"text": ADVERT}).get_json()
    path = f"/api/v1/checks/{open_check['id']}"
    assert client.delete(path).status_code == 404
    assert client.delete(path, headers={"Delete-Token": "x" * 22}).status_code == 404
    assert client.delete(path, headers={"Delete-Token": open_check["delete_token"]}).status_code == 204
    assert client.get(path).status_code == 404
    keyed = client.post("/api/v1/check", json={"text": ADVERT}, headers=auth(key_a)).get_json()
    assert client.delete(f"/api/v1/checks/{keyed['id']}", headers=auth(key_b)).status_code == 404
    assert client.delete(f"/api/v1/checks/{keyed['id']}", headers=auth(key_a)).status_code == 204
    assert client.get(f"/api/v1/checks/{keyed['id']}", headers=auth(key_a)).status_code == 404


def test_the_form_shows_a_manage_link_once_and_it_publishes_and_deletes(client, app):
    location = submit(client, ADVERT, clinic="Manage Me Clinic").headers["Location"]
    first = client.get(location).get_data(as_text=True)
    manage = re.search(r'class="manage" href="([^"]+)"', first).group(1)
    assert "This check is private" in first
    assert 'class="manage"' not in client.get(location).get_data(as_text=True)   # once only
    manage_path = manage.split("localhost:8000", 1)[1].replace("&amp;", "&")
    token = manage_path.split("token=")[1]
    assert client.get(manage_path.replace(token, "x" * len(token))).status_code == 404
    page = client.get(manage_path).get_data(as_text=True)
    assert "Publish it in the public register" in page
    post = {"csrf_token": form_token(client), "token": token}
    client.post(location + "/manage", data={**post, "action": "publish"})
    assert "Manage Me Clinic" in client.get("/search?q=Manage").get_data(as_text=True)
    client.post(location + "/manage", data={**post, "action": "unpublish"})
    assert "Manage Me Clinic" not in client.get("/search?q=Manage").get_data(as_text=True)
    deleted = client.post(location + "/manage", data={**post, "action": "delete"})
    assert "Your check is deleted" in deleted.get_data(as_text=True)
    assert client.get(location).status_code == 404
    assert Store(app.config["DATABASE"]).count("checks") == 0


def test_publishing_an_unsaved_check_is_refused_and_explained(client):
    response = submit(client, ADVERT, dont_save="1", publish="1")
    assert response.status_code == 400 and "cannot be published" in response.get_data(as_text=True)
    api = client.post("/api/v1/check", json={"text": ADVERT, "save": False, "publish": True})
    assert api.status_code == 400


def test_retention_purges_unpublished_anonymous_checks_only(app, client, keys):
    key_a, _ = keys
    submit(client, ADVERT, clinic="old private")
    submit(client, ADVERT, clinic="old public", publish="1")
    client.post("/api/v1/check", json={"text": ADVERT, "clinic": "old keyed"}, headers=auth(key_a))
    store = Store(app.config["DATABASE"])
    store.db.execute("update checks set created = '2020-01-01T00:00:00.000+00:00'")
    counts = store.purge(retention_days=30, keyed_retention_days=0)
    assert counts["checks"] == 1 and counts["keyed_checks"] == 0
    assert sorted(r["clinic"] for r in store.db["checks"].rows) == ["old keyed", "old public"]
    assert store.purge(retention_days=30, keyed_retention_days=30)["keyed_checks"] == 1


def test_the_about_page_says_what_is_stored_for_how_long_and_who_sees_it(client):
    page = client.get("/about").get_data(as_text=True)
    for words in ("private", "30 days", "public register", "delete", "Logs", "never hold"):
        assert words in page, words


def test_bad_keys_leave_no_audit_rows(app, client):
    """Probe: anonymous bad-key requests grew the audit table without limit."""
    before = Store(app.config["DATABASE"]).count("audit")
    for _ in range(20):
        assert client.post("/api/v1/batch", json={"items": []},
                           headers=auth("ccc_guess")).status_code == 401
    assert Store(app.config["DATABASE"]).count("audit") == before


# -- bounded work -----------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["!", "$", "?", "(", "<", "\U0001F600", "!?$(", "a:"])
def test_long_runs_without_a_space_are_split_for_the_tokenizer(unit):
    """Probe: 20k characters of '!' took 35 s in spaCy's tokenizer (quadratic in a chunk)."""
    text = "Our stem cells cure autism. " + unit * (20_000 // len(unit)) + " Call now."
    prepared = prepare(text)
    assert max(len(chunk) for chunk in prepared.text.split()) <= MAX_RUN
    start = prepared.text.index("cure")
    assert prepared.to_original(start, start + 4) == (text.index("cure"), text.index("cure") + 4)


def test_long_runs_keep_every_offset_in_the_users_text(checker):
    text = "!" * 5000 + " Our stem cells cure autism. " + "$" * 3000 + " No side effects."
    result = checker.check(text)
    assert result.findings
    for f in result.findings:
        assert text[f.start:f.end] == f.text


def test_one_phrase_repeated_is_listed_a_few_times_and_counted(checker):
    """Probe: "cure " x 20,000 stored a 44 MB result."""
    text = "Our stem cells cure autism. " + "cure " * 20_000
    result = checker.check(text)
    cures = [f for f in result.findings if f.rule == "efficacy.cure"]
    assert len(cures) == MAX_SAME_PHRASE
    assert sum(f.repeats for f in cures) == 20_001 - MAX_SAME_PHRASE
    assert len(json.dumps(result.to_dict())) < 1_000_000
    assert result.score == checker.check("Our stem cells cure autism. cure cure").score


def test_findings_are_bounded_per_rule_and_in_all(checker, validate):
    text = ("\n\n".join(path.read_text() for path in SAMPLES) + "\n\n") * 12
    result = checker.check(text[:100_000])
    assert len(result.findings) <= MAX_FINDINGS
    per_rule: dict[str, int] = {}
    for f in result.findings:
        per_rule[f.rule] = per_rule.get(f.rule, 0) + 1
    assert max(per_rule.values()) <= MAX_PER_RULE
    out = result.to_dict()
    assert out["omitted"]["findings"] > 0
    assert len(json.dumps(out)) < 1_000_000
    validate(text[:100_000], out)


def test_the_time_budget_stops_a_check_with_a_clear_422(make_app):
    client = make_app(CHECK_SECONDS=0.0).test_client()
    response = client.post("/api/v1/check", json={"text": ADVERT})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert "longer than" in response.get_json()["detail"]


def test_a_batch_request_holds_a_bounded_number_of_characters(client, keys):
    items = [{"id": i, "text": "x" * 100_000} for i in range(21)]
    response = client.post("/api/v1/batch", json={"items": items}, headers=auth(keys[0]))
    assert response.status_code == 413 and "jobs" in response.get_json()["detail"]


def test_reads_are_rate_limited_too(make_app):
    """Probe: anonymous GETs (a 42 MB permalink) had no rate limit."""
    client = make_app(RATELIMIT_READS="3/minute").test_client()
    location = submit(client, ADVERT).headers["Location"]
    statuses = [client.get(location).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
    api = [client.get("/api/v1/rules").status_code for _ in range(5)]
    assert api[-1] == 429


# -- bad input: a 4xx with a message, never a 500 --------------------------------------------


SURROGATE = "\ud800"


@pytest.mark.parametrize("body", [
    {"text": f"Stem cells {SURROGATE} cure MS."},
    {"text": "Stem cells cure MS.", "clinic": f"Acme{SURROGATE}"},
    {"text": "Stem cells cure MS.", "url": f"https://a.example/{SURROGATE}"},
])
def test_lone_surrogates_in_a_check_are_a_400(client, body):
    """Probe: "\\ud800" in text, clinic or url was a 500."""
    raw = json.dumps(body)   # json.dumps writes the lone surrogate as the escape "\\ud800"
    response = client.post("/api/v1/check", data=raw, content_type="application/json")
    assert response.status_code == 400 and "surrogate" in response.get_json()["detail"]


def test_lone_surrogates_in_a_batch_or_a_job_are_a_400(client, keys):
    key = auth(keys[0])
    for items in ([{"id": f"a{SURROGATE}", "text": "Stem cells cure MS."}],
                  [{"id": "a", "text": f"Stem cells {SURROGATE}"}]):
        response = client.post("/api/v1/batch", data=json.dumps({"items": items}),
                               content_type="application/json", headers=key)
        assert response.status_code == 400, items
    line = json.dumps({"id": "1", "text": f"cure {SURROGATE}"}) + "\n"
    response = client.post("/api/v1/jobs", data=line, content_type="application/x-ndjson",
                           headers=key)
    assert response.status_code == 400 and "surrogate" in json.dumps(response.get_json())
    assert Store(client.application.config["DATABASE"]).count("jobs") == 0


@pytest.mark.parametrize("depth", [150, 2_000, 50_000])
def test_deeply_nested_json_is_a_400(client, keys, depth):
    """Probe: JSON nested 2,000 deep was a 500 (Python's parser ran out of recursion)."""
    nested = "[" * depth + "]" * depth
    response = client.post("/api/v1/check", data=f'{{"text": "cure", "x": {nested}}}',
                           content_type="application/json")
    assert response.status_code == 400 and "nested" in response.get_json()["detail"]
    job = client.post("/api/v1/jobs", data=f'{{"id": 1, "text": "x", "y": {nested}}}\n',
                      content_type="application/x-ndjson", headers=auth(keys[0]))
    assert job.status_code == 400 and "nested" in json.dumps(job.get_json())


def test_a_csv_job_field_over_the_csv_modules_limit_is_a_clear_4xx(client, keys):
    """Probe: a CSV field over 131,072 characters was a 500."""
    body = "id,text\n1," + "x" * 140_000 + "\n2,Our stem cells cure MS.\n"
    response = client.post("/api/v1/jobs", data=body, content_type="text/csv",
                           headers=auth(keys[0]))
    assert response.status_code == 413
    assert "longer than 100,000" in json.dumps(response.get_json())


def test_a_form_post_with_bytes_that_are_not_utf8_is_no_error(client):
    """A browser cannot send a lone surrogate in a form; the nearest it can send is the bytes
    of one (%ED%A0%80), which are not UTF-8: they arrive as U+FFFD and the check goes on."""
    body = f"csrf_token={form_token(client)}&text=Stem+cells+cure+MS+%ED%A0%80&clinic=%ED%A0%80"
    response = client.post("/check", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


def test_one_bad_record_never_stops_a_batch_run(tmp_path, checker):
    """Probe: a JSONL line with a lone surrogate or deep nesting ended `batch` with a traceback."""
    from checker.surfaces.batch import BatchOptions, run_batch

    lines = [json.dumps({"id": "a", "text": "Our stem cells cure autism."}),
             json.dumps({"id": "b", "text": f"cure {SURROGATE}"}),
             '{"id": "c", "text": "x", "deep": ' + "[" * 5000 + "]" * 5000 + "}",
             json.dumps({"id": f"d{SURROGATE}", "text": "cure"}),
             json.dumps({"id": "e", "text": "No side effects!", "clinic": f"A{SURROGATE}"}),
             json.dumps({"id": "f", "text": "Exosomes regrow hair."})]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    summary = run_batch(BatchOptions(source, out, workers=1))
    assert (summary.scored, summary.failed) == (2, 4)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "f"]
    errors = [json.loads(x) for x in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors] == [2, 3, 4, 5]
    assert "surrogate" in errors[0]["problem"] and "nested" in errors[1]["problem"]
    resumed = run_batch(BatchOptions(source, out, workers=1, resume=True))
    assert (resumed.scored, resumed.failed, resumed.skipped) == (0, 0, 6)


def test_a_folder_input_never_follows_symbolic_links(tmp_path):
    """Probe: `batch` on a folder followed links out of it (it scored a system file)."""
    folder = tmp_path / "ads"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Our stem cells cure autism.")
    secret = tmp_path / "secret_key.txt"
    secret.write_text("the server's secret")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "outside").symlink_to(tmp_path, target_is_directory=True)
    records = list(read_input(folder))
    assert [(r.id, type(r).__name__) for r in records] == [
        ("a.txt", "Record"), ("leak.txt", "BadRecord"), ("outside", "BadRecord")]
    assert all("not followed" in r.problem for r in records if isinstance(r, BadRecord))
    assert all("secret" not in getattr(r, "text", "") for r in records)


# -- reports that cannot be forged ------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, attrs))


REPORT_TAGS = {"h1", "h2", "h3", "p", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
               "a", "br"}


@pytest.mark.parametrize("payload", INJECTIONS)
def test_the_markdown_report_cannot_be_forged(client, checker, payload):
    """Probe: with a clinic of "Acme\\n\\n**Low risk** ... <!--", the rendered report hid the real
    verdict and every finding; 25 of 48 payloads ran in a CommonMark renderer."""
    text = f"{payload}\n\nOur stem cells cure autism and reverse MS. No side effects! {payload}"
    answer = submit(client, text, clinic=payload[:200], url=payload[:2000])
    try:
        checked = from_pasted(text).text   # markup is checked as its visible text
    except ExtractError:   # e.g. a <style> that swallows the rest: nothing visible, nothing saved
        assert answer.status_code == 422
        assert "no visible text" in answer.get_data(as_text=True)
        return
    location = answer.headers["Location"]
    report = client.get(location + "/report.md").get_data(as_text=True)
    rendered = MarkdownIt("commonmark", {"html": True}).render(report)
    parser = _Tags()
    parser.feed(rendered)
    for tag, attrs in parser.tags:
        assert tag in REPORT_TAGS, (tag, payload)
        for name, value in attrs:
            assert not name.startswith("on"), (name, payload)
            assert not (value or "").strip().lower().startswith(("javascript", "data:")), payload
    result = checker.check(checked)
    assert "<h1>Clinic Claim Checker report</h1>" in rendered
    assert rendered.count("<h1>") == 1 and "<h2>Warning signs</h2>" in rendered
    assert f"<strong>{LEVEL_WORDS[result.level]}</strong>" in rendered
    assert rendered.count("<h3>") == len(result.findings)
    assert "<!--" not in rendered.split("<h2>The text checked</h2>")[0]


def test_report_links_use_the_configured_address_never_the_host_header(make_app):
    """Probe: the Host header flowed into the report's links."""
    client = make_app(BASE_URL="https://checker.example.org").test_client()
    location = submit(client, ADVERT).headers["Location"]
    for path in (location + "/report.md", location + "/report.html", location):
        body = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in body and "https://checker.example.org/r/" in body


# -- what a deployment relies on ---------------------------------------------------------------


def test_results_reports_and_api_answers_are_never_cached(client):
    """Probe: no Cache-Control on permalinks."""
    location = submit(client, ADVERT).headers["Location"]
    made = client.post("/api/v1/check", json={"text": ADVERT}).get_json()
    for path in (location, location + "/report.md", location + "/report.html",
                 f"/api/v1/checks/{made['id']}", "/search?q=stem", "/"):
        assert client.get(path).headers["Cache-Control"] == "no-store, private", path
    assert "no-store" in client.post("/api/v1/check", json={"text": ADVERT}).headers["Cache-Control"]
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")


def test_the_session_cookie_is_samesite_and_httponly(client):
    """Probe: session cookie without SameSite."""
    submit(client, ADVERT)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.same_site == "Lax" and cookie.http_only


def test_form_tokens_expire(make_app):
    """Probe: CSRF tokens never expired."""
    client = make_app(WTF_CSRF_TIME_LIMIT=1).test_client()
    token = form_token(client)
    time.sleep(2.1)
    response = client.post("/check", data={"csrf_token": token, "text": ADVERT})
    assert response.status_code == 400 and "Please try again" in response.get_data(as_text=True)
    assert make_app().config["WTF_CSRF_TIME_LIMIT"] == 4 * 3600


def test_a_new_database_is_readable_by_its_owner_only(tmp_path):
    """Probe: the database file was world-readable."""
    path = tmp_path / "fresh" / "checker.db"
    store = Store(path)
    store.db.execute("create table t (x)")   # makes the -wal file too
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file.name
    store.close()
    old = tmp_path / "old.db"
    Store(old).close()
    os.chmod(old, 0o644)
    assert "old.db" in Store(old).tighten_permissions()
    for file in tmp_path.glob("old.db*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def test_a_bad_database_path_is_one_clear_line(tmp_path):
    """Probe: `--db` on a bad path printed a traceback."""
    from checker.surfaces.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for bad in (str(blocker / "checker.db"), str(tmp_path)):
        assert main(["keys", "list", "--db", bad]) == 1


def test_health_reports_a_database_it_cannot_write(make_app, monkeypatch):
    """Probe: with the disk full, checks were 500s while health said "ok"."""
    monkeypatch.setenv("CHECKER_DB_MAX_MB", "0.5")
    app = make_app(RATELIMIT_ANONYMOUS="100000/minute")
    client = app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    statuses = []
    for i in range(400):
        response = client.post("/api/v1/check", json={"text": SAMPLES[0].read_text() + str(i)})
        statuses.append(response.status_code)
        if response.status_code != 200:
            break
    assert statuses[-1] == 503 and set(statuses[:-1]) == {200}
    assert response.content_type == "application/problem+json"
    health = client.get("/api/v1/health")
    assert health.status_code == 503 and health.get_json()["database"] == "read-only"
    stored = Store(app.config["DATABASE"]).count("checks")
    assert stored == len(statuses) - 1                   # nothing stored was lost
    page = submit(client, ADVERT)
    # The pages the last large check could not get may still hold a short one or two.
    for _ in range(20):
        if page.status_code != 303:
            break
        page = submit(client, ADVERT)
    assert page.status_code == 503 and "Nothing stored was lost" in page.get_data(as_text=True)
    assert submit(client, ADVERT, dont_save="1").status_code == 200   # checking still works


def test_a_slow_item_keeps_its_lease_and_is_scored_once(make_app, checker):
    """Probe: job leases were never renewed, so a slow item was scored by every worker in turn."""
    import threading

    from checker.surfaces.web.jobs import JobWorker

    class SlowChecker:
        """The real checker, taking four seconds an advert (a long advert on a busy machine)."""

        versions = checker.versions

        def check(self, text, budget=None, **given):   # given: options, as the worker passes
            time.sleep(4.0)
            return checker.check(text, budget=budget, **given)

    # A lease of 3 s, renewed every second, would run out once during the item without renewal.
    app = make_app(CHECKER=SlowChecker(), JOB_LEASE_SECONDS=3.0, JOB_BATCH=1)
    store = Store(app.config["DATABASE"])
    job_id, _ = store.create_job([{"id": "a", "text": ADVERT}], key_id=None,
                                 versions=checker.versions)
    first, second = JobWorker(app), JobWorker(app)
    second.worker_id += ":second"
    worker = threading.Thread(target=first.work_once, args=(Store(app.config["DATABASE"]),))
    worker.start()
    taken_by_second = 0
    other = Store(app.config["DATABASE"])

    def held_by_first() -> bool:
        return any(r["worker"] == first.worker_id for r in
                   store.db.query("select worker from job_items where job_id = ?", [job_id]))

    while worker.is_alive() and not held_by_first():   # the second tries once the first holds it
        time.sleep(0.01)
    while worker.is_alive():
        taken_by_second += len(other.claim_items(second.worker_id, 1, 3.0))
        time.sleep(0.1)
    worker.join()
    assert taken_by_second == 0
    rows = list(store.db.query("select worker, status from job_items where job_id = ?", [job_id]))
    assert [(r["worker"], r["status"]) for r in rows] == [(first.worker_id, "done")]
    assert store.get_job(job_id)["state"] == "done"
