"""Prometheus metrics: the api's /metrics (every gunicorn process added up, plus queue depths read
at scrape time) and a worker's metrics port (its forked children added up)."""

from __future__ import annotations

import re
import time

import requests

from devstack.s3server import free_port
from devstack.stack import start_api, start_together, start_worker, stop_together


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the text exposition format, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def spec(n: int) -> dict:
    return {"type": "bar", "data": {"labels": ["a"], "datasets": [{"label": f"m{n}", "data": [n]}]}}


def test_api_and_worker_metrics(base_env, private_env, log_dir):
    metrics_port = free_port()
    env = {
        **private_env("metrics"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}metrics-",
        "CHARTFLEET_METRICS_TOKEN": "scrape-secret",
        "CHARTFLEET_WEB_PROCESSES": "2",
        "CHARTFLEET_WORKER_METRICS_PORT": str(metrics_port),
    }
    (api, base), worker = start_together(
        lambda: start_api(env, log_dir, name="metrics-api"),
        lambda: start_worker(env, log_dir, name="metrics-worker", concurrency=2),
    )
    try:
        for n in range(3):
            assert requests.post(f"{base}/api/v1/render", json=spec(n), timeout=30).status_code == 200
        assert requests.post(f"{base}/api/v1/render", json=spec(0), timeout=30).headers["X-Cache"] == "HIT"
        requests.post(f"{base}/api/v1/jobs", json=spec(100), timeout=10)

        assert requests.get(f"{base}/metrics", timeout=10).status_code == 401
        assert (
            requests.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10).status_code
            == 401
        )
        scrape = requests.get(
            f"{base}/metrics", headers={"Authorization": "Bearer scrape-secret"}, timeout=10
        )
        assert scrape.status_code == 200 and scrape.headers["Content-Type"].startswith("text/plain")
        text = scrape.text
        # Requests answered by either of the two gunicorn processes are all counted.
        assert (
            sample(text, "chartfleet_render_requests_total", dialect="chartjs", format="png", cache="MISS")
            == 4
        )
        assert (
            sample(text, "chartfleet_render_requests_total", dialect="chartjs", format="png", cache="HIT")
            == 1
        )
        assert (
            sample(text, "chartfleet_http_request_seconds_count", route="/api/v1/render", method="POST") == 4
        )
        for queue in ("render", "render-batch", "render-heavy", "webhooks", "maintenance"):
            assert sample(text, "chartfleet_queue_depth", queue=queue) is not None
        assert sample(text, "chartfleet_queue_reserved") is not None
        assert sample(text, "chartfleet_db_pool_in_use") is not None

        deadline = time.monotonic() + 30
        while True:
            worker_text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
            if (sample(worker_text, "chartfleet_job_outcomes_total", outcome="succeeded") or 0) >= 4:
                break
            assert time.monotonic() < deadline, worker_text[-2000:]
            time.sleep(0.3)
        assert sample(worker_text, "chartfleet_render_seconds_count", dialect="chartjs", format="png") >= 4
    finally:
        stop_together(worker, api)
