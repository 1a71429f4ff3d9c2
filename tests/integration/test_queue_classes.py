"""Renders by class of work: interactive (sync), batch (async) and heavy (GIF, PDF, very large) go
to separate queues, so a flood of batch jobs never waits in front of a synchronous render."""

from __future__ import annotations

import pytest
import requests

from core.queue import BATCH_QUEUE, HEAVY_QUEUE, RENDER_QUEUE, render_queue
from devstack.stack import start_api, start_together, start_worker, stop_together
from tests.support.polling import wait_for


def spec(n: int, **extra):
    return {
        "type": "bar",
        "data": {"labels": ["a", "b"], "datasets": [{"label": f"flood {n}", "data": [n, n + 1]}]},
        **extra,
    }


@pytest.mark.parametrize(
    ("mode", "fmt", "width", "height", "queue"),
    [
        ("sync", "png", 800, 400, RENDER_QUEUE),
        ("async", "png", 800, 400, BATCH_QUEUE),
        ("sync", "pdf", 800, 400, HEAVY_QUEUE),
        ("async", "gif", 800, 400, HEAVY_QUEUE),
        ("sync", "png", 4000, 1000, HEAVY_QUEUE),
    ],
)
def test_render_queue_by_class_of_work(mode, fmt, width, height, queue):
    assert render_queue(mode, fmt, width, height) == queue


def test_batch_flood_never_delays_a_sync_render(base_env, private_env, log_dir):
    env = {
        **private_env("classes"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}classes-",
        "CHARTFLEET_SYNC_TIMEOUT": "20",
    }
    (api, base), interactive = start_together(
        lambda: start_api(env, log_dir, name="classes-api"),
        lambda: start_worker(env, log_dir, name="classes-interactive", queues=(RENDER_QUEUE,)),
    )
    batch = None
    try:
        jobs = [
            requests.post(f"{base}/api/v1/jobs", json=spec(n), timeout=10).json()["id"] for n in range(40)
        ]
        # No batch worker yet: the whole flood waits, and a sync render still goes straight through.
        r = requests.post(f"{base}/api/v1/render", json=spec(999), timeout=30)
        assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
        statuses = {requests.get(f"{base}/api/v1/jobs/{j}", timeout=10).json()["status"] for j in jobs}
        assert statuses == {"queued"}, "the interactive worker never takes batch work"
        batch = start_worker(env, log_dir, name="classes-batch", queues=(BATCH_QUEUE, HEAVY_QUEUE))
        wait_for(
            lambda: all(
                requests.get(f"{base}/api/v1/jobs/{j}", timeout=10).json()["status"] == "succeeded"
                for j in jobs
            ),
            timeout=120,
            interval=0.2,
        )
    finally:
        stop_together(batch, interactive, api)
