"""Every request gets an id (the caller's ``X-Request-Id`` when it is well formed, else a new one),
echoed on the response with the rate-limit headers the request collected."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = getattr(g, "request_id", None) or uuid.uuid4().hex
        for name, value in getattr(g, "rate_limit_headers", {}).items():
            response.headers[name] = value
        return response
