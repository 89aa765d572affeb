"""Citations are verbatim and credited; every rule cites the editorial; the coverage table is true."""

from __future__ import annotations

import re

import pytest

from checker.core.guidance import editorial_text, fold_whitespace, load_guidance
from checker.core.paths import DOCS_DIR
from checker.detect.rules import default_rules
from checker.tools.coverage import coverage_markdown

GUIDANCE = load_guidance()


@pytest.mark.parametrize("passage_id", sorted(GUIDANCE.passages))
def test_every_quote_is_verbatim(passage_id):
    quote = GUIDANCE.passages[passage_id].quote
    assert fold_whitespace(quote) in editorial_text()


def test_the_credit_line_names_authors_title_journal_year_and_licence():
    credit = GUIDANCE.credit
    for part in ("Choudhery", "Umezawa", "Stem cells as biological drugs for incurable diseases",
                 "Stem Cell Research & Therapy", "2025", "CC BY 4.0"):
        assert part in credit


def test_every_rule_cites_at_least_one_passage_with_its_credit():
    for rule in default_rules().rules.values():
        quoted = [c for c in rule.citations if c.quote]
        assert quoted, rule.id
        for c in quoted:
            assert c.credit == GUIDANCE.credit
            assert fold_whitespace(c.quote) in editorial_text()


def test_regulator_sources_have_urls():
    for source in GUIDANCE.regulators.values():
        assert re.match(r"https://", source.url), source.id


def test_every_finding_quote_in_a_result_is_verbatim(checker):
    from tests.conftest import SAMPLES
    for path in SAMPLES:
        for finding in checker.check(path.read_text()).findings:
            for c in finding.citations:
                if c.quote:
                    assert fold_whitespace(c.quote) in editorial_text()
                    assert c.credit


def test_the_coverage_table_in_docs_is_up_to_date(checker):
    from checker.tools.coverage import AUDIT_HEADING
    from checker.tools.train_speaker import corpus_hash

    expected = coverage_markdown(default_rules(), GUIDANCE)
    actual = (DOCS_DIR / "coverage.md").read_text()
    hint = "run: python -m checker docs (regenerates docs/coverage.md)"
    assert actual.startswith(expected + "\n" + AUDIT_HEADING), hint
    audit = actual[len(expected):]
    for stamp in (checker.versions["rules"], checker.versions["model"],
                  checker.versions["speaker"], corpus_hash()):
        assert f"`{stamp}`" in audit, hint
    assert audit.count("\n| `") >= 50    # a row for (nearly) every rule
