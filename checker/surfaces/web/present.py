"""From a result to what a patient reads: highlighted text, grouped findings, a report.

Pure functions of the stored result and text; the templates only lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checker.core.guidance import load_guidance
from checker.core.result import CATEGORIES, CATEGORY_LABELS
from checker.surfaces.clinics import country_of
from checker.surfaces.answer import (SEVERITY_RANK, SEVERITY_WORDS, SHORT_LABELS, next_steps,
                                     numbers, ordered, reason_line, top_reasons)
from checker.decide.wording import (CANNOT_TELL, GENERAL_QUESTIONS, LEVEL_ADVICE, LEVEL_WORDS,
                                    NOT_ENOUGH_ADVICE, NOT_ENOUGH_WORDS, STATUS_WORDS)

@dataclass
class Segment:
    text: str
    findings: list[dict[str, Any]] = field(default_factory=list)


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
        out.append(Segment(text[a:b], [f for f in findings if f["start"] <= a and b <= f["end"]]))
    return out


def pieces(text: str, findings: list[dict[str, Any]],
           numbered: dict[str, int]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The text as plain pieces and marked phrases, and each finding's phrase anchor.

    A phrase is a run of text covered by one or more findings with no gap: overlapping findings
    share one mark and one label, which lists their numbers in order.
    """
    out: list[dict[str, Any]] = []
    anchors: dict[str, str] = {}
    run: list[Segment] = []

    def close() -> None:
        if not run:
            return
        found = {f["id"]: f for seg in run for f in seg.findings}
        nums = sorted(numbered[i] for i in found)
        by_number = sorted(found.values(), key=lambda f: numbered[f["id"]])
        anchor = f"m{nums[0]}"
        for fid in found:
            anchors[fid] = anchor
        labels = list(dict.fromkeys(SHORT_LABELS[f["category"]] for f in by_number))
        out.append({"text": "".join(seg.text for seg in run), "anchor": anchor,
                    "category": by_number[0]["category"],
                    "links": [(n, f"f{n}") for n in nums], "labels": labels})
        run.clear()

    for seg in segments(text, findings):
        if seg.findings:
            run.append(seg)
        else:
            close()
            out.append({"text": seg.text})
    close()
    return out, anchors


def questions(result: dict[str, Any]) -> list[str]:
    out = list(result.get("questions", []))
    for q in GENERAL_QUESTIONS:
        if q not in out:
            out.append(q)
    return out[:10]


def passages(ordered_findings: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Each editorial passage the findings cite, once, in the order a reader meets them, and the
    credit line that goes with them."""
    found: dict[str, dict[str, Any]] = {}
    credit = ""
    for f in ordered_findings:
        for c in f["citations"]:
            if c.get("quote"):
                key = c.get("passage") or c["quote"]
                credit = credit or c.get("credit", "")
                if key not in found:
                    found[key] = {"key": key, "quote": c["quote"], "n": len(found) + 1,
                                  "anchor": f"g{len(found) + 1}"}
    return list(found.values()), credit


def groups(ordered_findings: list[dict[str, Any]], numbered: dict[str, int],
           anchors: dict[str, str], quoted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings by kind, each with its number, its phrase's anchor, the passages it cites
    (by their place on the page) and its other sources."""
    by_key = {p["key"]: p for p in quoted}
    out = []
    for category in CATEGORIES:
        items = []
        for f in ordered_findings:
            if f["category"] != category:
                continue
            cites = [by_key[c.get("passage") or c["quote"]] for c in f["citations"]
                     if c.get("quote")]
            items.append({"f": f, "n": numbered[f["id"]], "anchor": anchors.get(f["id"], ""),
                          "severity": SEVERITY_WORDS.get(f["severity"], f["severity"]),
                          "passages": list({p["n"]: p for p in cites}.values()),
                          "sources": [c for c in f["citations"] if c.get("url")]})
        if items:
            n = len(items)
            out.append({"id": category, "label": CATEGORY_LABELS[category], "items": items,
                        "count": f"{n} warning sign{'' if n == 1 else 's'}",
                        "worst": max(items, key=lambda i: SEVERITY_RANK[i["f"]["severity"]])[
                            "severity"]})
    return out


def view(result: dict[str, Any], text: str) -> dict[str, Any]:
    findings = ordered(result["findings"])
    numbered = numbers(findings)
    marked, anchors = pieces(text, findings, numbered)
    quoted, credit = passages(findings)
    not_enough = _not_enough(result)
    words, advice = view_words(result)
    return {
        "level_words": words,
        "advice": advice,
        "verdict_class": "unknown" if not_enough else result["level"],
        "warnings": [w["message"] for w in result.get("warnings", [])],
        "evidence": evidence(result.get("source")),
        "pieces": marked,
        "reasons": top_reasons(result, anchors),
        "next_steps": next_steps(result["level"], not_enough, bool(findings)),
        "groups": groups(findings, numbered, anchors, quoted),
        "passages": quoted,
        "credit": credit or load_guidance().credit,
        "country": advert_country(result, text),
        "speaker_words": speaker_words(result.get("speaker")),
        "questions": questions(result),
        "cannot_tell": CANNOT_TELL,
        "status_words": STATUS_WORDS,
        "indications": [i for i in result.get("indications", []) if i.get("offered")],
    }


def speaker_words(speaker: dict[str, Any] | None) -> str:
    """Who seems to be speaking, in plain words (the words the model weighed stay in the report
    and the API)."""
    if not speaker:
        return ""
    if speaker["reads_as"] == "seller":
        text = "This text reads as a seller's copy: a clinic, broker or supplier addressing patients."
        if speaker.get("selling"):
            text += " Its sales phrases count for more: they are the seller's own claims."
        return text
    text = ("This text reads as someone informing (news, research, a regulator, a hospital or a "
            "charity), not selling.")
    if speaker.get("informing"):
        text += " Sales phrases in it are probably reported, not made, so they count for less."
    return text


def advert_country(result: dict[str, Any], text: str) -> dict[str, str] | None:
    """The country the advert seems to be in (the guess the JSON Lines rows and dashboards use),
    with its name, for the reporting routes the page links to."""
    from checker.core.reporting import load_routes

    code = country_of(text, result)
    found = load_routes().get(code) if code else None
    return {"code": found.code, "name": found.name} if found else None


def _not_enough(result: dict[str, Any]) -> bool:
    """Input that is not an advert (too short, a bare address) with nothing found in it."""
    return bool(result.get("warnings")) and result["level"] == "low"


def view_words(result: dict[str, Any]) -> tuple[str, str]:
    """The verdict's words and advice: "not enough to judge" for input that is not an advert."""
    if _not_enough(result):
        return NOT_ENOUGH_WORDS, NOT_ENOUGH_ADVICE
    return LEVEL_WORDS[result["level"]], LEVEL_ADVICE[result["level"]]


def evidence(source: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a fetched page or a read file was, when: the heading and rows of the evidence block
    (the result page and both reports show the same)."""
    if not source:
        return None
    kind = source.get("kind")
    rows: list[tuple[str, str]] = []
    if kind == "url":
        day = source.get("fetched_at", "")[:10]
        heading = f"What the page said on {day}" if day else "What the page said"
        rows.append(("Page", source.get("url", "")))
        if source.get("requested_url") and source.get("requested_url") != source.get("url"):
            rows.append(("Address given", source["requested_url"]))
        rows.append(("Fetched", source.get("fetched_at", "").replace("T", " ").replace(
            "Z", " UTC")))
        rows.append(("HTTP status", str(source.get("http_status", ""))))
        rows.append(("Content type", source.get("content_type", "")))
    elif kind == "pdf":
        heading = "What the PDF said"
        if source.get("filename"):
            rows.append(("File", source["filename"]))
    else:
        heading = "What the markup showed"
        if source.get("filename"):
            rows.append(("File", source["filename"]))
    rows.append(("Size", f"{source.get('bytes', 0):,} bytes"))
    rows.append(("sha256 of the bytes read", source.get("bytes_sha256", "")))
    rows.append(("sha256 of the text checked", source.get("text_sha256", "")))
    rows.append(("Text extracted with", source.get("extractor", "")))
    return {"heading": heading, "rows": rows,
            "note": "We checked the visible text below, as it was then; the highlights point "
                    "into it."}


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
                    permalink: str = "", created: str = "", reporting_page: str = "") -> str:
    """A report a journalist can cite: verdict, findings with quotes and sources, versions.
    ``reporting_page`` is the full address of the page of reporting routes (the advert's
    country is added to it).

    Everything that comes from the user (the clinic, the address, the text and every phrase
    quoted from it) is escaped (``md_text``) or fenced (``md_code_block``).
    """
    lines = ["# Clinic Claim Checker report", ""]
    if clinic or url:
        lines += [f"Clinic: {md_text(clinic) or '-'}  ", f"Address: {md_text(url) or '-'}", ""]
    shown_view = view(result, text)
    lines += [f"**{shown_view['level_words']}** (score {result['score']:.0f}/100). "
              f"{result['summary']}", ""]
    for warning in result.get("warnings", []):
        lines += [f"Note: {md_text(warning['message'])}", ""]
    if shown_view["reasons"]:
        lines += ["## The main reasons", ""]
        lines += [f"{i}. {md_text(reason_line(r))}" for i, r in enumerate(shown_view["reasons"], 1)]
        lines.append("")
    country = shown_view["country"]
    reporting_url = (reporting_page + (f"?country={country['code']}" if country else "")
                     if reporting_page else "")
    where = {"questions": "(see the questions below)",
             "trials": f"(how: {reporting_url}#trials)" if reporting_url else "",
             "report": (f"(how{' in ' + country['name'] if country else ''}: {reporting_url})"
                        if reporting_url else "")}
    lines += ["## What to do next", ""]
    lines += [f"{i}. {s['text']} {where.get(s.get('link', ''), '')}".rstrip()
              for i, s in enumerate(shown_view["next_steps"], 1)]
    lines.append("")
    found = shown_view["evidence"]
    if found:
        lines += [f"## {found['heading']}", ""]
        lines += [f"- {label}: {md_text(value)}" for label, value in found["rows"]]
        lines += ["", found["note"], ""]
    if result.get("speaker"):
        lines += [f"{md_text(result['speaker']['explanation'])}", ""]
    if created:
        lines.append(f"Checked: {created}  ")
    if permalink:
        lines.append(f"Permalink: {permalink}  ")
    v = result["versions"]
    lines += [f"Versions: checker {v['checker']}, rules {v['rules']}, data {v.get('data', '-')}, "
              f"model {v['model']}" + (f", speaker {v['speaker']}" if v.get("speaker") else "")
              + "  ", f"Input sha256: {result['input']['sha256']}", "",
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
