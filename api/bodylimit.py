"""Request-size limits the application cannot see on its own.

- ``ChunkedBodyLimit`` (WSGI middleware): a ``Transfer-Encoding: chunked`` body has no
  Content-Length, and Werkzeug then stops reading at MAX_CONTENT_LENGTH without saying so: the
  route parsed the first 4 MiB and answered 400 "Malformed JSON". The middleware reads such a body
  first: within the limit it is handed on with its Content-Length; over it, the request is given
  a Content-Length past the limit and an empty stream, so the app answers its usual JSON 413
  wherever the body is read. The rest of an oversized body is read and dropped (up to
  ``DRAIN_LIMIT``) so the client receives the 413 instead of a reset connection.
- ``install_json_server_errors()``: gunicorn refuses request lines over 8,190 bytes (its maximum
  ``limit_request_line``) and malformed requests itself, with an HTML page; this makes those
  answers JSON in the API's error shape, ``{"error": ..., "status": ...}``, with an X-Request-Id.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

CHUNK = 64 * 1024
DRAIN_LIMIT = 64 * 1024 * 1024


class ChunkedBodyLimit:
    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (
            environ.get("CONTENT_LENGTH") in (None, "")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            self._buffer(environ)
        return self.app(environ, start_response)

    def _buffer(self, environ: dict[str, Any]) -> None:
        stream = environ["wsgi.input"]
        # The body is de-chunked here: Werkzeug ignores Content-Length while this header says chunked.
        environ.pop("HTTP_TRANSFER_ENCODING")
        body = bytearray()
        while len(body) <= self.limit:
            chunk = stream.read(CHUNK)
            if not chunk:
                environ["wsgi.input"] = io.BytesIO(bytes(body))
                environ["CONTENT_LENGTH"] = str(len(body))
                return
            body += chunk
        seen = len(body)
        while seen < DRAIN_LIMIT:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            seen += len(chunk)
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = str(seen)  # over the limit: Werkzeug raises 413 on access


REASONS = {400: "Bad Request", 403: "Forbidden", 414: "URI Too Long", 417: "Expectation Failed"}
REASONS |= {431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented"}


def server_error_body(status: int, message: str) -> tuple[bytes, str]:
    """The JSON body and request id of an error gunicorn answers before the app runs."""
    request_id = uuid.uuid4().hex
    if status == 414:
        message = "Request line too long (over 8190 bytes): send long charts with POST"
    elif status == 431:
        message = "Request headers too large"
    body = {"error": message or REASONS.get(status, "Bad Request"), "status": status}
    return json.dumps(body).encode(), request_id


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error's signature, answering JSON instead of HTML."""
    from gunicorn import util

    body, request_id = server_error_body(status_int, mesg)
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-Id: {request_id}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install_json_server_errors() -> None:
    """Make gunicorn's own error answers JSON (called from the gunicorn config files)."""
    from gunicorn import util

    util.write_error = write_json_error
