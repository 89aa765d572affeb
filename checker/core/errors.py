"""Every error the checker raises, with a code, in one catalogue.

Inside the package code raises these specific classes; each surface translates them at its edge
(the CLI into a one-line message and exit code, the web page into a readable message, the API
into RFC 9457 problem details with a 4xx status).
"""

from __future__ import annotations


class CheckerError(Exception):
    """Base class: every error of ours has a stable code and a plain message."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class RuleFileError(CheckerError):
    """A rule file is missing, unreadable, not YAML, or breaks the schema."""

    code = "E101"

    def __init__(self, path: str, problem: str, rule_id: str | None = None) -> None:
        where = f"{path}" + (f", rule {rule_id!r}" if rule_id else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.rule_id = rule_id
        self.problem = problem


class DataFileError(CheckerError):
    """A file under corpus/ (passages, lexicon, knowledge base, rates) is missing or broken."""

    code = "E102"


class InputFileError(CheckerError):
    """A file named on the command line cannot be read as text."""

    code = "E203"


class InputError(CheckerError):
    """The text given to check cannot be checked (wrong type, empty, too long)."""

    code = "E201"


class InputTooLarge(InputError):
    code = "E202"


class CheckTooSlow(InputError):
    """A check ran past the time budget its caller (a server request) gave it."""

    code = "E205"


class OptionsError(InputError):
    """Check options that cannot be used: an unknown category or severity, a wrong type."""

    code = "E206"


class BadJSON(InputError):
    """A request body or an input line that is not JSON we can read (broken, nested too deep)."""

    code = "E204"


class RecordsError(CheckerError):
    """An input of many records cannot be read as a whole: no such file, a CSV with no header."""

    code = "E402"


class ModelError(CheckerError):
    """The classifier model is missing, corrupt, or does not match the code."""

    code = "E301"


class BatchError(CheckerError):
    """A batch cannot run: unreadable input, an OUTPUT in the way, an unreachable cluster."""

    code = "E401"


class EvaluationInputError(CheckerError):
    """A labelled file given to ``evaluate`` cannot be read."""

    code = "E403"


class StoreError(CheckerError):
    """The database cannot be opened, migrated, read or written."""

    code = "E501"


class NotFound(StoreError):
    """No stored check, key or job with that id."""

    code = "E502"


class UploadError(CheckerError):
    """An API job upload cannot be queued; ``problems`` lists its bad lines."""

    code = "E601"

    def __init__(self, message: str, status: int = 400,
                 problems: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems or []


class FetchError(CheckerError):
    """A web address that was not fetched: not http(s), a private address, too large, too slow,
    of a type we do not read. ``status`` is the HTTP status an API answers with."""

    code = "E701"

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class ExtractError(CheckerError):
    """A page or file with no text to check (markup with nothing visible, a scanned PDF)."""

    code = "E702"

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status
