"""The web form in a real browser: Debian's Chromium driven by Playwright, and an axe scan."""

from __future__ import annotations


import pytest
from axe_playwright_python.sync_playwright import Axe

from checker.core.paths import ROOT
from tests.conftest import SAMPLES
from tests.fetchserver import FetchServer
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The fetching test serves its page from 127.0.0.1, which only this setting lets through.
    live = LiveServer(tmp_path_factory.mktemp("browser") / "browser.db",
                      env={"CHECKER_FETCH_ALLOW_LOOPBACK": "1"}).start()
    yield live
    live.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def serious(results) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def tab_to(page, element_id: str, limit: int = 30) -> None:
    """Move the focus with the keyboard alone until it reaches the element."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the keyboard")


def test_paste_submit_read_the_highlights_and_follow_the_permalink(server, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(server.url + "/")
    assert page.title().startswith("Check a clinic advert")
    page.screenshot(path=str(ARTIFACTS / "form.png"), full_page=True)

    # keyboard only: reach the fields with Tab, submit with Enter
    tab_to(page, "text")
    page.keyboard.insert_text(SAMPLES[1].read_text())
    tab_to(page, "clinic")
    page.keyboard.insert_text("International Cord Cell Institute")
    tab_to(page, "url")
    page.keyboard.insert_text("https://cord-cells.example/autism")
    page.keyboard.press("Enter")
    page.wait_for_url("**/r/*")

    assert "High risk" in page.locator("h1").inner_text()
    marks = page.locator(".advert mark")
    assert marks.count() >= 8
    labels = page.locator(".advert sup.tag").all_inner_texts()
    assert any("Unapproved use" in t for t in labels) and any("Efficacy claim" in t for t in labels)
    credit = page.locator("p.credit").inner_text()
    assert "Choudhery" in credit and "CC BY 4.0" in credit
    assert page.locator("#questions").is_visible()
    page.screenshot(path=str(ARTIFACTS / "result.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "result-full.png"), full_page=True)

    permalink = page.locator("a.permalink")
    url = permalink.get_attribute("href")
    permalink.click()
    page.wait_for_load_state()
    assert page.url.endswith(url)
    assert page.locator(".advert mark").count() == marks.count()
    # a finding's number links to its explanation
    first = page.locator(".advert sup.tag a").first
    target = first.get_attribute("href")
    first.click()
    assert page.locator(target).is_visible()
    assert page.console_errors == []  # no CSP violation, no script error


def test_a_fetched_page_shows_its_text_and_the_evidence(server, page):
    """A patient pastes only the clinic's web address: the page is fetched, its visible text
    checked and shown (never its markup), with what the page said and when."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with FetchServer() as clinic:
        page.goto(server.url + "/")
        page.fill("#text", clinic.base + "/clinic")
        page.click("button[type=submit]")
        page.wait_for_url("**/r/*")
    assert "High risk" in page.locator("h1").inner_text()
    evidence = page.locator("section.evidence")
    assert evidence.is_visible()
    shown = evidence.inner_text()
    assert "What the page said on 20" in shown and clinic.base + "/clinic" in shown
    assert "HTTP status" in shown and "sha256 of the text checked" in shown
    advert = page.locator(".advert").inner_text()
    assert "$18,500" in advert and "Regrow Your Knee Cartilage" in advert
    assert "&#36;" not in advert and "<strong>" not in advert and "cookies" not in advert
    page.screenshot(path=str(ARTIFACTS / "result-fetched.png"), full_page=True)
    assert serious(Axe().run(page)) == []
    report = page.request.get(server.url + page.locator("a[href$='report.html']").get_attribute("href"))
    assert "What the page said on 20" in report.text() and "Fetched" in report.text()
    assert page.console_errors == []


def test_a_pasted_script_is_shown_as_text_and_never_runs(server, page):
    page.goto(server.url + "/")
    page.fill("#text", "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\"> stem cells cure MS")
    page.check("#dont_save")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("window.__pwned === undefined")
    assert "<script>window.__pwned = 1</script>" in page.locator(".advert").inner_text()


def test_too_much_text_gets_a_friendly_message(server, page):
    page.goto(server.url + "/")
    page.evaluate("document.getElementById('text').value = 'x'.repeat(100001)")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "at most 100,000" in page.locator("[role=alert]").inner_text()


@pytest.mark.parametrize("path", ["/", "/guidance", "/rules", "/about"])
def test_axe_finds_no_serious_or_critical_violation(server, page, path):
    page.goto(server.url + path)
    assert serious(Axe().run(page)) == []


def test_axe_on_a_result_page_and_on_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#text", SAMPLES[0].read_text())
    page.click("button[type=submit]")
    page.wait_for_url("**/r/*")
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "result-phone.png"))
    assert serious(Axe().run(page)) == []
    context.close()
