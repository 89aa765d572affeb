#!/usr/bin/env python3
"""Check a writer's draft records for corpus/real/ (written by us after real pages) against the
excerpts of the pages they were modelled on, before they are labelled and merged.

    python scripts/corpus_check.py drafts.jsonl --sources excerpts.jsonl

For every record: the fields and their values, the length (snippets 1-5 sentences, pages
200-500 words), and the longest run of words it shares with the excerpt of the page it was
modelled on (must be under 8). Sources are JSON Lines {"source_url", "excerpt"} kept OUT of
the repository; only hashes of their 8-word runs are committed (corpus/real/source_shingles.gz).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checker.tools.corpus_real import HARD_CASES, SPEAKERS, longest_shared_run, words  # noqa: E402

CATEGORIES = {"efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure"}
HARD = set(HARD_CASES) | {None}
RUN = 8


def domain_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if len(words(s)) >= 2])


def check_record(r: dict, sources: dict[str, str]) -> list[str]:
    problems = []
    for name in ("id", "kind", "text", "source_url", "domain", "speaker", "notes"):
        if not isinstance(r.get(name), str) or not r[name].strip():
            problems.append(f"{name} missing")
    if problems:
        return problems
    if r["kind"] not in ("snippet", "page"):
        problems.append("kind must be snippet or page")
    if r["speaker"] not in SPEAKERS:
        problems.append(f"speaker {r['speaker']!r} unknown")
    if r["domain"] != domain_of(r["source_url"]):
        problems.append(f"domain should be {domain_of(r['source_url'])!r}")
    if r.get("hard_case") not in HARD:
        problems.append("hard_case must be careful_with_seller_words, seller_without_trigger or null")
    draft = r.get("writer_label", {})
    if not isinstance(draft.get("should_flag"), bool):
        problems.append("writer_label.should_flag must be true/false")
    if not set(draft.get("categories", [])) <= CATEGORIES:
        problems.append("writer_label.categories unknown")
    if not isinstance(r.get("conditions", []), list):
        problems.append("conditions must be a list")
    n_words = len(words(r["text"]))
    if r["kind"] == "snippet" and not (1 <= sentences(r["text"]) <= 5 and n_words <= 140):
        problems.append(f"snippet should be 1-5 sentences, at most ~140 words ({n_words} words)")
    if r["kind"] == "page" and not 200 <= n_words <= 500:
        problems.append(f"page should be 200-500 words ({n_words})")
    src = sources.get(r["source_url"])
    if src is None:
        problems.append("no source excerpt saved for source_url")
    else:
        run = longest_shared_run(r["text"], src)
        if run >= RUN:
            problems.append(f"shares a run of {run} words with its source (must be < {RUN})")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--sources", action="append", default=[])
    args = ap.parse_args()
    sources: dict[str, str] = {}
    for path in args.sources:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                s = json.loads(line)
                sources[s["source_url"]] = sources.get(s["source_url"], "") + "\n" + s["excerpt"]
    bad = 0
    seen: set[str] = set()
    counts: Counter = Counter()
    domains: set[str] = set()
    for path in args.files:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{n}: not JSON ({exc})")
                bad += 1
                continue
            problems = check_record(r, sources)
            if r.get("id") in seen:
                problems.append("duplicate id")
            seen.add(r.get("id"))
            if problems:
                bad += 1
                print(f"{path}:{n} {r.get('id')}: " + "; ".join(problems))
                continue
            domains.add(r["domain"])
            counts[r["kind"]] += 1
            counts["speaker:" + r["speaker"]] += 1
            counts["flag" if r["writer_label"]["should_flag"] else "careful"] += 1
            counts["hard:" + str(r.get("hard_case"))] += 1
    print(f"{sum(counts[k] for k in ('snippet', 'page'))} good records, {bad} with problems, "
          f"{len(domains)} domains")
    for k, v in sorted(counts.items()):
        print(f"  {k}: {v}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
