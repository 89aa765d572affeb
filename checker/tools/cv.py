"""Cross-validation of the whole check on ``corpus/real/``, grouped by web domain.

    python -m checker evaluate --cv corpus/real/

The speaker model is the only part learned from this corpus, so it is the part refitted in each
fold: trained on four fifths of the domains, it reads the fifth it never saw, and the checker
decides those texts with it. The same texts checked without the speaker model are the
baseline. A text counts as flagged when its level is medium or high.

Reported, for both: precision, recall, F1 and false-positive rate over all records, snippets,
pages and price passages; the false-positive rate on careful texts in the sellers' words; recall
on seller texts with no trigger word; and per category, the share of the records a reader gave
that category which are flagged with a finding of that category.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from checker.core.modelfiles import one_thread
from checker.core.paths import ROOT
from checker.core.result import CATEGORIES
from checker.detect.speaker import SpeakerModel, is_seller
from checker.tools.corpus_real import REAL_DIR, records


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    tp = int((gold & pred).sum())
    fp = int((~gold & pred).sum())
    fn = int((gold & ~pred).sum())
    tn = int((~gold & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"documents": int(len(gold)), "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "false_positive_rate": round(fp / (fp + tn), 3) if fp + tn else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _report(rows: list[dict[str, Any]], flagged: np.ndarray,
            categories: list[set[str]]) -> dict[str, Any]:
    gold = np.array([r["should_flag"] for r in rows])
    kind = np.array([r["kind"] for r in rows])
    price = np.array([r["price_passage"] for r in rows])
    hard = np.array([str(r["hard_case"]) for r in rows])
    out = {"all": _prf(gold, flagged), "snippets": _prf(gold[kind == "snippet"],
                                                         flagged[kind == "snippet"]),
           "pages": _prf(gold[kind == "page"], flagged[kind == "page"]),
           "price_passages": _prf(gold[price], flagged[price])}
    careful = hard == "careful_with_seller_words"
    soft = hard == "seller_without_trigger"
    out["careful_in_sellers_words_fpr"] = round(float(flagged[careful].mean()), 3)
    out["sellers_without_trigger_recall"] = round(float(flagged[soft].mean()), 3)
    out["category_recall"] = {}
    for c in CATEGORIES:
        labelled = [i for i, r in enumerate(rows) if c in r["categories"]]
        hit = sum(1 for i in labelled if flagged[i] and c in categories[i])
        out["category_recall"][c] = round(hit / len(labelled), 3) if labelled else None
    return out


def cross_validate(checker: Any, real_dir: Path = REAL_DIR,
                   progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Grouped cross-validation of ``checker`` (which must have a speaker detector) on the
    corpus: the check with the speaker refitted per fold, and without it."""
    from checker.tools.train_speaker import build_pipeline, grouped_folds, texts_of

    rows = list(records(real_dir))
    texts = texts_of(rows)
    sellers = np.array([is_seller(r) for r in rows])
    gold = np.array([r["should_flag"] for r in rows])
    detectors = list(checker.detectors)
    without = [d for d in detectors if d.name != "speaker"]
    speaker = next(d for d in detectors if d.name == "speaker")
    fitted_model = speaker.model
    base_flag = np.zeros(len(rows), bool)
    base_cats: list[set[str]] = [set() for _ in rows]
    base_rules: list[set[str]] = [set() for _ in rows]
    with_flag = np.zeros(len(rows), bool)
    with_cats: list[set[str]] = [set() for _ in rows]
    with_rules: list[set[str]] = [set() for _ in rows]
    try:
        checker.detectors = without
        for i, r in enumerate(rows):
            result = checker.check(r["text"])
            base_flag[i] = result.level != "low"
            base_cats[i] = {f.category for f in result.findings}
            base_rules[i] = {f.rule for f in result.findings}
            if progress:
                progress(1)
        checker.detectors = detectors
        for train_idx, test_idx in grouped_folds(rows, gold):
            with one_thread():
                pipeline = build_pipeline().fit([texts[i] for i in train_idx],
                                                sellers[train_idx])
            speaker.model = SpeakerModel(pipeline, {"file_sha256": "sha256:cross-validation"})
            for i in test_idx:
                result = checker.check(rows[i]["text"])
                with_flag[i] = result.level != "low"
                with_cats[i] = {f.category for f in result.findings}
                with_rules[i] = {f.rule for f in result.findings}
                if progress:
                    progress(1)
    finally:
        checker.detectors = detectors
        speaker.model = fitted_model
    try:
        shown = str(real_dir.resolve().relative_to(ROOT))
    except ValueError:
        shown = str(real_dir)
    from checker.tools.train_speaker import corpus_hash

    return {"corpus": shown, "corpus_hash": corpus_hash(real_dir), "records": len(rows),
            "domains": len({r["domain"] for r in rows}),
            "scheme": "StratifiedGroupKFold(5) by web domain; the speaker model refitted per fold",
            "versions": dict(checker.versions),
            "without_speaker": _report(rows, base_flag, base_cats),
            "with_speaker": _report(rows, with_flag, with_cats),
            "rules": rule_audit(rows, base_rules, with_rules)}


def rule_audit(rows: list[dict[str, Any]], without: list[set[str]], with_: list[set[str]]
               ) -> dict[str, dict[str, Any]]:
    """For every rule that fired: on how many seller and careful texts, and its precision (the
    share of the texts it fired on that a reader flagged), before and after the speaker."""
    audit: dict[str, dict[str, Any]] = {}
    for side, fired in (("without_speaker", without), ("with_speaker", with_)):
        for i, rules in enumerate(fired):
            for rule in rules:
                entry = audit.setdefault(rule, {"without_speaker": _counts(),
                                                "with_speaker": _counts()})[side]
                entry["texts"] += 1
                entry["seller"] += is_seller(rows[i])
                entry["careful"] += not rows[i]["should_flag"]
                entry["flagged"] += rows[i]["should_flag"]
                entry["category"] += rule.split(".")[0] in rows[i]["categories"]
    for entry in audit.values():
        for counts in entry.values():
            n = counts["texts"]
            counts["precision"] = round(counts["flagged"] / n, 3) if n else None
            counts["category_precision"] = round(counts["category"] / n, 3) if n else None
    return dict(sorted(audit.items()))


def _counts() -> dict[str, Any]:
    return {"texts": 0, "seller": 0, "careful": 0, "flagged": 0, "category": 0}


def render_audit(report: dict[str, Any], below: float = 0.7) -> str:
    """The per-rule table of docs/coverage.md."""
    v = report["versions"]
    lines = [f"Grouped cross-validation on {report['corpus']} ({report['records']:,} records, "
             f"{report['domains']} domains; {report['scheme']}), made with rules "
             f"`{v['rules']}`, model `{v['model']}`, speaker `{v.get('speaker', 'none')}`, "
             f"corpus `{report['corpus_hash']}`.", "",
             "A rule's *texts* are the records it gives a finding on; *seller* and *careful* "
             "count those written by a clinic, broker or supplier and those a reader would not "
             "flag; *precision* is the share a reader flagged (*of its category*: flagged for "
             "the rule's category). Before and after the speaker model weighs informing texts "
             f"down. Rules under {below} precision after it are marked **low**.", "",
             "| rule | texts | seller | careful | precision | of its category | after speaker: "
             "texts | careful | precision | |", "|---|---|---|---|---|---|---|---|---|---|"]
    for rule, entry in report["rules"].items():
        a, b = entry["without_speaker"], entry["with_speaker"]
        low = "**low**" if b["precision"] is not None and b["precision"] < below else ""
        fmt = (lambda x: "-" if x is None else f"{x:.2f}")
        lines.append(f"| `{rule}` | {a['texts']} | {a['seller']} | {a['careful']} | "
                     f"{fmt(a['precision'])} | {fmt(a['category_precision'])} | {b['texts']} | "
                     f"{b['careful']} | {fmt(b['precision'])} | {low} |")
    return "\n".join(lines)


def render(report: dict[str, Any]) -> str:
    lines = [f"Grouped cross-validation on {report['corpus']}: {report['records']:,} records "
             f"from {report['domains']} domains ({report['scheme']}).", "",
             "| subset | without speaker: P / R / F1 / FPR | with speaker: P / R / F1 / FPR |",
             "|---|---|---|"]
    a, b = report["without_speaker"], report["with_speaker"]
    for key, label in (("all", "all"), ("snippets", "snippets"), ("pages", "pages"),
                       ("price_passages", "price passages")):
        x, y = a[key], b[key]
        lines.append(f"| {label} ({x['documents']:,}) | {x['precision']:.3f} / {x['recall']:.3f} "
                     f"/ {x['f1']:.3f} / {x['false_positive_rate']:.3f} | {y['precision']:.3f} / "
                     f"{y['recall']:.3f} / {y['f1']:.3f} / {y['false_positive_rate']:.3f} |")
    lines += [f"| careful texts in the sellers' words, flagged | "
              f"{a['careful_in_sellers_words_fpr']:.3f} | {b['careful_in_sellers_words_fpr']:.3f} |",
              f"| seller texts with no trigger word, flagged | "
              f"{a['sellers_without_trigger_recall']:.3f} | "
              f"{b['sellers_without_trigger_recall']:.3f} |", "",
              "Per-category recall (flagged, with a finding of the category):", "",
              "| category | without speaker | with speaker |", "|---|---|---|"]
    for c in CATEGORIES:
        lines.append(f"| {c} | {a['category_recall'][c]} | {b['category_recall'][c]} |")
    return "\n".join(lines)
