"""Web addresses, HTML and PDF files on the command line and in batch runs."""

from __future__ import annotations

import json

from tests.conftest import cli
from tests.fetchserver import BROCHURE, CLINIC_PAGE, blank_pdf, make_pdf

LOOPBACK = {"CHECKER_FETCH_ALLOW_LOOPBACK": "1"}



def test_check_a_web_address(pages_server):
    run = cli("check", pages_server.base + "/clinic", "--format", "json", env=LOOPBACK)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["level"] == "high" and result["source"]["url"] == pages_server.base + "/clinic"


def test_check_a_web_address_prints_the_evidence_and_the_text(pages_server):
    run = cli("check", pages_server.base + "/clinic", "--no-color", env=LOOPBACK)
    out = run.stdout.decode()
    assert f"Read from {pages_server.base}/clinic on 20" in out and "<strong>" not in out
    assert "Full-body package with" in out


def test_a_refused_address_is_one_readable_line(pages_server):
    run = cli("check", pages_server.base + "/to-metadata", env=LOOPBACK)
    assert run.returncode == 1
    err = run.stderr.decode()
    assert "169.254.169.254" in err and "Traceback" not in err and err.count("\n") == 1


def test_check_a_pdf_and_an_html_file(tmp_path):
    pdf = tmp_path / "brochure.pdf"
    pdf.write_bytes(make_pdf(BROCHURE))
    result = json.loads(cli("check", str(pdf), "--format", "json").stdout)
    assert result["source"]["kind"] == "pdf" and result["source"]["filename"] == "brochure.pdf"
    assert result["level"] == "high"
    page = tmp_path / "page.html"
    page.write_text(CLINIC_PAGE, encoding="utf-8")
    result = json.loads(cli("check", str(page), "--format", "json").stdout)
    assert result["source"]["kind"] == "html"
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(blank_pdf())
    run = cli("check", str(scan))
    assert run.returncode == 1 and b"scanned" in run.stderr


def test_batch_fetch_checks_the_pages_of_url_only_records(pages_server, tmp_path):
    source = tmp_path / "urls.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "url": pages_server.base + "/clinic"},
        {"id": "b", "url": pages_server.base + "/to-metadata"},
        {"id": "c", "text": "Our PRP heals torn tendons in one visit, guaranteed."},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = cli("batch", str(source), "-o", str(out), "--fetch", "--workers", "1", env=LOOPBACK)
    assert run.returncode == 0, run.stderr
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"a", "c"}
    assert rows["a"]["result"]["source"]["url"] == pages_server.base + "/clinic"
    text = rows["a"]["text"]
    assert all(text[f["start"]:f["end"]] == f["text"] for f in rows["a"]["result"]["findings"])
    assert "text" not in rows["c"]
    errors = [json.loads(x) for x in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert errors[0]["id"] == "b" and "private or local" in errors[0]["problem"]


def test_batch_without_fetch_says_how_to_check_url_only_records(pages_server, tmp_path):
    source = tmp_path / "urls.jsonl"
    source.write_text(json.dumps({"id": "a", "url": pages_server.base + "/clinic"}) + "\n")
    out = tmp_path / "out.jsonl"
    cli("batch", str(source), "-o", str(out), "--workers", "1")
    error = json.loads((tmp_path / "out.jsonl.errors.jsonl").read_text())
    assert "add --fetch" in error["problem"]


def test_batch_reads_pdfs_and_html_in_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "brochure.pdf").write_bytes(make_pdf(BROCHURE))
    (folder / "page.html").write_text(CLINIC_PAGE, encoding="utf-8")
    (folder / "scan.pdf").write_bytes(blank_pdf())
    out = tmp_path / "out.jsonl"
    run = cli("batch", str(folder), "-o", str(out), "--workers", "1")
    assert run.returncode == 0, run.stderr
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["brochure.pdf"]["result"]["source"]["kind"] == "pdf"
    assert "<" not in rows["page.html"]["text"]
    error = json.loads((tmp_path / "out.jsonl.errors.jsonl").read_text())
    assert error["id"] == "scan.pdf" and "scanned" in error["problem"]
