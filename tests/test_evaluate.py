"""evaluate: exact document- and category-level figures on labelled JSON Lines."""

from __future__ import annotations

import json

import pytest

from checker.tools.evaluate import evaluate, read_records
from tests.conftest import cli

RECORDS = [
    {"id": "a", "text": "Our stem cells cure autism. No side effects!", "should_flag": True,
     "flags": ["efficacy", "indication", "safety"]},
    {"id": "b", "text": "Our exosome facial costs $12,000 per session.", "should_flag": True,
     "flags": ["price"]},
    {"id": "c", "text": "Stem cell therapy is not approved for autism.", "should_flag": False, "flags": []},
    {"id": "d", "text": "The hospital cafeteria opens at seven.", "should_flag": True, "flags": ["pressure"]},
    {"id": "e", "text": "Our stem cells regrow cartilage.", "should_flag": False, "flags": [],
     "ignored": "other fields are ignored"},
]


@pytest.fixture
def dataset(tmp_path):
    path = tmp_path / "set.jsonl"
    lines = [json.dumps(r) for r in RECORDS] + ["", "{broken json", json.dumps({"text": ""})]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_figures_are_counted_exactly(rules_checker, dataset):
    records, problems = read_records(dataset)
    assert [p["line"] for p in problems] == [7, 8]
    report = evaluate(records, rules_checker)
    d = report["document"]
    # a, b flagged and should be (tp 2); d missed (fn 1); e flagged wrongly (fp 1); c fine (tn 1)
    assert (d["tp"], d["fp"], d["fn"], d["tn"]) == (2, 1, 1, 1)
    assert d["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert d["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert d["false_positive_rate"] == pytest.approx(0.5)
    assert report["categories"]["safety"]["support"] == 1
    assert report["categories"]["safety"]["recall"] == 1.0
    assert report["categories"]["pressure"]["recall"] == 0.0
    assert report["categories"]["efficacy"]["fp"] == 1     # record e
    assert report["worst_misses"][0]["id"] == "d"
    assert report["worst_false_alarms"][0]["id"] == "e"


def test_the_cli_prints_json_with_the_documented_keys(dataset):
    proc = cli("evaluate", str(dataset), "--format", "json", "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {"documents", "document", "categories"} <= set(report)
    assert {"precision", "recall", "f1", "false_positive_rate"} <= set(report["document"])
    for metrics in report["categories"].values():
        assert {"precision", "recall", "f1", "support"} <= set(metrics)
    assert report["documents"] == 5


def test_the_cli_text_mode_lists_misses_and_false_alarms(dataset):
    proc = cli("evaluate", str(dataset), "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "Worst misses" in out and "Worst false alarms" in out
    assert "line 7: not JSON" in out


def test_a_missing_file_is_a_one_line_error(tmp_path):
    proc = cli("evaluate", str(tmp_path / "none.jsonl"))
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "no such file" in err
    assert len(err.strip().splitlines()) == 1


def test_indications_with_a_broken_line_report_it_and_go_on(tmp_path):
    """Probe: `evaluate --indications` on a file with one bad line died with a traceback."""
    data = tmp_path / "ind.jsonl"
    data.write_text('{"id": "a", "text": "Our stem cells treat autism.", "indications": ["autism"], '
                    '"should_flag": true, "flags": ["indication"]}\n{broken\n')
    proc = cli("evaluate", str(data), "--indications", "--format", "json", "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["unreadable_records"][0]["line"] == 2 and "indications" in report
