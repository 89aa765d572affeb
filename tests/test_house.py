"""The shape of the package: floors without cycles, one error catalogue, one detector interface."""

from __future__ import annotations

import importlib.util
import inspect

from checker.core import errors
from checker.core.paths import ROOT


def _import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_cycle_no_private_import_every_floor_kept_no_module_too_large():
    report = _import_graph().analyse()
    assert report["problems"] == []
    assert "checker.engine" in report["graph"] and len(report["graph"]) > 40


def test_the_graph_check_finds_a_cycle():
    cycles = _import_graph().cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert cycles == [["a", "b", "c"]]


def test_every_error_has_its_own_code_in_the_one_catalogue():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.CheckerError)]
    codes = [c.code for c in classes]
    assert len(classes) > 10 and len(codes) == len(set(codes))


def test_every_detector_implements_the_one_interface(checker):
    from checker.detect.base import Detection

    document_text = "Our stem cells cure autism for $9,800. No side effects!"
    from checker.core.document import analyse

    document = analyse(document_text)
    context = checker.context_of(document)
    names = [d.name for d in checker.detectors]
    assert names == ["rules", "prices", "indications", "classifier", "speaker"]
    for detector in checker.detectors:
        found = detector.analyze(document, context)
        assert isinstance(found, Detection)
        assert all(document_text[h.start_char:h.end_char] == h.text for h in found.hits)
