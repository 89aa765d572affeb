"""``python -m checker report RESULTS.jsonl -o DIR``: the dashboard of a batch's results.

Reads the JSON Lines of ``batch`` (or of a job's results) and writes the same dashboard a job's
web page shows: ``DIR/index.html`` with every figure as an SVG chart and a table, every advert
in triage order, one page per figure row with the adverts behind it, and each figure as CSV.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import click

from checker.surfaces.dashboard import Advert, Dashboard
from checker.formats import glance
from checker.surfaces.clinics import country_of

RESULT_KEYS = {"format", "score", "level", "findings"}


def adverts_of(lines: Iterator[str], source: str) -> Iterator[Advert]:
    """The adverts of JSON Lines: batch rows (``{"id", "url", "clinic", "result", ...}``) or job
    rows (the result's fields beside ``id``); rows without a result (errors) are skipped."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise click.ClickException(f"{source}, line {n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise click.ClickException(f"{source}, line {n}: not a JSON object")
        result = row.get("result") if isinstance(row.get("result"), dict) else (
            row if RESULT_KEYS <= set(row) else None)
        if result is None:
            continue
        try:
            v1 = glance(result)
            yield Advert(str(row.get("id", n)), v1, clinic=row.get("clinic") or "",
                         url=row.get("url") or "",
                         country=row.get("country") or country_of(row.get("text", ""), v1))
        except (KeyError, TypeError, ValueError) as exc:
            raise click.ClickException(f"{source}, line {n}: not a checker result ({exc})") \
                from None


@click.command("report")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "folder", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the dashboard into (made if missing).")
@click.option("--title", default="", help="The dashboard's title (default: the file's name).")
def report_command(results: Path, folder: Path, title: str) -> None:
    """Write the dashboard of RESULTS (JSON Lines from `batch` or a job) into a folder.

    \b
    Example:
      python -m checker batch adverts.jsonl -o results.jsonl
      python -m checker report results.jsonl -o dashboard/   # then open dashboard/index.html
    """
    with results.open(encoding="utf-8") as fh:
        adverts = list(adverts_of(fh, str(results)))
    if not adverts:
        raise click.ClickException(f"{results}: no checked adverts in it")
    dashboard = Dashboard(adverts, title=title or f"Dashboard of {results.name}",
                          subtitle=f"{len(adverts):,} adverts")
    written = dashboard.write(folder)
    s = dashboard.summary
    click.echo(f"wrote {len(written)} files to {folder}: {s['adverts']} adverts, {s['clinics']} "
               f"clinics, {s['high']} high risk (score: {s['high_distinct_scores']} distinct "
               f"values among them, triage: {s['high_distinct_triage']}); open "
               f"{folder / 'index.html'}")
