"""The patient's result in a real browser (Debian's Chromium through Playwright): the short
answer inside the first screen and a half, the page's length and weight, no sideways scroll on a
small phone, axe, folded groups that open from their numbers, and the HTML report opened from
disk with the server stopped."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import ROOT
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "tests" / "artifacts"
BLATANT = (ROOT / "corpus" / "samples" / "blatant-tijuana.txt").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("result") / "result.db").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def permalink(server, browser):
    """One saved check of the blatant advert (its first view, with the manage link, is tested
    below; this is the page anyone with the link sees)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#text", BLATANT)
    page.click("button[type=submit]")
    page.wait_for_url("**/r/*")
    url = page.url
    context.close()
    return url


def bottom(page, selector: str) -> float:
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().bottom"
                         " + window.scrollY")


@pytest.mark.parametrize("width, height, mobile", [(1280, 800, False), (390, 844, True)])
def test_the_reasons_and_what_to_do_next_fit_in_a_screen_and_a_half(server, browser, width,
                                                                     height, mobile):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#text", BLATANT)
    page.click("button[type=submit]")
    page.wait_for_url("**/r/*")              # the first view: the manage link is shown too
    assert page.locator("ol.reasons li").count() >= 3
    assert bottom(page, "ol.reasons") <= 1.5 * height
    assert bottom(page, "section.next") <= 1.5 * height, "what to do next is too far down"
    page.screenshot(path=str(ARTIFACTS / f"result-top-{width}.png"))
    context.close()


def test_the_whole_page_is_at_most_eight_screens_on_a_desktop(browser, permalink):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(permalink)
    assert page.locator("details.group").count() >= 5
    assert page.locator("details.group[open]").count() == 0
    screens = page.evaluate("document.documentElement.scrollHeight") / 800
    assert screens <= 8, f"{screens:.1f} screens"
    page.screenshot(path=str(ARTIFACTS / "result-desktop.png"), full_page=True)
    context.close()


def test_a_number_in_the_marked_text_opens_its_folded_explanation(browser, permalink):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(permalink)
    explanation = page.locator("#f3")
    assert not explanation.is_visible()
    page.click('.advert a[href="#f3"]')
    explanation.wait_for(state="visible")
    assert page.evaluate("document.querySelector('#f3').closest('details').open")
    # and a reason leads back to its marked phrase
    first = page.locator("ol.reasons a").first
    target = first.get_attribute("href")
    first.click()
    for _ in range(50):
        if page.evaluate("location.hash") == target:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("location.hash") == target
    assert page.locator(target).is_visible()
    context.close()


def test_no_sideways_scroll_on_a_small_phone_and_no_axe_violation(browser, permalink, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for url in (permalink, server.url + "/report-a-clinic?country=MX"):
        page.goto(url)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")     # the folded parts too
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        violations = Axe().run(page).response["violations"]
        assert violations == [], [f"{v['id']}: {v['help']}" for v in violations]
    page.goto(permalink)
    page.screenshot(path=str(ARTIFACTS / "result-360.png"))
    context.close()


def test_the_page_weighs_under_40_kb_compressed(browser, permalink):
    context = browser.new_context()
    page = context.new_page()
    page.goto(permalink)
    page.wait_for_load_state("load")
    sizes = page.evaluate("""() => [performance.getEntriesByType('navigation')[0],
        ...performance.getEntriesByType('resource')].map(e => e.transferSize)""")
    assert all(s > 0 for s in sizes)        # all fetched (not from a cache)
    assert sum(sizes) < 40_000, sizes
    context.close()


def test_the_html_report_opened_from_disk_with_the_server_stopped_looks_like_the_page(
        tmp_path, browser):
    live = LiveServer(tmp_path / "report.db").start()
    try:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.goto(live.url + "/")
        page.fill("#text", BLATANT)
        page.click("button[type=submit]")
        page.wait_for_url("**/r/*")
        on_page = _looks(page)
        report = context.request.get(page.url + "/report.html")
        assert report.ok
        path = tmp_path / "claim-check.html"
        path.write_bytes(report.body())
        context.close()
    finally:
        live.stop()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(path.as_uri())
    assert [u for u in asked if not u.startswith(("file:", "data:"))] == []
    assert _looks(page) == on_page
    page.screenshot(path=str(ARTIFACTS / "report-from-disk.png"))
    context.close()


def _looks(page) -> dict:
    """The computed styles that make the result look like itself."""
    return page.evaluate("""() => {
        const s = (q, p) => getComputedStyle(document.querySelector(q))[p];
        return {font: s('body', 'fontFamily'), verdict: s('.verdict', 'borderLeftColor'),
                panel: s('.verdict', 'backgroundColor'), next: s('section.next', 'borderLeftColor'),
                mark: s('mark.c-efficacy', 'backgroundColor'), advert: s('.advert', 'whiteSpace'),
                width: s('main', 'maxWidth')};
    }""")
