"""gzip for the pages, the stylesheet and API answers, when the client accepts it.

A result page is mostly repeated markup and words, so it shrinks about five times: what a phone
on a slow line waits for. Streamed answers (job exports) and tiny ones are sent as they are.
"""

from __future__ import annotations

import gzip

from flask import Request, Response

COMPRESSIBLE = {"text/html", "text/css", "text/plain", "text/markdown", "text/csv",
                "application/json", "application/problem+json", "application/x-ndjson",
                "image/svg+xml", "application/javascript", "text/javascript"}
MIN_BYTES = 512


def compress(request: Request, response: Response) -> Response:
    if (response.status_code != 200 or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers
            or not request.accept_encodings["gzip"]):
        return response
    if response.is_streamed and not response.direct_passthrough:
        return response     # a generator (an export): compressing would hold it all in memory
    response.direct_passthrough = False   # a static file: read it (it is small)
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(f"{etag}-gz")
    return response
