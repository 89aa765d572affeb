"""``python -m checker compare A B``: what changed from check A to check B, on the command line.

A and B are each one of:

* the id of a check saved in the database (``--db``, else $CHECKER_DB, else instance/checker.db);
* a JSON file with a result: what ``check --format json`` prints, an API answer (a check's
  answer, or ``GET /api/v1/checks/<id>``'s stored check with its text), or one record of
  ``batch`` output (``{"id", "url", "clinic", "text"?, "result"}``);
* a JSON Lines file of batch output: ``results.jsonl#ID`` picks the record with that id (a file
  of one record needs no ``#ID``);
* any other file (text, HTML, PDF): an advert, checked now.

The text diff needs both texts: a saved check has its text, and so does an API answer or a batch
record of a fetched page; ``check --format json`` does not print the text, so a result file
without it is compared by its warning signs and score only (and whether the input's sha256
differs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from checker.core.errors import InputFileError
from checker.surfaces.compare import compare, render_text

DB_HELP = "SQLite database file for check ids (default: $CHECKER_DB, else instance/checker.db)."

Side = tuple[dict[str, Any], str, dict[str, Any]]


def _record(data: Any, where: str) -> Side:
    """A result, its text and what to say about it, from one JSON value."""
    if not isinstance(data, dict):
        raise InputFileError(f"{where}: not a JSON object with a result")
    if isinstance(data.get("result"), dict):
        result, text = data["result"], data.get("text") or ""
    elif "findings" in data and "score" in data:
        result, text = data, data.get("text") or ""
    else:
        raise InputFileError(f"{where}: no result in it (neither a 'result' object nor a "
                             "result's 'findings' and 'score')")
    for field in ("findings", "score", "level"):
        if field not in result:
            raise InputFileError(f"{where}: its result has no {field!r}")
    meta = {"path": where}
    for field in ("id", "created", "clinic", "url"):
        if isinstance(data.get(field), (str, int)) and data.get(field) != "":
            meta[field] = str(data[field])
    return result, text if isinstance(text, str) else "", meta


def _from_lines(lines: list[str], where: str, wanted: str | None) -> Side:
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            raise InputFileError(f"{where}: line {n} is not JSON") from None
    if wanted is not None:
        for record in records:
            if isinstance(record, dict) and str(record.get("id")) == wanted:
                return _record(record, f"{where}#{wanted}")
        raise InputFileError(f"{where}: no record with id {wanted!r}")
    if len(records) != 1:
        raise InputFileError(f"{where} holds {len(records)} records: say which one with "
                             f"{where}#ID")
    return _record(records[0], where)


def _from_file(path: Path, wanted: str | None) -> Side:
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{where}: cannot read it ({exc.strerror})") from None
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        text = data.decode("utf-8", errors="replace")
        if wanted is None:
            try:
                return _record(json.loads(text), where)
            except ValueError:
                pass   # not one JSON value: JSON Lines
        return _from_lines(text.splitlines(), where, wanted)
    if wanted is not None:
        raise InputFileError(f"{where}: not JSON Lines, so #{wanted} names nothing in it")
    return _checked_now(data, path)


def _checked_now(data: bytes, path: Path) -> Side:
    """An advert file (text, HTML or PDF), checked now."""
    from checker.core.errors import ExtractError
    from checker.engine import check
    from checker.formats import to_v2
    from checker.intake import from_file

    name = path.name if path.name.lower().endswith((".pdf", ".html", ".htm")) else None
    try:
        taken = from_file(data, name)
    except ExtractError as exc:
        raise InputFileError(f"{path}: {exc.message}") from None
    return to_v2(check(taken.text, source=taken.source)), taken.text, {"path": str(path)}


def _from_db(check_id: str, db: str | None) -> Side:
    from checker.core.errors import NotFound
    from checker.surfaces.store import Store
    from checker.surfaces.web.shared import database_path

    path = database_path(db)
    if not path.exists():
        raise InputFileError(f"{check_id}: no such file, and no database at {path} to find a "
                             "check with that id in (give --db)")
    store = Store(path)
    try:
        row = store.get_check(check_id)
    except NotFound:
        raise InputFileError(f"{check_id}: no such file, and no saved check with that id in "
                             f"{path}") from None
    finally:
        store.close()
    meta = {"id": row["id"], "created": row["created"], "clinic": row["clinic"],
            "url": row["url"], "published": bool(row["published"])}
    return row["result"], row["text"], meta


def load_side(given: str, db: str | None) -> Side:
    """What A or B names: a file (``PATH#ID`` for a record of JSON Lines), else a check id."""
    path, _, wanted = given.partition("#")
    if Path(given).is_file():
        return _from_file(Path(given), None)
    if wanted and Path(path).is_file():
        return _from_file(Path(path), wanted)
    if Path(given).is_dir():
        raise InputFileError(f"{given}: is a folder, not a file or a check id")
    return _from_db(given, db)


@click.command("compare")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: readable; json: the comparison as the API gives it.")
def compare_command(a: str, b: str, db: str | None, fmt: str) -> None:
    """Compare two checks: the warning signs added (only in B), removed (only in A) and
    unchanged (matched by rule and phrase), the score and level change, and the text's changes
    word by word.

    A and B are saved check ids, JSON result files (check --format json, an API answer, a batch
    record), PATH.jsonl#ID for a record of batch output, or adverts to check now.

    \b
    Examples:
      python -m checker compare Vp1uvOpGtOEcqGxKj2RhtA 3ic0yrX4-tnYrVQ8eFQBXQ --db checker.db
      python -m checker compare results-may.jsonl#clinic-7 results-june.jsonl#clinic-7
      python -m checker compare old-page.html new-page.html --format json
    """
    c = compare(load_side(a, db), load_side(b, db))
    if fmt == "json":
        click.echo(json.dumps(c, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(c))
