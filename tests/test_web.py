"""The patients' pages, through Flask's test client on a real SQLite file."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.surfaces.store import Store
from tests.conftest import SAMPLES, form_token, submit

XSS_PAYLOADS = [
    "<script>alert('x')</script> Our stem cells cure autism.",
    "<img src=x onerror=alert(1)> stem cells cure MS",
    "\"><svg onload=alert(1)> exosomes regrow hair",
    "<a href=\"javascript:alert(1)\">click</a> stem cell therapy heals knees",
    "<iframe src=//evil.example></iframe> PRP reverses arthritis",
    "{{7*7}} {% raw %}{{config}}{% endraw %} stem cells cure everything",
]



def test_the_form_is_labelled_and_protected(client):
    page = client.get("/").get_data(as_text=True)
    for field in ("text", "clinic", "url", "dont_save"):
        assert re.search(rf'<label for="{field}"', page), field
        assert f'id="{field}"' in page
    assert 'name="csrf_token"' in page
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert "<script" not in page  # works without JavaScript


def test_security_headers_on_every_page(client):
    for path in ("/", "/guidance", "/rules", "/search", "/about", "/api/docs", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert "script-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_submit_saves_and_redirects_to_an_unguessable_permalink(client, app):
    text = SAMPLES[0].read_text()
    response = submit(client, text, clinic="Sunny Clinic", url="https://clinic.example/stem")
    assert response.status_code == 303
    location = response.headers["Location"]
    check_id = location.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", check_id)
    page = client.get(location).get_data(as_text=True)
    assert "High risk" in page
    assert page.count("<mark") >= 5
    assert "CC BY 4.0" in page and "Choudhery" in page
    assert "Questions to ask the clinic" in page
    assert "What this tool cannot tell you" in page
    assert 'href="https://clinic.example/stem"' in page
    store = Store(app.config["DATABASE"])
    assert store.get_check(check_id)["clinic"] == "Sunny Clinic"


def test_each_highlight_has_a_text_label_not_only_a_colour(client):
    response = client.get(submit(client, "Our stem cells cure autism. No side effects!").headers["Location"])
    page = response.get_data(as_text=True)
    assert re.search(r'<mark id="m\d+" class="c-efficacy">cure</mark><sup class="tag c-efficacy">'
                     r'<a href="#f\d+">\d+</a>&nbsp;Efficacy claim</sup>', page)


def test_indications_show_their_status_and_where_approvals_exist(client):
    page = client.get(submit(client, "Our clinic treats spinal cord injury with your own stem cells.")
                      .headers["Location"]).get_data(as_text=True)
    assert "Conditions the text offers treatment for" in page
    assert "Spinal cord injury" in page and "stemirac" in page.lower() and "Japan" in page


def test_dont_save_stores_nothing_and_has_no_permalink(client, app):
    before = Store(app.config["DATABASE"]).count("checks")
    response = submit(client, "Our stem cells reverse autism.", dont_save="1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/r/" not in page and "nothing was stored" in page
    assert Store(app.config["DATABASE"]).count("checks") == before


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_pasted_text_is_shown_escaped_never_as_html(client, payload):
    response = submit(client, payload, clinic=payload[:100], url="javascript:alert(1)")
    for page in (client.get(response.headers["Location"]).get_data(as_text=True),
                 submit(client, payload, dont_save="1").get_data(as_text=True)):
        for dangerous in ("<script>alert", "<img src=x", "<svg onload", "<iframe",
                          'href="javascript:'):
            assert dangerous not in page, dangerous
        if "<" in payload:
            assert "&lt;" in page           # shown, as text
        if "{{7*7}}" in payload:
            assert "{{7*7}}" in page        # not evaluated as a template


def test_a_post_without_the_csrf_token_is_refused_kindly(client):
    response = client.post("/check", data={"text": "Our stem cells cure autism."})
    assert response.status_code == 400
    assert "Please try again" in response.get_data(as_text=True)


@pytest.mark.parametrize("text, status, message", [
    ("", 400, "Please paste the text"),
    ("   \n ", 400, "Please paste the text"),
    ("x" * 100_001, 413, "at most 100,000"),
])
def test_bad_input_gets_a_friendly_message_on_the_form(client, text, status, message):
    response = submit(client, text)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and 'role="alert"' in page and "<textarea" in page


def test_reports_download_as_html_and_markdown(client):
    location = submit(client, SAMPLES[1].read_text(), clinic="Cord Institute").headers["Location"]
    md = client.get(location + "/report.md")
    assert md.status_code == 200 and "attachment" in md.headers["Content-Disposition"]
    body = md.get_data(as_text=True)
    assert body.startswith("# Clinic Claim Checker report") and "Cord Institute" in body
    assert "CC BY 4.0" in body and "Input sha256" in body and location in body
    html = client.get(location + "/report.html")
    assert html.status_code == 200 and "<mark" in html.get_data(as_text=True)


def test_an_unsaved_check_can_still_be_downloaded(client):
    data = {"csrf_token": form_token(client), "text": "Our stem cells reverse autism."}
    response = client.post("/report.md", data=data)
    assert response.status_code == 200 and "reverse" in response.get_data(as_text=True)


def test_guidance_lists_every_passage_with_the_credit(client, checker):
    from checker.core.guidance import load_guidance
    page = client.get("/guidance").get_data(as_text=True)
    guidance = load_guidance()
    for pid in guidance.passages:
        assert f'id="{pid}"' in page
    assert page.count("CC BY 4.0") >= len(guidance.passages)


def test_rules_page_lists_every_rule(client, checker):
    page = client.get("/rules").get_data(as_text=True)
    for rule_id in checker.rulebook.rules:
        assert f'id="{rule_id}"' in page


def test_the_register_finds_published_checks_and_never_private_ones(client):
    submit(client, "Our stem cells cure autism.", clinic="Miracle Cells Cancun", publish="1")
    submit(client, "Our stem cells cure autism.", clinic="Quiet Clinic Cancun")
    page = client.get("/search?q=Cancun").get_data(as_text=True)
    assert "Miracle Cells Cancun" in page and "Quiet Clinic" not in page
    listed = client.get("/search").get_data(as_text=True)
    assert "Miracle Cells Cancun" in listed and "Quiet Clinic" not in listed
    assert "No published checks" in client.get("/search?q=zzzqqq").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/r/doesnotexistdoesnotexist", "/r/short", "/r/..%2F..%2Fetc",
                                  "/r/doesnotexistdoesnotexist/report.md"])
def test_unknown_permalinks_are_a_kind_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_no_input_makes_a_server_error(client, text):
    response = submit(client, text, clinic=text[:50], url=text[:50])
    assert response.status_code in (200, 303, 400, 413)
