"""What the ``check`` and ``batch`` commands share beyond click's own: reading one advert, the
options that narrow a result, and ``check --fail-on``'s exit code.

* ``read_advert(source)``: a web address fetched, a PDF's text, an HTML file's visible text, a
  text file or standard input.
* ``@narrowing``: ``--categories efficacy,price --min-severity medium --allow PHRASE ...``
  (checker.core.options), handed to the command as one ``check_options`` (None when none was
  given); a value that cannot be used is a one-line usage error (exit code 2).
* ``@fail_on`` and ``exit_code(level, fail_on)``: ``check --fail-on medium|high`` exits with
  ``FAIL_EXIT`` (3) when the result's level is the threshold or higher, 0 otherwise.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import click

from checker.core.errors import InputFileError, OptionsError
from checker.core.options import CheckOptions, names
from checker.core.result import CATEGORIES, LEVELS, SEVERITIES

FAIL_EXIT = 3


def read_advert(source: str) -> Any:
    """What ``check`` reads: a web address fetched, a PDF's text, an HTML file's visible text,
    or a text file (or standard input) as it is (markup in it read as its visible text)."""
    from checker.core.errors import ExtractError
    from checker.intake import from_file, from_url, is_address

    if source != "-" and source.lower().startswith(("http://", "https://")) \
            and is_address(source):
        return from_url(source)
    if source != "-" and not Path(source).exists() and source.lower().startswith(
            ("ftp:", "file:", "javascript:", "data:")):
        raise InputFileError(f"{source}: only http:// and https:// addresses can be fetched")
    if source == "-":
        data, name = sys.stdin.buffer.read(), None
    else:
        data, name = _read_bytes(source), Path(source).name
    if name is None and data.strip().lower().startswith(b"http"):
        text = data.decode("utf-8", errors="replace")
        if is_address(text):
            return from_url(text.strip())
    if name is not None and not name.lower().endswith((".pdf", ".html", ".htm")):
        name_for_kind = None   # any other file is read as text, whatever its suffix
    else:
        name_for_kind = name
    try:
        taken = from_file(data, name_for_kind)
    except ExtractError as exc:
        raise InputFileError(f"{name or 'standard input'}: {exc.message}") from None
    if taken.source is not None and name:
        taken.source["filename"] = name
    return taken


def _read_bytes(source: str) -> bytes:
    path = Path(source)
    if not path.exists():
        raise InputFileError(f"{source}: no such file")
    if path.is_dir():
        raise InputFileError(f"{source}: is a folder, not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{source}: cannot read it ({exc.strerror})") from None


def narrowing(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --categories, --min-severity and --allow to a command, which gets them as
    ``check_options``."""

    @functools.wraps(command)
    def run(*args: Any, categories: str | None, min_severity: str | None,
            allow: tuple[str, ...], **kwargs: Any) -> Any:
        try:
            options = CheckOptions.parse({
                "categories": None if categories is None else names(categories.lower()),
                "min_severity": min_severity and min_severity.lower(),
                "allow": list(allow) or None})
        except OptionsError as exc:
            raise click.UsageError(exc.message.replace("'categories'", "--categories")) \
                from None
        return command(*args, check_options=options if options.narrows else None, **kwargs)

    for option in (
            click.option("--allow", multiple=True, metavar="PHRASE",
                         help="Leave this phrase alone: a finding whose text is the phrase "
                              "(case and spacing ignored) is dropped. Repeat for more."),
            click.option("--min-severity", type=click.Choice(SEVERITIES, case_sensitive=False),
                         default=None, help="Keep only findings of at least this severity."),
            click.option("--categories", metavar="NAME,...", default=None,
                         help="Keep only findings of these categories, separated by commas "
                              f"({', '.join(CATEGORIES)}). The score, level and summary are "
                              "those of the findings kept; the result records the options.")):
        run = option(run)
    return run


fail_on = click.option(
    "--fail-on", type=click.Choice(LEVELS[1:]), default=None,
    help=f"Exit with {FAIL_EXIT} when the result's level is this or higher (for pipelines).")


def exit_code(level: str, threshold: str | None) -> int:
    """``FAIL_EXIT`` when ``level`` is at or above ``threshold`` (if one is given), else 0."""
    if threshold is not None and LEVELS.index(level) >= LEVELS.index(threshold):
        return FAIL_EXIT
    return 0
