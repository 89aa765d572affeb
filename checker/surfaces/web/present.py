"""From a result to what a patient reads: highlighted text, grouped findings, a report.

Pure functions of the stored result and text; the templates only lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checker.core.result import CATEGORIES, CATEGORY_LABELS

LEVEL_WORDS = {
    "high": "High risk",
    "medium": "Some warning signs",
    "low": "Low risk",
}
LEVEL_ADVICE = {
    "high": "This text uses several of the typical sales tactics of clinics that sell unproven "
            "treatments. Talk to an independent specialist before you pay anything.",
    "medium": "This text makes at least one claim that a clinic should be able to back with "
              "published evidence. Ask for it, and get an independent opinion.",
    "low": "We found no strong warning signs in the words of this text. That does not prove the "
           "treatment works or is safe: see what this tool cannot tell below.",
}
STATUS_WORDS = {
    "no_approval": "No regulator has approved a cell product for this",
    "approved_elsewhere": "Only a specific product is approved, somewhere else or for a narrow use",
    "approved": "Described as approved or established care",
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


@dataclass
class Segment:
    text: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    ends: list[dict[str, Any]] = field(default_factory=list)   # findings whose span ends here

    @property
    def categories(self) -> list[str]:
        return sorted({f["category"] for f in self.findings}, key=CATEGORIES.index)


def segments(text: str, findings: list[dict[str, Any]]) -> list[Segment]:
    """Split the text at every finding boundary; each piece knows which findings cover it."""
    cuts = {0, len(text)}
    for f in findings:
        cuts.add(f["start"])
        cuts.add(f["end"])
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in zip(points, points[1:]):
        if a == b:
            continue
        covering = [f for f in findings if f["start"] <= a and b <= f["end"]]
        ending = [f for f in covering if f["end"] == b]
        out.append(Segment(text[a:b], covering, ending))
    return out


def number(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {f["id"]: i for i, f in enumerate(findings, 1)}


def questions(result: dict[str, Any]) -> list[str]:
    out = list(result.get("questions", []))
    for q in GENERAL_QUESTIONS:
        if q not in out:
            out.append(q)
    return out[:10]


def view(result: dict[str, Any], text: str) -> dict[str, Any]:
    findings = result["findings"]
    numbers = number(findings)
    categories = [
        {"id": c, "label": CATEGORY_LABELS[c], "score": result["categories"][c]["score"],
         "count": result["categories"][c]["count"]}
        for c in CATEGORIES if result["categories"][c]["count"]
    ]
    return {
        "level_words": LEVEL_WORDS[result["level"]],
        "advice": LEVEL_ADVICE[result["level"]],
        "segments": segments(text, findings),
        "numbers": numbers,
        "categories": categories,
        "labels": CATEGORY_LABELS,
        "questions": questions(result),
        "cannot_tell": CANNOT_TELL,
        "status_words": STATUS_WORDS,
        "indications": [i for i in result.get("indications", []) if i.get("offered")],
    }


# What can start markup in the middle of a line: emphasis, code, links and images (brackets),
# HTML and entities, tables and strikethrough, and the backslash itself. Line-start markup
# (headings, lists, quotes) cannot occur: an escaped value is one line after text of ours.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~!])")


def md_text(value: str) -> str:
    """``value`` as literal inline Markdown: one line, every mark that could start markup escaped.

    CommonMark turns a backslash before any ASCII punctuation into that character, so nothing
    the user wrote can start a link, an emphasis, an HTML tag or a comment, or end the line it
    stands on. (A clinic name of "Acme\\n\\n**Low risk** <!--" hid the real
    verdict and every finding of a report before.)
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def md_code_block(value: str) -> str:
    """``value`` verbatim in a fenced code block whose fence no run of backticks in it can close."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{value}\n{fence}"


def markdown_report(result: dict[str, Any], text: str, *, clinic: str = "", url: str = "",
                    permalink: str = "", created: str = "") -> str:
    """A report a journalist can cite: verdict, findings with quotes and sources, versions.

    Everything that comes from the user (the clinic, the address, the text and every phrase
    quoted from it) is escaped (``md_text``) or fenced (``md_code_block``).
    """
    lines = ["# Clinic Claim Checker report", ""]
    if clinic or url:
        lines += [f"Clinic: {md_text(clinic) or '-'}  ", f"Address: {md_text(url) or '-'}", ""]
    lines += [f"**{LEVEL_WORDS[result['level']]}** (score {result['score']:.0f}/100). "
              f"{result['summary']}", ""]
    if created:
        lines.append(f"Checked: {created}  ")
    if permalink:
        lines.append(f"Permalink: {permalink}  ")
    v = result["versions"]
    lines += [f"Versions: checker {v['checker']}, rules {v['rules']}, data {v.get('data', '-')}, "
              f"model {v['model']}  ", f"Input sha256: {result['input']['sha256']}", "",
              "## Warning signs", ""]
    if not result["findings"]:
        lines += ["None found.", ""]
    for i, f in enumerate(result["findings"], 1):
        repeats = (f" The same words appear {f['repeats']} more time"
                   f"{'' if f['repeats'] == 1 else 's'}." if f.get("repeats") else "")
        lines += [f"### {i}. {CATEGORY_LABELS[f['category']]} ({f['severity']}): "
                  f"\u201c{md_text(f['text'])}\u201d", "",
                  f"Characters {f['start']}\u2013{f['end']}; rule `{f['rule']}` ({f['origin']}, "
                  f"confidence {f['confidence']:.2f}).{repeats}", "", md_text(f["explanation"]), ""]
        for c in f["citations"]:
            if c.get("quote"):
                lines += [f"> {c['quote']}", ">", f"> \u2014 {c['credit']}", ""]
            elif c.get("url"):
                lines.append(f"- {c['source']}: [{c.get('title') or c['url']}]({c['url']})"
                             + (f" \u2014 {c['fact']}" if c.get("fact") else ""))
        lines.append("")
    offered = [i for i in result.get("indications", []) if i.get("offered")]
    if offered:
        lines += ["## Conditions the text offers treatment for", ""]
        for ind in offered:
            lines.append(f"- {ind['label']}: {STATUS_WORDS[ind['status']]}")
            for a in ind["approvals"][:4]:
                year = a["year"] if a["year"] else "-"
                lines.append(f"  - {a['product']} ({a['jurisdiction']}, {a['type']}, {year}): "
                             f"{a['source']}")
        lines.append("")
    if result.get("prices"):
        lines += ["## Prices", ""]
        for p in result["prices"]:
            usd = f" (about US${p['usd']:,.0f})" if p.get("usd") is not None else ""
            lines.append(f"- \u201c{md_text(p['text'])}\u201d: {p['amount']:,.2f} {p['currency']}{usd}"
                         f"{', ' + p['unit'].replace('_', ' ') if p.get('unit') else ''}")
        lines.append("")
    lines += ["## Questions to ask the clinic", ""] + [f"- {q}" for q in questions(result)]
    lines += ["", "## What this tool cannot tell", ""] + [f"- {c}" for c in CANNOT_TELL]
    lines += ["", "## The text checked", "", md_code_block(text), ""]
    return "\n".join(lines)
