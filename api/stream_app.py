"""The streaming service: the same /api/v1/streaming route as the api, in a gunicorn process with
gevent workers (deploy/stream.conf.py), where an open stream costs a greenlet instead of a thread.

It talks to Redis (one subscription per process, fanned out to every stream) and, once per new
stream, to Postgres (credentials and symbols; psycopg 3 cooperates with gevent). Production routes
/api/v1/streaming here and everything else to the api (deploy/nginx.conf).
"""

from __future__ import annotations

from flask import Flask, jsonify

from api import errors, extensions, ratelimit, request_ids
from core import logs
from core.config import Settings


def create_stream_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    logs.configure(settings)
    app = Flask(__name__)
    app.json.sort_keys = False
    extensions.init_app(app, extensions.build_services(settings, celery_name=None, store=False))
    errors.init_app(app)
    ratelimit.init_app(app)
    request_ids.init_app(app)

    from api.routes import streaming

    state = streaming.init_streams(app, limit=settings.stream_connections)
    app.register_blueprint(streaming.bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", openStreams=state.hub.open_streams)

    return app
