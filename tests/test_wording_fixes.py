"""Issue 18: what a worried patient reads must be true whatever the treatment (PRP is not a cell
product), must not make established transplant care read as doubtful, and must agree in number."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from checker.core.errors import RuleFileError
from checker.decide.wording import STATUS_WORDS, summarise
from checker.detect.indications import STATUSES, parse_when
from checker.formats import to_v1, to_v2

PRP_ADVERT = (
    "Platelet-Rich Plasma (PRP) Therapy at Glow Regenerative Clinic\n\n"
    "Our PRP injections heal your knees naturally and treat knee osteoarthritis, hair loss and "
    "erectile dysfunction. PRP is all natural and therefore completely safe, with no side "
    "effects. Because they are your own cells, the PRP injections will not cause an allergic "
    "reaction. PRP for anti-aging and skin rejuvenation is also available. Only $2,500 per "
    "session, limited offer, book now!"
)

HOSPITAL_PAGE = (
    "Blood and Marrow Transplant Programme\n\n"
    "Our bone marrow transplant unit performs allogeneic stem cell transplants for patients with "
    "leukaemia.\n\n"
    "Acute myeloid leukaemia (AML) is the most common acute leukaemia in adults. Our "
    "haematologists offer treatment for AML patients, including those in first remission.\n\n"
    "We also care for patients with lymphoma, multiple myeloma, aplastic anaemia and sickle cell "
    "disease."
)


def _words(result, condition: str) -> str:
    entry = next(r for r in result.indications if r["condition"] == condition)
    return STATUS_WORDS[entry["status"]]


def test_a_prp_advert_is_never_called_a_cell_product(checker, validate):
    result = checker.check(PRP_ADVERT)
    validate(PRP_ADVERT, result.to_dict())
    rules = {f.rule for f in result.findings}
    assert {"indication.unapproved-condition", "indication.approved-elsewhere",
            "safety.natural", "safety.no-harm", "price.high-cash-price"} <= rules, rules
    said = [f.explanation for f in result.findings]
    said += [STATUS_WORDS[r["status"]] for r in result.indications]
    for sentence in said:
        assert "cell product" not in sentence.lower(), sentence
        assert "a cell treatment" not in sentence.lower(), sentence
        assert "own cells are not" not in sentence.lower(), sentence
    unapproved = next(f for f in result.findings if f.rule == "indication.unapproved-condition")
    assert "stem-cell or other" in unapproved.explanation


def test_every_status_has_plain_words_and_none_calls_the_treatment_a_cell_product():
    assert set(STATUS_WORDS) == set(STATUSES)
    assert all("cell product" not in words for words in STATUS_WORDS.values())
    assert STATUS_WORDS["established_care"].startswith("Established care")


def test_a_hospital_aml_transplant_page_reads_as_established_care(checker, validate):
    result = checker.check(HOSPITAL_PAGE)
    validate(HOSPITAL_PAGE, result.to_dict())
    for condition in ("aml", "leukaemia_general", "lymphoma_general", "multiple_myeloma",
                      "aplastic_anaemia", "sickle_cell"):
        assert _words(result, condition).startswith("Established care"), condition
    # the unspecific "leukaemia" reads no stronger than AML: the very same words
    assert _words(result, "aml") == _words(result, "leukaemia_general")
    assert not [f for f in result.findings if f.category == "indication"]
    # the new status goes through both formats and their schemas
    v2 = json.loads(json.dumps(to_v2(result)))
    validate(HOSPITAL_PAGE, v2)
    validate(HOSPITAL_PAGE, to_v1(v2))


def test_a_clinic_selling_stem_cells_for_leukaemia_is_still_a_warning_sign(checker):
    result = checker.check("Stem cell therapy for leukemia at our clinic. Book now!")
    assert _words(result, "leukaemia_general").startswith("Established care")
    finding = next(f for f in result.findings if f.rule == "indication.approved-elsewhere")
    assert finding.confidence == 1 and result.level in ("medium", "high")
    assert "established care" in finding.explanation
    assert "outside that setting is not that care" in finding.explanation


def test_a_named_approved_product_is_still_approved(checker):
    result = checker.check("Ryoncil is approved for steroid-refractory acute GVHD in children.")
    assert STATUS_WORDS[result.indications[0]["status"]] == "Established or approved care"


def test_a_rule_may_name_several_statuses_but_no_unknown_one(rules_checker):
    rule = rules_checker.rulebook.rules["indication.approved-elsewhere"]
    assert parse_when(rule).statuses == ("approved_elsewhere", "established_care")
    detector = rule.spec.detector.model_copy(update={"when": {"status": ["approved"]}})
    broken = replace(rule, spec=rule.spec.model_copy(update={"detector": detector}))
    with pytest.raises(RuleFileError):
        parse_when(broken)


@pytest.mark.parametrize("text, n", [
    ("Stem cell therapy for leukemia at our clinic.", 1),
    ("Our stem cell treatment cures autism.", 2),
])
def test_the_summary_agrees_with_the_number_of_findings(checker, text, n):
    result = checker.check(text)
    assert len(result.findings) == n, [f.rule for f in result.findings]
    if n == 1:
        assert "1 phrase in this text is a" in result.summary
    else:
        assert f"{n} phrases in this text are " in result.summary


@pytest.mark.parametrize("level", ["high", "medium", "low"])
def test_every_verdict_sentence_agrees_in_number(level):
    class Found:
        category = "indication"
    one, two = summarise(level, [Found()]), summarise(level, [Found(), Found()])
    assert "1 phrase " in one and "phrases" not in one and " are " not in one
    assert "2 phrases " in two and " is " not in two.split("(")[0]


@pytest.mark.parametrize("text, one", [
    ("Stem cell injections for knee osteoarthritis at our clinic.", True),    # Cartistem only
    ("Our clinic treats burns with stem cell therapy.", False),               # several products
])
def test_the_approvals_fact_agrees_with_how_many_approvals_it_names(checker, text, one):
    finding = next(f for f in checker.check(text).findings
                   if f.rule == "indication.approved-elsewhere")
    if one:
        assert "the only approval is for a specific product" in finding.explanation
        assert "approvals are" not in finding.explanation
    else:
        assert "the only approvals are for specific products" in finding.explanation
        assert "that approval does not" not in finding.explanation
