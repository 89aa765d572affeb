"""Training the speaker model from ``corpus/real/`` (checker.detect.speaker), with its card.

* The label: seller (a clinic, broker or supplier, or a patient recommending one) or informer.
* The model: TF-IDF word 1-2-grams (min_df 2, max_df 0.9, sublinear tf) and a logistic
  regression (C=4, balanced classes, liblinear), fixed seeds: the same corpus gives the same file.
* Cross-validation grouped by web domain (StratifiedGroupKFold, 5 folds): a model that has seen
  a site's other pages would look better than it is. The card records it, the top words of each
  side, the corpus's hash, and the file's sha256.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from checker.core.modelfiles import dump_reproducibly, file_sha256, one_thread
from checker.core.paths import MODELS_DIR
from checker.core.text import prepare
from checker.decide.findings import SELLER_FACTOR, SPEAKER_FACTOR
from checker.detect.speaker import (INFORMING_BELOW, SELLING_FROM, SPEAKER_CARD, SPEAKER_CARD_MD,
                                     SPEAKER_FILE, is_seller)
from checker.tools.corpus_real import FILES, REAL_DIR, records

SEED = 20251008
FOLDS = 5


def build_pipeline(seed: int = SEED) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w[\w'-]*\b")),
        ("model", LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear",
                                     random_state=seed)),
    ])


def corpus_hash(real_dir: Path = REAL_DIR) -> str:
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((real_dir / name).read_bytes())
    return "sha256:" + digest.hexdigest()[:16]


def grouped_folds(rows: list[dict[str, Any]], y: np.ndarray, seed: int = SEED
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds grouped by web domain: a site's snippets and pages never sit on both sides."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.array([r["domain"] for r in rows])
    return list(StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
                .split(np.zeros(len(rows)), y, groups))


def texts_of(rows: list[dict[str, Any]]) -> list[str]:
    """What the model reads: the text as the checker prepares it (HTML stripped, quotes and
    look-alike letters folded), as at check time."""
    return [prepare(r["text"]).text for r in rows]


def fit(real_dir: Path = REAL_DIR, seed: int = SEED) -> Any:
    """The model on the whole corpus (what ``train`` saves), without cross-validation."""
    rows = list(records(real_dir))
    with one_thread():
        return build_pipeline(seed).fit(texts_of(rows), np.array([is_seller(r) for r in rows]))


def train(real_dir: Path = REAL_DIR, seed: int = SEED) -> tuple[Any, dict[str, Any]]:
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    rows = list(records(real_dir))
    texts = texts_of(rows)
    y = np.array([is_seller(r) for r in rows])
    started = time.perf_counter()
    oof = np.zeros(len(rows))
    for train_idx, test_idx in grouped_folds(rows, y, seed):
        with one_thread():
            fold = build_pipeline(seed).fit([texts[i] for i in train_idx], y[train_idx])
        oof[test_idx] = fold.predict_proba([texts[i] for i in test_idx])[:, 1]
    cv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pipeline = fit(real_dir, seed)
    names = pipeline.named_steps["words"].get_feature_names_out()
    coef = pipeline.named_steps["model"].coef_[0]
    order = np.argsort(coef)
    kinds = np.array([r["kind"] for r in rows])
    by_kind = {}
    for kind in ("snippet", "page"):
        mask = kinds == kind
        by_kind[kind] = {"documents": int(mask.sum()),
                         "accuracy": round(float(accuracy_score(y[mask], oof[mask] >= 0.5)), 3),
                         "f1_seller": round(float(f1_score(y[mask], oof[mask] >= 0.5)), 3)}
    card = {
        "model": SPEAKER_FILE, "seed": seed, "label": "seller: clinic, broker, supplier, or a "
        "patient recommending one; informer: everyone else",
        "data": {"corpus": "corpus/real", "hash": corpus_hash(real_dir), "documents": len(rows),
                 "sellers": int(y.sum()), "domains": len({r["domain"] for r in rows})},
        "pipeline": "TfidfVectorizer(word 1-2-grams, min_df=2, max_df=0.9, sublinear_tf) + "
                    "LogisticRegression(C=4, balanced, liblinear)",
        "cross_validation": {
            "scheme": f"StratifiedGroupKFold({FOLDS}) by web domain, seed {seed}",
            "accuracy": round(float(accuracy_score(y, oof >= 0.5)), 3),
            "f1_seller": round(float(f1_score(y, oof >= 0.5)), 3),
            "auc": round(float(roc_auc_score(y, oof)), 3), "by_kind": by_kind,
            "seconds": round(cv_seconds, 1)},
        "top_seller_words": [[str(names[j]), round(float(coef[j]), 3)] for j in order[::-1][:20]],
        "top_informer_words": [[str(names[j]), round(float(coef[j]), 3)] for j in order[:20]],
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return pipeline, card


def save(pipeline: Any, card: dict[str, Any], models_dir: Path = MODELS_DIR) -> Path:
    models_dir.mkdir(parents=True, exist_ok=True)
    path = dump_reproducibly(pipeline, models_dir / SPEAKER_FILE)
    card["size_bytes"] = path.stat().st_size
    card["file_sha256"] = file_sha256(path)
    write_cards(card, models_dir)
    return path


def write_cards(card: dict[str, Any], models_dir: Path = MODELS_DIR) -> None:
    """The card as JSON (what the checker verifies the file against) and as Markdown."""
    (models_dir / SPEAKER_CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    (models_dir / SPEAKER_CARD_MD).write_text(card_markdown(card))


def card_markdown(card: dict[str, Any]) -> str:
    cv = card["cross_validation"]
    lines = [
        "# Speaker model card", "",
        "Reads a whole text as a **seller** (a clinic, broker or supplier addressing patients, or "
        "a patient recommending one) or someone **informing** (news, research, a regulator, a "
        "hospital describing established care, a charity). In checker.decide, a text that "
        f"reads as informing (P(seller) below {INFORMING_BELOW}) has its findings weighed at "
        f"{SPEAKER_FACTOR} except prices (what an unproven treatment costs is a warning sign "
        f"whoever reports it); one that reads as a seller's copy (P(seller) from {SELLING_FROM}) "
        f"has them weighed at {SELLER_FACTOR}, at most 1. A finding the hand-written register "
        "cue already weighed is not weighed again.", "",
        "| | |", "|---|---|",
        f"| file | `{card['model']}` ({card.get('size_bytes', 0):,} bytes), "
        f"`{card.get('file_sha256', '')[:23]}...` |",
        f"| pipeline | {card['pipeline']} |",
        f"| seed | {card['seed']} |",
        f"| data | {card['data']['documents']:,} records of corpus/real "
        f"({card['data']['sellers']:,} sellers, {card['data']['domains']} domains), "
        f"hash `{card['data']['hash']}` |",
        f"| label | {card['label']} |", "",
        f"## Cross-validation ({cv['scheme']})", "",
        "| | accuracy | F1 (seller) | AUC |", "|---|---|---|---|",
        f"| all | {cv['accuracy']:.3f} | {cv['f1_seller']:.3f} | {cv['auc']:.3f} |",
    ]
    for kind, m in cv["by_kind"].items():
        lines.append(f"| {kind}s ({m['documents']:,}) | {m['accuracy']:.3f} | "
                     f"{m['f1_seller']:.3f} | |")
    lines += ["", "## The words behind each reading (coefficients)", "",
              "Seller: " + ", ".join(f"{w} ({c:+.2f})" for w, c in card["top_seller_words"]),
              "", "Informing: " + ", ".join(f"{w} ({c:+.2f})" for w, c in card["top_informer_words"]),
              ""]
    if "check_cv" in card:
        lines += ["## What it does to the verdict", "", card["check_cv"], ""]
    if "dev" in card:
        lines += [dev_markdown(card["dev"]), ""]
    return "\n".join(lines)


DEV_SETS = ("dev_real.jsonl", "dev_pages.jsonl", "dev_prices.jsonl")


def measure_dev(folder: Path, with_speaker: Any, without: Any) -> dict[str, Any]:
    """The real dev sets (never trained on), checked with and without the speaker model."""
    from checker.tools.evaluate import evaluate, read_records

    out: dict[str, Any] = {"measured": time.strftime("%Y-%m-%d")}
    for name in DEV_SETS:
        if not (folder / name).exists():
            continue
        records, _ = read_records(folder / name)
        out[name] = {side: evaluate(records, checker)["document"]
                     for side, checker in (("without_speaker", without),
                                           ("with_speaker", with_speaker))}
    return out


def dev_markdown(dev: dict[str, Any]) -> str:
    lines = [f"## On the real dev sets (`../shared/data`, never trained on; {dev['measured']})",
             "", "A document is flagged when its level is medium or high.", "",
             "| set | without speaker: P / R / F1 / FPR | with speaker: P / R / F1 / FPR |",
             "|---|---|---|"]
    for name in DEV_SETS:
        if name in dev:
            cells = [f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f} / "
                     f"{d['false_positive_rate']:.3f}"
                     for d in (dev[name]["without_speaker"], dev[name]["with_speaker"])]
            lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)
