"""``corpus/real/``: records we wrote after real public pages, and the checks that keep them ours.

Each record was written by us after one real page (its facts, speaker, register and claims kept,
its sentences not), then labelled by two readers who did not write it, independently, with
``corpus/real/LABELLING.md``; disagreements were settled by a third reading.

The excerpts of the pages are kept out of the repository. What is kept is, for each page (by a
hash of its address), a hash of every run of ``RUN`` words in its excerpt
(``source_shingles.bin``), so anyone can check that no record shares a run of ``RUN`` words with
the page it was modelled on, without the pages themselves.

    python -m checker.tools.corpus_real hashes SOURCES.jsonl ...   # rebuild source_shingles.bin
    python -m checker.tools.corpus_real agreement                  # kappas of the two readers
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator

from checker.core.paths import CORPUS_DIR
from checker.core.result import CATEGORIES
from checker.detect.speaker import SELLERS

REAL_DIR = CORPUS_DIR / "real"
FILES = ("snippets.jsonl", "pages.jsonl")
SHINGLES = REAL_DIR / "source_shingles.bin"
RUN = 8              # no record may share a run of this many words with a source page
HASH_BYTES = 5       # 40-bit hashes: a chance collision is about one in 10^12 per pair
SPEAKERS = ("clinic", "broker", "supplier", "patient", "journalist", "researcher", "regulator",
            "hospital", "charity", "trial_registry", "other")
HARD_CASES = ("careful_with_seller_words", "seller_without_trigger")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words and numbers, apostrophes kept inside a word ("don't")."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def shingle_hashes(text: str, n: int = RUN) -> set[bytes]:
    """The hash of every run of ``n`` consecutive words of ``text``."""
    w = words(text)
    return {hashlib.blake2b(" ".join(w[i:i + n]).encode(), digest_size=HASH_BYTES).digest()
            for i in range(len(w) - n + 1)}


def longest_shared_run(a: str, b: str) -> int:
    """The longest run of consecutive words that ``a`` and ``b`` share."""
    wa, wb = words(a), words(b)
    where: dict[str, list[int]] = {}
    for j, w in enumerate(wb):
        where.setdefault(w, []).append(j)
    best, previous = 0, {}
    for w in wa:
        current = {j: previous.get(j - 1, 0) + 1 for j in where.get(w, ())}
        best = max(best, *current.values(), 0) if current else best
        previous = current
    return best


def records(real_dir: Path = REAL_DIR) -> Iterator[dict[str, Any]]:
    """Every record of the corpus, snippets first, in file order."""
    for name in FILES:
        path = real_dir / name
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def _url_key(url: str) -> bytes:
    return hashlib.blake2b(url.encode(), digest_size=8).digest()


def load_shingles(path: Path = SHINGLES) -> dict[bytes, set[bytes]]:
    """Each source page (by a hash of its address): the hashes of its runs of RUN words."""
    data, out, i = path.read_bytes(), {}, 0
    while i < len(data):
        key, count = data[i:i + 8], int.from_bytes(data[i + 8:i + 12], "big")
        i += 12
        out[key] = {data[j:j + HASH_BYTES] for j in range(i, i + count * HASH_BYTES, HASH_BYTES)}
        i += count * HASH_BYTES
    return out


def source_shingles(shingles: dict[bytes, set[bytes]], url: str) -> set[bytes] | None:
    """The run hashes of the page at ``url``, or None when no excerpt of it was kept."""
    return shingles.get(_url_key(url))


def write_shingles(excerpts: Iterable[tuple[str, str]], path: Path = SHINGLES) -> int:
    """Write the run hashes of each (address, excerpt); several excerpts of one page join."""
    by_url: dict[bytes, set[bytes]] = {}
    for url, excerpt in excerpts:
        by_url.setdefault(_url_key(url), set()).update(shingle_hashes(excerpt))
    with path.open("wb") as fh:
        for key in sorted(by_url):
            hashes = sorted(by_url[key])
            fh.write(key + len(hashes).to_bytes(4, "big") + b"".join(hashes))
    return len(by_url)


def kappa(a: list[Any], b: list[Any]) -> float:
    """Cohen's kappa of two readers' labels for the same items."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(a) | set(b)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The two readers' agreement: kappa on should_flag, each category, the speaker."""
    first = [r["labels"]["reader_1"] for r in rows]
    second = [r["labels"]["reader_2"] for r in rows]
    out: dict[str, Any] = {
        "records": len(rows),
        "should_flag": round(kappa([x["should_flag"] for x in first],
                                   [x["should_flag"] for x in second]), 3),
        "raw_agreement": round(sum(x["should_flag"] == y["should_flag"]
                                   for x, y in zip(first, second)) / len(rows), 3),
        "categories": {c: round(kappa([c in x["categories"] for x in first],
                                      [c in x["categories"] for x in second]), 3)
                       for c in CATEGORIES},
        "speaker": round(kappa([x["speaker"] for x in first], [x["speaker"] for x in second]), 3),
        "seller_or_informer": round(kappa([x["speaker"] in SELLERS for x in first],
                                          [x["speaker"] in SELLERS for x in second]), 3),
        "settled": sum(1 for r in rows if r.get("settled")),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    hashes = sub.add_parser("hashes", help="rebuild source_shingles.bin from excerpt files")
    hashes.add_argument("sources", nargs="+", type=Path)
    sub.add_parser("agreement", help="print the readers' agreement as JSON")
    args = parser.parse_args(argv)
    if args.command == "hashes":
        rows = (json.loads(line) for path in args.sources
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        count = write_shingles((row["source_url"], row["excerpt"]) for row in rows)
        print(f"run hashes of {count} pages -> {SHINGLES}", file=sys.stderr)
        return 0
    print(json.dumps(agreement(list(records())), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
