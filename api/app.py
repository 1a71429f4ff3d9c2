"""The Flask application factory. The whole route table is registered here, in one place."""

from __future__ import annotations

from flask import Flask

from api import auth, browser, db_outage, errors, extensions, metrics, ratelimit, request_ids, server_timing
from api.bodylimit import ChunkedBodyLimit
from core import logs
from core.config import Settings

MAX_BODY_BYTES = 4 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    logs.configure(settings)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False)
    app.json.sort_keys = False
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, MAX_BODY_BYTES)  # type: ignore[method-assign]
    extensions.init_app(app, extensions.build_services(settings))
    errors.init_app(app)
    db_outage.init_app(app)  # 503 while Postgres is unreachable
    request_ids.init_app(app)
    server_timing.init_app(app)  # before auth: the session lookup counts in a page's time
    ratelimit.init_app(app)
    auth.init_app(app)  # after request ids: authenticates and rate-limits every request
    browser.init_app(app)
    metrics.init_app(app)

    from api.routes import (
        api_keys,
        brandkits,
        chart,
        dashboard,
        dashboard_brand,
        dashboard_renders,
        dashboard_settings,
        dashboard_usage,
        dashboard_webhooks,
        docs,
        finance,
        health,
        jobs,
        management,
        market,
        quickchart,
        render,
        streaming,
        templates,
        udf,
        webhooks,
    )

    # The whole route table, by surface.
    for blueprint in (
        health.bp,
        # rendering: the native API, Image-Charts and QuickChart at /chart, finance snapshots
        render.bp,
        chart.bp,
        quickchart.bp,
        finance.bp,
        jobs.bp,
        templates.bp,
        # management API
        api_keys.bp,
        management.bp,
        webhooks.bp,
        brandkits.bp,
        finance.metrics_bp,
        # market data: candles, trades, UDF API, streams
        market.bp,
        udf.bp,
        streaming.bp,
        # documentation and the dashboard
        docs.bp,
        dashboard.bp,
        dashboard_usage.bp,
        dashboard_renders.bp,
        dashboard_webhooks.bp,
        dashboard_brand.bp,
        dashboard_settings.bp,
    ):
        app.register_blueprint(blueprint)
    return app
