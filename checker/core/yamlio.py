"""YAML reading with YAML 1.2 booleans: only ``true`` and ``false`` are booleans.

PyYAML follows YAML 1.1, where ``no``, ``off``, ``on`` and ``yes`` are booleans too. Rule files
are full of words like "no side effects" and "off medication", so an unquoted ``no`` in a token
list must stay the word "no".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import yaml


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def loads(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def load_path(path: Path) -> Any:
    return loads(path.read_text(encoding="utf8"))


def read_file(path: Path, error: Callable[[str], Exception]) -> Any:
    """The YAML document in ``path``; a missing, unreadable or malformed file becomes
    ``error(problem)``, so each caller raises its own error class with the same wording."""
    try:
        return load_path(path)
    except FileNotFoundError:
        raise error("file not found") from None
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {exc}") from None


YAMLError = yaml.YAMLError


def first_problem(exc: Any) -> tuple[list[Any], str]:
    """Where a pydantic ``ValidationError`` first went wrong (its location) and why."""
    first = exc.errors()[0]
    return list(first["loc"]), first["msg"]


def validated(model: Any, data: Any, error: Callable[[str], Exception], prefix: str = "") -> Any:
    """``model.model_validate(data)``; a validation error becomes ``error("where: why")`` with
    ``prefix`` before the location, so every data file's problems read the same way."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, message = first_problem(exc)
        where = prefix + ".".join(str(p) for p in loc)
        raise error(f"{where}: {message}" if where else message) from None
