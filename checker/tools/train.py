"""Training the claim classifier from ``corpus/``: the data, the pipeline, cross-validation,
thresholds, and the model card.

* ``load_corpus`` reads ``corpus/training/*.jsonl`` (text, labels, source, note).
* ``build_pipeline`` is a named ``Pipeline``: word 1-2-grams and character 2-5-grams (TF-IDF),
  then one-vs-rest logistic regression with sigmoid-calibrated probabilities, one per category.
* ``train`` fits it with fixed seeds, cross-validates it, picks a decision threshold per
  category, and ``save`` writes it with skops beside a model card (Markdown and JSON).

Nothing here downloads anything; the model is trained from our own corpus in seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from checker.core.errors import ModelError
from checker.core.modelfiles import dump_reproducibly, file_sha256, one_thread
from checker.core.paths import MODELS_DIR, ROOT
from checker.core.result import CATEGORIES
from checker.detect.claim_model import (CARD_JSON, CARD_MD, CODE_FILES, MODEL_FILE,
                                        SEED, TRAINING_DIR)

log = logging.getLogger(__name__)

# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    source: str
    file: str


def training_files(directory: Path = TRAINING_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_corpus(directory: Path = TRAINING_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in training_files(directory):
        for n, line in enumerate(path.read_text(encoding="utf8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                labels = tuple(record["labels"])
                text = record["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ModelError(f"{path.name}:{n}: not a training record ({exc})") from None
            unknown = set(labels) - set(CATEGORIES)
            if unknown:
                raise ModelError(f"{path.name}:{n}: unknown label(s) {sorted(unknown)}")
            examples.append(Example(text, labels, record.get("source", ""), path.name))
    if not examples:
        raise ModelError(f"no training sentences in {directory}")
    return examples


def corpus_hash(directory: Path = TRAINING_DIR) -> str:
    digest = hashlib.sha256()
    for path in training_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def code_hash() -> str:
    digest = hashlib.sha256()
    for name in CODE_FILES:
        digest.update((ROOT / name).read_bytes())
    return "sha256:" + digest.hexdigest()


def label_matrix(examples: Iterable[Example]) -> np.ndarray:
    return np.array([[c in e.labels for c in CATEGORIES] for e in examples], dtype=np.int8)


# -- the model -------------------------------------------------------------------------------


def build_pipeline(seed: int = SEED):
    """The named pipeline: features, then one calibrated linear model per category."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2,
                                  sublinear_tf=True, token_pattern=r"(?u)\b\w[\w'-]*\b",
                                  dtype=np.float64)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5),
                                  min_df=3, sublinear_tf=True, max_features=20000,
                                  dtype=np.float64)),
    ])
    linear = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear",
                                max_iter=1000, random_state=seed)
    model = OneVsRestClassifier(
        CalibratedClassifierCV(linear, method="sigmoid", cv=3, ensemble=False))
    return Pipeline([("features", features), ("model", model)])


def _cross_validated_probabilities(texts: list[str], y: np.ndarray, seed: int, folds: int = 5
                                   ) -> np.ndarray:
    from sklearn.model_selection import KFold

    out = np.zeros(y.shape, dtype=float)
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=seed).split(texts):
        pipe = build_pipeline(seed)
        with one_thread():
            pipe.fit([texts[i] for i in train_idx], y[train_idx])
        out[test_idx] = pipe.predict_proba([texts[i] for i in test_idx])
    return out


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(gold & pred))
    fp = int(np.sum(~gold & pred))
    fn = int(np.sum(gold & ~pred))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "support": int(np.sum(gold))}


def choose_thresholds(y: np.ndarray, proba: np.ndarray, min_precision: float = 0.8
                      ) -> dict[str, float]:
    """Per category, the lowest threshold whose cross-validated precision reaches the floor.

    Lower thresholds find more claims; the floor keeps false alarms rare. Where no threshold
    reaches it, the one with the best F1 is used.
    """
    thresholds = {}
    grid = np.round(np.arange(0.30, 0.96, 0.05), 2)
    for k, category in enumerate(CATEGORIES):
        gold = y[:, k].astype(bool)
        best_f1, best_t, chosen = -1.0, 0.5, None
        for t in grid:
            m = _prf(gold, proba[:, k] >= t)
            if m["f1"] > best_f1:
                best_f1, best_t = m["f1"], float(t)
            if chosen is None and m["precision"] >= min_precision:
                chosen = float(t)
        thresholds[category] = chosen if chosen is not None else best_t
    return thresholds


@dataclass
class TrainingReport:
    card: dict[str, Any]
    pipeline: Any


def train(directory: Path = TRAINING_DIR, seed: int = SEED, folds: int = 5) -> TrainingReport:
    """Fit the pipeline on the whole corpus, with cross-validated figures for the card."""
    import sklearn

    examples = load_corpus(directory)
    texts = [e.text for e in examples]
    y = label_matrix(examples)
    started = time.perf_counter()
    proba = _cross_validated_probabilities(texts, y, seed, folds)
    thresholds = choose_thresholds(y, proba)
    cv = {c: _prf(y[:, k].astype(bool), proba[:, k] >= thresholds[c])
          for k, c in enumerate(CATEGORIES)}
    cv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with one_thread():
        pipeline = build_pipeline(seed).fit(texts, y)
    fit_seconds = time.perf_counter() - started
    for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
        # Only kept for introspection, and it lists every pruned n-gram: megabytes for nothing.
        vectorizer.stop_words_ = None
        # numpy integers would each become a file in the skops archive; plain ints are JSON.
        vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
    counts = {c: int(y[:, k].sum()) for k, c in enumerate(CATEGORIES)}
    card = {
        "model": MODEL_FILE,
        "trained": time.strftime("%Y-%m-%d"),
        "seed": seed,
        "sklearn": sklearn.__version__,
        "data": {
            "sentences": len(examples),
            "negatives": int((y.sum(axis=1) == 0).sum()),
            "per_category": counts,
            "files": {p.name: sum(1 for e in examples if e.file == p.name)
                      for p in training_files(directory)},
            "hash": corpus_hash(directory),
        },
        "code_hash": code_hash(),
        "thresholds": thresholds,
        "cross_validation": {"folds": folds, "per_category": cv},
        "training_seconds": round(fit_seconds, 2),
        "cross_validation_seconds": round(cv_seconds, 2),
    }
    return TrainingReport(card, pipeline)


def save(report: TrainingReport, models_dir: Path = MODELS_DIR) -> Path:
    models_dir.mkdir(parents=True, exist_ok=True)
    path = dump_reproducibly(report.pipeline, models_dir / MODEL_FILE)
    report.card["size_bytes"] = path.stat().st_size
    report.card["file_sha256"] = file_sha256(path)
    (models_dir / CARD_JSON).write_text(json.dumps(report.card, indent=2, sort_keys=True) + "\n")
    (models_dir / CARD_MD).write_text(card_markdown(report.card))
    return path


def card_markdown(card: dict[str, Any]) -> str:
    data = card["data"]
    lines = [
        "# Model card: claim classifier",
        "",
        "A sentence classifier that catches the claims the rules did not foresee. It is one part",
        "of the Clinic Claim Checker; its findings are marked `origin: \"classifier\"` and carry",
        "their probability and the n-grams that drove it.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `models/{card['model']}` (skops; {card.get('size_bytes', 0):,} bytes) |",
        f"| trained | {card['trained']} with scikit-learn {card['sklearn']}, seed {card['seed']} |",
        f"| training time | {card['training_seconds']} s (cross-validation {card['cross_validation_seconds']} s) |",
        f"| training data | {data['sentences']:,} sentences ({data['negatives']:,} with no label), `{data['hash'][:23]}...` |",
        f"| code | `{card['code_hash'][:23]}...` (checker/classifier.py) |",
        "",
        "## Model",
        "",
        "Word 1-2-grams and character 2-5-grams (TF-IDF, sublinear), one logistic regression per",
        "category (one-vs-rest, class-balanced), probabilities calibrated with a sigmoid fitted on",
        "3-fold cross-validated scores. Explanations pair each feature with its coefficient.",
        "",
        "## Training data",
        "",
        "Written for this project (see `corpus/training/README.md`); nothing from `../shared/data`.",
        "",
        "| category | sentences |",
        "|---|---|",
    ]
    lines += [f"| {c} | {n} |" for c, n in data["per_category"].items()]
    lines += ["", "| file | sentences |", "|---|---|"]
    lines += [f"| {f} | {n} |" for f, n in data["files"].items()]
    cv = card["cross_validation"]
    lines += ["", f"## Cross-validated, {cv['folds']} folds (sentence level)", "",
              "| category | threshold | precision | recall | F1 | support |", "|---|---|---|---|---|---|"]
    for c, m in cv["per_category"].items():
        lines.append(f"| {c} | {card['thresholds'][c]:.2f} | {m['precision']:.3f} | "
                     f"{m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    dev = card.get("dev_real")
    if dev:
        lines += ["", "## On real adverts: `../shared/data/dev_real.jsonl` (document level)", "",
                  f"Measured {dev.get('measured', '')} with `python -m checker evaluate`; a",
                  "document is flagged when its level is medium or high; a category is predicted",
                  "when the document has a finding of that category.", ""]
        for mode in ("rules", "rules_and_classifier"):
            if mode not in dev:
                continue
            d = dev[mode]["document"]
            lines += [f"### {mode.replace('_', ' ')}", "",
                      f"documents {dev[mode]['documents']}: precision {d['precision']:.3f}, "
                      f"recall {d['recall']:.3f}, F1 {d['f1']:.3f}, false-positive rate "
                      f"{d['false_positive_rate']:.3f}", "",
                      "| category | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            for c, m in dev[mode]["categories"].items():
                lines.append(f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | "
                             f"{m['f1']:.3f} | {m['support']} |")
            lines.append("")
    lines += ["", "## Limits", "",
              "* It reads single sentences: a claim spread over two sentences is seen in halves.",
              "* It learned from sentences we wrote; real adverts differ, so the dev-set figures",
              "  above are the honest measure, and the held-out set will differ again.",
              "* Its findings never stand alone as proof: they say which words made the model",
              "  think so, and hedges and the register of the whole text still weigh them.", ""]
    return "\n".join(lines)

