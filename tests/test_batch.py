"""Batch scoring: every input format, bad records, input order, a killed run resumed, and Dask.

The runs go through the real command (a subprocess) or the library behind it, with the shipped
rules; they use rules only to keep the suite quick (the classifier's fast path has its own
tests in test_fast_paths.py). The Dask test starts a real LocalCluster of two single-threaded
worker processes and proves its output is byte-for-byte the single-process output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.core.errors import BatchError
from checker.core.records import read_input
from checker.surfaces.batch import BatchOptions, run_batch
from checker.core.paths import ROOT
from bench.corpus import make_corpus
from tests.conftest import SAMPLES, cli

PY = [sys.executable, "-m", "checker"]


def batch(*args: str, env: dict | None = None):
    """``python -m checker batch ARGS``, in this process (its worker processes are real); in a
    new process when ``env`` is given (Dask reads its settings when it is imported)."""
    if env is None:
        return cli("batch", *args)
    return subprocess.run([*PY, "batch", *args], capture_output=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, rows: list[dict | str | bytes]) -> Path:
    with path.open("wb") as fh:
        for row in rows:
            if isinstance(row, dict):
                row = json.dumps(row, ensure_ascii=False)
            fh.write((row if isinstance(row, bytes) else row.encode()) + b"\n")
    return path


ADVERTS = [
    "Our stem cells cure autism. No side effects!",
    "Exosome facials turn back the clock. Only 2 spots left this month, book now!",
    "The hospital offers knee replacement surgery after a consultation.",
    "Our umbilical cord cells are FDA approved and 100% safe.",
]


@pytest.fixture
def mixed_jsonl(tmp_path: Path) -> Path:
    """Good records between every kind of bad one, with known line numbers."""
    return write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a1", "text": ADVERTS[0], "url": "https://clinic.example/a", "clinic": "Cell Co"},
        {"id": "a2", "text": "   "},                                  # line 2: no text
        '{"id": "a3", "text": "unterminated',                         # line 3: broken JSON
        "[1, 2, 3]",                                                  # line 4: not an object
        {"text": ADVERTS[1]},                                         # line 5: no id
        {"id": 6, "text": ADVERTS[1]},                                # line 6: a numeric id
        b'{"id": "a7", "text": "caf\xe9 stem cells"}',                 # line 7: Latin-1 bytes
        "",                                                           # line 8: blank, skipped
        {"id": "a9", "text": ADVERTS[2]},
        {"id": "a10", "text": "x" * 200_001},                         # line 10: too long
        {"id": "a11", "text": ADVERTS[3]},
    ])


def test_jsonl_bad_records_go_to_the_errors_file_with_their_line_and_the_run_goes_on(
        mixed_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = run_batch(BatchOptions(mixed_jsonl, out, workers=1, classifier=False))
    rows = jsonl(out)
    assert [r["id"] for r in rows] == ["a1", "6", "a9", "a11"]
    assert rows[0]["url"] == "https://clinic.example/a" and rows[0]["clinic"] == "Cell Co"
    assert rows[0]["result"]["level"] == "high" and "url" not in rows[1]
    errors = jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["line"], e["id"]) for e in errors] == [
        (2, "a2"), (3, None), (4, None), (5, None), (7, None), (10, "a10")]
    problems = [e["problem"] for e in errors]
    assert problems[:4] == ["no text", "not JSON (Unterminated string starting at)",
                            "not a JSON object", "no id"]
    assert problems[4].startswith("not UTF-8 text") and "200,000" in problems[5]
    assert (summary.scored, summary.failed, summary.skipped) == (4, 6, 0)


def test_every_result_is_a_valid_result_of_its_own_text(mixed_jsonl, tmp_path, validate):
    out = tmp_path / "out.jsonl"
    run_batch(BatchOptions(mixed_jsonl, out, workers=1, classifier=False))
    texts = {r.id: r.text for r in read_input(mixed_jsonl) if not hasattr(r, "problem")}
    for row in jsonl(out):
        validate(texts[row["id"]], row["result"])


CSV_INPUT = (
    'id,url,clinic,text\n'
    'c1,https://a.example,Alpha,"Our stem cells cure autism.\nNo side effects!"\n'   # 2 lines
    'c2,,,\n'                                                                           # no text
    'c3,,,too,many,fields\n'
    'c4,,Gamma,"Exosomes regrow hair, guaranteed."\n'
)


def test_csv_input_with_records_over_several_lines_and_csv_output(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(CSV_INPUT.encode() + b'c5,,,"caf\xe9"\nc6,,,"Book now: only 3 spots left!"\n')
    out = tmp_path / "out.csv"
    proc = batch(str(source), "-o", str(out), "--format", "csv", "--workers", "1",
                 "--no-classifier")
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert lines[0].split(",")[:6] == ["id", "clinic", "clinic_key", "url", "level", "score"]
    assert [line.split(",")[0] for line in lines[1:]] == ["c1", "c4", "c6"]
    assert lines[1].startswith("c1,Alpha,alpha,https://a.example,high,")
    errors = jsonl(Path(str(out) + ".errors.jsonl"))
    assert [(e["line"], e["id"], e["problem"]) for e in errors] == [
        (4, "c2", "no text"), (5, None, "6 fields where the header has 4"),
        (7, None, "not UTF-8 text (byte 10 of the line)")]
    assert proc.stderr.decode().strip().startswith("scored 3, failed 3")


def test_a_csv_without_an_id_and_text_header_is_refused_in_one_line(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("name,body\nx,Our stem cells cure autism.\n")
    proc = batch(str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "1")
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1 and "columns id and text" in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_folder_of_text_and_html_files(tmp_path):
    folder = tmp_path / "pages"
    (folder / "mexico").mkdir(parents=True)
    (folder / "b.txt").write_text(ADVERTS[0])
    (folder / "mexico" / "a.html").write_text(
        "<html><body><h1>Clinic</h1><p>Our stem cells <b>cure</b> MS.</p></body></html>")
    (folder / "a.txt").write_bytes(b"fine line\nstem cells \xff cure\n")
    (folder / "empty.txt").write_text("  \n")
    (folder / "notes.md").write_text("ignored: not .txt or .html")
    out = tmp_path / "out.jsonl"
    summary = run_batch(BatchOptions(folder, out, workers=1, classifier=False))
    assert [r["id"] for r in jsonl(out)] == ["b.txt", "mexico/a.html"]
    html_result = jsonl(out)[1]["result"]
    assert any(f["text"] == "cure" for f in html_result["findings"])
    errors = jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["id"], e["problem"]) for e in errors] == [
        ("a.txt", "not UTF-8 text (line 2, byte 22)"), ("empty.txt", "no text")]
    assert (summary.scored, summary.failed) == (2, 2)


def test_an_existing_output_is_kept_unless_resume_or_force(tmp_path, mixed_jsonl):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "precious"}\n')
    proc = batch(str(mixed_jsonl), "-o", str(out), "--workers", "1", "--no-classifier")
    assert proc.returncode == 1 and "--resume" in proc.stderr.decode()
    assert out.read_text() == '{"id": "precious"}\n'
    with pytest.raises(BatchError, match="already exists"):
        run_batch(BatchOptions(mixed_jsonl, out, workers=1, classifier=False))


def test_resume_cuts_a_torn_last_line_and_writes_each_record_once(tmp_path, mixed_jsonl):
    out = tmp_path / "out.jsonl"
    run_batch(BatchOptions(mixed_jsonl, out, workers=1, classifier=False))
    complete = out.read_bytes()
    errors = (tmp_path / "out.jsonl.errors.jsonl").read_bytes()
    lines = complete.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + lines[2][:40])        # killed in the middle of a write
    summary = run_batch(BatchOptions(mixed_jsonl, out, workers=1, classifier=False, resume=True))
    assert out.read_bytes() == complete
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == errors
    assert (summary.scored, summary.failed, summary.skipped) == (2, 0, 8)


def test_compact_rows_expand_to_exactly_the_full_rows_and_are_much_smaller(tmp_path):
    """--format compact cites passages and regulator sources by id; nothing else changes."""
    from checker.surfaces.batch import expand_row, passages_path

    rows = [{"id": p.stem, "text": p.read_text()} for p in SAMPLES]
    rows += [{"id": f"ad-{i}", "text": t} for i, t in enumerate(make_corpus(8, 150))]
    rows.append({"id": "bad", "text": ""})
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    full, compact = tmp_path / "full.jsonl", tmp_path / "compact.jsonl"
    run_batch(BatchOptions(source, full, workers=1, classifier=False, result_format="1"))
    proc = batch(str(source), "-o", str(compact), "--format", "compact", "--workers", "1",
                 "--no-classifier")
    assert proc.returncode == 0, proc.stderr.decode()
    sidecar = json.loads(passages_path(compact).read_text(encoding="utf-8"))
    compact_rows = jsonl(compact)
    assert all(r["compact"] is True for r in compact_rows)
    shapes = ({"source", "passage"}, {"source", "regulator"}, {"source", "url", "title", "fact"})
    citations = [c for r in compact_rows for f in r["result"]["findings"] for c in f["citations"]]
    assert citations and all(set(c) in shapes for c in citations)   # no quote, no credit inline
    expanded = [json.dumps(expand_row(r, sidecar)) for r in compact_rows]
    assert expanded == [json.dumps(r) for r in jsonl(full)]       # same keys, order and values
    assert compact.stat().st_size < 0.6 * full.stat().st_size
    assert (tmp_path / "compact.jsonl.errors.jsonl").read_text() == \
        (tmp_path / "full.jsonl.errors.jsonl").read_text()


def test_the_compact_sidecar_quotes_the_editorial_verbatim_with_its_credit(tmp_path):
    from checker.surfaces.batch import passages_path
    from checker.core.guidance import editorial_text

    out = tmp_path / "out.jsonl"
    run_batch(BatchOptions(write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ADVERTS[0]}]),
                           out, fmt="compact", workers=1, classifier=False))
    sidecar = json.loads(passages_path(out).read_text(encoding="utf-8"))
    assert len(sidecar["passages"]) >= 20 and sidecar["regulators"]
    for quote in sidecar["passages"].values():
        assert quote in editorial_text()
    for part in ("Choudhery", "Umezawa", "Stem cells as biological drugs",
                 "Stem Cell Research & Therapy", "2025", "CC BY 4.0"):
        assert part in sidecar["credit"]
    cited = {c["passage"] for r in jsonl(out) for f in r["result"]["findings"]
             for c in f["citations"] if c["source"] == "editorial"}
    assert cited and cited <= set(sidecar["passages"])


def test_resuming_in_the_other_json_format_or_with_changed_passages_is_refused(tmp_path,
                                                                               mixed_jsonl):
    from checker.surfaces.batch import passages_path

    out = tmp_path / "out.jsonl"
    run_batch(BatchOptions(mixed_jsonl, out, fmt="compact", workers=1, classifier=False))
    before = out.read_bytes()
    proc = batch(str(mixed_jsonl), "-o", str(out), "--resume", "--workers", "1",
                 "--no-classifier")
    assert proc.returncode == 1
    assert "holds compact rows: resume it with --format compact" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    sidecar = passages_path(out)
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    data["passages"][next(iter(data["passages"]))] = "something else"
    sidecar.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BatchError, match="passages have changed"):
        run_batch(BatchOptions(mixed_jsonl, out, fmt="compact", workers=1, classifier=False,
                               resume=True))
    assert out.read_bytes() == before                              # nothing lost
    full = tmp_path / "full.jsonl"
    run_batch(BatchOptions(mixed_jsonl, full, workers=1, classifier=False))
    with pytest.raises(BatchError, match="holds jsonl rows"):
        run_batch(BatchOptions(mixed_jsonl, full, fmt="compact", workers=1, classifier=False,
                               resume=True))


def test_a_killed_run_resumed_loses_nothing_and_writes_nothing_twice(tmp_path):
    """Kill -9 the real command mid-run (two worker processes), then resume what it wrote."""
    texts = make_corpus(200, 150)
    rows: list[dict | str] = [{"id": f"ad-{i:04d}", "text": t} for i, t in enumerate(texts)]
    rows[37] = '{"id": "broken", "text": '
    rows[150] = {"id": "blank", "text": ""}
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([*PY, "batch", str(source), "-o", str(out), "--workers", "2",
                             "--no-classifier"], cwd=ROOT, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 20:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = out.read_bytes().count(b"\n")
    assert 20 <= done_before < 198

    resumed = run_batch(BatchOptions(source, out, workers=1, classifier=False, resume=True))
    assert resumed.skipped >= done_before and resumed.scored + resumed.skipped >= 198

    reference = tmp_path / "reference.jsonl"
    run_batch(BatchOptions(source, reference, workers=1, classifier=False))
    ids = [r["id"] for r in jsonl(out)]
    assert len(ids) == len(set(ids)) == 198
    assert out.read_bytes() == reference.read_bytes()      # same rows, same order, same bytes
    assert [(e["line"], e["problem"]) for e in jsonl(tmp_path / "out.jsonl.errors.jsonl")] == [
        (38, "not JSON (Expecting value)"), (151, "no text")]


def test_the_command_is_quiet_off_a_terminal_and_ends_with_a_summary(tmp_path, mixed_jsonl):
    stats = tmp_path / "stats.json"
    proc = batch(str(mixed_jsonl), "-o", str(tmp_path / "out.jsonl"), "--workers", "1",
                 "--no-classifier", "--stats", str(stats))
    assert proc.returncode == 0
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1, err                                   # no progress bar in a pipe
    assert err[0].startswith("scored 4, failed 6 in ") and "adverts/s" in err[0]
    data = json.loads(stats.read_text())
    assert (data["scored"], data["failed"]) == (4, 6) and data["peak_rss_bytes"]
    assert data["reader_peak_rss_bytes"] > 2**20          # a real reading, in bytes


@pytest.mark.slow
def test_dask_local_cluster_gives_the_single_process_output(tmp_path):
    """Two single-threaded workers on a LocalCluster, chunks of three, against one process."""
    rows = [{"id": p.stem, "text": p.read_text()} for p in SAMPLES]
    rows += [{"id": f"ad-{i}", "text": t} for i, t in enumerate(make_corpus(12, 150))]
    rows += [{"id": "short", "text": ADVERTS[1]}, {"id": "empty", "text": ""}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    single, dask = tmp_path / "single.jsonl", tmp_path / "dask.jsonl"
    run_batch(BatchOptions(source, single, workers=1, classifier=False))
    summary = run_batch(BatchOptions(source, dask, dask="local", workers=2, chunk_size=3,
                                     classifier=False))
    assert summary.engine == "Dask at local (2 workers, 2 threads)"
    assert len(summary.peak_rss_bytes) == 2                      # both workers did some of it
    assert dask.read_bytes() == single.read_bytes()
    assert (tmp_path / "dask.jsonl.errors.jsonl").read_bytes() == \
        (tmp_path / "single.jsonl.errors.jsonl").read_bytes()
    assert (summary.scored, summary.failed) == (len(rows) - 1, 1)


def test_an_unreachable_dask_scheduler_is_one_clear_error(tmp_path, mixed_jsonl):
    proc = batch(str(mixed_jsonl), "-o", str(tmp_path / "out.jsonl"), "--no-classifier",
                 "--dask", "tcp://127.0.0.1:9",
                 env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1 and "cannot reach the Dask scheduler" in err, err
    assert "Traceback" not in err
