"""Prices in the result, and the price red-flag rules that fire on them."""

from __future__ import annotations

import shutil

import pytest

from checker.engine import Checker
from checker.core.errors import RuleFileError
from checker.core.paths import RULES_DIR

ISSUE_EXAMPLE = ("Treatment is $15,000 per injection. Book this week for 20% off; a non-refundable "
                 "$2,500 deposit holds your spot. Financing available.")


def rules_of(result) -> set[str]:
    """Rules that produced a finding, or matched the same span as a weightier one."""
    return {f.rule for f in result.findings} | {
        t["rule"] for f in result.findings for t in f.trail if t.get("step") == "also_matched"}


def test_the_issue_example_gives_prices_and_four_kinds_of_red_flag(checker, validate):
    result = checker.check(ISSUE_EXAMPLE)
    validate(ISSUE_EXAMPLE, result.to_dict())
    amounts = [(p["amount"], p["currency"], p["unit"]) for p in result.prices]
    assert (15000.0, "USD", "per_injection") in amounts
    assert (2500.0, "USD", "deposit") in amounts
    assert {"price.high-cash-price", "price.discount-urgency", "price.deposit",
            "price.financing"} <= rules_of(result)
    high = next(f for f in result.findings if f.rule == "price.high-cash-price")
    assert high.severity == "high"
    assert high.details["amount"] == 15000.0 and high.details["usd"] == 15000.0
    assert high.details["rates_date"]
    deposit = next(f for f in result.findings if f.rule == "price.deposit")
    assert deposit.details["amounts"][0]["amount"] == 2500.0
    # the highlighted deposit carries its currency sign
    assert any(f.rule == "price.deposit" and f.text == "$2,500 deposit" for f in result.findings)
    assert result.level == "high"


@pytest.mark.parametrize("text, severity", [
    ("Our stem cell injection costs $600.", "low"),
    ("Our stem cell injection costs $2,400.", "medium"),
    ("Our stem cell injection costs $12,000.", "high"),
    ("Exosome facial: from €9.500 per session.", "high"),          # 9,500 EUR is over $10,000
    ("Stem cell therapy for knees: 2 lakh rupees per knee.", "low"),   # about $2,260? no: 200,000 INR
])
def test_the_severity_ramp_follows_the_usd_estimate(checker, text, severity):
    findings = [f for f in checker.check(text).findings if f.rule == "price.high-cash-price"]
    assert findings, text
    expected = severity
    if "lakh" in text:  # 200,000 INR at the table's rate
        usd = findings[0].details["usd"]
        expected = "high" if usd >= 10000 else "medium" if usd >= 2000 else "low"
    assert findings[0].severity == expected


@pytest.mark.parametrize("text", [
    "The consultation fee for our stem cell clinic is $150.",
    "Hospital price transparency list: MRI knee without contrast, CPT code 73721, $1,250.",
    "Allogeneic stem cell transplant for acute myeloid leukaemia is covered by insurance; your copay is $250.",
    "The gene therapy Casgevy has a list price of $2.2 million, Reuters reported.",
    "Private cord blood banking costs about $2,000 plus an annual storage fee of $150.",
])
def test_prices_that_are_not_red_flags_by_themselves(checker, text):
    result = checker.check(text)
    assert "price.high-cash-price" not in rules_of(result)
    assert result.level == "low", [(f.rule, f.text) for f in result.findings]


def test_every_price_is_listed_with_offsets_into_the_original(checker, validate):
    text = "Stem cells:\u00a0US$ 8,500 per vial, or 3 vials for $21,000 \u2014 approx. \u20ac19.000."
    result = checker.check(text)
    validate(text, result.to_dict())
    assert [p["text"] for p in result.prices] == ["US$ 8,500", "$21,000", "\u20ac19.000"]
    assert all(text[p["start"]:p["end"]] == p["text"] for p in result.prices)


def test_price_per_million_cells_is_its_own_red_flag(checker):
    result = checker.check("MSC infusions are $5,000 per 100 million cells.")
    assert "price.per-million-cells" in rules_of(result)


def test_thresholds_live_in_the_rule_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    price = rules / "price.yaml"
    price.write_text(price.read_text().replace("{min_usd: 10000, severity: high}",
                                               "{min_usd: 100000, severity: high}"))
    result = Checker(rules_dir=rules, classifier=False).check("Our stem cell injection costs $12,000.")
    finding = next(f for f in result.findings if f.rule == "price.high-cash-price")
    assert finding.severity == "medium"


@pytest.mark.parametrize("bad, problem", [
    ("{min_usd: 10000, severity: high}", "{min_usd: 1000, severity: high}"),
    ("{min_usd: 10000, severity: high}", "{min_usd: 10000, severity: enormous}"),
    ("exclude_units: [consultation, deposit]", "exclude_units: [per_fortnight]"),
])
def test_a_bad_price_condition_stops_start_up(tmp_path, bad, problem):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    price = rules / "price.yaml"
    assert bad in price.read_text()
    price.write_text(price.read_text().replace(bad, problem))
    with pytest.raises(RuleFileError) as err:
        Checker(rules_dir=rules, classifier=False)
    assert "price.yaml" in str(err.value) and "price.high-cash-price" in str(err.value)
