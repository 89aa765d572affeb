"""Throughput benchmark: the tokenizer, the checker and the batch command, on the same adverts.

    .venv/bin/python bench/throughput.py                 # full run, about five minutes
    .venv/bin/python bench/throughput.py --quick         # a smaller corpus, for a first look

It builds a reproducible corpus (``bench/corpus.py``) of adverts of about 150 and about 1,000
words and measures, in one run and on the same texts:

  (a) a bare ``spacy.blank("en")`` pass (tokenizer only),
  (b) ``check`` with the rules only,
  (c) ``check`` with the rules and the classifier,
  (d) ``python -m checker batch`` on the same adverts, with 1 worker and with every core.

(a)-(c) run in this process: one untimed pass to warm every cache (spaCy's tokenizer keeps one,
and so do we), then the three side by side, a chunk of texts at a time, each chunk ``--repeat``
times per function, the fastest run counting (``timed_passes``), so that a slow spell of a
shared machine does not fall on one of them only. (d) runs the real
command in a subprocess. Its wall time includes starting the workers and loading the rules and
the model in each, so each configuration runs on a quarter of the corpus and on all of it;
the difference between the two is the scoring rate without the loading time. Each pair runs
``--batch-runs`` times, the worker counts taking turns, and the fastest pair counts; the scaling
from 1 to N workers compares those rates. Peak memory per worker is each worker
process's peak resident size, as the command's ``--stats`` reports it, on a quarter of the
input and on all of it (streaming keeps the two the same), and so is the reader's (the process
that reads the input and writes the output; with one worker it is also the worker).

The report (JSON) goes to ``bench/out/throughput.json`` and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout can be measured

from corpus import SEED, make_corpus  # noqa: E402


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": os.cpu_count(), "usable_cores": usable, "cpu": model,
            "python": platform.python_version(), "platform": platform.platform()}


def timed_passes(fns: dict[str, Callable[[str], Any]], texts: list[str], repeat: int,
                 chunk: int = 20) -> dict[str, float]:
    """Seconds for one pass over ``texts``, for each function, measured side by side.

    After one untimed warm-up pass of each, the texts are taken a chunk at a time; each chunk is
    run ``repeat`` times by every function in turn (the order rotating), and the fastest of a
    function's runs on a chunk counts. The sum over chunks is its time for the whole pass. On a
    shared or throttled machine a slow spell then hits every function alike instead of whichever
    happened to be running, so the ratios between them hold even when the absolute rates drift.
    """
    for fn in fns.values():
        for text in texts:
            fn(text)
    names = list(fns)
    total = dict.fromkeys(names, 0.0)
    for start in range(0, len(texts), chunk):
        part = texts[start:start + chunk]
        best = dict.fromkeys(names, float("inf"))
        for r in range(repeat):
            for name in names[r % len(names):] + names[:r % len(names)]:
                fn = fns[name]
                started = time.perf_counter()
                for text in part:
                    fn(text)
                best[name] = min(best[name], time.perf_counter() - started)
        for name in names:
            total[name] += best[name]
    return total


def rates(seconds: float, texts: list[str]) -> dict[str, float]:
    words = sum(len(t.split()) for t in texts)
    return {"seconds": round(seconds, 4), "adverts_per_second": round(len(texts) / seconds, 1),
            "words_per_second": round(words / seconds), "ms_per_advert":
            round(seconds / len(texts) * 1000, 3)}


def in_process(corpora: dict[str, list[str]], repeat: int) -> dict[str, Any]:
    import spacy

    from checker.engine import Checker

    tokenizer = spacy.blank("en")
    rules, full = Checker(classifier=False), Checker()
    out: dict[str, Any] = {}
    for name, texts in corpora.items():
        seconds = timed_passes({"a": tokenizer, "b": rules.check, "c": full.check}, texts, repeat)
        a, b, c = seconds["a"], seconds["b"], seconds["c"]
        out[name] = {
            "adverts": len(texts), "mean_words": round(statistics.mean(len(t.split())
                                                                       for t in texts), 1),
            "a_tokenizer": rates(a, texts), "b_rules": rates(b, texts),
            "c_rules_and_classifier": rates(c, texts),
            "ratio_c_to_a": round(a / c, 4), "ratio_b_to_a": round(a / b, 4),
        }
        print(f"  {name}: (a) {len(texts) / a:8.1f}/s  (b) {len(texts) / b:7.1f}/s  "
              f"(c) {len(texts) / c:7.1f}/s  c/a {a / c:.3f}", file=sys.stderr)
    out["versions"] = full.versions
    return out


def run_command(texts: list[str], workers: int, tag: str) -> dict[str, Any]:
    source = OUT / f"batch-{tag}.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"{tag}-{i:06d}", "text": text}) + "\n")
    output, stats = OUT / f"batch-{tag}-out.jsonl", OUT / f"batch-{tag}-stats.json"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checker", "batch", str(source), "-o",
                           str(output), "--force", "--no-progress", "--workers", str(workers),
                           "--stats", str(stats)], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the batch command failed: {proc.stderr}")
    summary = json.loads(stats.read_text())
    for path in (source, output, Path(str(output) + ".errors.jsonl"), stats):
        path.unlink(missing_ok=True)
    return {"adverts": len(texts), "wall_seconds": round(wall, 3),
            "seconds": summary["seconds"], "startup_seconds": summary["startup_seconds"],
            "scored": summary["scored"],
            "peak_rss_mb_per_worker": sorted(round(v / 2**20) for v in
                                             summary["peak_rss_bytes"].values()),
            "reader_peak_rss_mb": round(summary.get("reader_peak_rss_bytes", 0) / 2**20)}


def batch_command(texts: list[str], workers: int, small: int, tag: str,
                  runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The command on a small and a large slice; their difference is the scoring rate.

    Both runs pay the same start-up (loading spaCy, the rules and the model in each worker), so
    the extra adverts of the large run over its extra time are the scoring rate without it.
    ``runs`` collects every pair of a configuration, and the fastest is reported.
    """
    short = run_command(texts[:small], workers, f"{tag}-w{workers}-small")
    full = run_command(texts, workers, f"{tag}-w{workers}")
    extra = len(texts) - small
    marginal = full["wall_seconds"] - short["wall_seconds"]
    words = sum(len(t.split()) for t in texts[small:])
    runs.append({"small": short, "large": full,
                 "adverts_per_second": round(extra / marginal, 1) if marginal > 0 else None,
                 "words_per_second": round(words / marginal) if marginal > 0 else None})
    best = max(runs, key=lambda r: r["adverts_per_second"] or 0)
    result = {
        "workers": workers, "adverts": len(texts),
        "end_to_end_adverts_per_second": round(len(texts) / best["large"]["wall_seconds"], 1),
        "adverts_per_second": best["adverts_per_second"],
        "words_per_second": best["words_per_second"],
        "startup_seconds": best["large"]["startup_seconds"],
        "peak_rss_mb_per_worker": best["large"]["peak_rss_mb_per_worker"],
        # Memory that stays flat: the same peaks on a quarter of the input and on all of it.
        "peak_rss_mb_per_worker_on_a_quarter": best["small"]["peak_rss_mb_per_worker"],
        "reader_peak_rss_mb": best["large"]["reader_peak_rss_mb"],
        "reader_peak_rss_mb_on_a_quarter": best["small"]["reader_peak_rss_mb"],
        "runs": list(runs),
    }
    print(f"  batch {tag} workers={workers}: {runs[-1]['adverts_per_second']}/s scoring "
          f"(best so far {result['adverts_per_second']}/s), "
          f"{round(len(texts) / full['wall_seconds'], 1)}/s end to end, peak "
          f"{max(full['peak_rss_mb_per_worker'])} MB per worker", file=sys.stderr)
    return result


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [f"Machine: {m['cores']} cores ({m['usable_cores']} usable), {m['cpu']}, "
             f"Python {m['python']}.", "",
             "| corpus | (a) tokenizer/s | (b) rules/s | (c) rules+classifier/s | (c) words/s "
             "| (c)/(a) |", "|---|---|---|---|---|---|"]
    for name, r in report["in_process"].items():
        if name == "versions":
            continue
        lines.append(f"| {name} ({r['adverts']} adverts, {r['mean_words']} words) | "
                     f"{r['a_tokenizer']['adverts_per_second']} | "
                     f"{r['b_rules']['adverts_per_second']} | "
                     f"{r['c_rules_and_classifier']['adverts_per_second']} | "
                     f"{r['c_rules_and_classifier']['words_per_second']:,} | "
                     f"{r['ratio_c_to_a']} |")
    if "batch" not in report:
        return "\n".join(lines)
    lines += ["", "| (d) batch command | workers | adverts/s (scoring) | words/s | "
              "end to end/s | start-up s | peak MB per worker, 1/4 -> all of the input | "
              "reader MB, 1/4 -> all |", "|---|---|---|---|---|---|---|---|"]
    for name, runs in report["batch"].items():
        if name == "scaling":
            continue
        for r in runs:
            lines.append(f"| {name} | {r['workers']} | {r['adverts_per_second']} | "
                         f"{r['words_per_second']:,} | {r['end_to_end_adverts_per_second']} | "
                         f"{r['startup_seconds']} | "
                         f"{max(r['peak_rss_mb_per_worker_on_a_quarter'])} -> "
                         f"{max(r['peak_rss_mb_per_worker'])} | "
                         f"{r['reader_peak_rss_mb_on_a_quarter']} -> {r['reader_peak_rss_mb']} |")
    scaling = report["batch"].get("scaling")
    if scaling:
        lines += ["", f"Scaling from 1 to {scaling['workers']} workers (150 words): "
                      f"x{scaling['speedup']} ({scaling['efficiency']:.0%} of linear)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count-150", type=int, default=400, help="adverts of ~150 words")
    parser.add_argument("--count-1000", type=int, default=60, help="adverts of ~1,000 words")
    parser.add_argument("--batch-count", type=int, default=2000,
                        help="adverts of ~150 words for the batch command")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each chunk per function; the fastest counts")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="N for the scaling from 1 to N workers")
    parser.add_argument("--batch-runs", type=int, default=2,
                        help="runs of each batch configuration; the fastest counts")
    parser.add_argument("--no-batch", action="store_true", help="skip (d)")
    parser.add_argument("--quick", action="store_true", help="a small corpus, one repeat")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "throughput.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.count_150, args.count_1000, args.batch_count, args.repeat = 100, 15, 400, 1
        args.batch_runs = 1
    OUT.mkdir(exist_ok=True)
    corpora = {"150 words": make_corpus(args.count_150, 150),
               "1000 words": make_corpus(args.count_1000, 1000)}
    report: dict[str, Any] = {"machine": machine(), "seed": SEED,
                              "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print("in this process:", file=sys.stderr)
    report["in_process"] = in_process(corpora, args.repeat)
    if not args.no_batch:
        print("the batch command:", file=sys.stderr)
        long_texts = make_corpus(max(args.batch_count // 5, 40), 1000)
        short_texts = make_corpus(args.batch_count, 150)
        report["batch"] = {"150 words": [], "1000 words": []}
        counts = sorted({1, args.workers})
        runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
        best: dict[tuple[str, int], dict[str, Any]] = {}
        # Worker counts take turns, so a slow spell of the machine cannot favour one of them.
        for _ in range(args.batch_runs):
            for workers in counts:
                key = ("150", workers)
                best[key] = batch_command(short_texts, workers, len(short_texts) // 4, "150",
                                          runs.setdefault(key, []))
            key = ("1000", args.workers)
            best[key] = batch_command(long_texts, args.workers, len(long_texts) // 4, "1000",
                                      runs.setdefault(key, []))
        report["batch"]["150 words"] = [best[("150", w)] for w in counts]
        report["batch"]["1000 words"] = [best[("1000", args.workers)]]
        one, many = report["batch"]["150 words"][0], report["batch"]["150 words"][-1]
        if many["workers"] > 1 and one["adverts_per_second"] and many["adverts_per_second"]:
            speedup = many["adverts_per_second"] / one["adverts_per_second"]
            report["batch"]["scaling"] = {"workers": many["workers"],
                                          "speedup": round(speedup, 2),
                                          "efficiency": round(speedup / many["workers"], 3)}
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))
    print(f"\nreport: {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
