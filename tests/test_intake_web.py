"""Pages, markup and PDFs in, on the API and the form, with the evidence kept (a local pages_server
stands in for the web; CHECKER_FETCH_ALLOW_LOOPBACK=1 lets the checker reach it)."""

from __future__ import annotations

import io
import re

import pytest

from checker.formats import to_v2
from tests.conftest import form_token, submit
from tests.fetchserver import BROCHURE, CLINIC_PAGE, blank_pdf, make_pdf

pytestmark = pytest.mark.usefixtures("loopback")   # the pages come from 127.0.0.1




def test_the_api_fetches_a_web_address_and_keeps_the_evidence(client, pages_server, validate, checker):
    answer = client.post("/api/v1/check", json={"url": pages_server.base + "/clinic"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    text = body["text"]
    assert "Regrow Your Knee Cartilage Without Surgery" in text and "<" not in text
    source = body["source"]
    assert source["kind"] == "url" and source["url"] == pages_server.base + "/clinic"
    assert source["http_status"] == 200 and source["fetched_at"].endswith("Z")
    assert body["level"] == "high"
    for f in body["findings"]:
        assert text[f["start"]:f["end"]] == f["text"]
    validate(text, {k: v for k, v in body.items() if k not in ("text", "id", "delete_token",
                                                                "published")})
    stored = client.get(f"/api/v1/checks/{body['id']}",
                        headers={"Delete-Token": body["delete_token"]})
    if stored.status_code == 200:   # readable by its owner
        assert stored.get_json()["text"] == text


def test_a_stored_snapshot_checks_again_to_the_same_result(client, pages_server, checker, app):
    body = client.post("/api/v1/check", json={"url": pages_server.base + "/clinic"}).get_json()
    from checker.surfaces.store import Store

    row = Store(app.config["DATABASE"]).get_check(body["id"])
    again = to_v2(checker.check(row["text"], source=row["result"]["source"]))
    assert again == row["result"]
    assert again["input"]["sha256"] == re.sub("^sha256:", "", body["source"]["text_sha256"])


@pytest.mark.parametrize("path, status, words", [
    ("/to-metadata", 422, "169.254.169.254"), ("/to-loopback-other", 422, "127.0.0.2"),
    ("/big", 413, "bytes"), ("/image.png", 415, "image/png"), ("/scan.pdf", 422, "scanned"),
])
def test_the_api_says_why_a_page_was_not_checked(client, pages_server, path, status, words):
    answer = client.post("/api/v1/check", json={"url": pages_server.base + path})
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json" and words in answer.get_json()["detail"]


def test_the_api_reads_markup_as_its_visible_text(client):
    body = client.post("/api/v1/check", json={"text": CLINIC_PAGE, "save": False}).get_json()
    assert body["source"]["kind"] == "html" and "$18,500" in body["text"]
    assert "&#36;" not in body["text"] and "<strong>" not in body["text"]
    assert all(f["text"] in body["text"] for f in body["findings"])


def test_the_api_warns_about_a_bare_address_and_a_short_text(client):
    body = client.post("/api/v1/check", json={"text": "https://clinic.example/stem-cells",
                                              "save": False}).get_json()
    assert [w["code"] for w in body["warnings"]] == ["address_only"]
    body = client.post("/api/v1/check", json={"text": "Call us about knees.",
                                              "save": False}).get_json()
    assert [w["code"] for w in body["warnings"]] == ["short_text"] and body["level"] == "low"


def test_a_patient_pasting_a_web_address_gets_the_page_checked(client, pages_server):
    answer = submit(client, pages_server.base + "/clinic")
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "High risk" in page and "Low risk" not in page
    assert "What the page said on 20" in page and pages_server.base + "/clinic" in page
    assert "$18,500" in page and "&amp;#36;" not in page and "&lt;strong&gt;" not in page
    assert "sha256 of the bytes read" in page


def test_the_form_fetches_the_address_field_when_the_text_box_is_empty(client, pages_server):
    answer = submit(client, "", url=pages_server.base + "/hop/2")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "What the page said on" in page and "Address given" in page


def test_the_form_says_why_a_page_could_not_be_fetched(client, pages_server):
    answer = submit(client, pages_server.base + "/to-metadata")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "private or local network address" in page and "Low risk" not in page


def test_pasted_markup_is_shown_as_text_never_as_tags(client):
    answer = submit(client, CLINIC_PAGE, dont_save="1")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "What the markup showed" in page
    advert = page.split('class="advert"', 1)[-1] if 'class="advert"' in page else page
    assert "&lt;strong&gt;" not in advert and "&amp;#36;" not in advert
    assert "We use cookies" not in page


def test_a_pdf_brochure_can_be_uploaded(client):
    data = {"csrf_token": form_token(client), "text": "",
            "file": (io.BytesIO(make_pdf(BROCHURE)), "brochure.pdf")}
    answer = client.post("/check", data=data, content_type="multipart/form-data")
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "What the PDF said" in page and "brochure.pdf" in page and "High risk" in page


@pytest.mark.parametrize("name, content, words", [
    ("scan.pdf", blank_pdf(), "scanned"),
    ("photo.png", b"\x89PNG\r\n\x1a\n", "Only PDF files"),
    ("empty.html", b"<html><body><script>x()</script></body></html>", "no visible text"),
    ("broken.pdf", b"%PDF-1.4 not really", "could not be read as a PDF"),
])
def test_uploads_we_cannot_read_get_a_clear_message(client, name, content, words):
    data = {"csrf_token": form_token(client), "text": "", "file": (io.BytesIO(content), name)}
    answer = client.post("/check", data=data, content_type="multipart/form-data")
    assert 400 <= answer.status_code < 500 and words in answer.get_data(as_text=True)


def test_a_short_text_is_not_enough_to_judge(client):
    page = submit(client, "Call us today.", dont_save="1").get_data(as_text=True)
    assert "Not enough to judge" in page and "Low risk" not in page
    assert "too little to judge" in page


def test_an_empty_form_asks_for_text_an_address_or_a_file(client):
    answer = submit(client, "   ")
    assert answer.status_code == 400
    assert "give its web address" in answer.get_data(as_text=True)


def test_the_reports_carry_the_evidence(client, pages_server):
    location = submit(client, pages_server.base + "/clinic").headers["Location"]
    markdown = client.get(location + "/report.md").get_data(as_text=True)
    assert "## What the page said on 20" in markdown and "sha256 of the text checked" in markdown
    html = client.get(location + "/report.html").get_data(as_text=True)
    assert "What the page said on" in html and "Fetched" in html


def test_an_unsaved_fetched_checks_report_keeps_its_evidence_and_it_cannot_be_forged(
        client, pages_server):
    page = submit(client, pages_server.base + "/clinic", dont_save="1").get_data(as_text=True)
    signed = re.search(r'name="source" value="([^"]+)"', page).group(1)
    text = re.search(r'name="text" value="([^"]*)"', page, re.S).group(1)
    import html as markup

    fields = {"csrf_token": form_token(client), "text": markup.unescape(text),
              "url": pages_server.base + "/clinic"}
    report = client.post("/report.md", data={**fields, "source": signed}).get_data(as_text=True)
    assert "## What the page said on 20" in report
    forged = client.post("/report.md", data={**fields, "source": signed[:-3] + "abc"})
    assert "What the page said" not in forged.get_data(as_text=True)
    other = client.post("/report.md", data={**fields, "text": "Another text, with other words "
                                            "in it, that the evidence does not describe.",
                                            "source": signed})
    assert "What the page said" not in other.get_data(as_text=True)


def test_an_uploaded_file_over_the_text_limit_gets_a_clear_message(client):
    data = {"csrf_token": form_token(client), "text": "",
            "file": (io.BytesIO(("Stem cells heal. " * 7000).encode()), "long.txt")}
    answer = client.post("/check", data=data, content_type="multipart/form-data")
    assert answer.status_code == 413
    assert "That file&#39;s text has 119,000 characters; at most 100,000" in answer.get_data(
        as_text=True)
