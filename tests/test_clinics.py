"""Clinics as first-class: every check keeps its clinic's key; the clinic pages list a clinic's
published checks over time and what changed each time; private checks are never listed."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from checker.formats import to_v2
from checker.surfaces.store import SCHEMA_VERSION, Store
from checker.surfaces.store.schema import MIGRATIONS, connect
from tests.conftest import auth, submit

CLINIC = "Nueva Vida Stem Cell Institute"
KEY = "nueva-vida-stem-cell-institute"
HEAD = "Nueva Vida Stem Cell Institute, Tijuana.\n"
TAIL = " Treatment costs $15,000 per session.\nCall today to book your consultation."
# The clinic's page in January (a cure claim), March (a safety promise instead) and June
# (neither): three published checks.
V1 = HEAD + "Our stem cell therapy cures autism." + TAIL
V2 = HEAD + "Our stem cell therapy is completely safe." + TAIL
V3 = HEAD + "Ask us about our research programme." + TAIL


@pytest.fixture
def rules_app(make_app, rules_checker):
    return make_app(CHECKER=rules_checker)


def saved_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[-1]


@pytest.fixture
def clinic_checks(rules_app):
    """Three published checks of one clinic, and its private checks: one made on the form, one
    made with a key (and that key)."""
    client = rules_app.test_client()
    published = [saved_id(submit(client, text, clinic=CLINIC, publish="1"))
                 for text in (V1, V2, V3)]
    private_web = saved_id(submit(client, V1 + " Private.", clinic="  nueva vida stem cell "
                                  "INSTITUTE "))
    store = Store(rules_app.config["DATABASE"])
    secret = store.create_key("regulator")[0]
    store.close()
    private_keyed = client.post("/api/v1/check", headers=auth(secret), json={
        "text": V2 + " Keyed.", "clinic": CLINIC}).get_json()["id"]
    return client, published, private_web, private_keyed, secret


def test_every_check_keeps_its_clinic_key(rules_app, rules_checker):
    store = Store(rules_app.config["DATABASE"])
    result = to_v2(rules_checker.check(V1))
    by_name = store.save_check(V1, result, source="api", clinic=" Nueva Vida  Stem Cell "
                               "Institute ", url="https://www.other.example/x")
    by_domain = store.save_check(V1, result, source="api", url="https://www.nuevavida.example/a")
    nothing = store.save_check(V1, result, source="api")
    assert store.get_check(by_name.id)["clinic_key"] == KEY
    assert store.get_check(by_domain.id)["clinic_key"] == "nuevavida.example"
    assert store.get_check(nothing.id)["clinic_key"] == ""
    store.close()


def test_the_clinic_page_shows_three_checks_oldest_first_and_what_changed(clinic_checks):
    client, (first, second, third), private_web, private_keyed, _ = clinic_checks
    page = client.get(f"/clinics/{KEY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html
    assert f"<h1>{CLINIC}: every published check</h1>" in html
    assert "3 published checks of this clinic" in html
    # oldest to newest
    assert html.index(f"/r/{first}") < html.index(f"/r/{second}") < html.index(f"/r/{third}")
    visits = html.split('<li class="visit"')[1:]
    assert len(visits) == 3
    assert "score 93.6" in visits[0] and "82.0 triage points" in visits[0]
    assert "efficacy.cure" in visits[0] and "What changed" not in visits[0]
    # what changed each time, with a link to the comparison
    assert "What changed since check 1" in visits[1]
    assert "Score -7.8; level unchanged." in visits[1]
    assert "1 warning sign added, 2 removed, 2 unchanged." in visits[1]
    assert "Rules that fired for the first time: <code>safety.completely-safe</code>" in visits[1]
    assert ("Rules that no longer fired: <code>efficacy.cure</code>, "
            "<code>indication.unapproved-condition</code>") in visits[1]
    assert f'href="/compare/{first}/{second}"' in visits[1]
    assert "Score -17.3; level unchanged." in visits[2]
    assert "0 warning signs added, 1 removed, 2 unchanged." in visits[2]
    assert f'href="/compare/{second}/{third}"' in visits[2]
    assert client.get(f"/compare/{second}/{third}").status_code == 200
    # private checks are never listed, on the clinic page or the list of clinics
    index = client.get("/clinics").get_data(as_text=True)
    for listing in (html, index):
        assert private_web not in listing and private_keyed not in listing
    row = index[index.index(f'href="/clinics/{KEY}"'):]
    assert row.index("<td>3</td>") < row.index("</tr>")
    assert f'href="/r/{third}"' in row[:row.index("</tr>")]          # its latest check
    assert "score 68" in row[:row.index("</tr>")]
    # the result page of a published check links its clinic's page; a private one does not
    assert f'href="/clinics/{KEY}"' in client.get(f"/r/{third}").get_data(as_text=True)
    assert "/clinics/" + KEY not in client.get(f"/r/{private_web}").get_data(as_text=True)
    # a clinic with no published check has no page
    assert client.get("/clinics/no-such-clinic").status_code == 404
    assert client.get("/clinics/Not%20a%20key").status_code == 404
    assert client.get("/clinics?q=vida").get_data(as_text=True).count('href="/clinics/') == 1
    assert 'href="/clinics/' not in client.get("/clinics?q=elsewhere").get_data(as_text=True)


def test_the_api_lists_published_clinics_and_a_keys_own_checks(clinic_checks):
    client, published, private_web, private_keyed, secret = clinic_checks
    anonymous = client.get("/api/v1/clinics").get_json()
    assert anonymous["total"] == 1
    listed = anonymous["clinics"][0]
    assert (listed["key"], listed["name"], listed["checks"]) == (KEY, CLINIC, 3)
    assert listed["latest"]["id"] == published[2]
    assert client.get("/api/v1/clinics", headers=auth(secret)).get_json()["clinics"][0][
        "checks"] == 4                                  # its own private check too
    clinic = client.get(f"/api/v1/clinics/{KEY}").get_json()
    assert [c["id"] for c in clinic["checks"]] == published
    assert clinic["total"] == 3 and clinic["checks"][0]["change"] is None
    change = clinic["checks"][1]["change"]
    assert change["from"] == published[0] and change["score"] == -7.8
    assert change["rules_added"] == ["safety.completely-safe"]
    assert change["rules_removed"] == ["efficacy.cure", "indication.unapproved-condition"]
    assert change["compare_url"] == f"/api/v1/compare/{published[0]}/{published[1]}"
    assert [c["triage"] for c in clinic["checks"]] == sorted(
        (c["triage"] for c in clinic["checks"]), reverse=True)
    owned = client.get(f"/api/v1/clinics/{KEY}", headers=auth(secret)).get_json()
    assert [c["id"] for c in owned["checks"]] == [*published, private_keyed]
    assert owned["checks"][-1]["published"] is False
    assert all("key_id" not in c for c in owned["checks"])
    for body in (anonymous, clinic, owned):
        assert private_web not in str(body)
    missing = client.get("/api/v1/clinics/no-such-clinic")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/clinics?limit=0").status_code == 400


def test_the_migration_fills_in_the_clinic_key_of_an_old_database(tmp_path):
    """A database at schema 4 (before clinic keys), opened by this checker."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(connect(path))
    db["schema_migrations"].create({"version": int, "name": str, "applied": str}, pk="version")
    for version, name, step in MIGRATIONS:
        if version > 4:
            break
        step(db)
        db["schema_migrations"].insert({"version": version, "name": name, "applied": ""})
    db.execute("PRAGMA user_version = 4")
    assert "clinic_key" not in db["checks"].columns_dict
    base = {"source": "web", "sha256": "0" * 64, "chars": 4, "text": "text", "level": "low",
            "score": 0.0, "result": "{}", "published": 1}
    db["checks"].insert_all([
        {**base, "id": "a" * 22, "created": "2024-01-01", "clinic": "Nueva Vida Stem Cell "
         "Institute", "url": ""},
        {**base, "id": "b" * 22, "created": "2024-02-01", "clinic": "",
         "url": "https://www.nuevavida.example/autism"},
        {**base, "id": "c" * 22, "created": "2024-03-01", "clinic": "", "url": ""},
        {**base, "id": "d" * 22, "created": "2024-04-01", "clinic": None, "url": None}])
    db.conn.close()

    store = Store(path)
    keys = {r["id"][0]: r["clinic_key"] for r in store.db["checks"].rows}
    assert keys == {"a": KEY, "b": "nuevavida.example", "c": "", "d": ""}
    assert any(ix.columns == ["clinic_key", "created"] for ix in store.db["checks"].indexes)
    assert {r["version"] for r in store.db["schema_migrations"].rows} >= {1, 2, 3, 4, 5}
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
