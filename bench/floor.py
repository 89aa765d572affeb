"""What the 0.35 target leaves room for: the check's steps timed beside a bare tokenizer.

    .venv/bin/python bench/floor.py            # 400 adverts of ~150 words, about two minutes
    .venv/bin/python bench/floor.py --quick

Issue 8 asks that a whole check, rules and classifier, run at 0.35 of the speed of a bare
``spacy.blank("en")`` pass over the same adverts, i.e. in at most ``tokenizer time / 0.35``.
This script measures, side by side on the same 150-word adverts (``throughput.timed_passes``:
a chunk at a time, each function in turn, the fastest of ``--repeat`` runs counting), how much
of that budget the steps take that every check must take before any rule runs:

  tokenizer   ``spacy.blank("en")``: the baseline (a) of ``throughput.py``
  prepared    text preparation (normalised characters, offsets back to the user's text), then
              the bare tokenizer
  pipeline    text preparation and our spaCy pipeline: tokenizer, sentence starts, lemmas
  document    ``analyse``: text preparation (offsets to the user's text), the pipeline,
              sentences and the token lists every detector reads
  classifier  ``analyse`` and then the classifier's features and probabilities for every
              sentence, explaining nothing and matching no rule
  rules       ``Checker(classifier=False).check``: (b) of ``throughput.py``
  check       ``Checker().check``: (c) of ``throughput.py``

Each line reports ms per advert, its ratio to the tokenizer (the figure the target is set in)
and the share of the budget it uses. The JSON goes to ``bench/out/floor.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout can be measured

from corpus import SEED, make_corpus  # noqa: E402
from throughput import OUT, machine, timed_passes  # noqa: E402

TARGET = 0.35


def stages() -> dict[str, Any]:
    from checker.core.document import analyse
    from checker.engine import Checker
    from checker.core.nlp import get_nlp, tokenizer_only
    from checker.core.text import prepare

    tokenizer, nlp = tokenizer_only(), get_nlp()
    rules, full = Checker(classifier=False), Checker()
    model = full.classifier.model

    def prepared(text: str) -> Any:
        return tokenizer(prepare(text).text)

    def pipeline(text: str) -> Any:
        return nlp(prepare(text).text)

    def classifier(text: str) -> Any:
        document = analyse(text)
        sentences = [document.span_text(s.start, s.end) for s in document.sents]
        return model.score_unexplained(sentences) if sentences else None

    return {"tokenizer": tokenizer, "prepared": prepared, "pipeline": pipeline, "document": analyse,
            "classifier": classifier, "rules": rules.check, "check": full.check}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="adverts of ~150 words")
    parser.add_argument("--words", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="100 adverts, two repeats")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "floor.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.repeat = 100, 2
    texts = make_corpus(args.count, args.words)
    seconds = timed_passes(stages(), texts, args.repeat)
    base = seconds["tokenizer"]
    budget_ms = base / len(texts) * 1000 / TARGET
    rows = {name: {"ms_per_advert": round(s / len(texts) * 1000, 4),
                   "ratio_to_tokenizer": round(base / s, 4),
                   "share_of_budget": round(s / len(texts) * 1000 / budget_ms, 2)}
            for name, s in seconds.items()}
    report = {"machine": machine(), "seed": SEED, "adverts": len(texts), "words": args.words,
              "repeat": args.repeat, "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "target_ratio": TARGET, "budget_ms_per_advert": round(budget_ms, 4),
              "stages": rows}
    OUT.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    m = report["machine"]
    print(f"Machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}. {len(texts)} adverts "
          f"of ~{args.words} words. Budget at (c)/(a) = {TARGET}: {budget_ms:.3f} ms per advert.")
    print("\n| step (cumulative) | ms per advert | ratio to tokenizer | share of budget |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['ms_per_advert']:.3f} | {r['ratio_to_tokenizer']:.3f} | "
              f"{r['share_of_budget']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
