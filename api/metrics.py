"""``/metrics`` in the Prometheus text format: this api's request and render counters (every
gunicorn process's, see ``core.metrics``) plus fleet-wide gauges read at scrape time (queue depths,
reserved messages, the database pool)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api import auth
from api.errors import ApiError
from api.extensions import Services, services
from core import metrics
from core.queue import LOGICAL_QUEUES, queue_depth

REFUSED = {429: "rate_limit", 402: "quota"}
# kombu's Redis transport keeps messages delivered but not yet acknowledged in this hash.
UNACKED_KEY = "unacked"


class FleetCollector(Collector):
    """Gauges that describe the whole deployment, read from the broker and the pool on each scrape."""

    def __init__(self, svc: Services):
        self.svc = svc

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("chartfleet_queue_depth", "Messages waiting in a queue.", labels=["queue"])
        reserved = GaugeMetricFamily(
            "chartfleet_queue_reserved", "Messages taken by workers and not yet acknowledged (all queues)."
        )
        if self.svc.celery is not None:
            for logical in LOGICAL_QUEUES:
                depth.add_metric([logical], queue_depth(self.svc.celery, self.svc.settings, logical))
            with self.svc.celery.connection_for_write() as conn:
                reserved.add_metric([], conn.default_channel.client.hlen(UNACKED_KEY))
        yield depth
        yield reserved
        pool = self.svc.sessions.kw["bind"].pool
        in_use = GaugeMetricFamily(
            "chartfleet_db_pool_in_use", "Database connections checked out, this process."
        )
        in_use.add_metric([], pool.checkedout())
        yield in_use


def init_app(app: Flask) -> None:
    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.HTTP_SECONDS.labels(route, request.method, f"{response.status_code // 100}xx").observe(
                time.perf_counter() - started
            )
        kind = REFUSED.get(response.status_code)
        if kind is not None:
            metrics.REFUSALS.labels(kind).inc()
        return response

    @app.get("/metrics")
    @auth.public
    def prometheus_metrics() -> Response:
        token = services().settings.metrics_token
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token and not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(401, "A valid bearer token is required for /metrics")
        body = generate_latest(metrics.exposition(FleetCollector(services())))
        return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")
