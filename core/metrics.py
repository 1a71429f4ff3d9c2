"""Prometheus metrics shared by the api and the workers (prometheus_client, the reference client).

Processes that fork (gunicorn workers, Celery's prefork children) write their samples to
``PROMETHEUS_MULTIPROC_DIR`` when it is set, and whoever serves the metrics (the api's
``/metrics``, a worker's metrics port) adds up every process's file. Without the variable each
process counts for itself, which is what a single-process test or CLI needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, Metric, multiprocess
from prometheus_client.registry import Collector

# Renders as the api answers them: by dialect, format and whether storage had the image already.
RENDER_REQUESTS = Counter(
    "chartfleet_render_requests_total",
    "Render requests answered, by cache outcome.",
    ["dialect", "format", "cache"],
)
# Time a worker spends drawing and encoding one image.
RENDER_SECONDS = Histogram(
    "chartfleet_render_seconds",
    "Render and encode time of one job in a worker.",
    ["dialect", "format"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOB_OUTCOMES = Counter(
    "chartfleet_job_outcomes_total", "Render jobs finished by a worker, by outcome.", ["outcome"]
)
WEBHOOK_DELIVERIES = Counter(
    "chartfleet_webhook_deliveries_total", "Webhook delivery attempts, by resulting status.", ["status"]
)
WEBHOOK_SECONDS = Histogram(
    "chartfleet_webhook_delivery_seconds",
    "Time of one webhook delivery attempt.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REFUSALS = Counter(
    "chartfleet_refusals_total", "Requests refused by a limit, by kind (rate_limit, quota, plan).", ["kind"]
)
HTTP_SECONDS = Histogram(
    "chartfleet_http_request_seconds",
    "Time to answer an HTTP request, by route and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class Exposition:
    """Everything one scrape shows: the process samples plus collectors read at scrape time."""

    def __init__(self, *sources: Collector):
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition(*extra: Collector) -> Exposition:
    """Every process's samples when running multi-process (``PROMETHEUS_MULTIPROC_DIR``), else this
    process's, followed by ``extra``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry(auto_describe=True)
        multiprocess.MultiProcessCollector(collected)
        return Exposition(collected, *extra)
    return Exposition(REGISTRY, *extra)
