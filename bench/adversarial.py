"""The adversarial table: inputs built to make the checker slow or its result huge.

    .venv/bin/python bench/adversarial.py                # 100,000 characters each
    .venv/bin/python bench/adversarial.py --chars 20000  # a quicker look

Every input has the same length in characters. The yardstick is ordinary advert text of that
length (generated adverts from ``bench/corpus.py``, one after another), checked in the same
run, with the rules and the classifier. For each input the table gives the time of one check,
its ratio to the yardstick, the number of findings listed and counted, and the size of the
result as stored (its JSON, UTF-8). Each time is the fastest of ``--repeat`` runs, the inputs
taking turns, so a slow spell of the machine does not fall on one of them only.

The targets (issue 14): every input within 10x the yardstick's time, and every stored result
under 1 MB. The exit code is 1 when a target is missed. The JSON report goes to
``bench/out/adversarial.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

MAX_RATIO = 10.0
MAX_BYTES = 1_000_000


def _fill(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def inputs(chars: int) -> dict[str, str]:
    ordinary = ""
    for advert in make_corpus(max(chars // 600, 10), 150, seed=4242):
        ordinary += advert + "\n\n"
        if len(ordinary) >= chars:
            break
    sample = (HERE.parent / "corpus" / "samples" / "advert-knee-clinic.txt").read_text("utf8")
    return {
        "ordinary advert text": ordinary[:chars],
        "'!' with no spaces": "!" * chars,
        "'$' with no spaces": "$" * chars,
        "'?' with no spaces": "?" * chars,
        "'(' with no spaces": "(" * chars,
        "'<' with no spaces": "<" * chars,
        "emoji with no spaces": "\U0001F600" * chars,
        "'!?$(' repeated": _fill("!?$(", chars),
        "'a:' repeated (infixes)": _fill("a:", chars),
        "one word, no spaces": _fill("stemcellcure", chars),
        "'cure ' repeated": _fill("cure ", chars),
        "'autism, ' repeated": _fill("autism, ", chars),
        "a URL repeated": _fill("https://stem-cell-cure.example.com/autism?ref=ad ", chars),
        "'$5,000 ' repeated": _fill("$5,000 ", chars),
        "'No side effects! ' repeated": _fill("No side effects! ", chars),
        "one sample advert repeated": _fill(sample + "\n\n", chars),
        "HTML tags repeated": _fill("<li><b>Cures MS</b></li>", chars),
        "zero-width joiners": _fill("cure\u200d", chars),
        "line breaks only between words": _fill("cure\n", chars),
    }


def measure(chars: int, repeat: int) -> dict:
    from checker.engine import Checker

    checker = Checker()
    checker.check("warm the caches: stem cells for knee pain, $5,000.")
    cases = inputs(chars)
    best = {name: float("inf") for name in cases}
    facts: dict[str, dict] = {}
    for _ in range(repeat):
        for name, text in cases.items():
            started = time.perf_counter()
            result = checker.check(text)
            best[name] = min(best[name], time.perf_counter() - started)
            if name not in facts:
                stored = json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True)
                facts[name] = {"findings": len(result.findings),
                               "repeats": sum(f.repeats for f in result.findings),
                               "omitted": result.omitted,
                               "bytes": len(stored.encode("utf8"))}
    base = best["ordinary advert text"]
    rows = []
    for name in cases:
        rows.append({"input": name, "chars": chars, "seconds": round(best[name], 4),
                     "ratio": round(best[name] / base, 2), **facts[name]})
    return {"chars": chars, "repeat": repeat, "rows": rows,
            "max_ratio": max(r["ratio"] for r in rows),
            "max_bytes": max(r["bytes"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=HERE / "out" / "adversarial.json")
    args = parser.parse_args(argv)
    report = measure(args.chars, args.repeat)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"| input ({args.chars:,} characters) | seconds | x ordinary | findings listed "
          f"| repeats counted | omitted | stored result |")
    print("|---|---|---|---|---|---|---|")
    for r in report["rows"]:
        omitted = ", ".join(f"{k} {v}" for k, v in r["omitted"].items()) or "-"
        print(f"| {r['input']} | {r['seconds']:.3f} | {r['ratio']:.2f} | {r['findings']} | "
              f"{r['repeats']} | {omitted} | {r['bytes'] / 1000:,.1f} kB |")
    ok = report["max_ratio"] <= MAX_RATIO and report["max_bytes"] < MAX_BYTES
    print(f"\nworst ratio {report['max_ratio']:.2f} (target <= {MAX_RATIO:g}), largest result "
          f"{report['max_bytes'] / 1000:,.1f} kB (target < {MAX_BYTES / 1000:,.0f} kB): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
