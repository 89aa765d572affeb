"""The short answer a patient reads first: the most serious reasons, in plain words, and what to
do next. Pure functions of a result (format 1); the web page, the reports and the PDF share them.
"""

from __future__ import annotations

from typing import Any

from checker.core.result import CATEGORIES, CATEGORY_LABELS

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
SEVERITY_WORDS = {"high": "serious", "medium": "worth questioning", "low": "minor"}

# One plain sentence per kind of warning sign, said of the text (no rule ids, no jargon).
REASON_WORDS = {
    "efficacy": "It promises results that no controlled study has shown",
    "indication": "It sells the treatment for conditions it is not approved for",
    "price": "It asks for large sums, or for money up front",
    "safety": "It promises safety that no one can promise",
    "regulatory": "It makes the treatment sound approved or officially allowed when it is not",
    "evidence": "It offers patient stories and numbers instead of published evidence",
    "pressure": "It pushes you to decide quickly",
}
# The label after a marked phrase: short, and always a word (never colour alone).
SHORT_LABELS = {"efficacy": "Efficacy claim", "indication": "Unapproved use",
                "price": "Price", "safety": "Safety claim", "regulatory": "Regulatory claim",
                "evidence": "Weak evidence", "pressure": "Pressure"}
MAX_REASONS = 5
MAX_PHRASES = 2


def ordered(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings in reading order (the numbers a reader sees follow the text)."""
    return sorted(findings, key=lambda f: (f["start"], f["end"], f["id"]))


def numbers(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {f["id"]: i for i, f in enumerate(ordered(findings), 1)}


def _severity(f: dict[str, Any]) -> int:
    return SEVERITY_RANK.get(f["severity"], 0)


def _listed(names: list[str], more: int) -> str:
    quoted = [f"\u201c{n}\u201d" for n in names]
    if more:
        return ", ".join(quoted) + f" and {more} more"
    if len(quoted) > 1:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return quoted[0]


def top_reasons(result: dict[str, Any], anchors: dict[str, str]) -> list[dict[str, Any]]:
    """Up to five reasons, the most serious kinds of warning sign first: each a plain sentence,
    the phrases behind it (linked by ``anchors``, finding id -> the id of its marked phrase)."""
    by_category: dict[str, list[dict[str, Any]]] = {}
    for f in result["findings"]:
        by_category.setdefault(f["category"], []).append(f)

    def rank(category: str) -> tuple:
        found = by_category[category]
        return (-max(_severity(f) for f in found), -len(found), CATEGORIES.index(category))

    reasons = []
    for category in sorted(by_category, key=rank)[:MAX_REASONS]:
        found = sorted(by_category[category], key=lambda f: (-_severity(f), f["start"]))
        seen: dict[str, dict[str, Any]] = {}
        for f in found:
            seen.setdefault(f["text"].strip().lower(), f)
        phrases = list(seen.values())
        reasons.append({
            "category": category,
            "label": CATEGORY_LABELS[category],
            "severity": SEVERITY_WORDS[found[0]["severity"]],
            "words": REASON_WORDS[category],
            "phrases": [{"text": f["text"], "anchor": anchors.get(f["id"], "")}
                        for f in phrases[:MAX_PHRASES]],
            "more": max(0, len(phrases) - MAX_PHRASES),
        })
    return reasons


def reason_line(reason: dict[str, Any]) -> str:
    """A reason as one line of text (reports without links)."""
    names = [p["text"] for p in reason["phrases"]]
    return f"{reason['words']}: {_listed(names, reason['more'])}." if names else \
        f"{reason['words']}."


def next_steps(level: str, not_enough: bool, has_findings: bool) -> list[dict[str, str]]:
    """What to do now, most urgent first. ``link`` names a place the page links to: ``questions``
    (the questions to ask), ``trials`` and ``report`` (the page on checking and reporting)."""
    if not_enough:
        return [{"text": "Paste the whole advert, give its web address, or upload the brochure, "
                         "then check again."},
                {"text": "Whatever the result, ask the clinic the questions below.",
                 "link": "questions"}]
    steps = []
    doctor = ("show this advert to your own doctor, or to a specialist who does not work for the "
              "clinic.")
    if level in ("high", "medium"):
        steps.append({"text": "Do not pay, sign or send a deposit yet. First " + doctor})
    else:
        steps.append({"text": "Before you decide, " + doctor})
    steps.append({"text": "Ask the clinic the questions below, in writing.", "link": "questions"})
    steps.append({"text": "If the clinic calls it a trial, check that the trial is registered and "
                          "that you would not pay to take part.", "link": "trials"})
    if has_findings:
        steps.append({"text": "Report the advert, or any harm from a treatment.",
                      "link": "report"})
    return steps
