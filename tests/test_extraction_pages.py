"""Twenty pages written after real clinic, broker, hospital, charity and academic pages (their
structure: menus, cookie banners, headings, lists, price tables, FAQ accordions, hidden
elements, footers, scripts; our own sentences; tests/fixtures/pages/*.json names the page each
was modelled on). Fetched from a local pages_server as a URL would be: the extracted text keeps the
sentences a reader sees in the main content, none of the furniture, and gets the verdict the
same sentences get when pasted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.intake import from_url
from tests.fetchserver import PAGES

pytestmark = pytest.mark.usefixtures("loopback")   # the pages come from 127.0.0.1

FIXTURES = sorted(PAGES.glob("*.json"))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()




def test_there_are_twenty_pages_of_both_kinds():
    kinds = [json.loads(p.read_text())["kind"] for p in FIXTURES]
    assert len(FIXTURES) == 20
    assert sum(k in ("clinic", "broker") for k in kinds) >= 10
    assert sum(k in ("hospital", "charity", "academic") for k in kinds) >= 5


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_a_fetched_page_keeps_its_main_text_and_drops_the_rest(fixture: Path, pages_server, checker):
    page = json.loads(fixture.read_text())
    taken = from_url(f"{pages_server.base}/pages/{fixture.with_suffix('.html').name}")
    text = flat(taken.text)
    kept = [m for m in page["main"] if flat(m) in text]
    assert len(kept) >= 0.95 * len(page["main"]), sorted(set(page["main"]) - set(kept))
    leaked = [b for b in page["boilerplate"] if flat(b) in text]
    assert not leaked
    for claim in page["claims"]:
        assert flat(claim) in text
    pasted = "\n".join(page["main"])
    assert checker.check(taken.text).level == checker.check(pasted).level
