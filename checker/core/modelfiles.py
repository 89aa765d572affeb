"""Trained models on disk: written with skops beside a card that records the file's sha256, and
read back only when the file matches its card and holds nothing but trusted types."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from checker.core.errors import ModelError

REBUILD_HINT = "rebuild it with: python -m checker train"


def file_sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


# skops names the objects of a file by their id() in the writing process, and zip stamps each
# member with the time: two dumps of the same model differ in both.
_OBJECT_ID = re.compile(r'"__id__": (\d+)|"(\d+)\.npy"')
_EPOCH = (1980, 1, 1, 0, 0, 0)


def one_thread() -> Any:
    """A context in which numerical libraries use one thread: how many a BLAS library splits a
    sum across changes its last bits, so a model trained on 2 cores and on 64 would differ."""
    import scipy.linalg.cython_blas  # noqa: F401  (load every BLAS the fit will call first,
    import sklearn.svm._liblinear  # noqa: F401   or a library loaded later escapes the limit)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _drop_process_state(obj: Any) -> None:
    """Take out what a text vectoriser keeps only for this process: the pruned words as a set
    (in hash order; sklearn says it may be deleted) and the id() of its stop-word list."""
    for attribute in ("stop_words_", "_stop_words_id"):
        if hasattr(obj, attribute):
            delattr(obj, attribute)
    for part in getattr(obj, "steps", []) + getattr(obj, "transformer_list", []):
        _drop_process_state(part[1])


def dump_reproducibly(obj: Any, path: Path) -> Path:
    """Write ``obj`` with skops so that the same object gives the same bytes: object ids are
    renumbered in order of first appearance, members sorted and stamped with one fixed time."""
    import skops.io as sio

    _drop_process_state(obj)
    sio.dump(obj, path)
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        old = match.group(1) or match.group(2)
        new = numbers.setdefault(old, str(len(numbers) + 1))
        return f'"__id__": {new}' if match.group(1) else f'"{new}.npy"'

    schema = _OBJECT_ID.sub(renumber, members.pop("schema.json").decode("utf-8"))
    renamed = {f"{numbers[name[:-4]]}.npy" if name[:-4] in numbers else name: data
               for name, data in members.items()}
    renamed["schema.json"] = schema.encode("utf-8")
    # skops writes vocabularies as JSON; deflating the archive shrinks it about tenfold.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name in sorted(renamed):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, renamed[name], compresslevel=9)
    return path


def load_verified(path: Path, card_path: Path, trusted: list[str]) -> tuple[Any, dict[str, Any]]:
    """The object in ``path`` and its card, or a ModelError saying what is wrong and how to
    rebuild it: missing, a card that cannot be read, a file that does not match its card
    (corrupt or replaced), or a type that is not in ``trusted``."""
    import skops.io as sio

    if not path.exists() or not card_path.exists():
        raise ModelError(f"the model {path.name} is missing ({path}); {REBUILD_HINT}")
    try:
        card = json.loads(card_path.read_text())
        expected = card["file_sha256"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise ModelError(f"the model card {card_path} is unreadable ({exc}); {REBUILD_HINT}") from None
    if file_sha256(path) != expected:
        raise ModelError(f"the model file {path} does not match its model card "
                         f"(corrupt or replaced); {REBUILD_HINT}")
    try:
        untrusted = set(sio.get_untrusted_types(file=path)) - set(trusted)
        if untrusted:
            raise ModelError(f"the model file {path} contains types we do not trust: "
                             f"{sorted(untrusted)}; {REBUILD_HINT}")
        return sio.load(path, trusted=trusted), card
    except ModelError:
        raise
    except Exception as exc:  # skops raises many kinds of errors for a damaged file
        raise ModelError(f"the model file {path} cannot be read ({type(exc).__name__}); "
                         f"{REBUILD_HINT}") from None
