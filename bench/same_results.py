"""Prove that a change to the hot path left every result byte-for-byte the same.

Run it once with the old code and once with the new, on the same rules, corpus and model, then
compare the two fingerprint files::

    PYTHONPATH=/tmp/old-checkout python bench/same_results.py -o bench/out/before.jsonl
    PYTHONPATH=.                 python bench/same_results.py -o bench/out/after.jsonl
    python bench/same_results.py --compare bench/out/before.jsonl bench/out/after.jsonl

``--without-versions`` leaves the result's versions out, for a rule file rewritten without
changing what it finds (its bytes, and so the rules version, change).

Each line holds a text's name and the sha256 of ``json.dumps(result.to_dict())`` for the rules
and for rules + classifier. The texts: the sample adverts, generated adverts of about 150 and
1,000 words (``bench/corpus.py``), every rule example, pseudo-adverts stitched from the
training sentences, a few awkward inputs (HTML, look-alike letters, invisible characters), every
record of ``corpus/checks/`` and ``corpus/real/``, and, when ``../shared/data`` is present, its
measuring sets (read here, never copied).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

AWKWARD = [
    "<html><body><h1>Stem Cell Miracle</h1><p>Our cells <b>cure</b> autism &amp; ALS!</p>"
    "<script>var x = 'cure';</script><ul><li>No side effects</li><li>$9,800</li></ul></body></html>",
    "Our st\u0435m c\u0435lls \u0441ure MS \u2014 100% s\u0430fe, n\u043e side effects!",
    "Re\u200bverses a\u00adging. \U0001d41c\U0001d42e\U0001d42b\U0001d41e for arthritis \u2026 guaranteed!!",
    "Stem\tcells\r\ncure\u2028everything.\u2029No risk.   Book NOW \u2013 only 2 spots!",
    "Is it safe? No. Does it cure? We do not claim that stem cells cure anything.",
    "\u2022 Autism\n\u2022 ALS\n\u2022 Parkinson\u2019s\n\u2022 COPD\nAll treated with our exosomes for \u20ac4.900",
]


def texts(limit_training: int = 400) -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "corpus" / "samples").glob("*.txt")):
        yield path.name, path.read_text(encoding="utf8")
    for i, text in enumerate(make_corpus(300, 150)):
        yield f"bench-150-{i}", text
    for i, text in enumerate(make_corpus(40, 1000)):
        yield f"bench-1000-{i}", text
    for i, text in enumerate(AWKWARD):
        yield f"awkward-{i}", text
    import yaml

    for path in sorted((ROOT / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf8"))
        for rule in data.get("rules", []) if isinstance(data, dict) else []:
            for kind in ("must_flag", "must_pass"):
                for j, text in enumerate(rule.get("examples", {}).get(kind, [])):
                    yield f"{rule['id']}:{kind}:{j}", text
    sentences = []
    for path in sorted((ROOT / "corpus" / "training").glob("*.jsonl")):
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                sentences.append(json.loads(line)["text"])
    rng = random.Random(7)
    for i in range(limit_training):
        chosen = rng.sample(sentences, rng.randint(1, 12))
        glue = rng.choice([" ", "\n", "\n\n"])
        yield f"training-mix-{i}", glue.join(chosen)
    for path in sorted((ROOT / "corpus" / "checks").glob("*.jsonl")) + \
            sorted((ROOT / "corpus" / "real").glob("**/*.jsonl")):
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                record = json.loads(line)
                yield f"{path.relative_to(ROOT)}:{record['id']}", record["text"]
    shared = ROOT.parent / "shared" / "data"
    for name in ("dev_real.jsonl", "dev_pages.jsonl", "dev_prices.jsonl"):
        path = shared / name
        if path.exists():
            for line in path.read_text(encoding="utf8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    yield f"{name}:{record['id']}", record["text"]


def fingerprint(result: object, versions: bool = True) -> str:
    content = result.to_dict()  # type: ignore[attr-defined]
    if not versions:
        content.pop("versions", None)
    encoded = json.dumps(content, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf8")).hexdigest()


def write(output: Path, versions: bool = True) -> int:
    from checker.engine import Checker

    rules, full = Checker(classifier=False), Checker()
    output.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with output.open("w", encoding="utf8") as fh:
        for name, text in texts():
            fh.write(json.dumps({"name": name,
                                 "rules": fingerprint(rules.check(text), versions),
                                 "full": fingerprint(full.check(text), versions)}) + "\n")
            n += 1
    print(f"{n} texts -> {output}")
    return 0


def compare(before: Path, after: Path) -> int:
    """Compare two fingerprint files on the texts both hold (a corpus may have grown between
    them: the texts only one of them holds are counted, not compared)."""
    old = {r["name"]: r for r in map(json.loads, before.read_text().splitlines())}
    new = {r["name"]: r for r in map(json.loads, after.read_text().splitlines())}
    shared = [name for name in old if name in new]
    differ = [name for name in shared if old[name] != new[name]]
    print(f"{len(shared)} texts in both, {len(shared) - len(differ)} identical, "
          f"{len(differ)} different; {len(old) - len(shared)} only before, "
          f"{len(new) - len(shared)} only after")
    for name in differ[:20]:
        print("  differs:", name)
    return 1 if differ or not shared else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--without-versions", action="store_true",
                        help="leave the versions out of the fingerprint (a rule file rewritten "
                             "without changing what it finds changes the rules version)")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.output:
        parser.error("give -o OUTPUT or --compare BEFORE AFTER")
    return write(args.output, versions=not args.without_versions)


if __name__ == "__main__":
    raise SystemExit(main())
