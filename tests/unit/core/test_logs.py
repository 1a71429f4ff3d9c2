"""Structured logs: one JSON object per line, stamped with the request id while serving a request."""

from __future__ import annotations

import io
import json
import logging

from flask import Flask

from api import request_ids
from core.logs import JsonFormatter


def test_json_lines_carry_the_request_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        app = Flask(__name__)
        request_ids.init_app(app)

        @app.get("/work")
        def work():
            logging.getLogger("chartfleet.test").warning("drawing %s", "bars")
            return "ok"

        response = app.test_client().get("/work", headers={"X-Request-Id": "req-42"})
        assert response.headers["X-Request-Id"] == "req-42"
        logging.getLogger("chartfleet.test").warning("outside any request")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("chartfleet.test").exception("failed")
    finally:
        root.removeHandler(handler)
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "drawing bars" and first["requestId"] == "req-42"
    assert (
        first["level"] == "WARNING"
        and first["logger"] == "chartfleet.test"
        and first["time"].endswith("+00:00")
    )
    assert "requestId" not in second
    assert "ValueError: boom" in third["exception"]
