"""Every rule's own examples: each must_flag sentence fires the rule, each must_pass does not."""

from __future__ import annotations

import pytest

from checker.detect.rules import default_rules

_BOOK = default_rules()
FLAG = [(r.id, s) for r in _BOOK.rules.values() for s in r.spec.examples.must_flag]
PASS = [(r.id, s) for r in _BOOK.rules.values() for s in r.spec.examples.must_pass]


def _fired(result, rule_id: str) -> bool:
    """The rule produced a finding, or matched the same span as a weightier finding."""
    return any(f.rule == rule_id or any(t.get("step") == "also_matched" and t.get("rule") == rule_id
                                        for t in f.trail)
               for f in result.findings)


def _uses_model(rule_id: str) -> bool:
    detector = _BOOK.rules[rule_id].spec.detector
    return detector is not None and detector.name == "classifier"


@pytest.mark.parametrize("rule_id, sentence", FLAG, ids=[f"{r}:{i}" for i, (r, _) in enumerate(FLAG)])
def test_must_flag(rules_checker, checker, rule_id, sentence):
    if _uses_model(rule_id):
        # The model only speaks where no rule already found the category.
        result = checker.check(sentence)
        category = _BOOK.rules[rule_id].category
        assert _fired(result, rule_id) or any(f.category == category for f in result.findings), \
            [(f.rule, f.text) for f in result.findings]
        return
    result = rules_checker.check(sentence)
    assert _fired(result, rule_id), [(f.rule, f.text) for f in result.findings]


@pytest.mark.parametrize("rule_id, sentence", PASS, ids=[f"{r}:{i}" for i, (r, _) in enumerate(PASS)])
def test_must_pass(rules_checker, checker, rule_id, sentence):
    result = (checker if _uses_model(rule_id) else rules_checker).check(sentence)
    assert not any(f.rule == rule_id for f in result.findings), \
        [(f.rule, f.text, f.trail) for f in result.findings if f.rule == rule_id]


def test_every_rule_has_examples_of_both_kinds():
    for rule in _BOOK.rules.values():
        assert rule.spec.examples.must_flag and rule.spec.examples.must_pass, rule.id
