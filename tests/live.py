"""A real server for tests: `python -m checker serve` (gunicorn) on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from checker.core.paths import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, db: Path, workers: int = 1, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.db = db
        self.workers = workers
        self.args = args
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.log = db.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> "LiveServer":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "checker", "serve", "--host", "127.0.0.1", "--port",
             str(self.port), "--db", str(self.db), "--workers", str(self.workers), *self.args],
            cwd=ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if self.get("/api/v1/health")[0] == 200:
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError("server did not come up")

    def kill(self) -> None:
        """Stop the server abruptly, the way a crash or a power cut would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        status, body, _ = self.request("GET", path, headers=headers)
        return status, body

    def post_json(self, path: str, data: object, headers: dict[str, str] | None = None
                  ) -> tuple[int, dict]:
        status, body, _ = self.request("POST", path, json.dumps(data).encode(),
                                       {"Content-Type": "application/json", **(headers or {})})
        return status, json.loads(body)
