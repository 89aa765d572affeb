"""corpus/real/: enough records of each kind, every field right, labels consistent, and nothing
copied: no record shares a run of 8 words with the page it was modelled on, and none holds a
sentence of the measuring sets in ../shared/data."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from checker.core.paths import ROOT
from checker.core.result import CATEGORIES
from checker.tools.corpus_real import (HARD_CASES, RUN, SPEAKERS, agreement, load_shingles,
                                       records, shingle_hashes, source_shingles, words)


@pytest.fixture(scope="module")
def rows():
    return list(records())


def test_the_corpus_has_the_records_the_issue_asks_for(rows):
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["snippet"] >= 2500 and kinds["page"] >= 300
    assert len({r["domain"] for r in rows}) >= 600
    careful = [r for r in rows if not r["should_flag"]]
    assert len(careful) >= 0.4 * len(rows)
    hard = Counter(r["hard_case"] for r in rows)
    assert hard["careful_with_seller_words"] >= 400 and hard["seller_without_trigger"] >= 400


def test_every_record_is_well_formed_and_its_labels_agree_with_themselves(rows):
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["kind"] in ("snippet", "page") and r["speaker"] in SPEAKERS, r["id"]
        assert r["source_url"].startswith("http") and r["domain"] in r["source_url"], r["id"]
        assert set(r["categories"]) <= set(CATEGORIES), r["id"]
        assert r["should_flag"] or not r["categories"], r["id"]   # careful texts: no category
        assert r["hard_case"] in (*HARD_CASES, None), r["id"]
        if r["hard_case"] == "careful_with_seller_words":
            assert not r["should_flag"], r["id"]
        if r["hard_case"] == "seller_without_trigger":
            assert r["should_flag"], r["id"]
        for reader in ("reader_1", "reader_2"):
            assert isinstance(r["labels"][reader]["should_flag"], bool), r["id"]
        n = len(words(r["text"]))
        assert (n <= 160) if r["kind"] == "snippet" else (200 <= n <= 520), (r["id"], n)


def test_two_readers_agree_well_and_every_disagreement_was_settled(rows):
    stats = agreement(rows)
    assert stats["should_flag"] >= 0.8
    for r in rows:
        first, second = r["labels"]["reader_1"], r["labels"]["reader_2"]
        if (first["should_flag"], sorted(first["categories"])) != \
                (second["should_flag"], sorted(second["categories"])):
            assert r["settled"], r["id"]


def test_no_record_shares_a_run_of_eight_words_with_its_page(rows):
    shingles = load_shingles()
    assert sum(len(s) for s in shingles.values()) > 100_000   # the excerpts' runs are all there
    copied, unknown = [], []
    for r in rows:
        page = source_shingles(shingles, r["source_url"])
        if page is None:
            unknown.append(r["id"])
        elif page & shingle_hashes(r["text"]):
            copied.append(r["id"])
    assert not unknown and not copied, (unknown[:5], copied[:5])


def test_the_shingle_check_would_catch_a_copied_run():
    """The same hashing on both sides: a run of RUN words is found, one word fewer is not."""
    page = "The clinic says its cells travel to damaged tissue and repair it within weeks."
    copied = "Amazing! " + " ".join(words(page)[2:2 + RUN]) + " - book today."
    shorter = "Amazing! " + " ".join(words(page)[2:2 + RUN - 1]) + " - book today."
    assert shingle_hashes(page) & shingle_hashes(copied)
    assert not shingle_hashes(page) & shingle_hashes(shorter)


def test_nothing_from_the_measuring_sets_is_in_the_corpus(rows):
    shared = ROOT.parent / "shared" / "data"
    if not shared.exists():
        pytest.skip("../shared/data is not beside this checkout")
    norm = lambda t: re.sub(r"\W+", " ", t.lower()).strip()  # noqa: E731
    dev = set()
    for path in shared.glob("dev_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"]):
                if len(norm(sentence)) >= 60:
                    dev.add(norm(sentence))
    assert dev
    corpus = norm(" \n ".join(r["text"] for r in rows))
    assert not [d for d in dev if d in corpus]
