"""Compare two checks: which warning signs were added, removed or kept, how the score and level
moved, and how the text changed word by word.

``compare(a, b)`` takes two checks as ``(result, text, meta)``: a result in format 1 or 2, the
text it was checked on ("" when it is not known: then there is no text diff) and what to say
about the check (its id, date, clinic, url; passed through as is). ``a`` is the earlier check
("before"), ``b`` the later one ("after").

A warning sign is matched by its rule and its phrase, normalised (lowercased, white space
folded): "Cures  Autism" and "cures autism" under the same rule are one warning sign. A phrase
repeated in a text counts once, with how often it occurs on each side: the distinct warning
signs the triage points count too (checker.surfaces.triage.warning_signs).

The text diff works on words (difflib over the words, white space kept with the word before
it), after the common beginning and end are set aside, so two long versions of a page that
differ in one paragraph cost little; when the changed middle of either side is longer than
``MAX_DIFF_WORDS`` words, or the runs longer than ``MAX_DIFF_CHARS`` characters, the rest is
left out and ``truncated`` says so.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from checker.formats import glance
from checker.surfaces.clinics import clinic_key
from checker.surfaces.triage import SEVERITY_ORDER, warning_signs

MAX_DIFF_WORDS = 6000        # words of each text the diff looks at
MAX_DIFF_CHARS = 200_000     # characters of the diff's runs in all

_WORD = re.compile(r"\S+\s*")

Check = tuple[dict[str, Any], str, dict[str, Any]]


def side(row: dict[str, Any]) -> Check:
    """A stored check (a store row: result, text, id, created, clinic, url, published) as a side
    of a comparison: its result, its text and what to say about it."""
    meta = {"id": row["id"], "created": row["created"], "clinic": row["clinic"],
            "url": row["url"], "published": bool(row["published"]),
            "clinic_key": row.get("clinic_key") or clinic_key(row["clinic"], row["url"])}
    return row["result"], row["text"], meta


def rules_fired(result: dict[str, Any]) -> list[str]:
    """The rules that fired, each once, in the order they first fired in the text."""
    return list(dict.fromkeys(f["rule"] for f in glance(result)["findings"]))


def _order(sign: dict[str, Any]) -> tuple[Any, ...]:
    return (SEVERITY_ORDER.get(sign["severity"], 9), sign["category"], sign["rule"],
            sign["phrase"])


def compare(a: Check, b: Check, *, text_diff: bool = True) -> dict[str, Any]:
    """What changed from check ``a`` (before) to check ``b`` (after); see the module's doc."""
    result_a, text_a, meta_a = a
    result_b, text_b, meta_b = b
    signs_a, signs_b = warning_signs(result_a), warning_signs(result_b)
    added = [dict(signs_b[k]) for k in signs_b if k not in signs_a]
    removed = [dict(signs_a[k]) for k in signs_a if k not in signs_b]
    unchanged = []
    for k in signs_b:
        if k in signs_a:
            sign = dict(signs_b[k])
            sign["count_before"], sign["count"] = signs_a[k]["count"], signs_b[k]["count"]
            if signs_a[k]["severity"] != sign["severity"]:
                sign["severity_before"] = signs_a[k]["severity"]
            unchanged.append(sign)
    for signs in (added, removed, unchanged):
        signs.sort(key=_order)
    rules_a, rules_b = rules_fired(result_a), rules_fired(result_b)
    before, after = float(result_a["score"]), float(result_b["score"])
    out: dict[str, Any] = {
        "a": {**meta_a, "level": result_a["level"], "score": before, "rules": rules_a,
              "findings": len(result_a["findings"])},
        "b": {**meta_b, "level": result_b["level"], "score": after, "rules": rules_b,
              "findings": len(result_b["findings"])},
        "score": {"before": before, "after": after, "delta": round(after - before, 2)},
        "level": {"before": result_a["level"], "after": result_b["level"],
                  "changed": result_a["level"] != result_b["level"]},
        "counts": {"added": len(added), "removed": len(removed), "unchanged": len(unchanged)},
        "added": added, "removed": removed, "unchanged": unchanged,
        "rules": {"added": [r for r in rules_b if r not in rules_a],
                  "removed": [r for r in rules_a if r not in rules_b]},
    }
    if text_diff:
        out["diff"] = word_diff(text_a, text_b)
        if not out["diff"]["available"]:
            # No text to diff: the inputs' fingerprints still tell whether the texts differ.
            sha_a, sha_b = (r.get("input", {}).get("sha256") for r in (result_a, result_b))
            out["diff"]["changed"] = sha_a != sha_b if sha_a and sha_b else None
    return out


def _words(text: str) -> list[tuple[str, int, int]]:
    """Each word with its span, the white space after it included (the text's leading white
    space goes with its first word)."""
    spans = [(m.group().strip(), m.start(), m.end()) for m in _WORD.finditer(text)]
    if spans:
        spans[0] = (spans[0][0], 0, spans[0][2])
    return spans


def word_diff(before: str, after: str) -> dict[str, Any]:
    """The text's changes as runs ``{"op": "equal"|"delete"|"insert", "text": ...}``: read in
    order, the equal and delete runs give the words of ``before``, the equal and insert runs
    ``after`` (as written in it), within the caps. ``available`` is false when either text is
    unknown; ``truncated`` is true when the caps left part of the texts out."""
    if not before or not after:
        return {"available": False, "runs": [], "truncated": False,
                "changed": before != after}
    words_a, words_b = _words(before), _words(after)
    keys_a, keys_b = [w[0] for w in words_a], [w[0] for w in words_b]
    # The common beginning and end are equal runs; difflib only sees the middle, at most
    # MAX_DIFF_WORDS words of each side (past that, the rest is left out).
    shorter = min(len(keys_a), len(keys_b))
    head = 0
    while head < shorter and keys_a[head] == keys_b[head]:
        head += 1
    tail = 0
    while tail < shorter - head and keys_a[-1 - tail] == keys_b[-1 - tail]:
        tail += 1
    end_a, end_b = len(keys_a) - tail, len(keys_b) - tail
    truncated = end_a - head > MAX_DIFF_WORDS or end_b - head > MAX_DIFF_WORDS
    if truncated:
        end_a, end_b = min(end_a, head + MAX_DIFF_WORDS), min(end_b, head + MAX_DIFF_WORDS)
    matcher = difflib.SequenceMatcher(None, keys_a[head:end_a], keys_b[head:end_b],
                                      autojunk=False)
    opcodes = [("equal", 0, head, 0, head)] if head else []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        opcodes.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail and not truncated:
        opcodes.append(("equal", end_a, len(keys_a), end_b, len(keys_b)))

    def span(words: list[tuple[str, int, int]], text: str, i: int, j: int) -> str:
        return text[words[i][1]:words[j - 1][2]] if j > i else ""

    runs: list[dict[str, str]] = []
    size = 0

    def add(op: str, text: str) -> None:
        nonlocal size, truncated
        if not text:
            return
        room = MAX_DIFF_CHARS - size
        if room <= 0:
            truncated = True
            return
        if len(text) > room:
            text, truncated = text[:room], True
        size += len(text)
        if runs and runs[-1]["op"] == op:
            runs[-1]["text"] += text
        else:
            runs.append({"op": op, "text": text})

    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            add("equal", span(words_b, after, j1, j2))
            continue
        add("delete", span(words_a, before, i1, i2))
        add("insert", span(words_b, after, j1, j2))
    return {"available": True, "runs": runs, "truncated": truncated,
            "changed": any(r["op"] != "equal" for r in runs)}


# -- as text, for the command line ------------------------------------------------------------

CONTEXT_WORDS = 8


def _describe(side: dict[str, Any], name: str) -> str:
    parts = [side.get("id") or side.get("path") or name]
    for field in ("clinic", "created"):
        if side.get(field):
            parts.append(str(side[field]))
    return " | ".join(parts)


def _sign_line(mark: str, sign: dict[str, Any]) -> str:
    return f"  {mark} {sign['rule']} [{sign['category']}, {sign['severity']}] \"{sign['phrase']}\""


def _shorten(text: str, where: str) -> str:
    """An equal run cut to CONTEXT_WORDS words at the end(s) that touch a change."""
    words = text.split()
    if len(words) <= 2 * CONTEXT_WORDS:
        return " ".join(words)
    if where == "start":
        return "... " + " ".join(words[-CONTEXT_WORDS:])
    if where == "end":
        return " ".join(words[:CONTEXT_WORDS]) + " ..."
    return " ".join(words[:CONTEXT_WORDS]) + " ... " + " ".join(words[-CONTEXT_WORDS:])


def diff_text(diff: dict[str, Any]) -> str:
    """The text diff as one paragraph: [-deleted-] {+inserted+}, long equal runs shortened."""
    runs = diff["runs"]
    out = []
    for n, run in enumerate(runs):
        words = " ".join(run["text"].split())
        if run["op"] == "delete":
            out.append(f"[-{words}-]")
        elif run["op"] == "insert":
            out.append(f"{{+{words}+}}")
        else:
            where = "start" if n == 0 else "end" if n == len(runs) - 1 else "middle"
            out.append(_shorten(run["text"], where))
    return " ".join(w for w in out if w)


def render_text(c: dict[str, Any]) -> str:
    """A comparison as readable text (what ``python -m checker compare`` prints)."""
    score, level, counts = c["score"], c["level"], c["counts"]
    lines = [f"Before (A): {_describe(c['a'], 'A')}",
             f"After  (B): {_describe(c['b'], 'B')}",
             "",
             f"Score: {score['before']:.1f} -> {score['after']:.1f} ({score['delta']:+.1f})",
             f"Level: {level['before']} -> {level['after']}"
             + ("" if level["changed"] else " (unchanged)"),
             f"Warning signs: {counts['added']} added, {counts['removed']} removed, "
             f"{counts['unchanged']} unchanged"]
    if c["rules"]["added"] or c["rules"]["removed"]:
        lines.append(f"Rules: added {', '.join(c['rules']['added']) or 'none'}; "
                     f"removed {', '.join(c['rules']['removed']) or 'none'}")
    for title, key, mark in (("Added (only in B)", "added", "+"),
                             ("Removed (only in A)", "removed", "-"),
                             ("Unchanged (in both)", "unchanged", "=")):
        lines += ["", f"{title}:"]
        lines += [_sign_line(mark, s) for s in c[key]] or ["  (none)"]
    diff = c.get("diff")
    if diff is not None:
        lines += ["", "Text changes ([-removed-] {+added+}):"]
        if not diff["available"]:
            same = {True: "; their fingerprints (sha256) differ", False: "; the texts checked "
                    "were the same (same sha256)"}.get(diff["changed"], "")
            lines.append(f"  (the text of a check is not known{same})")
        elif not diff["changed"]:
            lines.append("  (the texts are the same)")
        else:
            lines.append("  " + diff_text(diff))
            if diff["truncated"]:
                lines.append("  (the texts are long: only their first part was compared)")
    return "\n".join(lines)
