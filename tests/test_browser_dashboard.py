"""A job's dashboard in a real browser (Debian's Chromium through Playwright): 1,000 generated
adverts from 20 clinics, scored by the server's own job worker; the dashboard renders in under
two seconds, passes axe, and every count leads to the adverts behind it."""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from checker.surfaces.store import Store
from tests.conftest import ROOT
from tests.live import LiveServer
from tests.conftest import CHROMIUM, FLAGS

sys.path.insert(0, str(ROOT / "bench"))
from clinic_adverts import generate  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "tests" / "artifacts"


def call(url: str, secret: str, body: bytes | None = None, kind: str = "") -> dict:
    request = urllib.request.Request(url, data=body, headers={
        "Authorization": f"Bearer {secret}", **({"Content-Type": kind} if kind else {})})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    db = tmp_path_factory.mktemp("dashboard") / "dashboard.db"
    live = LiveServer(db).start()
    try:
        secret, _ = Store(db).create_key("dashboard")
        body = "".join(json.dumps(r) + "\n" for r in generate(1000, 20)).encode()
        made = call(live.url + "/api/v1/jobs", secret, body, "application/x-ndjson")
        deadline = time.time() + 600
        while True:
            status = call(live.url + made["status_url"], secret)
            if status["state"] == "done" or time.time() > deadline:
                break
            time.sleep(1)
        assert status["state"] == "done" and status["done"] == 1000
        path = "/" + status["dashboard_url"].split("://", 1)[1].split("/", 1)[1]
        yield live, live.url + path
    finally:
        live.stop()


def test_the_dashboard_of_1000_adverts_renders_in_under_two_seconds(job):
    live, url = job
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(url, wait_until="load")           # the first view builds the dashboard
        seconds = time.perf_counter() - started
        assert seconds < 2.0, f"{seconds:.2f} s"
        assert "1000</strong> adverts from <strong>20</strong> clinics" in page.content()
        assert page.locator("img.chart").count() >= 7
        assert all(page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                   for _ in [0])
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=False)
        page.screenshot(path=str(ARTIFACTS / "dashboard-full.png"), full_page=True)
        violations = Axe().run(page).response["violations"]
        assert violations == [], [f"{v['id']}: {v['help']}" for v in violations]
        # a count leads to the adverts behind it
        link = page.locator('#levels a[href^="lists/levels/high"]')
        count = int(link.inner_text())
        link.click()
        page.wait_for_load_state()
        assert page.locator("table.adverts tbody tr").count() == count
        browser.close()
