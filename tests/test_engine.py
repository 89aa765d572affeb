"""The one entry point: check(text) -> Result, its JSON form, its scoring and its decision trail."""

from __future__ import annotations

import pytest

from checker import check
from checker.core.errors import InputError, InputTooLarge
from checker.decide.scoring import noisy_or
from tests.conftest import EDITORIAL, SAMPLES


def test_check_returns_schema_valid_json(checker, validate):
    for path in SAMPLES:
        text = path.read_text()
        validate(text, checker.check(text).to_dict())


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_the_sample_adverts_score_high(checker, path):
    result = checker.check(path.read_text())
    assert result.level == "high"
    assert sum(1 for c in result.categories.values() if c.count) >= 4


def test_the_editorial_scores_low_although_full_of_cure_words(checker):
    text = EDITORIAL.read_text()
    result = checker.check(text)
    assert result.level == "low", [(f.rule, f.text, f.confidence) for f in result.findings]
    # It is low because hedges and its research register weigh the matches down, not because
    # nothing matched: the audit trail keeps what was set aside.
    assert len(result.set_aside) >= 5
    assert any(step["step"] == "register" for s in result.set_aside for step in s["trail"])


@pytest.mark.parametrize("sentence", [
    "Our stem cells reverse autism.",
    "We cure knee arthritis with umbilical cord stem cells.",
    "Exosome injections regrow cartilage in your knees.",
    "Our Wharton's jelly injections have no side effects.",
    "Our stem cells are FDA approved.",
])
def test_one_clear_unhedged_claim_is_already_medium(checker, sentence):
    assert checker.check(sentence).level in ("medium", "high")


@pytest.mark.parametrize("claim, softened, step", [
    ("Our stem cells cure autism.", "Our stem cells do not cure autism.", "negation"),
    ("Stem cells reverse Parkinson's disease.", "Stem cells may reverse Parkinson's disease.", "hedge"),
    ("Stem cells reverse Parkinson's disease.", "Stem cells reverse Parkinson's disease in early-phase trials.", "hedge"),
    ("Stem cell therapy cures MS.", "Stem cell therapy cures MS, the clinic falsely claims.", "critique"),
    ("Stem cell therapy cures MS.", "Stem cell therapy cures MS? There is no evidence.", "question"),
    ("Our exosomes regrow hair.", "Our exosomes regrow hair; results vary and are not guaranteed.", "disclaimer"),
])
def test_hedges_negations_and_disclaimers_lower_a_finding_and_say_why(checker, claim, softened, step):
    strong = checker.check(claim)
    weak = checker.check(softened)
    assert weak.score < strong.score
    trails = [t for f in weak.findings for t in f.trail] + [t for s in weak.set_aside for t in s["trail"]]
    changed = [t for t in trails if t["step"] == step]
    assert changed, trails
    assert all(t["factor"] < 1 and t["after"] < t["before"] for t in changed)


def test_a_negated_claim_is_cancelled_not_just_lowered(checker):
    result = checker.check("Our stem cell therapy is not a cure for any disease.")
    assert result.level == "low"
    assert not [f for f in result.findings if f.category == "efficacy"]


def test_adding_a_red_flag_never_lowers_the_score(checker):
    base = "Our stem cells repair damaged knees."
    additions = [" Results are guaranteed.", " No side effects.", " Only 3 spots left!",
                 " Our lab is FDA registered.", " Over 5,000 patients treated.",
                 " Financing available for our stem cell packages."]
    text, previous = base, checker.check(base).score
    for extra in additions:
        text += extra
        score = checker.check(text).score
        assert score >= previous, (extra, score, previous)
        previous = score


def test_one_phrase_repeated_many_times_saturates(checker):
    once = checker.check("Our stem cells cure arthritis.").score
    many = checker.check(" ".join(["Our stem cells cure arthritis."] * 40)).score
    two_kinds = checker.check("Our stem cells cure arthritis. Our stem cells have no side effects.").score
    assert many == pytest.approx(once, abs=1e-6)
    assert two_kinds > many


def test_offsets_point_into_the_users_own_text_even_when_it_is_obfuscated(checker):
    text = ("<p>Our st\u0435m c\u0435lls \u201ccu\u200bre\u201d  autism \u2014 and they are 100\u00a0% "
            "safe.</p>\n\n<p>Book&nbsp;now!</p>")
    result = checker.check(text)
    assert result.findings
    for f in result.findings:
        assert text[f.start:f.end] == f.text
    assert any(f.rule == "efficacy.cure" and f.text == "cu\u200bre" for f in result.findings)


def test_same_input_same_versions_same_result(checker):
    text = SAMPLES[0].read_text()
    assert checker.check(text).to_dict() == checker.check(text).to_dict()


def test_versions_and_input_are_recorded(checker):
    result = checker.check("Our stem cells cure everything.").to_dict()
    assert result["versions"]["rules"].startswith("sha256:")
    assert result["versions"]["checker"]
    assert result["input"]["chars"] == len("Our stem cells cure everything.")
    assert len(result["input"]["sha256"]) == 64


def test_every_finding_cites_the_editorial_and_explains_itself(checker):
    for path in SAMPLES:
        for f in checker.check(path.read_text()).findings:
            assert f.explanation
            assert any(c.source == "editorial" and c.quote and c.credit for c in f.citations)
            assert f.trail and f.trail[0]["step"] in ("match", "classifier", "indication", "price")


def test_all_seven_categories_are_always_reported(checker):
    result = checker.check("Hello.").to_dict()
    assert set(result["categories"]) == {"efficacy", "indication", "price", "safety",
                                         "regulatory", "evidence", "pressure"}
    assert result["level"] == "low" and result["findings"] == []


@pytest.mark.parametrize("bad, error", [
    (None, InputError), (42, InputError), (b"bytes", InputError), ("", InputError),
    ("   \n\t ", InputError), ("x" * 200_001, InputTooLarge),
])
def test_bad_input_is_a_clear_error(checker, bad, error):
    with pytest.raises(error) as exc:
        checker.check(bad)
    assert exc.value.message


def test_the_package_entry_point_is_the_engine():
    assert check("Our stem cells reverse autism.").level in ("medium", "high")


def test_noisy_or_stays_within_bounds():
    assert noisy_or([]) == 0
    assert noisy_or([1.0, 0.5]) == 1.0
    assert 0 < noisy_or([0.2, 0.2]) < 0.4


# -- context that decides whether a text makes a claim or reports one ------------------------

NEWS_REPORT = (
    "State prosecutors sued a chain of stem cell clinics on Tuesday, saying the company lured "
    "elderly customers with free seminars. The complaint says the clinics promised relief from "
    "arthritis, neuropathy and back pain with umbilical cord injections costing up to $9,000 each. "
    "Regulators have warned that such products are unapproved and can cause infections. Experts "
    "said there is no good evidence the shots work, and several patients told reporters they felt "
    "no better."
)

TRANSPLANT_PAGE = (
    "Your Stem Cell Transplant\n\n"
    "A stem cell transplant replaces blood-forming cells destroyed by disease or by chemotherapy. "
    "Before the transplant you will meet your transplant team and a financial counsellor.\n\n"
    "Finding a donor\n\n"
    "Our donor search coordinator looks for a matched donor in the national registry. A brother "
    "or sister is often the best match.\n\n"
    "Getting ready\n\n"
    "You will need:\n\n"
    "  \u2022 Chemotherapy or radiation, which destroys cancer cells and makes room for new stem cells\n"
    "  \u2022 Medicines so your body does not reject the donor cells\n"
    "  \u2022 A central line for the infusion\n\n"
    "Most patients stay in hospital for three to four weeks after the stem cell infusion."
)

LEGAL_OVERVIEW = (
    "Clinics that offer cell therapy must be licensed by the national health ministry and must meet "
    "national standards for tissue banks. Products that are more than minimally manipulated "
    "require approval before they can be marketed. The law sets out penalties for providers who "
    "advertise unapproved uses."
)


def test_a_news_report_full_of_critique_reads_as_a_report_not_an_advert(rules_checker):
    result = rules_checker.check(NEWS_REPORT)
    assert result.level == "low", [(f.rule, f.text, f.trail) for f in result.findings]
    assert any(step["step"] == "register" and "criticise" in step["cue"]
               for s in result.set_aside for step in s["trail"])


def test_a_transplant_centre_page_is_established_care_as_a_whole(rules_checker):
    result = rules_checker.check(TRANSPLANT_PAGE)
    assert result.level == "low", [(f.rule, f.text, f.trail) for f in result.findings]
    # "cancer cells" is a kind of cell, not cancer offered for treatment
    assert "cancer_general" not in {r["condition"] for r in result.indications}


def test_a_rule_stated_by_a_regulator_or_lawyer_is_not_a_claim(rules_checker):
    result = rules_checker.check(LEGAL_OVERVIEW)
    assert not [f for f in result.findings if f.category == "regulatory"], \
        [(f.rule, f.text) for f in result.findings]


@pytest.mark.parametrize("text", [
    "No cell product has been approved for treating autism or cerebral palsy.",
    "There is no stem cell treatment that has been shown to reverse Parkinson's disease.",
    "Coverage applies only if the injection is not given for wear-and-tear arthritis (osteoarthritis) of the hip.",
    "Scientists worry that cell products reach patients before anyone has proven them safe.",
    "There are no controlled trials of amniotic injections for tendon or cartilage problems.",
    "Regulators have approved only a handful of cell products, such as cord blood for leukaemia.",
    "Stem cells are being investigated for heart failure in a small study at two hospitals.",
])
def test_negations_and_disclaimers_reach_the_whole_clause(rules_checker, text):
    result = rules_checker.check(text)
    assert result.level == "low", [(f.rule, f.text, f.trail) for f in result.findings]


@pytest.mark.parametrize("text", [
    "Autism has no cure for now, but our cord blood infusions will help your child.",
    "While medicine still has no cure for multiple sclerosis, our stem cell infusions calm the disease.",
])
def test_no_cure_but_we_can_help_still_offers_the_treatment(rules_checker, text):
    result = rules_checker.check(text)
    assert result.level in ("medium", "high")
    assert any(f.rule == "indication.unapproved-condition" for f in result.findings)


@pytest.mark.parametrize("text", [
    "Most of our patients report less pain after the first session.",
    "Our treatment has no side effects and patients go home the same day.",
    "90% of patients noticed more energy after the second infusion.",
])
def test_a_short_excerpt_that_names_no_treatment_is_still_read_as_the_clinics(rules_checker, text):
    assert rules_checker.check(text).level in ("medium", "high")


@pytest.mark.parametrize("text", [
    "Cortisone injections can relieve knee pain for several weeks.",
    "Most people with a sprained ankle heal within six weeks with rest and physiotherapy.",
    "Dental implants have a success rate of about 95 percent over ten years.",
    "About 30% of our patients are over 65 and come for routine check-ups.",
    # prices and payment terms of other care are not those of an unproven treatment
    "A single implant with crown costs 2,400 pounds, and interest-free finance is available.",
    "Standard lens surgery costs 2,650 pounds per eye, including aftercare.",
    "Initial physiotherapy assessments are 65 pounds; book online today.",
])
def test_a_short_text_about_conventional_care_is_not_read_as_a_cell_advert(checker, text):
    result = checker.check(text)
    assert result.level == "low", [(f.rule, f.text) for f in result.findings]


def test_the_same_price_for_a_cell_treatment_is_a_red_flag(checker):
    result = checker.check("Our stem cell knee injection costs 2,650 pounds per knee, including aftercare.")
    assert any(f.category == "price" for f in result.findings)


def test_a_treatment_named_only_to_deny_it_is_not_the_context(rules_checker):
    denied = rules_checker.check(
        "Zolgensma is a one-time gene therapy for spinal muscular atrophy, not a stem cell "
        "treatment. It is given as a single infusion after assessment by the national panel. "
        "Liver injury is a known serious risk, so children have regular blood tests.")
    offered = rules_checker.check(
        "Our stem cell treatment for spinal muscular atrophy is given as a single infusion.")
    assert not any(f.category == "indication" for f in denied.findings), \
        [(f.rule, f.text) for f in denied.findings]
    assert any(f.category == "indication" for f in offered.findings)


WARNING_LIST = """Warning signs
Be careful if a clinic's stem cell page says:
- One injection cures many unrelated diseases
- There are no side effects at all
- Only 3 spots left this month
"""


def test_a_list_under_a_warning_heading_is_critique(rules_checker):
    warned = rules_checker.check(WARNING_LIST)
    assert warned.level == "low", [(f.rule, f.text, f.trail) for f in warned.findings]
    assert any(s.get("step") == "critique" for s in warned.set_aside for s in s["trail"])
    # the same lines under a sales heading are the clinic's own claims
    selling = rules_checker.check(WARNING_LIST.replace("Warning signs\nBe careful if a clinic's",
                                                       "Why choose us\nOur"))
    assert selling.level in ("medium", "high")


def test_a_list_of_who_is_not_a_candidate_offers_nothing(rules_checker):
    result = rules_checker.check(
        "PRP injections at our practice\n\nWho is not a good candidate?\n"
        "- Patients with active cancer\n- Patients with blood disorders\n")
    assert not any(f.category == "indication" for f in result.findings), \
        [(f.rule, f.text) for f in result.findings]


def test_a_personal_post_asking_about_a_clinic_is_not_the_clinic_selling(checker):
    post = checker.check(
        "Has anyone here had stem cell injections for their knees? My surgeon says I need a "
        "replacement, and a clinic near me quoted $6,800 and said the cells regrow cartilage. "
        "I'm not sure it's worth it.")
    assert post.level == "low", [(f.rule, f.text) for f in post.findings]
    assert any(s["step"] == "register" and "personal post" in s["cue"]
               for item in post.set_aside for s in item["trail"])
    # a clinic's own FAQ that asks the same question is still the clinic speaking
    faq = checker.check("Has anyone regretted it? Never: our stem cells regrow cartilage, "
                        "and our clinic offers the treatment for $6,800.")
    assert faq.level in ("medium", "high")


def test_new_hope_is_a_promise_not_a_hedge(rules_checker):
    promise = rules_checker.check("Stem cell therapy offers new hope for Parkinson's patients.")
    hedged = rules_checker.check("We hope stem cell therapy will one day help Parkinson's patients.")
    assert promise.score > hedged.score
    assert not any(step["step"] == "hedge" for f in promise.findings for step in f.trail)


def test_a_claim_attributed_to_doctors_is_reported_not_made(rules_checker):
    claim = rules_checker.check("Stem cells restored her sight.")
    reported = rules_checker.check("Stem cells restored her sight, doctors reported.")
    assert reported.score < claim.score
