"""Helpers shared by the benchmarks: reporting and cleaning up what a run created."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text


def publish(report: dict[str, Any], out: Path) -> None:
    """Print the report as JSON and keep a copy under var/bench."""
    body = json.dumps(report, indent=2)
    print(body)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body + "\n")


def stack_env(run: str, admin_url: str, db_name: str, storage: str, tmp: str) -> dict[str, str]:
    """The environment of a benchmark's private stack: this machine's, minus any CHARTFLEET_
    variable, plus its own database, Redis prefixes (``run``), storage under ``tmp`` and bin/ on PATH."""
    from devstack.stack import BIN

    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTFLEET_")}
    env.update(
        CHARTFLEET_DATABASE_URL=admin_url.rsplit("/", 1)[0] + f"/{db_name}",
        CHARTFLEET_REDIS_URL="redis://127.0.0.1:6379/10",
        CHARTFLEET_REDIS_PREFIX=f"{run}:",
        CHARTFLEET_QUEUE_PREFIX=f"{run}-",
        CHARTFLEET_STORAGE=storage,
        CHARTFLEET_STORAGE_DIR=str(Path(tmp) / "storage"),
        CHARTFLEET_LOG_LEVEL="WARNING",
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    return env


def forget_redis(url: str, run: str) -> None:
    """Delete the Redis keys of one benchmark run (never a flush: Redis may be shared)."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"*{run}*", count=1000):
        client.delete(key)
    client.close()


def drop_database(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_ms(fn: Callable[[], object]) -> float:
    """Milliseconds one call of ``fn`` takes."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def versions() -> dict[str, str]:
    """What a rendering benchmark's figures depend on, recorded with them."""
    import matplotlib

    return {"matplotlib": matplotlib.__version__, "python": platform.python_version()}


def main_for(
    description: str,
    run: Callable[[int, int], dict[str, Any]],
    out: Path,
    *,
    runs: int,
    warmup: int,
    quick: tuple[int, int],
    argv: list[str] | None = None,
) -> int:
    """The command line every engine benchmark shares: ``--runs N`` or ``--quick``, then publish."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs per case (default {runs})")
    parser.add_argument("--quick", action="store_true", help=f"{quick[0]} runs, {quick[1]} warm-up")
    args = parser.parse_args(argv)
    n, w = quick if args.quick else (max(1, args.runs), warmup)
    publish(run(n, w), out)
    return 0


def prepare_database(env: dict[str, str], root: Path, admin, db_name: str, stack) -> None:
    """Migrate a benchmark's private database with the real CLI and lift the anonymous plan's
    limits (the benchmark client is one anonymous address: it measures throughput, not the rate
    limiter); the database and the run's Redis keys go when ``stack`` (an ExitStack) closes."""
    import subprocess

    from devstack.stack import BIN

    subprocess.run(
        [str(BIN / "chartfleet"), "db", "upgrade"], env=env, cwd=root, check=True, capture_output=True
    )
    env["CHARTFLEET_ANONYMOUS_PLAN"] = "anonymous"  # the plan edited here, not starter's terms
    subprocess.run(
        [str(BIN / "chartfleet"), "plans", "set", "anonymous", "--rate-limit", "100000000"]
        + ["--monthly-quota", "100000000"],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
    )
    stack.callback(forget_redis, env["CHARTFLEET_REDIS_URL"], env["CHARTFLEET_REDIS_PREFIX"].rstrip(":"))
    stack.callback(admin.dispose)
    stack.callback(lambda: drop_database(admin, db_name))


def start_processes(env: dict[str, str], tmp: str, stack, *, workers: int, beat: bool = False):
    """A benchmark stack's api (gunicorn) and Celery worker (``workers`` processes), and beat when
    asked, logging under ``tmp`` and stopped when ``stack`` closes. Returns ``(api, url, worker)``."""
    from devstack.stack import start_api, start_beat, start_worker

    logs = Path(tmp) / "logs"
    logs.mkdir(exist_ok=True)
    api, url = start_api(env, logs, name="bench-api")
    stack.callback(api.stop)
    worker = start_worker(env, logs, name="bench-worker", concurrency=workers)
    stack.callback(worker.stop)
    if beat:
        stack.callback(start_beat(env, logs, name="bench-beat").stop)
    return api, url, worker
