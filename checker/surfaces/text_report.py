"""The CLI's readable report of one check: verdict, how the text reads, the advert with its
warning signs marked, why each one is a warning sign (with the editorial's words), questions."""

from __future__ import annotations

import textwrap
from typing import Any

import click

LEVEL_COLOURS = {"low": "green", "medium": "yellow", "high": "red"}


def first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def render_text_report(text: str, result: dict[str, Any], colour: bool) -> str:
    """A readable terminal report: verdict, the advert with spans marked, findings, questions."""
    level = result["level"]
    verdict = (click.style("NOT ENOUGH TO JUDGE", bold=True)
               if result.get("warnings") and level == "low"
               else click.style(f"{level.upper()} RISK", fg=LEVEL_COLOURS[level], bold=True))
    lines = [verdict + f"  (score {result['score']:.0f}/100)", result["summary"], ""]
    for warning in result.get("warnings", []):
        lines[-1:-1] = textwrap.wrap("Note: " + warning["message"], 92)
    if result.get("speaker"):
        lines[-1:-1] = textwrap.wrap(result["speaker"]["explanation"], 92)
    source = result.get("source")
    if source:
        where = source.get("url") or source.get("filename") or "the markup given"
        when = f" on {source['fetched_at']}" if source.get("fetched_at") else ""
        lines[-1:-1] = [f"Read from {where}{when} ({source.get('content_type') or source['kind']}"
                        f", {source['bytes']:,} bytes, {source['bytes_sha256'][:23]}...);",
                        f"checked its visible text ({source['text_sha256'][:23]}...), shown "
                        f"below, extracted with {source['extractor']}."]
    if result["findings"]:
        lines.append(click.style("The text, with warning signs marked:", bold=True))
        lines.append(_highlight(text, result["findings"], colour))
        lines.append("")
        lines.append(click.style("Why each one is a warning sign:", bold=True))
        for f in result["findings"]:
            head = f"[{f['id']}] {f['category']} ({f['severity']}) \u201c{f['text']}\u201d"
            lines.append(click.style(head, fg=LEVEL_COLOURS.get(f["severity"], None), bold=True))
            lines.extend(textwrap.wrap(f["explanation"], 92, initial_indent="    ",
                                       subsequent_indent="    "))
            quoted = [c for c in f["citations"] if c.get("quote")][:1]
            for c in quoted:  # the first passage; the rest are in --format json
                lines.extend(textwrap.wrap(f"Editorial: \u201c{c['quote']}\u201d \u2014 "
                                           f"{c['credit']}", 92, initial_indent="    ",
                                           subsequent_indent="      "))
            for c in f["citations"]:
                if c.get("url"):
                    lines.append(f"    {c['source']}: {c['url']}")
        lines.append("")
    if result.get("questions"):
        lines.append(click.style("Questions to ask the clinic:", bold=True))
        for q in result["questions"]:
            lines.extend(textwrap.wrap(q, 90, initial_indent="  - ", subsequent_indent="    "))
        lines.append("")
    versions = result["versions"]
    lines.append(f"checker {versions['checker']}, rules {versions['rules']}, "
                 f"model {versions['model']}"
                 + (f", speaker {versions['speaker']}" if versions.get("speaker") else "")
                 + f"; input sha256 {result['input']['sha256'][:16]}...")
    return "\n".join(lines)


def _highlight(text: str, findings: list[dict[str, Any]], colour: bool) -> str:
    spans = sorted({(f["start"], f["end"]) for f in findings})
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        piece = text[start:end]
        out.append(click.style(piece, reverse=True, bold=True) if colour else f"[[{piece}]]")
        pos = end
    out.append(text[pos:])
    return "".join(out)
