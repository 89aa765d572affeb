"""Dashboards (issue 19): the figures of many checked adverts, the same from a job's web page
and from ``python -m checker report`` on the batch command's output."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from checker.surfaces.dashboard import Advert, Dashboard, figures
from tests.conftest import ROOT, auth, cli
from tests.test_api import run_worker_until_done

sys.path.insert(0, str(ROOT / "bench"))
from clinic_adverts import generate  # noqa: E402


def result(level, score, findings=(), indications=(), prices=()):
    cats = {c: {"score": 0.0, "count": 0} for c in
            ("efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure")}
    for f in findings:
        cats[f["category"]]["count"] += 1
    return {"level": level, "score": score, "summary": f"{level} {score}", "categories": cats,
            "findings": list(findings), "indications": list(indications), "prices": list(prices)}


def f(rule, category, severity="high", text="x"):
    return {"rule": rule, "category": category, "severity": severity, "text": text,
            "start": 0, "end": 1}


ADVERTS = [
    Advert("a1", result("high", 99, [f("efficacy.cure", "efficacy"), f("price.deposit", "price",
                                                                         "medium", "$500")],
                        [{"condition": "autism", "label": "Autism", "offered": True,
                          "status": "no_approval"}], [{"usd": 9000.0}]),
           clinic="Nueva Vida", url="https://nuevavida.example/a", country="MX"),
    Advert("a2", result("high", 99, [f("efficacy.cure", "efficacy")]), clinic="nueva vida ",
           country="MX"),
    Advert("a3", result("medium", 55, [f("pressure.act-now", "pressure", "low", "now")]),
           url="https://www.other.example/x"),
    Advert("a4", result("low", 0)),
]


def by_name(figs):
    return {fig.name: {r.key: r for r in fig.rows} for fig in figs}


def test_figures_count_share_and_keep_the_adverts_behind_each_number():
    figs = by_name(figures(ADVERTS))
    assert figs["levels"]["high"].ids == ["a1", "a2"] and figs["levels"]["high"].share == 0.5
    assert figs["levels"]["low"].count == 1
    assert figs["scores"]["90-100"].count == 2 and figs["scores"]["0-10"].ids == ["a4"]
    assert figs["categories"]["efficacy"].ids == ["a1", "a2"]
    assert figs["categories"]["efficacy"].extra["findings"] == 2
    assert figs["rules"]["efficacy.cure"].count == 2
    assert figs["conditions"]["autism"].extra["status"] == "no_approval"
    assert figs["price-flags"]["price.deposit"].ids == ["a1"]
    assert set(figs["clinics"]) == {"nueva-vida", "other.example", "-"}
    assert figs["clinics"]["nueva-vida"].count == 2          # one clinic however it is written
    assert figs["countries"]["MX"].count == 2 and figs["countries"]["-"].count == 2
    # the clinics are ordered by risk: the sum of their adverts' triage points
    assert next(iter(figs["clinics"])) == "nueva-vida"


def test_a_dashboard_is_a_set_of_relative_files_that_all_exist(tmp_path):
    board = Dashboard(ADVERTS, title="Test")
    written = board.write(tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"index.html", "adverts.html", "dashboard.css", "data/levels.csv",
            "charts/levels.svg", "lists/levels/high.html"} <= names
    import re
    for page in [p for p in written if p.suffix == ".html"]:
        for link in re.findall(r'(?:href|src)="([^"#]+)', page.read_text()):
            assert (page.parent / link).resolve().exists(), (page, link)
    svg = (tmp_path / "charts/levels.svg").read_text()
    assert svg.startswith("<?xml") and "<script" not in svg
    assert Dashboard(ADVERTS, title="Test").file("charts/levels.svg")[0] == svg.encode()
    assert board.file("lists/levels/none.html") is None and board.file("../x") is None


@pytest.fixture(scope="module")
def records():
    return generate(120, 8, seed=11)


def test_the_report_command_and_a_jobs_web_dashboard_give_the_same_figures(
        tmp_path, records, make_app):
    source = tmp_path / "adverts.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = cli("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "1",
              "--no-progress")
    assert out.returncode == 0, out.stderr
    out = cli("report", str(tmp_path / "out.jsonl"), "-o", str(tmp_path / "dash"))
    assert out.returncode == 0, out.stderr
    assert b"120 adverts, 8 clinics" in out.stdout

    app = make_app()
    from checker.surfaces.store import Store
    secret, _ = Store(app.config["DATABASE"]).create_key("dash")
    client = app.test_client()
    made = client.post("/api/v1/jobs", data=source.read_bytes(), headers={
        **auth(secret), "Content-Type": "application/x-ndjson"})
    assert made.status_code == 202
    run_worker_until_done(app, made.get_json()["id"])
    status = client.get(made.get_json()["status_url"], headers=auth(secret)).get_json()
    base = status["dashboard_url"].split("://", 1)[1].split("/", 1)[1].rsplit("/", 1)[0]
    names = ["levels", "scores", "categories", "rules", "conditions", "price-flags", "clinics",
             "countries"]
    for name in names:
        web = client.get(f"/{base}/data/{name}.csv")
        assert web.status_code == 200
        assert web.data == (tmp_path / "dash" / "data" / f"{name}.csv").read_bytes(), name
    web_adverts = client.get(f"/{base}/data/adverts.csv").data.decode()
    assert web_adverts == (tmp_path / "dash/data/adverts.csv").read_text()
    assert len(list(csv.reader(io.StringIO(web_adverts)))) == 121
    page = client.get(f"/{base}/index.html").get_data(as_text=True)
    assert "120</strong> adverts from <strong>8</strong> clinics" in page


def test_the_dashboard_link_is_the_key_holders_alone(make_app):
    app = make_app()
    client = app.test_client()
    assert client.get("/jobs/abc/dashboard/forged.token/index.html").status_code == 404
    from checker.surfaces.store import Store
    secret, _ = Store(app.config["DATABASE"]).create_key("one")
    made = client.post("/api/v1/jobs", data='{"id": "1", "text": "Our stem cells cure autism."}\n',
                       headers={**auth(secret), "Content-Type": "application/x-ndjson"}).get_json()
    url = client.get(made["status_url"], headers=auth(secret)).get_json()["dashboard_url"]
    other = made["id"][:-1] + ("A" if made["id"][-1] != "A" else "B")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    assert client.get(path.replace(made["id"], other, 1)).status_code == 404
    second, _ = Store(app.config["DATABASE"]).create_key("two")
    assert client.get(made["status_url"], headers=auth(second)).status_code == 404


def test_report_on_a_file_that_is_not_results_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "result": {"format": "2"}}\nnot json\n')
    out = cli("report", str(bad), "-o", str(tmp_path / "d"))
    assert out.returncode == 1 and out.stderr.startswith(b"error: ")
    assert b"Traceback" not in out.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    out = cli("report", str(empty), "-o", str(tmp_path / "d"))
    assert out.returncode == 1 and b"no checked adverts" in out.stderr


def test_glance_reads_format_2_as_format_1_would(checker):
    from checker.formats import to_v1, to_v2
    from checker.formats import glance

    for path in sorted((ROOT / "corpus" / "samples").glob("*.txt")):
        v2 = to_v2(checker.check(path.read_text()))
        v1, seen = to_v1(v2), glance(v2)
        keep = ("rule", "category", "severity", "text", "start", "end")
        assert seen["findings"] == [{k: f[k] for k in keep} for f in v1["findings"]]
        for name in ("level", "score", "summary", "categories", "indications", "prices"):
            assert seen[name] == v1[name], name
