"""Server time of every dashboard page, in the response: ``Server-Timing: app;dur=<ms>`` (shown by
browsers' developer tools) and ``X-Server-Time-Ms``. Measured from the first ``before_request``
hook (registered before authentication, so the session lookup counts) to the response."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

PREFIXES = ("/app",)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_stamp)


def _start() -> None:
    g.server_timing_started = time.perf_counter()


def _stamp(response: Response) -> Response:
    started = g.get("server_timing_started")
    if started is not None and request.path.startswith(PREFIXES):
        ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={ms:.1f}"
        response.headers["X-Server-Time-Ms"] = f"{ms:.1f}"
    return response
