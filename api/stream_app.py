"""The streaming service: the same /api/v1/streaming route as the api, in a gunicorn process with
gevent workers (deploy/stream.conf.py), where an open stream costs a greenlet instead of a thread.

It talks to Redis (one subscription per process, fanned out to every stream) and, once per new
stream, to Postgres (credentials and symbols; psycopg 3 cooperates with gevent). Production routes
/api/v1/streaming here and everything else to the api (deploy/nginx.conf).
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, jsonify

from api import errors, ratelimit
from api.app import _register_request_ids
from api.rendering import Services
from core.config import Settings
from core.db import session_factory


def create_stream_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["chartfleet"] = Services(
        settings=settings,
        sessions=session_factory(settings.database_url),
        redis=redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2),
        celery=None,
        store=None,
    )
    errors.init_app(app)
    ratelimit.init_app(app)
    _register_request_ids(app)

    from api.routes import streaming

    state = streaming.init_streams(app, limit=settings.stream_connections)
    app.register_blueprint(streaming.bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", openStreams=state.hub.open_streams)

    return app
