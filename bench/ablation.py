"""What each fast path buys: the checker's speed with each one switched off in turn.

    .venv/bin/python bench/ablation.py            # about a minute

Same corpus and method as ``bench/throughput.py`` (warm caches, every configuration timed side
by side, chunk by chunk, the fastest run of each chunk counting).
The switches are the slow, obvious paths the fast ones replaced, kept for exactly this:
spaCy's own ``Matcher`` with the same patterns instead of ``TokenMatcher``, and the
scikit-learn pipeline instead of ``FastScorer``. Results are the same either way (see
tests/test_fast_paths.py); only the time differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.append(str(HERE.parent))

from corpus import make_corpus  # noqa: E402
from throughput import OUT, machine, rates, timed_passes  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("-o", "--output", type=Path, default=OUT / "ablation.json")
    args = parser.parse_args(argv)

    import spacy

    from checker.engine import Checker

    texts = make_corpus(args.count, 150)
    checker = Checker()
    book, model = checker.rulebook, checker.classifier.model
    token_matcher, fast = book._matcher, model.fast
    configurations = {"both fast paths": (token_matcher, fast),
                      "spaCy Matcher instead of TokenMatcher": (book._validator, fast),
                      "scikit-learn instead of FastScorer": (token_matcher, None),
                      "neither": (book._validator, None)}

    def switched(matcher: object, scorer: object):
        def run(text: str) -> object:
            book._matcher, model.fast = matcher, scorer
            return checker.check(text)
        return run

    fns = {"tokenizer": spacy.blank("en")}
    fns.update({name: switched(*switches) for name, switches in configurations.items()})
    seconds = timed_passes(fns, texts, args.repeat)
    tokenizer = seconds["tokenizer"]
    report = {"machine": machine(), "adverts": len(texts), "words": 150,
              "a_tokenizer": rates(tokenizer, texts), "c_rules_and_classifier": {}}
    for name in configurations:
        report["c_rules_and_classifier"][name] = {**rates(seconds[name], texts),
                                                  "ratio_c_to_a": round(tokenizer / seconds[name], 4)}
        print(f"{name:40s} {len(texts) / seconds[name]:7.1f} adverts/s  "
              f"{seconds[name] / len(texts) * 1000:6.2f} ms  c/a {tokenizer / seconds[name]:.4f}")
    book._matcher, model.fast = token_matcher, fast
    OUT.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
