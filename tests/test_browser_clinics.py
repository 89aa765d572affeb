"""A clinic's page with three checks and a comparison of two, in a real browser (Chromium via
Playwright): no axe violation at all, and screenshots in tests/artifacts/."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.live import LiveServer
from tests.conftest import CHROMIUM, FLAGS
from tests.test_browser import ARTIFACTS
from tests.test_clinics import CLINIC, KEY, V1, V2, V3

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_clinic_page_and_a_comparison_in_a_browser(tmp_path):
    server = LiveServer(tmp_path / "clinics.db").start()
    try:
        ids = []
        for text in (V1, V2, V3):
            status, body, _ = server.request(
                "POST", "/api/v1/check", json.dumps({"text": text, "clinic": CLINIC,
                                                     "publish": True}).encode(),
                {"Content-Type": "application/json"})
            assert status == 200, body[:300]
            ids.append(json.loads(body)["id"])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                errors: list[str] = []
                page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                page.goto(f"{server.url}/clinics/{KEY}")
                assert page.locator("li.visit").count() == 3
                assert page.get_by_text("What changed since check 2").is_visible()
                violations = Axe().run(page).response["violations"]
                assert violations == [], [v["id"] for v in violations]
                page.screenshot(path=str(ARTIFACTS / "clinic.png"), full_page=True)

                # follow the link to the comparison of the first two checks
                page.locator("a.compare-link").first.click()
                page.wait_for_url(f"**/compare/{ids[0]}/{ids[1]}")
                assert page.locator(".diff del").first.is_visible()
                assert page.locator(".diff ins").first.is_visible()
                violations = Axe().run(page).response["violations"]
                assert violations == [], [v["id"] for v in violations]
                page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
                # the list of clinics and the form that takes two links
                for path in ("/clinics", f"/compare?a={ids[0]}"):
                    page.goto(server.url + path)
                    violations = Axe().run(page).response["violations"]
                    assert violations == [], (path, [v["id"] for v in violations])
                assert errors == []     # nothing the CSP refused, no script error
            finally:
                browser.close()
    finally:
        server.stop()
