"""Indications: conditions offered vs mentioned, and what regulators approved where."""

from __future__ import annotations

import pytest

from checker.core.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()


def statuses(result) -> dict[str, tuple[str, bool]]:
    return {r["condition"]: (r["status"], r["offered"]) for r in result.indications}


def test_the_issue_example_lists_three_unapproved_conditions(checker, validate):
    text = "We treat autism, cerebral palsy and multiple sclerosis with umbilical cord stem cells"
    result = checker.check(text)
    validate(text, result.to_dict())
    assert statuses(result) == {
        "autism": ("no_approval", True),
        "cerebral_palsy": ("no_approval", True),
        "multiple_sclerosis": ("no_approval", True),
    }
    findings = [f for f in result.findings if f.rule == "indication.unapproved-condition"]
    assert {f.text for f in findings} == {"autism", "cerebral palsy", "multiple sclerosis"}
    for f in findings:
        assert any(c.url and "fda.gov" in c.url for c in f.citations)
        assert any(c.passage == "incurable-diseases" for c in f.citations)


HSCT_PAGE = (
    "Allogeneic Hematopoietic Stem Cell Transplantation for Acute Myeloid Leukemia\n\n"
    "Allogeneic hematopoietic stem cell transplantation (HSCT) is a standard treatment for adults "
    "with acute myeloid leukemia (AML) in first remission. Before the transplant, patients receive "
    "conditioning chemotherapy. Stem cells from a matched sibling, an unrelated donor or a cord "
    "blood unit are then infused. Risks include infection, graft-versus-host disease and relapse."
)


def test_a_transplant_centre_describing_hsct_for_aml_lists_no_unapproved_condition(checker):
    result = checker.check(HSCT_PAGE)
    assert result.indications
    assert all(r["status"] in ("approved", "established_care") or not r["offered"]
               for r in result.indications)
    assert not [f for f in result.findings if f.category == "indication"]
    assert result.level == "low"
    aml = next(r for r in result.indications if r["condition"] == "aml")
    assert aml["status"] == "established_care"
    assert aml["approvals"] and all(a["source"].startswith("http") for a in aml["approvals"])


@pytest.mark.parametrize("text, condition, product", [
    ("Our clinic treats spinal cord injury with your own stem cells.", "spinal_cord_injury", "Stemirac"),
    ("Stem cell injections for knee osteoarthritis at our clinic.", "knee_osteoarthritis", "Cartistem"),
    ("We offer stem cell therapy for Parkinson's disease.", "parkinsons", "Amchepry"),
    ("Stem cell treatment for ALS is available in our Seoul partner clinic.", "als", "NeuroNata-R"),
])
def test_approved_elsewhere_names_the_product_jurisdiction_type_and_year(checker, text, condition, product):
    result = checker.check(text)
    assert statuses(result)[condition] == ("approved_elsewhere", True)
    finding = next(f for f in result.findings if f.rule == "indication.approved-elsewhere")
    assert product.lower() in finding.explanation.lower()
    assert "not that product" in finding.explanation
    assert any(c.url for c in finding.citations if c.source != "editorial")
    approval = next(a for a in finding.details["approvals"] if product.lower() in a["product"].lower())
    assert approval["jurisdiction"] and approval["type"] and approval["source"]


@pytest.mark.parametrize("text", [
    "Stem cell treatments are not approved for autism or cerebral palsy.",          # disclaimer
    "Regenerative medicine therapies have not been approved to treat autism or ALS.",
    "Can stem cells help children with autism?",                                    # question
    "A clinic in Florida was sued for selling stem cells for autism, the FTC said.",  # news/critique
    "Researchers are testing stem cells for ALS in an early-phase clinical trial.",  # research
])
def test_mentioned_but_not_offered(checker, text):
    result = checker.check(text)
    assert result.indications, "the condition is still listed as mentioned"
    assert not [f for f in result.findings if f.rule.startswith("indication.")], \
        [(f.rule, f.text, f.trail) for f in result.findings]


def test_a_list_under_conditions_we_treat_is_an_offer(checker):
    text = ("Regenerative Stem Cell Institute\n\nConditions we treat:\n• Autism\n• COPD\n"
            "• Erectile dysfunction\n• Lupus\n")
    result = checker.check(text)
    offered = {r["condition"] for r in result.indications if r["offered"]}
    assert {"autism", "copd", "erectile_dysfunction", "lupus"} <= offered
    assert any(f.rule == "evidence.many-unrelated-conditions" for f in result.findings)


def test_a_heading_and_its_paragraph_is_an_offer(checker):
    text = ("Stem Cell Therapy for Lupus\n\nLupus is an autoimmune disease that affects many "
            "organs. Patients come to us from all over the world.")
    result = checker.check(text)
    assert statuses(result)["lupus"] == ("no_approval", True)


def test_one_product_for_three_organ_systems_is_an_evidence_finding(checker):
    result = checker.check("Our umbilical cord stem cells treat autism, COPD and erectile dysfunction.")
    finding = next(f for f in result.findings if f.rule == "evidence.many-unrelated-conditions")
    assert len(finding.details["systems"]) >= 3


def test_two_organ_systems_are_not_enough(checker):
    result = checker.check("We treat knee arthritis and hip arthritis with stem cells.")
    assert not any(f.rule == "evidence.many-unrelated-conditions" for f in result.findings)


def test_abbreviations_are_case_sensitive(checker):
    assert "multiple_sclerosis" in statuses(checker.check("Stem cell therapy for MS patients."))
    assert "multiple_sclerosis" not in statuses(checker.check("Stem cell results in ms or seconds."))


def test_the_lexicon_is_large_and_consistent():
    conditions = KNOWLEDGE.conditions
    assert len(conditions) >= 150
    for must in ("autism", "als", "multiple_sclerosis", "copd", "spinal_cord_injury",
                 "traumatic_brain_injury", "cerebral_palsy", "type_1_diabetes", "type_2_diabetes",
                 "erectile_dysfunction", "hair_loss", "long_covid", "macular_degeneration"):
        assert must in conditions, must
    seen: dict[str, str] = {}
    for cid, c in conditions.items():
        assert c.system in KNOWLEDGE.systems
        for term in c.terms:
            assert term not in seen, f"{term!r} in {seen.get(term)} and {cid}"
            seen[term] = cid


def test_every_approval_keeps_its_source():
    for approvals in KNOWLEDGE.approvals.values():
        for a in approvals:
            assert a.source.startswith("http"), a
            assert a.jurisdiction and a.type in ("full", "conditional", "standard_of_care")


SHARED_CSV = __import__("checker.core.paths", fromlist=["ROOT"]).ROOT.parent / "shared" / "data" / "approved_therapies.csv"


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="../shared/data is not beside this checkout")
def test_the_knowledge_base_keeps_every_csv_row_verbatim_with_its_source():
    import csv

    from checker.core import yamlio
    from checker.core.knowledge import THERAPIES_FILE

    rows = list(csv.DictReader(SHARED_CSV.open(encoding="utf8")))
    therapies = yamlio.load_path(THERAPIES_FILE)["therapies"]
    assert len(therapies) == len(rows)
    for row, t in zip(rows, therapies):
        assert t["product"] == row["product"]
        assert t["indication"] == row["approved indication"]
        assert t["source"] == row["source URL"]
        assert t["regulator"] == row["regulator/jurisdiction"]


# -- offered vs mentioned: how clinics actually word their offers ----------------------------

def test_a_shared_head_word_names_every_condition_of_the_list(checker):
    result = checker.check("We treat heart, lung and kidney disease with exosome infusions.")
    offered = {r["condition"] for r in result.indications if r["offered"]}
    assert {"heart_disease_general", "lung_disease_general", "chronic_kidney_disease"} <= offered


def test_an_offer_in_the_sentence_after_the_treatment_is_named_is_an_offer(checker):
    text = ("Our clinic uses cord tissue cells from healthy donors. They are ideal for "
            "treating arthritis and sports injuries.")
    result = checker.check(text)
    assert statuses(result)["sports_injuries"] == ("no_approval", True)


def test_cancer_cells_are_cells_not_an_offer_to_treat_cancer(checker):
    result = checker.check("Chemotherapy kills cancer cells before the stem cell transplant.")
    assert "cancer_general" not in statuses(result)


def test_established_care_needs_no_product_approval_to_be_established(checker):
    text = ("Allogeneic stem cell transplant is the only curative option for myelofibrosis, and your "
            "haematologist will discuss the risks of conditioning chemotherapy.")
    result = checker.check(text)
    assert statuses(result)["myelofibrosis"][0] == "approved"
    assert not [f for f in result.findings if f.category == "indication"]


def test_a_transplant_named_beside_an_unapproved_use_does_not_soften_it(rules_checker):
    result = rules_checker.check("We now offer an autologous stem cell transplant for autism and lupus.")
    findings = [f for f in result.findings if f.rule == "indication.unapproved-condition"]
    assert {f.text for f in findings} == {"autism", "lupus"}
    assert all(f.confidence == 1 for f in findings)
