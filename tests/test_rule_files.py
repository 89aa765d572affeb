"""Rule files are validated when they load: a broken file names itself, the rule and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.core.errors import RuleFileError
from checker.core.paths import RULES_DIR
from checker.detect.rules import load_rules

GOOD_RULE = """\
category: efficacy
rules:
  - id: efficacy.test-rule
    severity: high
    message: A plain sentence that a patient understands easily.
    phrases: [miracle juice]
    citations: {editorial: [quackery-problem]}
    examples: {must_flag: [Drink the miracle juice.], must_pass: [Drink water.]}
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A copy of the real rules folder to break."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def test_the_shipped_rules_load(rules_dir):
    book = load_rules(rules_dir)
    assert len(book.rules) >= 30
    assert {r.category for r in book.rules.values()} == {
        "efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure"}


@pytest.mark.parametrize("replace, new, rule_id, problem", [
    ("severity: high", "severity: extreme", "efficacy.test-rule", "severity"),
    ("    message: A plain sentence that a patient understands easily.\n", "", "efficacy.test-rule", "message"),
    ("message: A plain sentence that a patient understands easily.", "message: Too short.", "efficacy.test-rule", "message"),
    ("id: efficacy.test-rule", "id: Efficacy Test", "Efficacy Test", "id"),
    ("id: efficacy.test-rule", "id: safety.test-rule", "safety.test-rule", "must start with 'efficacy.'"),
    ("[quackery-problem]", "[no-such-passage]", "efficacy.test-rule", "no-such-passage"),
    ("citations: {editorial: [quackery-problem]}", "citations: {editorial: []}", "efficacy.test-rule", "citations.editorial"),
    ("phrases: [miracle juice]", "regex: ['(a+)+b']", "efficacy.test-rule", "unbounded"),
    ("phrases: [miracle juice]", "regex: ['(a{1,999}){1,999}']", "efficacy.test-rule", "steps at one position"),
    ("phrases: [miracle juice]", "regex: ['(unclosed']", "efficacy.test-rule", "regex"),
    ("phrases: [miracle juice]", "patterns: [[{LOWER: {IN: [risk-free]}}]]", "efficacy.test-rule", "split by the tokenizer"),
    ("phrases: [miracle juice]", "patterns: [[{NOT_AN_ATTR: cure}]]", "efficacy.test-rule", "bad pattern"),
    ("phrases: [miracle juice]", "", "efficacy.test-rule", "at least one of"),
    ("    examples: {must_flag: [Drink the miracle juice.], must_pass: [Drink water.]}\n", "", "efficacy.test-rule", "examples"),
    ("    examples: {must_flag: [Drink the miracle juice.], must_pass: [Drink water.]}", "    examples: {must_flag: [], must_pass: [Drink water.]}", "efficacy.test-rule", "must_flag"),
    ("    phrases: [miracle juice]", "    phrases: [miracle juice]\n    colour: red", "efficacy.test-rule", "colour"),
])
def test_a_broken_rule_names_file_rule_and_problem(rules_dir, replace, new, rule_id, problem):
    assert replace in GOOD_RULE
    (rules_dir / "zz_broken.yaml").write_text(GOOD_RULE.replace(replace, new))
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_dir)
    message = str(err.value)
    assert "zz_broken.yaml" in message
    assert rule_id in message
    assert problem in message


@pytest.mark.parametrize("content, problem", [
    ("category: efficacy\nrules: [\n", "not valid YAML"),
    ("- just\n- a list\n", "expected a mapping"),
    ("category: gossip\nrules: []\n", "category"),
    ("category: efficacy\nrules: []\n", "rules"),
])
def test_a_broken_file_names_itself(rules_dir, content, problem):
    (rules_dir / "zz_broken.yaml").write_text(content)
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_dir)
    assert "zz_broken.yaml" in str(err.value)
    assert problem in str(err.value)


def test_a_duplicate_id_across_files_is_refused(rules_dir):
    (rules_dir / "zz_one.yaml").write_text(GOOD_RULE)
    (rules_dir / "zz_two.yaml").write_text(GOOD_RULE)
    with pytest.raises(RuleFileError, match="already used in zz_one.yaml"):
        load_rules(rules_dir)


def test_a_broken_context_file_stops_start_up(rules_dir):
    path = rules_dir / "context.yaml"
    path.write_text(path.read_text().replace("  factor: 0.0\n", "  factor: 7\n", 1))
    with pytest.raises(RuleFileError, match="context.yaml"):
        load_rules(rules_dir)


def test_an_unquoted_no_stays_a_word(rules_dir):
    # YAML 1.1 would read `no` as false; our loader keeps YAML 1.2 booleans only.
    (rules_dir / "zz_ok.yaml").write_text(GOOD_RULE.replace(
        "phrases: [miracle juice]", "patterns: [[{LOWER: no}, {LOWER: downtime}]]"))
    book = load_rules(rules_dir)
    assert book.rules["efficacy.test-rule"].spec.patterns[0][0]["LOWER"] == "no"


SHARED_LIST_RULES = """\
category: efficacy
phrase_lists:
  duties: [must be, has to be]
rules:
  - id: efficacy.test-rule
    severity: high
    message: A plain sentence that a patient understands easily.
    phrases: [miracle juice]
    unless: ['@duties', only certain]
    citations: {editorial: [quackery-problem]}
    examples: {must_flag: [Drink the miracle juice.], must_pass: [Drink water.]}
"""


def test_a_rule_names_a_shared_phrase_list_and_it_cancels_like_its_own_phrases(rules_dir):
    from checker.engine import Checker

    (rules_dir / "zz_shared.yaml").write_text(SHARED_LIST_RULES)
    book = load_rules(rules_dir)
    assert book.rules["efficacy.test-rule"].spec.unless == ["must be", "has to be", "only certain"]
    checker = Checker(rules_dir=rules_dir, classifier=False)
    fired = lambda text: "efficacy.test-rule" in {f.rule for f in checker.check(text).findings}
    assert fired("Our stem cell clinic sells the miracle juice.")
    assert not fired("Our stem cell clinic says the miracle juice has to be tested first.")
    assert not fired("Our stem cell clinic says only certain people need the miracle juice.")


def test_an_unknown_shared_phrase_list_names_the_rule_and_the_lists(rules_dir):
    (rules_dir / "zz_shared.yaml").write_text(SHARED_LIST_RULES.replace("'@duties'", "'@dutys'"))
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_dir)
    message = str(err.value)
    assert "zz_shared.yaml" in message and "efficacy.test-rule" in message
    assert "'@dutys'" in message and "duties" in message
