"""Helpers shared by the benchmarks: reporting and cleaning up what a run created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text


def publish(report: dict[str, Any], out: Path) -> None:
    """Print the report as JSON and keep a copy under var/bench."""
    body = json.dumps(report, indent=2)
    print(body)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body + "\n")


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
