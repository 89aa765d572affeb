"""Fetching a web page safely, for a check of what it says.

* http and https only; no user name or password in the address.
* Every address a host name resolves to must be public: loopback, private, link-local (the
  cloud metadata address 169.254.169.254 among them), shared, reserved and multicast addresses
  are refused, on the first request and on every redirect (at most ``MAX_REDIRECTS``). The
  request then goes to the address that was checked (the host name travels in the Host header
  and TLS's server name), so a name that resolves anew to a private address cannot slip in.
* ``CHECKER_FETCH_ALLOW_LOOPBACK=1`` lets 127.0.0.1, and nothing else private, through. It is
  for tests, which serve their pages from a local server; never set it on a server.
* A time limit for connecting, for each read and for the whole fetch; a size cap counted on the
  bytes as they arrive (after decompression); HTML, plain text and PDF only; a User-Agent
  saying who we are.

Every refusal is a FetchError whose ``status`` is the HTTP status an API answers with and whose
message says why, in words a patient can read.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from checker.core.errors import FetchError
from checker.core.versions import CHECKER_VERSION

MAX_REDIRECTS = 5
MAX_BYTES = 5 * 1024 * 1024
CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
TOTAL_SECONDS = 20.0
TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
         "application/pdf": "pdf"}
USER_AGENT = (f"ClinicClaimChecker/{CHECKER_VERSION} (checks the claims of clinic adverts for "
              "patients, journalists and regulators; one page at a time)")
ALLOW_LOOPBACK_ENV = "CHECKER_FETCH_ALLOW_LOOPBACK"

Resolver = Callable[[str, int], list[str]]


@dataclass
class Fetched:
    requested_url: str
    url: str                    # the final address, after redirects
    status: int
    content_type: str           # the media type, without parameters
    charset: str | None
    body: bytes
    fetched_at: str             # UTC, ISO 8601
    redirects: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return TYPES.get(self.content_type) or _sniff(self.body)


def allow_loopback() -> bool:
    return os.environ.get(ALLOW_LOOPBACK_ENV, "") == "1"


def _sniff(body: bytes) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return ""


def check_address(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of ``url``, or a FetchError saying what is wrong with it."""
    if len(url) > 2000:
        raise FetchError("That web address is longer than 2,000 characters.", 400)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError("That is not a web address we can read.", 400) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("Only web addresses starting with http:// or https:// can be checked.",
                         400)
    if not parts.hostname:
        raise FetchError("That web address has no host name (such as www.example.com).", 400)
    if parts.username is not None or parts.password is not None:
        raise FetchError("Web addresses with a user name or password are not fetched.", 400)
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def public_address(ip_text: str, loopback_ok: bool) -> bool:
    """Whether ``ip_text`` is an address we may fetch from."""
    ip = ipaddress.ip_address(ip_text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if loopback_ok and ip == ipaddress.IPv4Address("127.0.0.1"):
        return True
    return ip.is_global and not ip.is_multicast


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def resolve_public(host: str, port: int, resolver: Resolver = system_resolver,
                   loopback_ok: bool | None = None) -> str:
    """The address to connect to for ``host``: every address it resolves to must be public."""
    loopback_ok = allow_loopback() if loopback_ok is None else loopback_ok
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        raise FetchError(f"The host name {host} could not be found.", 422) from None
    if not addresses:
        raise FetchError(f"The host name {host} could not be found.", 422)
    for address in addresses:
        if not public_address(address, loopback_ok):
            raise FetchError(f"{host} points to a private or local network address "
                             f"({address}); only public web pages are fetched.", 422)
    return addresses[0]


class Pacer:
    """At most one request to a host every ``interval`` seconds (for batch runs)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(host, -1e9) + self.interval
            self._last[host] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)


def fetch(url: str, *, max_bytes: int = MAX_BYTES, total_seconds: float = TOTAL_SECONDS,
          read_seconds: float = READ_SECONDS, resolver: Resolver = system_resolver,
          pacer: Pacer | None = None, transport: Any = None) -> Fetched:
    """Fetch ``url`` as the module's docstring says, or raise FetchError."""
    import httpx

    requested = url.strip()
    deadline = time.monotonic() + total_seconds
    timeout = httpx.Timeout(min(read_seconds, total_seconds), connect=CONNECT_SECONDS)
    redirects: list[str] = []
    current = requested
    with httpx.Client(timeout=timeout, follow_redirects=False, transport=transport,
                      trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            scheme, host, port = check_address(current)
            address = resolve_public(host, port, resolver)
            if pacer is not None:
                pacer.wait(host)
            request = _pinned_request(client, current, scheme, host, port, address)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise FetchError(f"{host} did not answer in time.", 422) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{host} could not be reached ({type(exc).__name__}).",
                                 422) from None
            try:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchError(f"{host} sent a redirect without an address.", 422)
                    current = urljoin(current, location)
                    redirects.append(current)
                    continue
                return _read(response, requested, current, redirects, max_bytes, deadline)
            finally:
                response.close()
    raise FetchError(f"The page redirected more than {MAX_REDIRECTS} times.", 422)


def _pinned_request(client: Any, url: str, scheme: str, host: str, port: int,
                    address: str) -> Any:
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    default = port == (443 if scheme == "https" else 80)
    netloc = literal if default else f"{literal}:{port}"
    target = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if default else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if default else f"[{host}]:{port}"
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    return client.build_request(
        "GET", target, extensions=extensions,
        headers={"Host": host_header, "User-Agent": USER_AGENT,
                 "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,"
                           "application/pdf;q=0.8"})


def _read(response: Any, requested: str, url: str, redirects: list[str], max_bytes: int,
          deadline: float) -> Fetched:
    host = urlsplit(url).hostname
    if response.status_code >= 400:
        raise FetchError(f"{host} answered with HTTP status {response.status_code}; the page "
                         "could not be fetched.", 422)
    raw_type = response.headers.get("content-type", "")
    media = raw_type.split(";", 1)[0].strip().lower()
    if media and media not in TYPES:
        raise FetchError(f"The page is of type {media}; only web pages (HTML), plain text and "
                         "PDF can be checked.", 415)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"The page is {int(declared):,} bytes; at most {max_bytes:,} are "
                         "fetched.", 413)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"The page is larger than {max_bytes:,} bytes; it was not "
                                 "fetched whole.", 413)
            if time.monotonic() > deadline:
                raise FetchError(f"{host} sent the page too slowly.", 422)
            chunks.append(chunk)
    except FetchError:
        raise
    except Exception as exc:  # httpx's read timeouts and broken streams
        raise FetchError(f"{host} stopped sending the page ({type(exc).__name__}).",
                         422) from None
    charset = None
    for part in raw_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Fetched(requested, url, response.status_code, media, charset, b"".join(chunks),
                   fetched_at, redirects)
