"""Checks every surface makes on what a user sends, before it goes anywhere.

Two things broke surfaces before: a string holding a lone surrogate (``"\\ud800"``, which JSON
can spell but UTF-8 cannot encode, so storing or sending it failed with a 500), and JSON nested
thousands deep (Python's parser ran out of recursion). Both are the user's input, so both get a
clear message here, the same words on every surface.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.core.errors import BadJSON

MAX_JSON_DEPTH = 100   # far more than any request of ours needs


# A character a reader can see: not white space in Python's sense (which counts U+0085 and
# U+001C-U+001F) nor in JSON Schema's (ECMA-262, which counts the byte-order mark U+FEFF).
_VISIBLE = re.compile(r"[^\s\ufeff]")
VISIBLE_PATTERN = "[^\\s\\u0085\\u001c-\\u001f\\ufeff]"   # the same, for a JSON Schema


def has_text(value: str) -> bool:
    """Whether ``value`` holds at least one character a reader can see."""
    return _VISIBLE.search(value) is not None


def bad_character(value: str) -> str | None:
    """Why ``value`` cannot be stored or shown (a lone surrogate), or None when it can."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"character {exc.start + 1} is a lone surrogate (U+{ord(value[exc.start]):04X}), "
                "which is not text")
    return None


def load_json(raw: str) -> Any:
    """``json.loads`` with the two ways it fails on user input turned into BadJSON."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadJSON(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadJSON("the JSON is nested too deeply") from None
    if _depth_over(value, MAX_JSON_DEPTH):
        raise BadJSON(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False
