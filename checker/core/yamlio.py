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
