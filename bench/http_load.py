"""HTTP load benchmark: many concurrent clients against the production server on loopback.

    .venv/bin/python bench/http_load.py                      # about two minutes
    .venv/bin/python bench/http_load.py --connections 8,32,128 --duration 30

It starts ``python -m checker serve --host 127.0.0.1 --port P --db PATH`` (gunicorn, one
worker process per core, a few threads each) on a fresh database under ``bench/out/``, waits
until ``/api/v1/health`` answers, checks that one request returns a real result, then drives
``POST /api/v1/check`` with a 300-word advert (``bench/corpus.py``) from many concurrent
connections, and reports requests per second and p50/p95/p99 latency for each concurrency,
once with ``"save": false`` (the check alone) and once as sent by default (the result is also
stored in SQLite). The load comes from wrk (``apt-get install wrk``) when it is installed, else
from a small Python client with keep-alive connections in threads.

Single checks are rate limited per address (60 a minute by default); a load test from one
address is exactly what the limit exists to stop, so the server here runs with
``CHECKER_RATELIMIT_ANONYMOUS`` raised far out of the way, and the report says so.

The server shares the machine with the load generator; on a 2-core machine both compete for
the same cores, so these figures are a floor for a server with cores of its own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402
from throughput import machine  # noqa: E402

RATE_LIMIT = "100000000/minute"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def advert(words: int = 300) -> str:
    """A generated advert cut after exactly ``words`` words, its lines and paragraphs kept."""
    text = make_corpus(1, words + 60)[0]
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    return text[:ends[words - 1]] if len(ends) >= words else text


class Server:
    """``python -m checker serve`` in a subprocess of our own, stopped by its pid."""

    def __init__(self, port: int, db: Path, workers: int, threads: int, log: Path) -> None:
        self.port = port
        env = {**os.environ, "CHECKER_RATELIMIT_ANONYMOUS": RATE_LIMIT,
               "CHECKER_RATELIMIT_KEYED": RATE_LIMIT}
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "checker", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--db", str(db), "--workers", str(workers), "--threads", str(threads)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, timeout: float = 240) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log.name}")
            try:
                status, _ = request(self.port, "GET", "/api/v1/health")
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit("the server did not become healthy in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)   # gunicorn and its workers, all ours
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def request(port: int, method: str, path: str, body: bytes | None = None
            ) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def with_wrk(port: int, body: Path, connections: int, duration: int) -> dict[str, Any]:
    threads = max(1, min(connections, 2))
    proc = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s",
         "-s", str(HERE / "wrk_post.lua"), f"http://127.0.0.1:{port}/api/v1/check"],
        capture_output=True, text=True, env={**os.environ, "BODY_FILE": str(body)})
    line = next((l for l in proc.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {proc.stdout}\n{proc.stderr}")
    raw = json.loads(line[len("WRK_JSON "):])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {"tool": "wrk", "connections": connections, "seconds": round(seconds, 2),
            "requests": raw["requests"], "requests_per_second": round(raw["requests"] / seconds, 1),
            "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000,
            "non_2xx": raw["non_2xx"], "socket_errors": errors}


def with_python(port: int, body: Path, connections: int, duration: int) -> dict[str, Any]:
    """Fallback load generator: one keep-alive connection per thread, for ``duration`` s."""
    payload = body.read_bytes()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/check", body=payload,
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    failures[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 2)

    return {"tool": "python", "connections": connections, "seconds": round(seconds, 2),
            "requests": len(latencies), "requests_per_second": round(len(latencies) / seconds, 1),
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "max_ms": round(ordered[-1] * 1000, 2), "non_2xx": failures[0], "socket_errors": 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", default="4,16,64",
                        help="comma-separated numbers of concurrent connections")
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server worker processes (default: one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per server worker")
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("-o", "--output", type=Path, default=OUT / "http_load.json")
    args = parser.parse_args(argv)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    drive = with_wrk if tool == "wrk" else with_python
    OUT.mkdir(exist_ok=True)
    work = OUT / "http-load"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    text = advert(args.words)
    bodies = {"check only (save: false)": json.dumps({"text": text, "save": False}),
              "check and store (default)": json.dumps({"text": text})}
    port = free_port()
    server = Server(port, work / "checker.db", args.workers, args.threads, work / "server.log")
    report: dict[str, Any] = {"machine": machine(), "server": {
        "command": f"python -m checker serve --host 127.0.0.1 --port {port} --db "
                   f"{work / 'checker.db'} --workers {args.workers} --threads {args.threads}",
        "workers": args.workers, "threads": args.threads,
        "env": {"CHECKER_RATELIMIT_ANONYMOUS": RATE_LIMIT}},
        "advert_words": len(text.split()), "tool": tool, "runs": {}}
    try:
        report["server"]["ready_seconds"] = round(server.wait_ready(), 1)
        status, body = request(port, "POST", "/api/v1/check", bodies["check only (save: false)"]
                               .encode())
        result = json.loads(body)
        if status != 200 or "level" not in result:
            raise SystemExit(f"a check did not return a result: {status} {body[:300]!r}")
        report["sample_result"] = {"level": result["level"], "score": result["score"],
                                   "findings": len(result["findings"])}
        for name, payload in bodies.items():
            path = work / "body.json"
            path.write_text(payload, encoding="utf-8")
            drive(port, path, 2, 3)                              # warm every worker up
            runs = []
            for connections in (int(c) for c in args.connections.split(",")):
                run = drive(port, path, connections, args.duration)
                runs.append(run)
                print(f"{name:28s} c={connections:<4d} {run['requests_per_second']:7.1f} req/s  "
                      f"p50 {run['p50_ms']:8.1f} ms  p95 {run['p95_ms']:8.1f} ms  "
                      f"p99 {run['p99_ms']:8.1f} ms  non-2xx {run['non_2xx']}", file=sys.stderr)
            report["runs"][name] = runs
    finally:
        server.stop()
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    m = report["machine"]
    print(f"Machine: {m['cores']} cores, {m['cpu']}; server: {args.workers} gunicorn workers x "
          f"{args.threads} threads on loopback; load: {tool}; a {report['advert_words']}-word "
          "advert per request.\n")
    print("| request | connections | req/s | p50 ms | p95 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in report["runs"].items():
        for r in runs:
            print(f"| {name} | {r['connections']} | {r['requests_per_second']} | {r['p50_ms']} | "
                  f"{r['p95_ms']} | {r['p99_ms']} | {r['non_2xx']} |")
    print(f"\nreport: {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
