"""Every sentence of ours a user reads about a result: a finding's explanation, the summary,
the verdict and its advice, approval statuses, general questions and what the tool cannot tell.
"""

from __future__ import annotations

from typing import Any

from checker.core.result import CATEGORIES, CATEGORY_LABELS


_STEP_WORDS = {
    "negation": "negated by",
    "disclaimer": "a disclaimer in the same sentence",
    "hedge": "hedged wording",
    "hedge_nearby": "research wording just before",
    "critique": "the sentence reports or criticises the claim",
    "question": "asked as a question",
    "register": "the whole text reads like research or news writing",
    "speaker": "the whole text reads as informing, not selling",
    "approved": "it is about an approved product or established care",
}


_UP_WORDS = {"speaker": "the whole text reads as a seller's copy"}


def explain(message: str, trail: list[dict], fact: str | None = None) -> str:
    """The rule's plain message, the fact a detector found, and what softened or strengthened
    it, if anything."""
    text = f"{message} {fact}" if fact else message
    softeners = [s for s in trail if s.get("step") in _STEP_WORDS and s.get("factor", 1) < 1]
    if softeners:
        parts = [f"{_STEP_WORDS[s['step']]} (\u201c{s['cue']}\u201d)" for s in softeners]
        text = f"{text} This counts for less here: {', '.join(parts)}."
    raisers = [s for s in trail if s.get("step") in _UP_WORDS and s.get("factor", 1) > 1]
    if raisers:
        parts = [f"{_UP_WORDS[s['step']]} (\u201c{s['cue']}\u201d)" for s in raisers]
        text = f"{text} This counts for more here: {', '.join(parts)}."
    return text


def summarise(level: str, findings: list[Any], reported: bool = False) -> str:
    """One sentence on the verdict; ``reported``: phrases were set aside because the whole text
    reads as informing (checker.detect.speaker)."""
    if not findings:
        if reported:
            return ("Low risk: the sales phrases in this text read as reported or quoted, not "
                    "as a clinic's own claims, so none is counted as a warning sign.")
        return "Low risk: we found no warning signs in this text."
    by_category: dict[str, int] = {}
    for f in findings:
        by_category[f.category] = by_category.get(f.category, 0) + 1
    top = sorted(by_category, key=lambda c: (-by_category[c], CATEGORIES.index(c)))[:3]
    kinds = ", ".join(CATEGORY_LABELS[c].lower() for c in top)
    n = len(findings)
    phrases, are = (f"{n} phrases", "are") if n != 1 else ("1 phrase", "is")
    signs = "typical warning signs" if n != 1 else "a typical warning sign"
    if level == "high":
        return f"High risk: {phrases} in this text {are} {signs} ({kinds})."
    signs = "warning signs" if n != 1 else "a warning sign"
    if level == "medium":
        return f"Medium risk: {phrases} in this text {are} {signs} worth questioning ({kinds})."
    return (f"Low risk overall: {phrases} {'deserve' if n != 1 else 'deserves'} a second look "
            f"({kinds}), but {'together they are' if n != 1 else 'it is'} not a strong warning sign.")


LEVEL_WORDS = {
    "high": "High risk",
    "medium": "Some warning signs",
    "low": "Low risk",
}
NOT_ENOUGH_WORDS = "Not enough to judge"
NOT_ENOUGH_ADVICE = ("We found no warning signs, but this is not enough text to say the advert "
                     "is safe. Paste the whole advert, give its web address, or upload the "
                     "brochure.")
LEVEL_ADVICE = {
    "high": "This text uses several of the typical sales tactics of clinics that sell unproven "
            "treatments. Talk to an independent specialist before you pay anything.",
    "medium": "This text makes at least one claim that a clinic should be able to back with "
              "published evidence. Ask for it, and get an independent opinion.",
    "low": "We found no strong warning signs in the words of this text. That does not prove the "
           "treatment works or is safe: see what this tool cannot tell below.",
}
STATUS_WORDS = {   # one per status of checker.detect.indications.STATUSES
    "no_approval": "No regulator has approved a stem-cell or other regenerative treatment for this",
    "approved_elsewhere": "Only specific products are approved, each for a narrow use where it was "
                          "approved; that does not cover a clinic's own treatment",
    "established_care": "Established care: blood stem-cell transplants are a standard treatment "
                        "(in hospitals, for specific patients)",
    "approved": "Established or approved care",
}
CANNOT_TELL = [
    "It reads words, not the clinic's medicine: it cannot tell what is actually in a syringe, "
    "how it was made, or whether a doctor is qualified.",
    "A clinic can say nothing wrong and still sell something unproven; a low score is not a "
    "clean bill of health.",
    "It can misread a sentence, especially sarcasm, quotations and unusual wording. Every "
    "highlighted phrase says why it was flagged, so you can judge for yourself.",
    "It knows the approvals listed in its knowledge base (with sources, as of March 2026); a "
    "newer approval may be missing.",
]
GENERAL_QUESTIONS = [
    "Is this treatment approved by a regulator (for example the FDA or EMA) for my exact "
    "condition? Can I see the approval?",
    "Is this part of a registered clinical trial? What is its registration number, and why "
    "would I pay to take part?",
    "What is the total cost, including follow-up treatments, boosters, travel and care if "
    "something goes wrong?",
]
