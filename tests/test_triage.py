"""The triage order (checker.surfaces.triage): monotone in what is found, spread out among
high-risk adverts, the same on every run."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.result import CATEGORIES
from checker.surfaces.triage import rank, triage_points
from tests.conftest import ROOT

SEVERITIES = ["low", "medium", "high"]

finding = st.fixed_dictionaries({
    "rule": st.sampled_from(["efficacy.cure", "safety.no-side-effects", "price.deposit",
                             "pressure.act-now", "indication.unapproved-condition"]),
    "category": st.sampled_from(CATEGORIES), "severity": st.sampled_from(SEVERITIES),
    "text": st.sampled_from(["cure", "Cure ", "no side effects", "$9,000", "call now", "autism"]),
})
indication = st.fixed_dictionaries({
    "condition": st.sampled_from(["autism", "ms", "aml", "knee"]), "offered": st.booleans(),
    "status": st.sampled_from(["no_approval", "approved_elsewhere", "established_care"])})
price = st.fixed_dictionaries({"usd": st.one_of(st.none(), st.floats(0, 1e6))})
result = st.fixed_dictionaries({"findings": st.lists(finding, max_size=12),
                                "indications": st.lists(indication, max_size=4),
                                "prices": st.lists(price, max_size=3)})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(result, finding, indication, price)
def test_finding_more_never_lowers_the_points(base, extra_finding, extra_indication, extra_price):
    before = triage_points(base)
    for grown in ({**base, "findings": base["findings"] + [extra_finding]},
                  {**base, "indications": base["indications"] + [extra_indication]},
                  {**base, "prices": base["prices"] + [extra_price]}):
        assert triage_points(grown) >= before


@settings(max_examples=200, deadline=None, derandomize=True)
@given(result)
def test_a_new_serious_finding_raises_the_points(base):
    new = {"rule": "safety.never-seen", "category": "safety", "severity": "high",
           "text": "a phrase no other finding has"}
    assert triage_points({**base, "findings": base["findings"] + [new]}) > triage_points(base)


def test_a_phrase_repeated_counts_once():
    one = {"findings": [{"rule": "efficacy.cure", "category": "efficacy", "severity": "high",
                         "text": "cure"}]}
    twice = {"findings": one["findings"] * 2 + [{**one["findings"][0], "text": " Cure"}]}
    assert triage_points(twice) == triage_points(one) == 19.0


def test_on_real_checks_a_serious_claim_added_never_lowers_the_rank_points(checker):
    texts = [p.read_text() for p in sorted((ROOT / "corpus" / "samples").glob("*.txt"))]
    serious = " Our stem cells cure Parkinson's disease, guaranteed, with no side effects."
    for text in texts:
        before = triage_points(checker.check(text).to_dict())
        after = triage_points(checker.check(text + serious).to_dict())
        assert after >= before, text[:60]


def test_ranks_are_a_strict_order_the_same_whatever_the_input_order():
    items = [(f"a{i}", float(i % 7), float(i % 3)) for i in range(50)]
    shuffled = items[:]
    random.Random(3).shuffle(shuffled)
    ranks = rank(items)
    assert ranks == rank(shuffled)
    assert sorted(ranks.values()) == list(range(1, 51))
    first = min(ranks, key=ranks.get)
    assert first == "a20"    # most points (6), then the highest score (2: a20, a41), then the id
