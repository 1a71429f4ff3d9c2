"""Load: locust (a well-kept load tool) drives the running stack on loopback with a mix of cache hits,
sync renders, async jobs, polls and management reads: no 5xx, no lost job; throughput and latency
percentiles per route go to the report."""

from __future__ import annotations

import csv
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from core.db import session_factory
from core.models import RenderJob
from devstack.stack import BIN, ROOT, start_api, start_beat, start_together, start_worker, stop_together
from tests.reliability.report import record
from tests.support.accounts import new_key

LOCUSTFILE = Path(__file__).with_name("load") / "locustfile.py"
USERS, SECONDS = 24, 10


def test_mixed_load_has_no_5xx_and_loses_no_job(base_env, private_env, log_dir, tmp_path):
    env = {
        **private_env("load"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}load-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}load:",
        "CHARTFLEET_WEB_PROCESSES": "2",
    }
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    _, key = new_key(env, "render", "read", plan="pro")
    (api, base), beat, worker = start_together(
        lambda: start_api(env, log_dir, name="load-api"),
        lambda: start_beat(env, log_dir, name="load-beat"),
        lambda: start_worker(env, log_dir, name="load-worker", concurrency=2),
    )
    try:
        prefix = tmp_path / "load"
        run = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                base,
                "-u",
                str(USERS),
                "-r",
                str(USERS),
                "-t",
                f"{SECONDS}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            env={**env, "CHARTFLEET_LOAD_KEY": key},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SECONDS + 120,
        )
        rows = list(csv.DictReader(prefix.with_name("load_stats.csv").open()))
        failures = list(csv.DictReader(prefix.with_name("load_failures.csv").open()))
        server_errors = [f for f in failures if " 5" in f["Error"] or "50" in f["Error"][:40]]
        assert not server_errors, server_errors
        assert not failures, failures  # not even a 4xx: every request of the mix is valid
        routes = {
            r["Name"]: {
                "requests": int(r["Request Count"]),
                "per_second": round(float(r["Requests/s"]), 1),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
                "p99_ms": float(r["99%"]),
            }
            for r in rows
        }
        assert routes["Aggregated"]["requests"] > 0, run.stderr[-2000:]

        # Every accepted job finishes: none lost under load.
        deadline = time.monotonic() + 180
        while True:
            with sessions() as s:
                pending = s.scalar(select(func.count()).where(RenderJob.status.in_(("queued", "running"))))
                total = s.scalar(select(func.count()).select_from(RenderJob))
                failed = s.scalar(select(func.count()).where(RenderJob.status.in_(("failed", "dead"))))
            if not pending:
                break
            assert time.monotonic() < deadline, f"{pending} jobs still pending"
            time.sleep(0.5)
        assert failed == 0
    finally:
        stop_together(worker, beat, api)
    record("load", {"users": USERS, "seconds": SECONDS, "jobs_recorded": total, "routes": routes})
