"""What the speaker model costs: the whole check's rate now, against the check of another
revision (by default the one before the speaker model), in one run, on the same adverts.

    .venv/bin/python bench/speaker_cost.py                       # against 1ed3a15
    .venv/bin/python bench/speaker_cost.py --baseline REF --quick

The baseline revision is checked out into a temporary git worktree (its own rules and models)
and timed in a subprocess; this checkout is timed in this process, with and without the speaker
model side by side (``throughput.timed_passes``). The two processes take turns, ``--rounds``
times each, the fastest round counting, so a slow spell of a shared machine does not fall on
one of them only. The ratio now/baseline is the figure; absolute rates drift between machines.

The report (JSON) goes to ``bench/out/speaker_cost.json`` and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.append(str(ROOT))

from corpus import make_corpus  # noqa: E402
from throughput import machine, timed_passes  # noqa: E402

BASELINE = "1ed3a15"  # the last revision before the speaker model

# Run in the baseline's worktree: the best pass over the texts of each corpus, in seconds.
_TIMER = """
import json, sys, time
from checker.engine import Checker
corpora, repeat = json.load(sys.stdin), int(sys.argv[1])
full = Checker()
out = {}
for name, texts in corpora.items():
    for t in texts:
        full.check(t)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for t in texts:
            full.check(t)
        best = min(best, time.perf_counter() - started)
    out[name] = best
print(json.dumps({"seconds": out, "versions": full.versions}))
"""


def time_baseline(tree: Path, corpora: dict[str, list[str]], repeat: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _TIMER, str(repeat)], cwd=tree,
                          input=json.dumps(corpora), capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, check=True)
    return json.loads(done.stdout)


def time_current(corpora: dict[str, list[str]], repeat: int) -> dict[str, Any]:
    from checker.engine import Checker

    with_speaker, without = Checker(), Checker(speaker=False)
    out = {}
    for name, texts in corpora.items():
        seconds = timed_passes({"with": with_speaker.check, "without": without.check}, texts,
                               repeat)
        out[name] = seconds
    return {"seconds": out, "versions": with_speaker.versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--count-150", type=int, default=300)
    parser.add_argument("--count-1000", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "speaker_cost.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.count_150, args.count_1000, args.repeat, args.rounds = 60, 8, 1, 1
    corpora = {"150 words": make_corpus(args.count_150, 150),
               "1,000 words": make_corpus(args.count_1000, 1000, seed=7)}
    best_base: dict[str, float] = {}
    best_now: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), args.baseline],
                       cwd=ROOT, check=True)
        try:
            for _ in range(args.rounds):
                base = time_baseline(tree, corpora, args.repeat)
                now = time_current(corpora, args.repeat)
                for name in corpora:
                    best_base[name] = min(best_base.get(name, float("inf")),
                                          base["seconds"][name])
                    slot = best_now.setdefault(name, {"with": float("inf"),
                                                      "without": float("inf")})
                    for key in slot:
                        slot[key] = min(slot[key], now["seconds"][name][key])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    report: dict[str, Any] = {"machine": machine(), "baseline": args.baseline,
                              "baseline_versions": base["versions"],
                              "versions": now["versions"], "corpora": {}}
    lines = [f"Whole check, adverts per second (one process each; baseline {args.baseline}):", "",
             "| adverts | baseline | now, no speaker | now, with speaker | with / baseline |",
             "|---|---|---|---|---|"]
    for name, texts in corpora.items():
        n = len(texts)
        rate = {"baseline": n / best_base[name], "without": n / best_now[name]["without"],
                "with": n / best_now[name]["with"]}
        ratio = rate["with"] / rate["baseline"]
        report["corpora"][name] = {"adverts": n, **{k: round(v, 1) for k, v in rate.items()},
                                   "ratio_with_to_baseline": round(ratio, 3)}
        lines.append(f"| {n} of {name} | {rate['baseline']:.1f} | {rate['without']:.1f} | "
                     f"{rate['with']:.1f} | {ratio:.2f} |")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
