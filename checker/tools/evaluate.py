"""``evaluate``: how good the checker is on labelled text, with exact, documented definitions.

Input: JSON Lines records with ``text``, ``should_flag`` (bool) and ``flags`` (categories); any
other field is ignored. A document counts as **flagged** when its level is ``medium`` or
``high``. A document is **predicted** to show a category when the result has at least one
finding of that category (set-aside matches do not count).

Document level: precision, recall, F1 and false-positive rate of flagged vs ``should_flag``.
Per category: precision, recall, F1 of predicted vs ``flags``, and support (documents whose
``flags`` contain the category).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from checker.core.errors import EvaluationInputError, InputError
from checker.core.result import CATEGORIES

FLAGGED_LEVELS = ("medium", "high")



@dataclass
class Record:
    line: int
    id: str
    text: str
    should_flag: bool
    flags: set[str]
    data: dict[str, Any] = field(default_factory=dict)   # the whole record as read


def read_records(path: Path) -> tuple[list[Record], list[dict[str, Any]]]:
    """Valid records, and a list of problems (line number and why) for the others."""
    try:
        lines = path.read_text(encoding="utf8").splitlines()
    except FileNotFoundError:
        raise EvaluationInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise EvaluationInputError(f"{path}: not UTF-8 text") from None
    records, problems = [], []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append({"line": n, "problem": f"not JSON ({exc.msg})"})
            continue
        if not isinstance(data, dict):
            problems.append({"line": n, "problem": "not a JSON object"})
            continue
        text, should_flag, flags = data.get("text"), data.get("should_flag"), data.get("flags", [])
        if not isinstance(text, str) or not text.strip():
            problems.append({"line": n, "problem": "no text"})
            continue
        if not isinstance(should_flag, bool):
            problems.append({"line": n, "problem": "should_flag is not true or false"})
            continue
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            problems.append({"line": n, "problem": "flags is not a list of categories"})
            continue
        records.append(Record(n, str(data.get("id", n)), text, should_flag, set(flags), data))
    return records, problems


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": p, "recall": r, "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate(records: Iterable[Record], checker: Any, examples: int = 8) -> dict[str, Any]:
    rows = []
    for rec in records:
        try:
            result = checker.check(rec.text)
        except InputError as exc:  # too long, for example: count it as not flagged, say so
            rows.append((rec, None, str(exc)))
            continue
        rows.append((rec, result, None))
    tp = fp = fn = tn = 0
    cat = {c: {"tp": 0, "fp": 0, "fn": 0, "support": 0} for c in CATEGORIES}
    scored = []
    for rec, result, _err in rows:
        flagged = result is not None and result.level in FLAGGED_LEVELS
        predicted = set() if result is None else {f.category for f in result.findings}
        if rec.should_flag and flagged:
            tp += 1
        elif rec.should_flag:
            fn += 1
        elif flagged:
            fp += 1
        else:
            tn += 1
        for c in CATEGORIES:
            gold, pred = c in rec.flags, c in predicted
            cat[c]["support"] += gold
            cat[c]["tp"] += gold and pred
            cat[c]["fp"] += pred and not gold
            cat[c]["fn"] += gold and not pred
        scored.append((rec, result, flagged))
    document = {**_prf(tp, fp, fn), "false_positive_rate": _ratio(fp, fp + tn),
                "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    categories = {c: {**_prf(v["tp"], v["fp"], v["fn"]), "support": v["support"],
                      "tp": v["tp"], "fp": v["fp"], "fn": v["fn"]} for c, v in cat.items()}

    def brief(rec: Record, result: Any) -> dict[str, Any]:
        return {"id": rec.id, "line": rec.line, "score": None if result is None else round(result.score, 1),
                "level": None if result is None else result.level, "flags": sorted(rec.flags),
                "found": [] if result is None else sorted({f.category for f in result.findings}),
                "text": rec.text[:160]}

    misses = sorted((x for x in scored if x[0].should_flag and not x[2]),
                    key=lambda x: (x[1].score if x[1] else -1, x[0].line))
    alarms = sorted((x for x in scored if not x[0].should_flag and x[2]),
                    key=lambda x: (-x[1].score, x[0].line))
    versions = next((r.versions for _rec, r, _e in rows if r is not None), {})
    return {
        "documents": len(scored),
        "document": document,
        "categories": categories,
        "worst_misses": [brief(r, res) for r, res, _ in misses[:examples]],
        "worst_false_alarms": [brief(r, res) for r, res, _ in alarms[:examples]],
        "errors": [{"line": rec.line, "id": rec.id, "problem": err} for rec, _r, err in rows if err],
        "versions": versions,
    }


def render_text(report: dict[str, Any], title: str = "") -> str:
    d = report["document"]
    lines = [title or "Evaluation", "",
             f"documents: {report['documents']}  (flagged = level medium or high)",
             f"document level: precision {d['precision']:.3f}  recall {d['recall']:.3f}  "
             f"F1 {d['f1']:.3f}  false-positive rate {d['false_positive_rate']:.3f}  "
             f"(tp {d['tp']}, fp {d['fp']}, fn {d['fn']}, tn {d['tn']})", "",
             f"{'category':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    for c, m in report["categories"].items():
        lines.append(f"{c:<12} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} "
                     f"{m['support']:>8}")
    for key, head in (("worst_misses", "Worst misses (should flag, scored lowest)"),
                      ("worst_false_alarms", "Worst false alarms (should not flag, scored highest)")):
        lines += ["", head + ":"]
        if not report[key]:
            lines.append("  (none)")
        for x in report[key]:
            lines.append(f"  {x['id']:<8} score {x['score']:>5}  flags {','.join(x['flags']) or '-'}"
                         f"  found {','.join(x['found']) or '-'}")
            lines.append(f"           {x['text']}")
    if report.get("errors"):
        lines += ["", f"Records not scored: {len(report['errors'])}"]
    return "\n".join(lines)


# -- condition detection (indications) ---------------------------------------------------------


def evaluate_indications(lines: Iterable[dict[str, Any]], checker: Any) -> dict[str, Any]:
    """Condition detection on records that name their conditions (field ``indications``).

    Gold condition names are mapped to lexicon ids with the same matcher the checker uses; a
    gold name that matches no entry is a lexicon gap. For every gold condition we record whether
    the checker found it mentioned, offered, or not at all.
    """
    from checker.core.document import analyse

    detector = checker.indications
    gold_total = found_total = offered_total = 0
    predicted_total = predicted_correct = 0
    breakdown = {"found_offered": 0, "found_not_offered": 0, "not_found_in_text": 0,
                 "not_in_lexicon": 0}
    gaps: list[str] = []
    used = 0
    offer = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for data in lines:
        names = data.get("indications") or []
        if not names or not isinstance(data.get("text"), str):
            continue
        used += 1
        gold: set[str] = set()
        for name in names:
            ids = {m.condition for m in detector.mentions(analyse(name))}
            if not ids:
                breakdown["not_in_lexicon"] += 1
                gaps.append(name)
                gold_total += 1
            gold |= ids
        result = checker.check(data["text"])
        mentioned = {r["condition"] for r in result.indications}
        offered = {r["condition"] for r in result.indications if r["offered"]}
        for cid in gold:
            gold_total += 1
            if cid in offered:
                breakdown["found_offered"] += 1
                found_total += 1
                offered_total += 1
            elif cid in mentioned:
                breakdown["found_not_offered"] += 1
                found_total += 1
            else:
                breakdown["not_found_in_text"] += 1
        predicted_total += len(mentioned)
        predicted_correct += len(mentioned & gold)
        # Offered or only mentioned: the record's own label says whether it offers a treatment.
        gold_offer = "indication" in (data.get("flags") or [])
        key = ("tp" if offered else "fn") if gold_offer else ("fp" if offered else "tn")
        offer[key] += 1
    return {
        "records": used,
        "gold_conditions": gold_total,
        "recall_mentioned": _ratio(found_total, gold_total),
        "recall_offered": _ratio(offered_total, gold_total),
        "precision_mentioned": _ratio(predicted_correct, predicted_total),
        "breakdown": breakdown,
        "lexicon_gaps": sorted(set(gaps)),
        "offered_vs_mentioned": {
            **_prf(offer["tp"], offer["fp"], offer["fn"]),
            "false_positive_rate": _ratio(offer["fp"], offer["fp"] + offer["tn"]), **offer,
            "definition": "per record that names conditions: an offer is predicted when any "
                          "condition is offered; gold is 'indication' in the record's flags",
        },
    }
