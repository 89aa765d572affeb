"""Comparing two checks: warning signs added, removed and unchanged (by rule and phrase), the
score and level change, the text's changes word by word; on the web, the API and the CLI."""

from __future__ import annotations

import json
import re

import pytest

from checker.formats import to_v2
from checker.surfaces.compare import MAX_DIFF_CHARS, compare, word_diff
from checker.surfaces.store import Store
from tests.conftest import auth, cli, submit

# One clinic's page, then the page revised: the claim that it cures autism taken out, a
# promise of safety put in; the price and the call to book stay.
BEFORE = ("Nueva Vida Stem Cell Institute, Tijuana.\n"
          "Our stem cell therapy cures autism. Treatment costs $15,000 per session.\n"
          "Call today to book your consultation.")
AFTER = ("Nueva Vida Stem Cell Institute, Tijuana.\n"
         "Our stem cell therapy is completely safe. Treatment costs $15,000 per session.\n"
         "Call today to book your consultation.")
CLINIC = "Nueva Vida Stem Cell Institute"


def pairs(signs):
    return sorted((s["rule"], s["phrase"]) for s in signs)


def checked(checker, text):
    return to_v2(checker.check(text)), text, {"id": text[:5]}


@pytest.fixture
def rules_app(make_app, rules_checker):
    """The web app on the rules alone: the same warning signs on every run."""
    return make_app(CHECKER=rules_checker)


def assert_before_after(c):
    assert pairs(c["added"]) == [("safety.completely-safe", "completely safe")]
    assert pairs(c["removed"]) == [("efficacy.cure", "cures"),
                                   ("indication.unapproved-condition", "autism")]
    assert pairs(c["unchanged"]) == [("pressure.act-now", "call today"),
                                     ("price.high-cash-price", "$15,000")]
    assert c["counts"] == {"added": 1, "removed": 2, "unchanged": 2}
    assert c["score"]["delta"] < 0 and c["score"]["after"] < c["score"]["before"]
    assert c["score"]["delta"] == round(c["score"]["after"] - c["score"]["before"], 2)
    assert c["rules"] == {"added": ["safety.completely-safe"],
                          "removed": ["efficacy.cure", "indication.unapproved-condition"]}
    for sign in c["added"] + c["removed"] + c["unchanged"]:
        assert {"rule", "category", "severity", "phrase"} <= set(sign)


def test_a_revised_page_shows_the_claims_removed_and_added(rules_checker):
    c = compare(checked(rules_checker, BEFORE), checked(rules_checker, AFTER))
    assert_before_after(c)
    assert c["a"]["id"] == "Nueva" and c["level"] == {"before": "high", "after": "high",
                                                       "changed": False}
    runs = c["diff"]["runs"]
    assert {"op": "delete", "text": "cures autism. "} in runs
    assert {"op": "insert", "text": "is completely safe. "} in runs
    # Read in order, the runs give back both texts.
    assert "".join(r["text"] for r in runs if r["op"] != "delete") == AFTER
    assert ("".join(r["text"] for r in runs if r["op"] != "insert").split()
            == BEFORE.split())
    # The other way round, the signs swap sides and the score goes up.
    back = compare(checked(rules_checker, AFTER), checked(rules_checker, BEFORE))
    assert pairs(back["added"]) == pairs(c["removed"]) and back["score"]["delta"] > 0


def test_findings_match_by_rule_and_phrase_lowercased_with_spaces_folded():
    def result(*findings, score=50.0):
        return {"score": score, "level": "medium", "findings": [
            {"rule": r, "category": r.split(".")[0], "severity": "high", "text": t,
             "start": 0, "end": len(t)} for r, t in findings]}

    a = result(("efficacy.cure", "Cures  Autism"), ("efficacy.cure", "cures autism"),
               ("safety.safe", "safe"))
    b = result(("efficacy.cure", "cures\nautism"), ("evidence.x", "safe"), score=40.0)
    c = compare((a, "", {}), (b, "", {}))
    assert pairs(c["unchanged"]) == [("efficacy.cure", "cures autism")]
    assert c["unchanged"][0]["count_before"] == 2 and c["unchanged"][0]["count"] == 1
    assert pairs(c["removed"]) == [("safety.safe", "safe")]      # same phrase, another rule
    assert pairs(c["added"]) == [("evidence.x", "safe")]
    assert c["score"] == {"before": 50.0, "after": 40.0, "delta": -10.0}
    assert c["diff"]["available"] is False and c["diff"]["runs"] == []


def test_the_text_diff_is_capped_for_huge_texts_and_finds_a_change_deep_in_a_long_one():
    words = [f"w{i}" for i in range(20000)]
    long_before = " ".join(words)
    long_after = long_before.replace("w15000 ", "changed ")
    d = word_diff(long_before, long_after)
    assert {"op": "delete", "text": "w15000 "} in d["runs"]
    assert {"op": "insert", "text": "changed "} in d["runs"]
    assert "".join(r["text"] for r in d["runs"] if r["op"] != "delete") == long_after
    # Two long texts with nothing in common: the diff stops at its caps and says so.
    other = " ".join(f"x{i}" for i in range(20000))
    d = word_diff(long_before, other)
    assert d["truncated"] is True and d["changed"] is True
    assert sum(len(r["text"]) for r in d["runs"]) <= MAX_DIFF_CHARS


# -- the web page -----------------------------------------------------------------------------


def saved_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_compare_page_reads_without_javascript(rules_app):
    client = rules_app.test_client()
    a = saved_id(submit(client, BEFORE, clinic=CLINIC, publish="1"))
    b = saved_id(submit(client, AFTER + "\nR&D <team> since 2010.", clinic=CLINIC, publish="1"))
    page = client.get(f"/compare/{a}/{b}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html
    assert "Score: 93.6 &rarr; 85.8 (-7.8)" in html
    assert "1 added, 2 removed, 2 unchanged" in html
    added = html[html.index('id="added-heading"'):html.index('id="removed-heading"')]
    removed = html[html.index('id="removed-heading"'):html.index('id="unchanged-heading"')]
    assert "completely safe" in added and "cures" not in added
    assert "<q>cures</q>" in removed and "<q>autism</q>" in removed
    diff = html[html.index('class="advert diff"'):]
    assert re.search(r"<del>(<span[^>]*>[^<]*</span>)?cures autism\.<", diff)
    assert re.search(r"<ins>(<span[^>]*>[^<]*</span>)?is completely safe\.<", diff)
    assert "R&amp;D &lt;team&gt; since 2010." in diff          # the advert's text, escaped
    # both published checks of one clinic: the clinic's page is linked
    assert 'href="/clinics/nueva-vida-stem-cell-institute"' in html
    # the form that takes two links sends to the same page
    form = client.get(f"/compare?a=http://localhost/r/{a}&b={b}")
    assert form.status_code == 303 and form.headers["Location"].endswith(f"/compare/{a}/{b}")
    assert client.get("/compare?a=nothing&b=x").status_code == 400
    assert f'value="{a}"' in client.get(f"/compare?a={a}").get_data(as_text=True)
    assert f'href="/compare?a={a}"' in client.get(f"/r/{a}").get_data(as_text=True)
    assert client.get("/compare").status_code == 200


def test_a_private_keyed_check_is_not_compared_on_the_web_until_published(rules_app):
    client = rules_app.test_client()
    store = Store(rules_app.config["DATABASE"])
    secret = store.create_key("regulator")[0]
    web = saved_id(submit(client, BEFORE, clinic=CLINIC))      # private, made on the form
    keyed = client.post("/api/v1/check", json={"text": AFTER, "clinic": CLINIC},
                        headers=auth(secret)).get_json()["id"]
    assert client.get(f"/compare/{web}/{web}").status_code == 200   # a form check: by its link
    assert client.get(f"/compare/{web}/{keyed}").status_code == 404
    assert client.get(f"/compare/{keyed}/{web}").status_code == 404
    assert client.get(f"/compare/{web}/not-an-id").status_code == 404
    # The API: the key that made it reads it, no one else.
    anonymous = client.get(f"/api/v1/compare/{web}/{keyed}")
    assert anonymous.status_code == 404
    assert anonymous.headers["Content-Type"].startswith("application/problem+json")
    owned = client.get(f"/api/v1/compare/{web}/{keyed}", headers=auth(secret))
    assert owned.status_code == 200
    assert_before_after(owned.get_json())
    assert owned.get_json()["b"]["id"] == keyed and "key_id" not in owned.get_json()["b"]
    other = store.create_key("someone else")[0]
    assert client.get(f"/api/v1/compare/{web}/{keyed}", headers=auth(other)).status_code == 404
    store.set_published(keyed, True)
    store.close()
    assert client.get(f"/compare/{web}/{keyed}").status_code == 200
    assert client.get(f"/api/v1/compare/{web}/{keyed}").status_code == 200


# -- the command line -------------------------------------------------------------------------


def test_the_cli_compares_saved_checks_by_id(tmp_path, rules_checker):
    db = tmp_path / "cli.db"
    store = Store(db)
    a = store.save_check(BEFORE, to_v2(rules_checker.check(BEFORE)), source="web",
                         clinic=CLINIC).id
    b = store.save_check(AFTER, to_v2(rules_checker.check(AFTER)), source="web",
                         clinic=CLINIC).id
    store.close()
    out = cli("compare", a, b, "--db", str(db))
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert f"Before (A): {a} | {CLINIC}" in text
    assert "Score: 93.6 -> 85.8 (-7.8)" in text
    assert "Warning signs: 1 added, 2 removed, 2 unchanged" in text
    assert '  + safety.completely-safe [safety, high] "completely safe"' in text
    assert '  - efficacy.cure [efficacy, high] "cures"' in text
    assert "[-cures autism.-] {+is completely safe.+}" in text
    as_json = cli("compare", a, b, "--db", str(db), "--format", "json")
    assert_before_after(json.loads(as_json.stdout))
    missing = cli("compare", a, "nope", "--db", str(db))
    assert missing.returncode == 1 and b"no saved check with that id" in missing.stderr
    assert b"Traceback" not in missing.stderr


def test_the_cli_compares_result_files(tmp_path, rules_checker):
    # An API answer with the text (GET /api/v1/checks/<id>), and batch output records
    api_file = tmp_path / "before.json"
    api_file.write_text(json.dumps({"id": "x1", "text": BEFORE, "clinic": CLINIC,
                                    "result": to_v2(rules_checker.check(BEFORE))}))
    batch_file = tmp_path / "results.jsonl"
    batch_file.write_text("".join(
        json.dumps({"id": item_id, "clinic": CLINIC, "text": text,
                    "result": rules_checker.check(text).to_dict()}) + "\n"
        for item_id, text in (("may", BEFORE), ("june", AFTER))))
    out = cli("compare", str(api_file), f"{batch_file}#june")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "Warning signs: 1 added, 2 removed, 2 unchanged" in text
    assert "[-cures autism.-] {+is completely safe.+}" in text
    both = cli("compare", f"{batch_file}#may", f"{batch_file}#june", "--format", "json")
    assert_before_after(json.loads(both.stdout))
    # `check --format json` prints the result alone: compared without a text diff
    bare = tmp_path / "after.json"
    bare.write_text(json.dumps(to_v2(rules_checker.check(AFTER))))
    out = cli("compare", str(api_file), str(bare))
    assert "Warning signs: 1 added, 2 removed, 2 unchanged" in out.stdout.decode()
    assert "the text of a check is not known; their fingerprints (sha256) differ" \
        in out.stdout.decode()
    # a file of many records needs #ID
    many = cli("compare", str(batch_file), str(bare))
    assert many.returncode == 1 and b"holds 2 records" in many.stderr
