"""Records to score, read from JSON Lines, CSV or a folder of files: one reader for every surface.

The batch command streams a file through it; the API's job upload reads its body through it.
A record that cannot be scored comes out as a ``BadRecord`` in its place, with the reason in a
user's words, so one bad line never stops the rest:

* bytes that are not UTF-8, a line that is not JSON or not an object, JSON nested too deeply;
* no id, no text, an id with a line break;
* a field holding a lone surrogate (JSON can spell ``"\\ud800"``; UTF-8 cannot store it);
* a CSV row with the wrong number of fields, or a field the CSV module refuses;
* any other field that cannot be written back as JSON (a lone surrogate in it or its name);
* in a folder, a symbolic link (never followed: it could point anywhere on the machine).
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path
from typing import IO, Any, Iterator, NamedTuple

from checker.core.errors import BadJSON, CheckerError, RecordsError
from checker.core.inputs import bad_character, has_text, load_json

INPUT_KINDS = ("auto", "jsonl", "csv", "folder")
FOLDER_SUFFIXES = (".txt", ".html", ".htm", ".pdf")
# The csv module refuses fields over 131,072 characters by default. A text may have up to the
# engine's limit, and a longer one should be reported as too long, not as broken CSV.
CSV_FIELD_LIMIT = 8 * 1024 * 1024


class Record(NamedTuple):
    """One advert to score. ``line`` is where it starts in the input (None in a folder)."""

    line: int | None
    id: str
    text: str
    url: str = ""
    clinic: str = ""
    source: dict[str, Any] | None = None   # where the text came from (checker.intake)
    # Every other field of the input record (not id, text, url, clinic), as given: the batch
    # output and a job's results carry them along. None when there are none.
    fields: dict[str, Any] | None = None


class BadRecord(NamedTuple):
    """An input record that cannot be scored, and why, in a user's words."""

    line: int | None
    id: str | None
    problem: str


def input_kind(path: Path | str, kind: str = "auto") -> str:
    """``jsonl``, ``csv`` or ``folder``: as given, else from the path (``-`` is JSON Lines)."""
    if kind != "auto":
        return kind
    if str(path) == "-":
        return "jsonl"
    path = Path(path)
    if path.is_dir():
        return "folder"
    return "csv" if path.suffix.lower() in (".csv", ".tsv") else "jsonl"


def read_input(path: Path | str, kind: str = "auto", fetching: bool = False
               ) -> Iterator[Record | BadRecord]:
    """Stream the records of ``path``; bad ones come out as BadRecord, in their place."""
    kind = input_kind(path, kind)
    if kind == "folder":
        yield from _read_folder(Path(path))
        return
    if str(path) == "-":
        yield from read_stream(sys.stdin.buffer, kind, fetching)
        return
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read it ({exc.strerror})") from None
    with fh:
        yield from read_stream(fh, kind, fetching)


def read_stream(stream: IO[bytes], kind: str, fetching: bool = False
                ) -> Iterator[Record | BadRecord]:
    """The records of a JSON Lines or CSV byte stream; with ``fetching``, a record with a url
    and no text is kept for its page to be fetched."""
    return _read_jsonl(stream, fetching) if kind == "jsonl" else _read_csv(stream, fetching)


def _decode(raw: bytes, line: int) -> str | BadRecord:
    try:
        return raw.decode("utf-8-sig" if line == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return BadRecord(line, None, f"not UTF-8 text (byte {exc.start + 1} of the line)")


def _record(line: int | None, fields: dict[str, Any], fetching: bool = False
            ) -> Record | BadRecord:
    """Check one record's fields; the API's uploads and the batch command use the same words."""
    raw_id = fields.get("id")
    item_id = None if raw_id is None else str(raw_id).strip()
    if not item_id:
        return BadRecord(line, None, "no id")
    if any(c in item_id for c in "\r\n"):
        return BadRecord(line, None, "the id has a line break")
    problem = bad_character(item_id)
    if problem:
        return BadRecord(line, None, f"the id cannot be read: {problem}")
    text = fields.get("text")
    url, clinic = fields.get("url"), fields.get("clinic")
    url = "" if url is None else str(url)
    if (text is None or text == "") and url.strip() and fetching:
        text = ""   # batch --fetch: the page at url is fetched for it
    elif not isinstance(text, str) or not has_text(text):
        return BadRecord(line, item_id, "no text" + (" (add --fetch to check the page at its "
                                                      "url)" if url.strip() else ""))
    clinic = "" if clinic is None else str(clinic)
    for name, value in (("text", text), ("url", url), ("clinic", clinic)):
        problem = bad_character(value)
        if problem:
            return BadRecord(line, item_id, f"the {name} cannot be read: {problem}")
    extra = {}
    for name, value in fields.items():
        if name in OWN_FIELDS:
            continue
        value, problem = _plain(value)
        problem = bad_character(name) or problem
        if problem:
            shown = repr(name[:40]) if not bad_character(name) else "with an unreadable name"
            return BadRecord(line, item_id, f"the field {shown} cannot be read: {problem}")
        extra[name] = value
    return Record(line, item_id, text, url, clinic, fields=extra or None)


OWN_FIELDS = ("id", "text", "url", "clinic")
INT64 = 2 ** 63


def _plain(value: Any) -> tuple[Any, str | None]:
    """``value`` as any JSON encoder writes it back (an integer past 64 bits as its digits, a
    NaN or infinity as null), or why it cannot be (a string that is not text)."""
    stack: list[Any] = [value]
    while stack:   # first, is there anything to fix or refuse? (most fields are plain strings)
        node = stack.pop()
        if isinstance(node, str):
            problem = bad_character(node)
            if problem:
                return None, problem
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return _fixed(value), None


def _fixed(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -INT64 <= value < INT64 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _fixed(v) for k, v in value.items()}
    return [_fixed(v) for v in value]


def _read_jsonl(stream: IO[bytes], fetching: bool = False) -> Iterator[Record | BadRecord]:
    for line, raw in enumerate(stream, 1):
        text = _decode(raw, line)
        if isinstance(text, BadRecord):
            yield text
            continue
        if not text.strip():
            continue
        try:
            fields = load_json(text.rstrip("\r\n"))
        except BadJSON as exc:
            reason = exc.message.removeprefix("not valid JSON: ").split(" at line ")[0]
            yield BadRecord(line, None, f"not JSON ({reason})")
            continue
        if not isinstance(fields, dict):
            yield BadRecord(line, None, "not a JSON object")
            continue
        yield _record(line, fields, fetching)


def _read_csv(stream: IO[bytes], fetching: bool = False) -> Iterator[Record | BadRecord]:
    """CSV with a header row naming at least ``id`` and ``text``; a record may span lines."""
    undecodable: dict[int, str] = {}

    def lines() -> Iterator[str]:
        for line, raw in enumerate(stream, 1):
            text = _decode(raw, line)
            if isinstance(text, BadRecord):
                undecodable[line] = text.problem
                text = raw.decode("utf-8", errors="replace")
            yield text

    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(lines())
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise RecordsError(f"the CSV header cannot be read ({exc})") from None
    names = [h.strip().lower() for h in header]
    if "id" not in names or "text" not in names:
        raise RecordsError("the CSV needs a header row with at least the columns id and text")
    last_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRecord(last_line + 1, None, f"not CSV ({exc})")
            last_line = reader.line_num
            continue
        first, last_line = last_line + 1, reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        broken = next((n for n in range(first, last_line + 1) if n in undecodable), None)
        if broken is not None:
            yield BadRecord(broken, None, undecodable.pop(broken))
            continue
        if len(row) != len(names):
            yield BadRecord(first, None, f"{len(row)} fields where the header has {len(names)}")
            continue
        yield _record(first, dict(zip(names, row)), fetching)


def _folder_files(folder: Path) -> Iterator[tuple[str, Path | None]]:
    """(relative path, file) for each file to read under ``folder``, in path order.

    Symbolic links are listed with no file: a link inside the folder can point anywhere on the
    machine (a system file, the server's key), so it is never followed, and it is reported.
    """
    found: list[tuple[str, Path | None]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            relative = entry.relative_to(folder).as_posix()
            if entry.is_symlink():
                if entry.suffix.lower() in FOLDER_SUFFIXES or entry.is_dir():
                    found.append((relative, None))
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.is_file() and entry.suffix.lower() in FOLDER_SUFFIXES:
                found.append((relative, entry))
    return iter(sorted(found))


def _read_folder(folder: Path) -> Iterator[Record | BadRecord]:
    """Every .txt/.html file under ``folder``, in path order; the id is the relative path."""
    if not folder.is_dir():
        raise RecordsError(f"{folder}: not a folder")
    for item_id, path in _folder_files(folder):
        if path is None:
            yield BadRecord(None, item_id, "a symbolic link; links are not followed")
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield BadRecord(None, item_id, f"cannot read it ({exc.strerror})")
            continue
        if path.suffix.lower() in (".pdf", ".html", ".htm"):
            yield _extracted(item_id, path, data)
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            yield BadRecord(None, item_id, f"not UTF-8 text (line {line}, byte {exc.start + 1})")
            continue
        if not has_text(text):
            yield BadRecord(None, item_id, "no text")
            continue
        yield Record(None, item_id, text)


def _extracted(item_id: str, path: Path, data: bytes) -> Record | BadRecord:
    """A PDF's text, or an HTML file's visible text (checker.intake), with its source."""
    from checker.intake import from_file

    try:
        taken = from_file(data, path.name)
    except CheckerError as exc:
        return BadRecord(None, item_id, exc.message)
    return Record(None, item_id, taken.text, source=taken.source)


def count_records(path: Path | str, kind: str = "auto") -> int | None:
    """A quick count of the records (for the progress bar), or None when it cannot tell."""
    kind = input_kind(path, kind)
    if str(path) == "-":
        return None
    try:
        if kind == "folder":
            return sum(1 for _ in _folder_files(Path(path)))
        with open(path, "rb") as fh:
            if kind == "jsonl":
                return sum(1 for raw in fh if raw.strip())
            if csv.field_size_limit() < CSV_FIELD_LIMIT:
                csv.field_size_limit(CSV_FIELD_LIMIT)
            text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
            return max(sum(1 for _ in csv.reader(text)) - 1, 0)
    except (OSError, csv.Error):
        return None
