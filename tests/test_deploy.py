"""Issue 14's probes against the real server (`python -m checker serve`, gunicorn) and behind
nginx as docs/deploy/nginx.conf sets it up: privacy end to end, logs without submitted text,
problem details for what gunicorn refuses, chunked bodies over the limit, slow clients, leases.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from string import Template

import pytest

from checker.core.paths import ROOT
from checker.surfaces.store import Store
from tests.live import LiveServer, free_port

pytestmark = pytest.mark.slow

MARKER = "Zyxwvu-private-marker-4471"
ADVERT = f"Our stem cells cure autism, {MARKER}. No side effects! Only $9,800, book now."


class Browser:
    """A client with cookies, that reads the form's CSRF token as a browser would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as resp:
                return resp.status, resp.read().decode(), resp.url
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), self.base + path

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        form = self.get("/")[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as resp:
                return resp.status, resp.read().decode(), resp.url
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), self.base + path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deploy")
    live = LiveServer(folder / "deploy.db", env={"CHECKER_JOB_IDLE_SECONDS": "0.2"}).start()
    store = Store(live.db)
    live.keys = [store.create_key("A")[0], store.create_key("B")[0]]  # type: ignore[attr-defined]
    store.close()
    yield live
    live.stop()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_private_by_default_through_the_real_server(server):
    """A check saved with key A, and one from the form: not found by /search, not readable
    without its key or permalink, and gone after delete."""
    key_a, key_b = server.keys
    status, keyed = server.post_json("/api/v1/check", {"text": ADVERT, "clinic": "Keyed Clinic"},
                                     bearer(key_a))
    assert status == 200
    browser = Browser(server.url)
    status, page, permalink = browser.post("/check", {"text": ADVERT, "clinic": "Form Clinic"})
    assert status == 200 and "/r/" in permalink and "This check is private" in page
    manage = re.search(r'class="manage" href="([^"]+)"', page).group(1).replace("&amp;", "&")

    for query in ("", "?q=autism", f"?q={MARKER}", "?q=Keyed", "?q=Form"):
        listing = server.get("/search" + query)[1].decode()
        assert "Keyed Clinic" not in listing and "Form Clinic" not in listing
        assert MARKER not in listing.split('<ul class="results">', 1)[1]
    assert MARKER not in server.get(f"/api/v1/register?q={MARKER}")[1].decode()

    keyed_path = f"/api/v1/checks/{keyed['id']}"
    assert server.get(keyed_path)[0] == 404
    assert server.get(keyed_path, bearer(key_b))[0] == 404
    assert server.get(f"/r/{keyed['id']}")[0] == 404
    assert server.get(keyed_path, bearer(key_a))[0] == 200
    assert Browser(server.url).get(permalink.split(server.url, 1)[1])[0] == 200   # by its link

    assert server.request("DELETE", keyed_path, headers=bearer(key_b))[0] == 404
    assert server.request("DELETE", keyed_path, headers=bearer(key_a))[0] == 204
    assert server.get(keyed_path, bearer(key_a))[0] == 404
    path = urllib.parse.urlsplit(manage)
    token = urllib.parse.parse_qs(path.query)["token"][0]
    status, gone, _ = browser.post(path.path, {"token": token, "action": "delete"})
    assert status == 200 and "Your check is deleted" in gone
    assert server.get(urllib.parse.urlsplit(permalink).path)[0] == 404
    store = Store(server.db)
    assert MARKER not in json.dumps([dict(r) for r in store.db["checks"].rows])
    store.close()


def test_the_logs_hold_no_submitted_text(server):
    """Every surface that takes text, and the errors it can give: the marker never reaches the
    server's log (gunicorn's access and error log, the app's log). Paths are logged (they are
    page names and check ids); what comes after "?" and every body are not."""
    key_a, _ = server.keys
    browser = Browser(server.url)
    browser.post("/check", {"text": ADVERT, "clinic": MARKER, "url": f"https://{MARKER}.example"})
    browser.post("/check", {"text": ADVERT, "dont_save": "1"})
    browser.post("/check", {"text": ADVERT, "dont_save": "1", "publish": "1"})   # a form error
    browser.get(f"/search?q={MARKER}")
    server.post_json("/api/v1/check", {"text": ADVERT})
    server.post_json("/api/v1/check", {"text": ADVERT, "url": MARKER * 200})      # too long
    server.request("POST", "/api/v1/check", f'{{"text": "{MARKER}", '.encode(),
                   {"Content-Type": "application/json"})                          # broken JSON
    server.request("POST", "/api/v1/jobs", (json.dumps({"id": 1, "text": ADVERT}) + "\n").encode(),
                   {"Content-Type": "application/x-ndjson", **bearer(key_a)})
    server.request("POST", "/api/v1/jobs", f"id,text\n1,{MARKER}\n2\n".encode(),
                   {"Content-Type": "text/csv", **bearer(key_a)})              # a bad row
    server.get(f"/api/v1/checks?q={MARKER}", bearer(key_a))
    raw = socket.create_connection(("127.0.0.1", server.port))
    raw.sendall(f"GET /search?q={MARKER}{'x' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    raw.recv(4096)
    raw.close()
    time.sleep(1.0)
    log = server.log.read_text()
    assert '"GET /search"' in log and '"POST /check"' in log    # the log does record requests
    assert MARKER not in log


def test_gunicorn_refusals_are_problem_details(server):
    """Probe: over-long URLs got gunicorn's HTML 414."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/search?q=" + "a" * 9000)
    response = conn.getresponse()
    assert response.status == 414
    assert response.getheader("Content-Type") == "application/problem+json"
    assert json.loads(response.read())["status"] == 414


def _chunked(conn: http.client.HTTPConnection, path: str, content_type: str, chunks, headers=None):
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", content_type)
    conn.putheader("Transfer-Encoding", "chunked")
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    try:
        for chunk in chunks:
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass   # the server answered before reading everything
    return conn.getresponse()


def test_chunked_bodies_over_the_limit_are_413_never_cut(server):
    """Probe: a 71.7 MB chunked job of 70,000 items answered 202 with total 65,536, and a
    chunked 100 MB /check body got "not valid JSON"."""
    key_a, _ = server.keys
    line = (json.dumps({"id": "x", "text": "Stem cell therapy cures arthritis. " * 28}) + "\n").encode()
    items = ((line.replace(b'"x"', f'"{i}"'.encode())) for i in range(70_000))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    response = _chunked(conn, "/api/v1/jobs", "application/x-ndjson", items, bearer(key_a))
    body = json.loads(response.read())
    assert response.status == 413 and body["status"] == 413
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    chunks = [b'{"text": "'] + [b"a" * 1_000_000] * 6 + [b'"}']
    response = _chunked(conn, "/api/v1/check", "application/json", chunks)
    assert response.status == 413 and "larger" in json.loads(response.read())["detail"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    small = _chunked(conn, "/api/v1/check", "application/json",
                     [b'{"text": "Our stem cells ', b'cure MS.", "save": false}'])
    assert small.status == 200 and json.loads(small.read())["level"] in ("medium", "high")


# -- behind nginx --------------------------------------------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    if not shutil.which("nginx") and not shutil.os.path.exists(NGINX):
        pytest.fail("nginx is not installed: ./scripts/test installs Debian's nginx-light")
    folder = tmp_path_factory.mktemp("nginx")
    live = LiveServer(folder / "proxied.db", env={"CHECKER_PROXY_HOPS": "1"}).start()
    port = free_port()
    config = Template((ROOT / "docs" / "deploy" / "nginx.conf").read_text()).safe_substitute(
        LISTEN=f"127.0.0.1:{port}", UPSTREAM=f"127.0.0.1:{live.port}", PREFIX=str(folder))
    (folder / "nginx.conf").write_text(config)
    log = (folder / "nginx.log").open("w")
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    yield base, live, folder
    proc.terminate()
    proc.wait(10)
    live.stop()


def _slow_clients(port: int, count: int, seconds: float) -> threading.Event:
    """``count`` connections that send a header line a second and never finish a request."""
    stop = threading.Event()
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        sockets.append(s)

    def trickle() -> None:
        deadline = time.time() + seconds
        while not stop.is_set() and time.time() < deadline:
            for s in sockets:
                try:
                    s.sendall(b"X-Slow: yes\r\n")
                except OSError:
                    pass
            stop.wait(1.0)
        for s in sockets:
            s.close()

    threading.Thread(target=trickle, daemon=True).start()
    return stop


def test_behind_nginx_slow_clients_never_hold_the_checker(proxied):
    """Probe: six slow-header connections made health checks time out (bare gunicorn holds a
    thread per connection while it reads headers; nginx holds them instead)."""
    base, _live, _ = proxied
    port = int(base.rsplit(":", 1)[1])
    stop = _slow_clients(port, 60, 20)
    try:
        time.sleep(1.5)
        for _ in range(5):
            with urllib.request.urlopen(base + "/api/v1/health", timeout=10) as resp:
                assert resp.status == 200
            reply = urllib.request.urlopen(urllib.request.Request(
                base + "/api/v1/check", data=json.dumps({"text": ADVERT, "save": False}).encode(),
                headers={"Content-Type": "application/json"}), timeout=10)
            assert json.loads(reply.read())["level"] == "high"
    finally:
        stop.set()


def test_behind_nginx_refusals_are_problem_details_and_clients_are_told_apart(proxied):
    base, live, folder = proxied
    conn = http.client.HTTPConnection(base.split("//")[1], timeout=30)
    conn.request("GET", "/search?q=" + "a" * 9000)
    response = conn.getresponse()
    assert response.status == 414
    assert response.getheader("Content-Type") == "application/problem+json"
    urllib.request.urlopen(urllib.request.Request(
        base + "/api/v1/check", data=json.dumps({"text": ADVERT}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"}),
        timeout=30).read()
    store = Store(live.db)
    addresses = {row["address"] for row in store.db["audit"].rows}
    store.close()
    assert addresses == {"127.0.0.1"}   # nginx's $remote_addr, not what the client claimed
    assert MARKER not in (folder / "nginx.log").read_text()
