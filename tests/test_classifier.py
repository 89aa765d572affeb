"""The claim classifier: shipped model matches its corpus, loads safely, explains its findings."""

from __future__ import annotations

import json
import shutil

import pytest

from checker.detect import claim_model
from checker.tools import train as clf
from checker.engine import Checker
from checker.core.errors import ModelError
from checker.core.paths import MODELS_DIR


def test_the_shipped_model_matches_the_training_corpus():
    card = json.loads((MODELS_DIR / clf.CARD_JSON).read_text())
    assert card["data"]["hash"] == clf.corpus_hash(), \
        "corpus/training changed since the model was trained: run python -m checker train"


def test_the_model_card_reports_counts_cross_validation_date_and_hashes():
    card = json.loads((MODELS_DIR / clf.CARD_JSON).read_text())
    assert card["data"]["sentences"] >= 3000
    assert set(card["cross_validation"]["per_category"]) == set(clf.CATEGORIES)
    for metrics in card["cross_validation"]["per_category"].values():
        assert {"precision", "recall", "f1", "support"} <= set(metrics)
        assert metrics["support"] >= 150
    assert card["trained"] and card["code_hash"].startswith("sha256:")
    markdown = (MODELS_DIR / clf.CARD_MD).read_text()
    assert "Cross-validated" in markdown and card["data"]["hash"][:23] in markdown


def test_the_corpus_has_every_category_and_many_hard_negatives():
    examples = clf.load_corpus()
    assert len(examples) >= 3000
    negatives = sum(1 for e in examples if not e.labels)
    assert negatives >= 1000
    for category in clf.CATEGORIES:
        assert sum(category in e.labels for e in examples) >= 200, category


def test_a_classifier_finding_says_which_ngrams_drove_it(checker):
    text = "Kids on our cord blood protocol start making eye contact within weeks."
    result = checker.check(text)
    found = [f for f in result.findings if f.origin == "classifier"]
    assert found, [(f.rule, f.origin) for f in result.findings]
    f = found[0]
    step = f.trail[0]
    assert step["step"] == "classifier" and step["features"]
    assert 0 < f.confidence <= 1 and step["probability"] >= step["threshold"]
    assert any(c.quote for c in f.citations)
    assert text[f.start:f.end] == f.text
    assert result.versions["model"].startswith(clf.MODEL_FILE)


def test_the_classifier_does_not_repeat_what_a_rule_found(checker):
    result = checker.check("Our stem cells cure autism.")
    categories = [f.category for f in result.findings]
    assert categories.count("efficacy") == 1
    assert next(f for f in result.findings if f.category == "efficacy").origin == "rule"


def test_rules_only_mode_has_no_classifier_findings():
    result = Checker(classifier=False).check("Kids on our cord blood protocol start making eye contact.")
    assert all(f.origin == "rule" for f in result.findings)
    assert result.versions["model"] == "none"


@pytest.mark.parametrize("damage", ["missing", "corrupt", "card"])
def test_a_missing_or_corrupt_model_is_a_clear_error(tmp_path, damage):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    if damage == "missing":
        (models / clf.MODEL_FILE).unlink()
    elif damage == "corrupt":
        data = bytearray((models / clf.MODEL_FILE).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (models / clf.MODEL_FILE).write_bytes(bytes(data))
    else:
        (models / clf.CARD_JSON).write_text("{not json")
    with pytest.raises(ModelError) as err:
        Checker(models_dir=models)
    assert "python -m checker train" in str(err.value)


def test_a_model_file_with_untrusted_types_is_refused(tmp_path, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    # skops trusts plain scikit-learn types itself; the calibration internals need our list.
    monkeypatch.setattr(claim_model, "TRUSTED_TYPES",
                        [t for t in claim_model.TRUSTED_TYPES if "calibration" not in t])
    with pytest.raises(ModelError, match="do not trust"):
        claim_model.ClaimModel.load(models)
