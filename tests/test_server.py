"""The production server for real: several workers on one SQLite file, and a job that survives
being killed mid-way."""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from checker.surfaces.store import Store
from tests.live import LiveServer

pytestmark = pytest.mark.slow


def test_parallel_clients_against_two_workers_lose_no_write(tmp_path):
    server = LiveServer(tmp_path / "concurrent.db", workers=2,
                        env={"CHECKER_RATELIMIT_ANONYMOUS": "100000/minute",
                             "CHECKER_JOB_IDLE_SECONDS": "5"}).start()
    try:
        texts = [f"Advert {i}: our stem cells cure autism, only {i % 7 + 1} spots left!" for i in range(120)]
        with ThreadPoolExecutor(max_workers=12) as pool:
            replies = list(pool.map(lambda t: server.post_json("/api/v1/check", {"text": t}), texts))
        assert all(status == 200 for status, _ in replies)
        ids = {body["id"] for _, body in replies}
        assert len(ids) == len(texts)
        store = Store(server.db)
        assert store.count("checks") == len(texts)
        stored = {row["id"]: row["text"] for row in store.db["checks"].rows}
        assert {stored[body["id"]] for _, body in replies} == set(texts)
        pids = {row["address"] for row in store.db["audit"].rows}
        assert pids  # every call audited
    finally:
        server.stop()


def test_a_job_interrupted_by_killing_the_server_resumes_with_nothing_lost_or_twice(tmp_path):
    db = tmp_path / "jobs.db"
    env = {"CHECKER_JOB_LEASE_SECONDS": "3", "CHECKER_JOB_BATCH": "5"}
    store = Store(db)
    secret, _ = store.create_key("restart test")
    auth = {"Authorization": f"Bearer {secret}"}
    lines = "\n".join(json.dumps({"id": f"ad-{i}", "text": f"Stem cell therapy number {i} cures "
                                  f"arthritis and reverses ageing. Call now!"}) for i in range(400))

    server = LiveServer(db, env=env).start()
    try:
        status, body, _ = server.request("POST", "/api/v1/jobs", lines.encode(),
                                         {"Content-Type": "application/x-ndjson", **auth})
        assert status == 202
        job_id = json.loads(body)["id"]
        # wait until the job is part-way through, then pull the plug
        deadline = time.time() + 120
        while time.time() < deadline:
            done = store.get_job(job_id)["done"]
            if done >= 40:
                break
            time.sleep(0.2)
        server.kill()
    finally:
        server.stop()
    at_kill = store.get_job(job_id)
    assert 0 < at_kill["done"] < 400, at_kill

    restarted = LiveServer(db, env=env).start()
    try:
        deadline = time.time() + 300
        while time.time() < deadline and store.get_job(job_id)["state"] != "done":
            time.sleep(0.5)
        job = store.get_job(job_id)
        status, body, _ = restarted.request("GET", f"/api/v1/jobs/{job_id}/results", headers=auth)
    finally:
        restarted.stop()
    assert job["state"] == "done" and job["done"] == 400 and job["failed"] == 0
    results = [json.loads(line) for line in body.decode().splitlines()]
    assert [r["id"] for r in results] == [f"ad-{i}" for i in range(400)]   # nothing lost, in order
    rows = list(store.db.query("select count(*) as n, count(distinct seq) as d from job_items "
                               "where job_id = ? and status = 'done'", [job_id]))[0]
    assert rows["n"] == rows["d"] == 400                                     # nothing twice
    # the counter is only moved by a successful finish, so it would exceed 400 on a double write
    assert job["done"] + job["failed"] == job["total"] == 400


def _connection_headers(server: LiveServer, requests: int = 2) -> list[str | None]:
    """The Connection header of each answer on one client connection (re-opened if closed)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    seen = []
    try:
        for _ in range(requests):
            conn.request("POST", "/api/v1/check", json.dumps({"text": "Our stem cells cure MS.",
                                                              "save": False}),
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read())["level"]
            seen.append(resp.getheader("Connection"))
    finally:
        conn.close()
    return seen


def test_the_server_closes_each_connection_unless_keepalive_is_asked_for(tmp_path):
    """Keep-alive pins a client to the worker that accepted it (with two workers and 16
    clients, one worker ended up serving all of them at half the throughput), so the default
    closes the connection after each answer; --keepalive N turns it back on."""
    server = LiveServer(tmp_path / "close.db", workers=2).start()
    try:
        assert _connection_headers(server) == ["close", "close"]
    finally:
        server.stop()
    server = LiveServer(tmp_path / "keep.db", args=("--keepalive", "5")).start()
    try:
        assert "close" not in _connection_headers(server)
    finally:
        server.stop()
