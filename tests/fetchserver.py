"""A local HTTP server for the fetching tests: fixture pages, redirects, a huge body, a slow
answer, a PDF. No test reaches the network; the checker fetches from 127.0.0.1 only because
the tests set CHECKER_FETCH_ALLOW_LOOPBACK=1."""

from __future__ import annotations

import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "fixtures" / "pages"

CLINIC_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Knee Regeneration | Example Stem Cell Institute</title>
<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)};gtag('js','tracking-id');</script>
<style>.hero{color:#333}</style></head><body>
<div id="cookie-consent" class="cookie-banner">We use cookies to improve your browsing experience.
<button>Accept all</button></div>
<header class="site-header"><a href="/">Example Stem Cell Institute</a> Call +1 555 0100</header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/conditions">Conditions We Treat</a></li>
<li><a href="/contact">Contact Us Today</a></li></ul></nav>
<main>
<h1>Regrow Your Knee Cartilage Without Surgery</h1>
<p>Our stem cell therapy <strong>repairs damaged cartilage</strong> and ends arthritis pain for good.</p>
<h2>Conditions we treat</h2>
<ul><li>Knee osteoarthritis</li><li>Rotator cuff tears</li><li>Multiple sclerosis</li></ul>
<h2>Prices</h2>
<table><tr><th>Treatment</th><th>Price</th></tr>
<tr><td>Single knee injection</td><td>&#36;6,500</td></tr>
<tr><td>Full-body package with hotel</td><td>&#36;18,500</td></tr></table>
<details><summary>Is the treatment approved?</summary>
<p>Our cells are minimally manipulated, so no FDA approval is needed.</p></details>
<p hidden>Internal note: this text is hidden from readers.</p>
<p>Only three places are left this month, so book your consultation now.</p>
</main>
<footer><p>&copy; 2026 Example Stem Cell Institute. All rights reserved.</p></footer>
<script>console.log("footer script")</script></body></html>"""


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose page shows ``lines`` (written out by hand, with a correct xref)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
        for line in lines) + " ET"
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
        + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


def blank_pdf() -> bytes:
    """A PDF with one page and no text on it, as a scan without OCR looks to a text reader."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BROCHURE = ["Stem Cell Brochure 2026",
            "Our umbilical cord stem cells cure autism and cerebral palsy.",
            "Treatment packages start at $15,000 including a hotel stay.",
            "Results are guaranteed or your money back."]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    port = 0

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):   # the checker hung up first, as it should
            pass

    def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        path = self.path.split("?", 1)[0]
        if path == "/clinic":
            self._send(200, CLINIC_PAGE.encode())
        elif path.startswith("/pages/"):
            name = path.rsplit("/", 1)[1]
            file = PAGES / name
            if file.suffix == ".html" and file.is_file():
                self._send(200, file.read_bytes())
            else:
                self._send(404, b"not here")
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/clinic" if left <= 0 else f"/hop/{left - 1}"
            self._send(302, b"", headers={"Location": target})
        elif path == "/to-loopback-other":
            self._send(302, b"", headers={"Location": f"http://127.0.0.2:{self.server.server_address[1]}/clinic"})
        elif path == "/to-metadata":
            self._send(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path == "/to-private":
            self._send(302, b"", headers={"Location": "http://10.0.0.1/admin"})
        elif path == "/to-localhost-v6":
            self._send(302, b"", headers={"Location": "http://[::1]/"})
        elif path == "/to-file":
            self._send(302, b"", headers={"Location": "file:///etc/passwd"})
        elif path == "/big":
            self._stream(50 * 1024 * 1024, length=True)
        elif path == "/big-chunked":
            self._stream(50 * 1024 * 1024, length=False)
        elif path == "/slow":
            time.sleep(3)
            self._send(200, CLINIC_PAGE.encode())
        elif path == "/brochure.pdf":
            self._send(200, make_pdf(BROCHURE), "application/pdf")
        elif path == "/scan.pdf":
            self._send(200, blank_pdf(), "application/pdf")
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        elif path == "/notes.txt":
            self._send(200, "Our PRP injections heal torn tendons in one visit.".encode(),
                       "text/plain; charset=utf-8")
        elif path == "/empty-markup":
            self._send(200, b"<html><head><script>var a=1</script></head><body><div></div></body></html>")
        elif path == "/latin1":
            self._send(200, "<html><body><main><p>Caf\xe9 stem cells cost 5\xa0000 \u20ac.</p></main></body></html>"
                       .replace("\u20ac", "EUR").encode("latin-1"), "text/html; charset=iso-8859-1")
        elif path == "/host":
            self._send(200, f"<html><body><p>You asked {self.headers.get('Host')} as "
                       f"{self.headers.get('User-Agent')}.</p></body></html>".encode())
        else:
            self._send(404, b"<html><body>Not found</body></html>")

    def _stream(self, size: int, length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = b"<p>" + b"x" * 65_530 + b"</p>"
        sent = 0
        try:
            while sent < size:
                if length:
                    self.wfile.write(block)
                else:
                    self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                sent += len(block)
            if not length:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class FetchServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FetchServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
