"""The Flask application factory. The whole route table is registered here, in one place."""

from __future__ import annotations

import logging
import re
import time
import uuid

import redis
from flask import Flask, g, request

from api import auth, browser, errors, ratelimit
from api.rendering import Services
from core.config import Settings
from core.db import session_factory
from core.queue import make_celery
from core.storage import build_store

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
MAX_BODY_BYTES = 4 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False)
    app.json.sort_keys = False
    app.extensions["chartfleet"] = Services(
        settings=settings,
        sessions=session_factory(settings.database_url),
        redis=redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2),
        celery=make_celery(settings, name="chartfleet-api"),
        store=build_store(settings),
    )
    errors.init_app(app)
    _register_request_ids(app)
    ratelimit.init_app(app)
    auth.init_app(app)  # after request ids: authenticates and rate-limits every request
    browser.init_app(app)

    from api.routes import api_keys, chart, dashboard, docs, health, jobs, management, render, webhooks

    for blueprint in (
        health.bp,
        render.bp,
        chart.bp,
        jobs.bp,
        api_keys.bp,
        management.bp,
        webhooks.bp,
        docs.bp,
        dashboard.bp,
    ):
        app.register_blueprint(blueprint)
    from api.routes import market, streaming, udf  # market data: candles, trades, UDF API, streams

    for blueprint in (market.bp, udf.bp, streaming.bp):
        app.register_blueprint(blueprint)
    return app


def _register_request_ids(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = getattr(g, "request_id", None) or uuid.uuid4().hex
        for name, value in getattr(g, "rate_limit_headers", {}).items():
            response.headers[name] = value
        return response
