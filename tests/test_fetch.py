"""Fetching pages safely (checker.intake.fetch), against a local pages_server: the clinic page, redirects,
refusals of private addresses on every hop, size and time limits, content types, PDF."""

from __future__ import annotations

import pytest

from checker.core.errors import ExtractError, FetchError
from checker.intake import from_url
from checker.intake.fetch import USER_AGENT, Pacer, fetch, public_address, resolve_public
from tests.fetchserver import BROCHURE

pytestmark = pytest.mark.usefixtures("loopback")   # the pages come from 127.0.0.1




def test_a_clinic_page_is_fetched_and_its_main_text_kept(pages_server):
    taken = from_url(pages_server.base + "/clinic")
    text = taken.text
    for kept in ("Regrow Your Knee Cartilage Without Surgery",
                 "Our stem cell therapy repairs damaged cartilage and ends arthritis pain for good.",
                 "Knee osteoarthritis", "Single knee injection | $6,500",
                 "Full-body package with hotel | $18,500", "Is the treatment approved?",
                 "so no FDA approval is needed.", "book your consultation now."):
        assert kept in text
    for dropped in ("cookies", "Conditions We Treat", "Contact Us Today", "All rights reserved",
                    "hidden from readers", "dataLayer", "footer script", "Call +1 555"):
        assert dropped not in text
    source = taken.source
    assert source["kind"] == "url" and source["format"] == "html"
    assert source["url"] == source["requested_url"] == pages_server.base + "/clinic"
    assert source["http_status"] == 200 and source["content_type"] == "text/html"
    assert source["bytes_sha256"].startswith("sha256:") and len(source["bytes_sha256"]) == 71
    assert source["fetched_at"].endswith("Z") and "selectolax" in source["extractor"]


def test_the_host_header_and_user_agent_are_ours(pages_server):
    taken = from_url(pages_server.base + "/host")
    port = pages_server.base.rsplit(":", 1)[1]
    assert f"You asked 127.0.0.1:{port} as {USER_AGENT}." in taken.text


def test_redirects_are_followed_and_kept_up_to_five(pages_server):
    taken = from_url(pages_server.base + "/hop/4")
    assert taken.source["url"] == pages_server.base + "/clinic"
    assert len(taken.source["redirects"]) == 5
    with pytest.raises(FetchError, match="redirected more than 5 times") as caught:
        fetch(pages_server.base + "/hop/5")
    assert caught.value.status == 422


@pytest.mark.parametrize("path, address", [
    ("/to-metadata", "169.254.169.254"), ("/to-private", "10.0.0.1"),
    ("/to-loopback-other", "127.0.0.2"), ("/to-localhost-v6", "::1"),
])
def test_a_redirect_to_a_private_address_is_refused(pages_server, path, address):
    with pytest.raises(FetchError, match="private or local network address") as caught:
        fetch(pages_server.base + path)
    assert address in caught.value.message and caught.value.status == 422


def test_a_redirect_to_another_scheme_is_refused(pages_server):
    with pytest.raises(FetchError, match="http:// or https://"):
        fetch(pages_server.base + "/to-file")


def test_loopback_is_refused_without_the_test_setting(pages_server, monkeypatch):
    monkeypatch.delenv("CHECKER_FETCH_ALLOW_LOOPBACK")
    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        fetch(pages_server.base + "/clinic")


def test_only_127_0_0_1_is_let_through_by_the_test_setting():
    assert public_address("127.0.0.1", loopback_ok=True)
    for address in ("127.0.0.2", "::1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254",
                    "100.64.0.1", "0.0.0.0", "224.0.0.1", "::ffff:10.0.0.1", "fe80::1", "fd00::1"):
        assert not public_address(address, loopback_ok=True), address
    assert public_address("93.184.216.34", loopback_ok=False)
    assert public_address("2606:2800:220:1:248:1893:25c8:1946", loopback_ok=False)
    assert not public_address("127.0.0.1", loopback_ok=False)
    assert not public_address("::ffff:127.0.0.1", loopback_ok=False)   # loopback, spelt in IPv6


def test_a_name_resolving_to_any_private_address_is_refused():
    def resolver(host, port):
        return ["93.184.216.34", "10.0.0.5"]   # one public, one private: refused

    with pytest.raises(FetchError, match="10.0.0.5"):
        resolve_public("mixed.example", 80, resolver, loopback_ok=False)

    def missing(host, port):
        raise OSError("no such host")

    with pytest.raises(FetchError, match="could not be found"):
        resolve_public("nowhere.example", 80, missing, loopback_ok=False)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_a_50_mb_body_is_refused(pages_server, path):
    with pytest.raises(FetchError, match="bytes") as caught:
        fetch(pages_server.base + path)
    assert caught.value.status == 413


def test_a_page_that_does_not_answer_in_time_is_refused(pages_server):
    with pytest.raises(FetchError, match="did not answer in time|too slowly|stopped sending") as caught:
        fetch(pages_server.base + "/slow", read_seconds=0.5, total_seconds=1.0)
    assert caught.value.status == 422


@pytest.mark.parametrize("url, words, status", [
    ("ftp://example.com/a", "http:// or https://", 400),
    ("javascript:alert(1)", "http:// or https://", 400),
    ("http://user:pw@example.com/", "user name or password", 400),
    ("https:///nohost", "no host name", 400),
    ("http://[::1", "not a web address", 400),
])
def test_addresses_we_do_not_fetch_are_refused_with_a_reason(url, words, status):
    with pytest.raises(FetchError, match=words) as caught:
        fetch(url)
    assert caught.value.status == status


def test_other_content_types_and_error_statuses_are_refused(pages_server):
    with pytest.raises(FetchError, match="image/png") as caught:
        fetch(pages_server.base + "/image.png")
    assert caught.value.status == 415
    with pytest.raises(FetchError, match="HTTP status 404"):
        fetch(pages_server.base + "/missing")


def test_a_pdf_brochure_is_read(pages_server):
    taken = from_url(pages_server.base + "/brochure.pdf")
    assert taken.source["format"] == "pdf" and taken.source["content_type"] == "application/pdf"
    for line in BROCHURE:
        assert line in taken.text
    assert "pypdf" in taken.source["extractor"]


def test_a_scanned_pdf_gets_a_clear_message(pages_server):
    with pytest.raises(ExtractError, match="scanned"):
        from_url(pages_server.base + "/scan.pdf")


def test_markup_with_nothing_visible_gets_a_clear_message(pages_server):
    with pytest.raises(ExtractError, match="no visible text"):
        from_url(pages_server.base + "/empty-markup")


def test_plain_text_and_declared_charsets_are_read(pages_server):
    notes = from_url(pages_server.base + "/notes.txt")
    assert notes.text.startswith("Our PRP injections heal")
    assert (notes.source["kind"], notes.source["format"]) == ("url", "text")
    assert "Caf\u00e9 stem cells cost 5 000 EUR." in from_url(pages_server.base + "/latin1").text


def test_the_pacer_spaces_requests_to_one_host():
    import time

    pacer = Pacer(interval=0.2)
    start = time.monotonic()
    for _ in range(3):
        pacer.wait("clinic.example")
    pacer.wait("other.example")
    assert 0.38 <= time.monotonic() - start < 1.5
