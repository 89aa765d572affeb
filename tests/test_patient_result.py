"""The patient's result (issue 18): the short answer first, one label per marked phrase, plain
words on the page, reports that stand alone (HTML with its styles inlined, and a PDF whose
summary fits on a few pages), gzip, and the page on how to report a clinic."""

from __future__ import annotations

import gzip
import io
import re

import pytest
from pypdf import PdfReader

from checker.core.reporting import load_routes
from checker.surfaces.answer import MAX_REASONS, numbers, ordered, top_reasons
from checker.surfaces.web.present import pieces, view
from tests.conftest import ROOT, submit

BLATANT = (ROOT / "corpus" / "samples" / "blatant-tijuana.txt").read_text()
CAREFUL = ("The hospital's transplant team explains how a bone marrow transplant works, who may "
           "benefit and what the risks are, in a leaflet written with patients.")


def finding(fid, start, end, category="efficacy", severity="medium", text="x"):
    return {"id": fid, "start": start, "end": end, "category": category, "severity": severity,
            "text": text, "confidence": 0.9, "citations": []}


def saved_page(client, text=BLATANT, **fields):
    response = submit(client, text, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    return location, client.get(location).get_data(as_text=True)


# --- the marked text: one label per phrase, numbers in reading order --------------------------

def test_overlapping_findings_share_one_mark_and_one_label_with_their_numbers_in_order():
    text = "Our cells cure autism fast. Book now."
    found = [finding("b", 10, 21, "indication"), finding("a", 4, 14), finding("c", 28, 36,
                                                                           "pressure")]
    numbered = numbers(found)
    assert numbered == {"a": 1, "b": 2, "c": 3}      # by place in the text, not by list order
    marked, anchors = pieces(text, ordered(found), numbered)
    phrases = [p for p in marked if p.get("anchor")]
    assert [p["text"] for p in phrases] == ["cells cure autism", "Book now"]
    assert phrases[0]["links"] == [(1, "f1"), (2, "f2")]
    assert phrases[0]["labels"] == ["Efficacy claim", "Unapproved use"]
    assert anchors == {"a": "m1", "b": "m1", "c": "m3"}
    assert "".join(p["text"] for p in marked) == text   # nothing lost, nothing added


def test_the_page_numbers_phrases_in_reading_order_with_one_label_each(client):
    _, page = saved_page(client)
    advert = re.search(r'<div class="advert">(.*?)</div>', page, re.S).group(1)
    shown = [int(n) for n in re.findall(r'<a href="#f(\d+)">', advert)]
    assert shown == sorted(shown) and len(shown) == len(set(shown)) > 20
    marks = re.findall(r"<mark ", advert)
    assert len(re.findall(r'<sup class="tag', advert)) == len(marks)


# --- the short answer --------------------------------------------------------------------------

def test_the_main_reasons_come_first_most_serious_first_each_linked_to_its_phrase(checker):
    result = checker.check(BLATANT).to_dict()
    shown = view(result, BLATANT)
    reasons = shown["reasons"]
    assert 3 <= len(reasons) <= MAX_REASONS
    assert len({r["category"] for r in reasons}) == len(reasons)
    ranks = [{"serious": 3, "worth questioning": 2, "minor": 1}[r["severity"]] for r in reasons]
    assert ranks == sorted(ranks, reverse=True)
    anchors = {p["anchor"] for p in shown["pieces"] if p.get("anchor")}
    for r in reasons:
        assert r["phrases"] and all(p["anchor"] in anchors for p in r["phrases"])


def test_a_clean_text_has_no_reasons_and_says_nothing_is_marked(client):
    _, page = saved_page(client, CAREFUL)
    assert "The main reasons" not in page
    assert "Nothing in this text is marked" in page
    assert "Each marked phrase" not in page and "marked text" not in page
    assert "with warning signs marked" not in page


def test_adding_a_kind_of_warning_sign_never_drops_a_more_serious_reason():
    base = {"findings": [finding("a", 0, 3, "efficacy", "high"), finding("b", 4, 8, "safety",
                                                                        "medium")],
            "indications": []}
    more = {**base, "findings": base["findings"] + [finding("c", 9, 12, "pressure", "low")]}
    kinds = [r["category"] for r in top_reasons(more, {})]
    assert kinds[:2] == [r["category"] for r in top_reasons(base, {})] == ["efficacy", "safety"]


def test_what_to_do_next_links_to_the_questions_and_to_reporting_in_the_adverts_country(client):
    _, page = saved_page(client)
    nxt = re.search(r'<section class="next".*?</section>', page, re.S).group(0)
    assert 'href="#questions"' in nxt and 'id="questions"' in page
    assert 'href="/report-a-clinic?country=MX"' in nxt and "in Mexico" in nxt
    assert 'href="/report-a-clinic?country=MX#trials"' in nxt
    # before the marked text, and the groups folded
    assert page.index('id="next-heading"') < page.index('id="advert-heading"')
    assert "<details class=\"group" in page and " open>" not in page.split('id="why-heading"')[1]


def test_each_editorial_passage_is_quoted_once_and_the_credit_line_is_not_repeated(client,
                                                                                   checker):
    _, page = saved_page(client)
    quotes = re.findall(r'<blockquote class="quote"><p>(.*?)</p>', page, re.S)
    assert quotes and len(quotes) == len(set(quotes))
    credit = "Choudhery MS, Umezawa A. Stem cells as biological drugs for incurable diseases."
    assert page.count(credit) == 1
    editorial = (ROOT / "corpus" / "editorial").glob("*.txt")
    source = " ".join(" ".join(p.read_text().split()) for p in editorial)
    import html as html_module
    for q in quotes:
        assert " ".join(html_module.unescape(q).split()) in source
    # every finding points to the passages it cites
    assert len(re.findall(r'What the guidance says: <a href="#g\d+">', page)) > 20


# --- plain words on the patient page -------------------------------------------------------------

def test_no_rule_ids_or_model_features_on_the_page_but_both_in_the_report(client, checker):
    location, page = saved_page(client)
    result = checker.check(BLATANT).to_dict()
    rules = {f["rule"] for f in result["findings"]}
    assert not [r for r in rules if r in page]
    assert not re.search(r"\b(words|chars)__", page)
    report = client.get(location + "/report.html").get_data(as_text=True)
    assert all(r in report for r in rules)


def test_counts_agree_in_number(client):
    _, page = saved_page(client, "Our stem cells cure autism. Call now, only 2 places left! "
                                 "Thousands of happy patients.")
    assert re.search(r"\b1 warning sign,", page) and not re.search(r"\b1 warning signs", page)
    assert not re.search(r"\b([2-9]|\d\d+) warning sign,", page)


def test_the_approvals_table_stacks_on_a_narrow_screen():
    css = (ROOT / "checker/surfaces/web/static/style.css").read_text()
    narrow = css[css.index("@media (max-width: 40rem)"):]
    assert "table.indications tr" in narrow.split("}\n}")[0] and "display: block" in narrow


# --- reports that stand alone -------------------------------------------------------------------

def test_the_html_report_stands_alone(client):
    location, _ = saved_page(client, clinic="Nueva Vida")
    report = client.get(location + "/report.html").get_data(as_text=True)
    assert "<style>" in report and ".verdict" in report
    # nothing the browser would fetch: no stylesheet, script, image, font or frame
    assert not re.search(r"<link\b|<script\b|<img\b|<iframe\b|@import|url\(", report)
    for needed in ("Input sha256", location.rsplit("/", 1)[1], "CC BY 4.0", "Versions",
                   "checker ", "Checked"):
        assert needed in report


def pdf_pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_report_summary_fits_on_four_pages_and_carries_the_record(client):
    location, _ = saved_page(client, clinic="Nueva Vida")
    response = client.get(location + "/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    texts = pdf_pages(response.data)
    detail = next(i for i, t in enumerate(texts) if "The full detail" in t)
    assert 1 <= detail <= 4, f"the summary takes {detail} pages"
    summary = " ".join(" ".join(t.split()) for t in texts[:detail])
    check_id = location.rsplit("/", 1)[1]
    for needed in ("High risk", "The main reasons", "What to do next", "COFEPRIS",
                   "Input sha256", check_id, "CC BY 4.0", "Versions"):
        assert needed in summary, needed
    assert len(texts) > detail      # the full detail follows


def test_an_unsaved_check_has_a_pdf_too(client):
    response = client.post("/report.pdf", data={"csrf_token": _token(client), "text": BLATANT})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "not saved" in " ".join(pdf_pages(response.data)[:2])


def test_the_pdf_fetches_nothing_written_in_the_text(client):
    """Markup in a checked text is text; and were it ever laid out, the PDF fetches nothing."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        here = f"http://127.0.0.1:{server.server_port}"
        text = (BLATANT + f'\n<img src="{here}/a.png"> <link rel=stylesheet href="{here}/b.css">'
                f' <style>@import url({here}/c.css);</style>')
        response = client.post("/report.pdf", data={"csrf_token": _token(client), "text": text})
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        from checker.surfaces.web.pdf import html_to_pdf
        html_to_pdf(f'<p>x</p><img src="{here}/d.png"><link rel=stylesheet href="{here}/e.css">')
    finally:
        server.shutdown()
    assert asked == []


def _token(client):
    from tests.conftest import form_token
    return form_token(client)


# --- gzip --------------------------------------------------------------------------------------

def test_pages_and_the_stylesheet_are_sent_compressed_when_asked(client):
    location, _ = saved_page(client)     # the first view also shows the link to manage it
    zipped = client.get(location, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == client.get(location).data
    assert len(zipped.data) * 3 < len(client.get(location).data)
    css = client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert b".verdict" in gzip.decompress(css.data)
    assert "Content-Encoding" not in client.get(location).headers


# --- how to report a clinic ----------------------------------------------------------------------

@pytest.mark.parametrize("code", list(load_routes().countries))
def test_the_reporting_page_lists_each_countrys_routes_with_source_and_date(client, code):
    page = client.get(f"/report-a-clinic?country={code}").get_data(as_text=True)
    country = load_routes().get(code)
    assert f"How to report a clinic in {country.name}" in page
    for route in country.routes:
        assert f'href="{route.url}"' in page and route.source in page
        assert f"checked {route.checked}" in page
    assert 'id="trials"' in page


def test_an_unknown_country_gets_a_message_not_an_error(client):
    response = client.get("/report-a-clinic?country=<b>ZZ</b>")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We have no reporting routes for" in page and "<b>ZZ" not in page


def test_every_result_links_to_the_reporting_page(client):
    for text in (BLATANT, CAREFUL):
        _, page = saved_page(client, text)
        assert 'href="/report-a-clinic' in page


def test_without_weasyprint_the_pdf_link_answers_503_with_a_message(client, monkeypatch):
    from checker.surfaces.web import pages
    from checker.surfaces.web.pdf import PdfUnavailable

    def missing(_html):
        raise PdfUnavailable("libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(pages, "html_to_pdf", missing)
    location, _ = saved_page(client)
    response = client.get(location + "/report.pdf")
    assert response.status_code == 503
    assert "Download the HTML report instead" in response.get_data(as_text=True)


def test_the_markdown_report_also_starts_with_the_short_answer(client):
    location, _ = saved_page(client)
    report = client.get(location + "/report.md").get_data(as_text=True)
    reasons, steps = report.index("## The main reasons"), report.index("## What to do next")
    assert reasons < steps < report.index("## Warning signs")
    assert "/report-a-clinic?country=MX" in report[steps:report.index("## Warning signs")]
