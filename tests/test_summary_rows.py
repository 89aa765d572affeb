"""One summary row format: the batch command's CSV and an API job's CSV, on the same input, are
the same bytes (the job's rows add its status and error columns); both keep every input field in
their JSON Lines; the batch's triage ranks survive a resumed run; options narrow both alike."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from checker.core.result import CATEGORIES
from checker.formats import to_v1, to_v2
from checker.surfaces.batch import BatchOptions, run_batch
from checker.surfaces.summary import STATUS_COLUMNS, SUMMARY_COLUMNS, price_text, summary_row
from checker.surfaces.triage import triage_points
from tests.conftest import auth, cli
from tests.test_api import run_worker_until_done

NUEVA = ("Nueva Vida Stem Cell Institute", "https://www.nuevavida.example/autism")
REGEN = ("Regen Health Tijuana", "https://regenhealth.example")
CELLCURE = ("CellCure Clinic", "")
ADVERTS = [
    (NUEVA, "Our stem cells cure autism. Treatment costs $15,000. Only 2 spots left, book now!"),
    (NUEVA, "Umbilical cord stem cells reverse cerebral palsy. No side effects. $22,000 package."),
    (NUEVA, "Thousands of happy patients: our stem cell therapy for ALS is 100% safe."),
    (NUEVA, "We treat Parkinson's disease with stem cells. Deposit of $5,000 required today."),
    (NUEVA, "Our FDA approved stem cell protocol heals spinal cord injury."),
    (REGEN, "Exosome therapy regrows hair and reverses aging. 12.000 EUR per injection."),
    (REGEN, "Stem cell treatment for multiple sclerosis with a 95% success rate."),
    (REGEN, "Limited time offer: knee stem cell injections for 3,500 USD, guaranteed results."),
    (REGEN, "Our clinic offers physiotherapy after a consultation with a doctor."),
    (REGEN, "Mesenchymal stem cells cure diabetes. Book your place now, only 3 left!"),
    (CELLCURE, "Stem cells repair heart damage after a heart attack. Cost: 25,000 dollars."),
    (CELLCURE, "Our stem cell IV drip boosts immunity and cures long COVID."),
    (CELLCURE, "Patients with Alzheimer's disease regain their memory with our stem cells."),
    (CELLCURE, "Risk-free stem cell therapy for lupus. Pay in advance to secure your slot."),
    (("", "https://www.youthcells.example/offer"),
     "Young blood plasma infusions turn back the clock. $8,000 per session."),
    (("", "https://www.youthcells.example/offer2"),
     "Our stem cells treat autism and cerebral palsy. Testimonials from hundreds of families."),
    (("", "https://youthcells.example"), "Hello, we are open Monday to Friday."),
    (("cellcure clinic ", ""), "CellCure: stem cells for COPD and emphysema, breathe again!"),
    (("", ""), "Stem cell therapy reverses macular degeneration. Clinically proven."),
    (("", ""), "The hospital offers knee replacement surgery after a consultation."),
    (("Sol Clinic", "https://sol.example"), "Our stem cells cure autism. Our stem cells cure MS."),
    (("Sol Clinic", "https://sol.example"), "Stem cell therapy for autism: 18,000 USD, 90% improve."),
    (("Sol Clinic", "https://sol.example"), "Book now! Only 5 places left this month for stem cells."),
    (("Sol Clinic", "https://sol.example"), "Exosomes heal tendon injuries without surgery."),
]


def records() -> list[dict]:
    """The input: id, text, clinic and url when given, and fields of the users' own."""
    out = []
    for n, ((clinic, url), text) in enumerate(ADVERTS, 1):
        record: dict = {"id": f"ad-{n:02d}", "text": text}
        if clinic:
            record["clinic"] = clinic
        if url:
            record["url"] = url
        record["country"] = ["MX", "US", "CO"][n % 3]
        if n % 4 == 0:
            record["campaign"] = {"name": f"spring-{n}", "spend": n * 100.5, "tags": ["a", "b"]}
        out.append(record)
    return out


@pytest.fixture(scope="module")
def adverts_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "adverts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def batch_csv(source: Path, out: Path, *options: str) -> bytes:
    # workers=1 scores in this process with the session's checker: the job's own
    proc = cli("batch", str(source), "-o", str(out), "--format", "csv", "--workers", "1",
               "--no-progress", *options)
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def job_outputs(app, client, key, source: Path, query: str = "") -> tuple[bytes, list[dict]]:
    response = client.post(f"/api/v1/jobs{query}", data=source.read_bytes(), headers=auth(key),
                           content_type="application/x-ndjson")
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    run_worker_until_done(app, job_id)
    got = client.get(f"/api/v1/jobs/{job_id}/results?format=csv", headers=auth(key))
    assert got.status_code == 200 and got.mimetype == "text/csv"
    lines = client.get(f"/api/v1/jobs/{job_id}/results", headers=auth(key)).get_data(as_text=True)
    return got.get_data(), [json.loads(line) for line in lines.splitlines()]


def same_summary_columns(batch: bytes, job: bytes) -> None:
    """The job's CSV is the batch's, byte for byte, with ",done," at the end of each row (and
    ",status,error" at the end of the header)."""
    batch_lines, job_lines = batch.split(b"\r\n"), job.split(b"\r\n")
    assert len(batch_lines) == len(job_lines) == len(ADVERTS) + 2   # header, rows, "" at the end
    assert job_lines[0] == batch_lines[0] + b",status,error"
    for batch_line, job_line in zip(batch_lines[1:-1], job_lines[1:-1]):
        assert job_line == batch_line + b",done,"


def parsed(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_batch_csv_and_the_job_csv_are_the_same_rows(app, client, key, adverts_file,
                                                          tmp_path):
    batch = batch_csv(adverts_file, tmp_path / "out.csv")
    job, _ = job_outputs(app, client, key, adverts_file)
    same_summary_columns(batch, job)

    header = next(csv.reader(io.StringIO(job.decode())))
    assert header == SUMMARY_COLUMNS + STATUS_COLUMNS == [
        "id", "clinic", "clinic_key", "url", "level", "score", "triage", "triage_rank",
        "efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure",
        "findings", "rule_ids", "conditions", "prices", "summary", "input_sha256", "checker",
        "rules", "model", "status", "error"]
    rows = parsed(batch)
    assert [r["id"] for r in rows] == [r["id"] for r in records()]   # input order
    # every advert ranked once, 1 = the most triage points
    assert sorted(int(r["triage_rank"]) for r in rows) == list(range(1, len(ADVERTS) + 1))
    first = min(rows, key=lambda r: int(r["triage_rank"]))
    assert float(first["triage"]) == max(float(r["triage"]) for r in rows)
    # clinics grouped by key however the name was written, else by domain
    keys = {r["id"]: r["clinic_key"] for r in rows}
    assert keys["ad-11"] == keys["ad-18"] == "cellcure-clinic"
    assert keys["ad-15"] == keys["ad-16"] == keys["ad-17"] == "youthcells.example"
    assert keys["ad-19"] == "" and rows[0]["clinic"] == NUEVA[0] and rows[0]["url"] == NUEVA[1]
    # the counts add up, rule ids are distinct, conditions and prices are spelt out
    for row in rows:
        assert int(row["findings"]) == sum(int(row[c]) for c in CATEGORIES)
        assert len(set(row["rule_ids"].split(";"))) == len(row["rule_ids"].split(";"))
    assert "Autism spectrum disorder=no_approval" in rows[0]["conditions"].split(";")
    assert rows[0]["prices"] == "15000 USD (15000 USD)"
    assert rows[5]["prices"].startswith("12000 EUR (") and rows[5]["prices"].endswith(" USD)")
    clean = [r for r in rows if r["rule_ids"] == ""]
    assert clean and all(r["level"] == "low" and r["triage"] == "0.0" for r in clean)


def test_both_json_lines_keep_every_input_field(app, client, key, adverts_file, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = cli("batch", str(adverts_file), "-o", str(out), "--workers", "1", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    batch_rows = [json.loads(line) for line in out.read_text().splitlines()]
    _, job_rows = job_outputs(app, client, key, adverts_file)
    for record, batch_row, job_row in zip(records(), batch_rows, job_rows):
        own = {k: v for k, v in record.items() if k not in ("id", "text", "url", "clinic")}
        for row in (batch_row, job_row):
            assert row["id"] == record["id"] and row["fields"] == own
            assert row.get("clinic") == record.get("clinic")
            assert row.get("url") == record.get("url")
            assert "text" not in row["fields"]
        assert job_row["status"] == "done" and job_row["score"] == batch_row["result"]["score"]


def test_a_resumed_batch_csv_is_ranked_as_a_whole_run(adverts_file, tmp_path):
    whole = batch_csv(adverts_file, tmp_path / "whole.csv", "--no-classifier")
    half = tmp_path / "half.jsonl"
    half.write_text("".join(adverts_file.read_text().splitlines(keepends=True)[:10]))
    out = tmp_path / "resumed.csv"
    batch_csv(half, out, "--no-classifier")
    assert [r["triage_rank"] for r in parsed(out.read_bytes())] != ["" for _ in range(10)]
    summary = run_batch(BatchOptions(adverts_file, out, fmt="csv", workers=1, resume=True,
                                     classifier=False))
    assert (summary.scored, summary.skipped) == (len(ADVERTS) - 10, 10)
    assert out.read_bytes() == whole


def test_an_interrupted_batch_csv_leaves_the_rank_empty_until_it_is_finished(adverts_file,
                                                                               tmp_path):
    out = tmp_path / "out.csv"
    calls = []

    def interrupt(n: int) -> None:
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    summary = run_batch(BatchOptions(adverts_file, out, fmt="csv", workers=1, classifier=False,
                                     chunk_size=4), progress=interrupt)
    assert summary.interrupted
    rows = parsed(out.read_bytes())
    assert rows and all(r["triage_rank"] == "" for r in rows)
    run_batch(BatchOptions(adverts_file, out, fmt="csv", workers=1, classifier=False,
                           resume=True))
    assert sorted(int(r["triage_rank"]) for r in parsed(out.read_bytes())) == \
        list(range(1, len(ADVERTS) + 1))


def test_options_narrow_the_batch_and_the_job_alike(app, client, key, adverts_file, tmp_path):
    batch = batch_csv(adverts_file, tmp_path / "narrow.csv", "--categories", "efficacy,price",
                      "--min-severity", "medium", "--allow", "cure")
    job, job_rows = job_outputs(app, client, key, adverts_file,
                                "?categories=efficacy&categories=price&min_severity=medium"
                                "&allow=cure")
    same_summary_columns(batch, job)
    whole = {r["id"]: r for r in parsed(batch_csv(adverts_file, tmp_path / "whole.csv"))}
    for row in parsed(batch):
        assert all(row[c] == "0" for c in CATEGORIES if c not in ("efficacy", "price"))
        assert float(row["score"]) <= float(whole[row["id"]]["score"])
    assert all(r["options"]["categories"] == ["efficacy", "price"] for r in job_rows)
    assert not any(f["text"].lower() == "cure" for r in job_rows for f in r["findings"])


def test_triage_from_format_2_is_triage_from_format_1(checker):
    for _, text in ADVERTS:
        result = checker.check(text)
        v2 = to_v2(result)
        assert triage_points(v2) == triage_points(result.to_dict()) == triage_points(to_v1(v2))
        assert summary_row("x", v2, triage_rank=1) == summary_row("x", result.to_dict(),
                                                                    triage_rank=1)


def test_a_price_reads_as_amount_currency_and_dollars():
    assert price_text({"amount": 12000.0, "currency": "EUR", "usd": 13920.0}) == \
        "12000 EUR (13920 USD)"
    assert price_text({"amount": 5000.0, "amount_max": 8000.0, "currency": "GBP",
                       "usd": None}) == "5000-8000 GBP"
    assert price_text({"amount": 99.5, "currency": "USD", "usd": 99.5}) == "99.5 USD (99.5 USD)"
