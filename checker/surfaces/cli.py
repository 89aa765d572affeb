"""The command line: a thin click edge over the library.

Every command turns library errors into a one-line message and an exit code:
0 done, 1 the checker could not do it (bad rule file, unreadable input), 2 usage error,
3 ``check --fail-on``: the result's level reached the threshold (checker.surfaces.cli_check).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from checker.core.versions import CHECKER_VERSION as __version__
from checker.core.errors import CheckerError
from checker.surfaces.cli_check import exit_code, fail_on, narrowing, read_advert
from checker.surfaces.text_report import first_sentence, render_text_report

log = logging.getLogger("checker")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clinic-claim-checker")
@click.option("-v", "--verbose", is_flag=True, help="Log what the checker is doing to stderr.")
def cli(verbose: bool) -> None:
    """Clinic Claim Checker: find unsupported claims in clinic marketing text.

    \b
    Example:
      echo "Our stem cells cure autism." | python -m checker check -
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def _register_server_commands() -> None:
    from checker.surfaces.server import keys_group, purge_command, serve_command

    cli.add_command(serve_command)
    cli.add_command(keys_group)
    cli.add_command(purge_command)


_register_server_commands()


def _register_compare_command() -> None:
    from checker.surfaces.compare_cli import compare_command   # compare A B
    from checker.surfaces.report_cli import report_command     # report RESULTS.jsonl -o DIR

    cli.add_command(compare_command)
    cli.add_command(report_command)


_register_compare_command()


@cli.command("check")
@click.argument("source", required=False, metavar="[FILE|URL|-]")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="json: the result (docs/result.v2.schema.json); text: a "
                                      "readable report.")
@click.option("--result-format", type=click.Choice(["2", "1"]), default="2", show_default=True,
              help="With --format json: result format 2, or the former format 1 (one more release).")
@click.option("--no-classifier", is_flag=True, help="Rules only: do not use the trained model.")
@click.option("--color/--no-color", default=None,
              help="Highlight spans with colours (default: only on a terminal).")
@narrowing
@fail_on
def check_command(source: str | None, fmt: str, result_format: str, no_classifier: bool,
                  color: bool | None, check_options: Any, fail_on: str | None) -> int:
    """Check one advert (a text, HTML or PDF file, a web address, or - for standard input)
    and print the result. A web page or HTML file is checked as its visible text, which the
    report shows; the result's source block keeps where and when it was read.

    \b
    Examples:
      python -m checker check advert.txt
      python -m checker check brochure.pdf
      python -m checker check https://clinic.example/stem-cells
      python -m checker check - --format json < advert.txt
      python -m checker check advert.txt --categories efficacy,price --fail-on high
    """
    if source is None:
        if sys.stdin.isatty():
            raise click.UsageError("give a FILE to check, or - to read standard input")
        source = "-"
    from checker.engine import check

    taken = read_advert(source)
    text = taken.text
    result = check(text, classifier=not no_classifier, source=taken.source, options=check_options)
    if fmt == "json":
        from checker.formats import as_format

        click.echo(json.dumps(as_format(result, result_format), ensure_ascii=False, indent=2))
    else:
        colour = sys.stdout.isatty() if color is None else color
        click.echo(render_text_report(text, result.to_dict(), colour), color=colour)
    return exit_code(result.level, fail_on)


@cli.command("rules")
@click.option("--check", "validate_only", is_flag=True,
              help="Only validate the rule files; exit 1 with the problem if one is broken.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True)
def rules_command(validate_only: bool, fmt: str) -> None:
    """List the rules (or, with --check, validate the rule files).

    \b
    Examples:
      python -m checker rules
      python -m checker rules --check
    """
    from checker.detect.rules import load_rules

    book = load_rules()
    if validate_only:
        examples = sum(len(r.spec.examples.must_flag) + len(r.spec.examples.must_pass)
                       for r in book.rules.values())
        click.echo(f"ok: {len(book.rules)} rules in {len(book.files)} files, {examples} examples, "
                   f"version {book.version}")
        return
    catalogue = book.catalogue()
    if fmt == "json":
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return
    for category, rules in catalogue["categories"].items():
        click.echo(click.style(f"{category} ({len(rules)})", bold=True))
        for rule in rules:
            click.echo(f"  {rule['id']:<40} {rule['severity']:<7} {first_sentence(rule['message'])}")


@cli.command("evaluate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True)
@click.option("--no-classifier", is_flag=True, help="Rules only: do not use the trained model.")
@click.option("--no-speaker", is_flag=True, help="Do not weigh findings by who is speaking.")
@click.option("--indications", "with_indications", is_flag=True,
              help="Also measure condition detection on records with an 'indications' field.")
@click.option("--cv", "cross_validation", is_flag=True,
              help="PATH is corpus/real/: cross-validate the check grouped by web domain, the "
                   "speaker model refitted in each fold, against the check without it.")
def evaluate_command(path: Path, fmt: str, no_classifier: bool, no_speaker: bool,
                     with_indications: bool, cross_validation: bool) -> None:
    """Measure the checker on labelled JSON Lines (text, should_flag, flags).

    A document counts as flagged when its level is medium or high; a category is predicted
    when the result has a finding of that category.

    \b
    Examples:
      python -m checker evaluate ../shared/data/dev_real.jsonl --format json
      python -m checker evaluate --cv corpus/real/
    """
    from checker.engine import Checker
    from checker.tools.evaluate import evaluate, evaluate_indications, read_records, render_text

    if cross_validation:
        from checker.tools.cv import cross_validate, render

        if not (path / "snippets.jsonl").exists():
            raise click.UsageError(f"{path}: not a corpus folder (snippets.jsonl, pages.jsonl)")
        cv = cross_validate(Checker(classifier=not no_classifier), path)
        click.echo(json.dumps(cv, indent=2) if fmt == "json" else render(cv))
        return
    if path.is_dir():
        raise click.UsageError(f"{path} is a folder: give a JSON Lines file, or --cv")
    records, problems = read_records(path)
    if not records:
        raise click.UsageError(f"{path}: no usable records")
    checker = Checker(classifier=not no_classifier, speaker=not no_speaker)
    report = evaluate(records, checker)
    report["unreadable_records"] = problems
    report["mode"] = "rules" if no_classifier else "rules_and_classifier"
    if with_indications:
        report["indications"] = evaluate_indications((r.data for r in records), checker)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(render_text(report, f"{path.name} - {report['mode'].replace('_', ' ')}"))
    if problems:
        for p in problems[:10]:
            click.echo(f"  line {p['line']}: {p['problem']}")
    if with_indications:
        ind = report["indications"]
        click.echo("")
        click.echo(f"Condition detection on {ind['records']} records naming "
                   f"{ind['gold_conditions']} conditions: recall (mentioned) "
                   f"{ind['recall_mentioned']:.3f}, recall (offered) {ind['recall_offered']:.3f}, "
                   f"precision (mentioned) {ind['precision_mentioned']:.3f}")
        click.echo(f"  breakdown: {ind['breakdown']}")
        o = ind["offered_vs_mentioned"]
        click.echo(f"  offered vs only mentioned: precision {o['precision']:.3f} recall "
                   f"{o['recall']:.3f} false-positive rate {o['false_positive_rate']:.3f}")


@cli.command("train")
@click.option("--dev", "dev_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also measure on this labelled JSON Lines file and record it in the model card "
                   "(default: ../shared/data/dev_real.jsonl when present).")
@click.option("--check-cv/--no-check-cv", default=True, show_default=True,
              help="Record the grouped cross-validation of the whole check in the speaker "
                   "model's card (about a minute).")
def train_command(dev_path: Path | None, check_cv: bool) -> None:
    """Train every model from corpus/ and save each with its card: the claim classifier
    (corpus/training) and the speaker model (corpus/real). Same corpus, same seed, same files.

    \b
    Example:
      python -m checker train
    """
    import time as _time

    from checker.tools import train as clf
    from checker.core.paths import MODELS_DIR, ROOT

    started = _time.perf_counter()
    report = clf.train()
    path = clf.save(report)
    click.echo(f"trained in {report.card['training_seconds']} s (cross-validation "
               f"{report.card['cross_validation_seconds']} s); saved {path} "
               f"({report.card['size_bytes']:,} bytes)")
    if dev_path is None:
        default = ROOT.parent / "shared" / "data" / "dev_real.jsonl"
        dev_path = default if default.exists() else None
    if dev_path is not None:
        from checker.engine import Checker
        from checker.tools.evaluate import evaluate, read_records

        records, _ = read_records(dev_path)
        dev: dict[str, Any] = {"file": dev_path.name, "measured": _time.strftime("%Y-%m-%d")}
        for mode, use in (("rules", False), ("rules_and_classifier", True)):
            r = evaluate(records, Checker(classifier=use, speaker=False, models_dir=MODELS_DIR))
            dev[mode] = {k: r[k] for k in ("documents", "document", "categories")}
        report.card["dev_real"] = dev
        (MODELS_DIR / clf.CARD_JSON).write_text(json.dumps(report.card, indent=2, sort_keys=True) + "\n")
        (MODELS_DIR / clf.CARD_MD).write_text(clf.card_markdown(report.card))
        both = dev["rules_and_classifier"]["document"]
        click.echo(f"{dev_path.name}: rules + classifier F1 {both['f1']:.3f} "
                   f"(precision {both['precision']:.3f}, recall {both['recall']:.3f})")
    from checker.tools import train_speaker

    pipeline, card = train_speaker.train()
    path = train_speaker.save(pipeline, card)
    cv = card["cross_validation"]
    click.echo(f"speaker model: grouped cross-validation accuracy {cv['accuracy']:.3f}, "
               f"F1 (seller) {cv['f1_seller']:.3f}, AUC {cv['auc']:.3f}; saved {path} "
               f"({card['size_bytes']:,} bytes)")
    from checker.engine import Checker

    if check_cv:
        from checker.tools.cv import cross_validate, render

        card["check_cv"] = render(cross_validate(Checker()))
        click.echo(card["check_cv"])
    if dev_path is not None:
        card["dev"] = train_speaker.measure_dev(dev_path.parent, Checker(),
                                                Checker(speaker=False))
        click.echo(train_speaker.dev_markdown(card["dev"]))
    train_speaker.write_cards(card)
    click.echo(f"done in {_time.perf_counter() - started:.1f} s")


@cli.command("docs")
def docs_command() -> None:
    """Regenerate the generated documents (docs/coverage.md, with every rule's precision on
    corpus/real/ from a grouped cross-validation: about a minute).

    \b
    Example:
      python -m checker docs
    """
    from checker.tools.coverage import coverage_markdown
    from checker.core.guidance import load_guidance
    from checker.core.paths import DOCS_DIR
    from checker.detect.rules import load_rules

    from checker.engine import Checker
    from checker.tools.coverage import with_audit
    from checker.tools.cv import cross_validate, render_audit

    click.echo("checking corpus/real/ with grouped cross-validation for the rule audit...")
    audit = render_audit(cross_validate(Checker()))
    path = DOCS_DIR / "coverage.md"
    path.write_text(with_audit(coverage_markdown(load_rules(), load_guidance()), audit),
                    encoding="utf8")
    click.echo(f"wrote {path}")
    from checker.tools.speaker_examples import examples_markdown

    path = DOCS_DIR / "speaker-examples.md"
    path.write_text(examples_markdown(Checker(), Checker(speaker=False)), encoding="utf8")
    click.echo(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; usage errors and checker errors become one line on stderr, never a traceback."""
    try:
        result = cli.main(args=argv, prog_name="python -m checker", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 2
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except CheckerError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


# -- batch: many adverts, all cores or a Dask cluster (checker/batch.py) ----------------------


@cli.command("batch")
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where the results go, one per input, in input order.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "compact", "csv"]), default="jsonl",
              show_default=True,
              help="jsonl: {id, url, clinic, fields, result}; compact: the same, but the editorial "
                   "quotes and regulator sources are written once, to OUTPUT.passages.json, and "
                   "cited by id (under half the size); csv: one summary row.")
@click.option("--result-format", type=click.Choice(["2", "1"]), default="2", show_default=True,
              help="jsonl rows: result format 2, or the former format 1 (one more release; "
                   "compact rows are format 1).")
@click.option("--input-format", type=click.Choice(["auto", "jsonl", "csv", "folder"]),
              default="auto", show_default=True,
              help="auto: a folder, *.csv, or else JSON Lines (- reads JSON Lines from stdin).")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes (default: one per core); with --dask local, its workers.")
@click.option("--dask", "dask_address", metavar="ADDRESS|local", default=None,
              help="Run on the Dask scheduler at ADDRESS (tcp://host:8786), or on a LocalCluster.")
@click.option("--resume", is_flag=True, help="Skip the ids already in OUTPUT (after a killed run).")
@click.option("--force", is_flag=True, help="Overwrite an OUTPUT that already exists.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Where bad records go (default: OUTPUT.errors.jsonl).")
@click.option("--no-classifier", is_flag=True, help="Rules only: do not use the trained model.")
@click.option("--chunk-size", type=click.IntRange(1, 100_000), default=None,
              help="Records per task (default 16; 64 on Dask).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: only on a terminal).")
@click.option("--stats", "stats_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the summary as JSON to this file.")
@click.option("--fetch", is_flag=True,
              help="Fetch the page of each record that has a url and no text (one request a "
                   "second to a host); its visible text is checked and written to the row.")
@narrowing
def batch_command(input_path: str, output: Path, fmt: str, result_format: str, input_format: str,
                  workers: int | None, dask_address: str | None, resume: bool, force: bool,
                  errors_path: Path | None, no_classifier: bool, chunk_size: int | None,
                  progress: bool | None, stats_path: Path | None, fetch: bool,
                  check_options: Any) -> None:
    """Score many adverts: JSON Lines or CSV (id, text, optional url, clinic), or a folder
    (.txt as it is; .html as its visible text; .pdf as its text).

    Bad records (no id, no text, broken JSON, bytes that are not UTF-8) go to the errors file
    with their line number, and the run goes on. A summary says how many were scored and how
    many failed.

    \b
    Examples:
      python -m checker batch adverts.jsonl -o results.jsonl
      python -m checker batch adverts.csv -o results.csv --format csv --workers 8
      python -m checker batch adverts.jsonl -o results.jsonl --min-severity medium
      python -m checker batch adverts.jsonl -o results.jsonl --format compact
      python -m checker batch pages/ -o results.jsonl --resume
      python -m checker batch urls.csv -o results.jsonl --fetch
      python -m checker batch adverts.jsonl -o results.jsonl --dask tcp://10.0.0.5:8786
    """
    from checker.core.records import count_records, input_kind
    from checker.surfaces.batch import BatchOptions, run_batch

    if input_path != "-" and not Path(input_path).exists():
        raise click.UsageError(f"{input_path}: no such file or folder")
    if resume and force:
        raise click.UsageError("--resume and --force contradict each other")
    options = BatchOptions(input_path, output, fmt, input_kind(input_path, input_format),
                           result_format, workers, dask_address, resume, force, errors_path,
                           not no_classifier, chunk_size, fetch, check_options)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=count_records(input_path, options.input_kind), unit=" adverts",
                   file=sys.stderr, dynamic_ncols=True, smoothing=0.05)
    try:
        summary = run_batch(options, progress=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    if stats_path is not None:
        stats_path.write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")
    click.echo(summary.describe(), err=True)
    if summary.interrupted:
        raise click.exceptions.Abort()
