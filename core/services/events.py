"""Job completion events over Redis pub/sub, and the render cache index.

The worker publishes ``<prefix>job:<id>`` when a job reaches a final state; a synchronous api
request subscribes before enqueueing and wakes up on that message. Postgres stays the truth: the
event only says "look now".
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import redis

log = logging.getLogger(__name__)


def job_channel(prefix: str, job_id: uuid.UUID | str) -> str:
    return f"{prefix}job:{job_id}"


def cache_entry_key(prefix: str, cache_key: str) -> str:
    return f"{prefix}render-cache:{cache_key}"


def publish_job_event(
    client: redis.Redis, prefix: str, job_id: uuid.UUID | str, status: str, reason: str | None = None
) -> None:
    event = {"id": str(job_id), "status": status}
    if reason:
        event["reason"] = reason
    client.publish(job_channel(prefix, job_id), json.dumps(event))


STORAGE_UNAVAILABLE = "storage-unavailable"  # the reason of a job handed back during a storage outage


def storage_down_key(prefix: str) -> str:
    return f"{prefix}storage-down"


def mark_storage_down(client: redis.Redis, prefix: str, seconds: float) -> None:
    """Tell every process that the object store is failing, for ``seconds``: sync renders answer
    503 at once and the sweeper holds back the jobs waiting for it."""
    client.set(storage_down_key(prefix), "1", ex=max(1, round(seconds)))


def storage_down_for(client: redis.Redis, prefix: str) -> int:
    """Seconds the object store is still believed down (0: not known to be down)."""
    return max(0, int(client.ttl(storage_down_key(prefix))))


DATABASE_UNAVAILABLE = "database-unavailable"  # the reason of the event announcing a Postgres outage


def database_down_channel(prefix: str) -> str:
    return f"{prefix}database-down"


_last_database_announcement = float("-inf")


def announce_database_down(client: redis.Redis, prefix: str) -> None:
    """Tell every waiting sync render that some process (an api or a worker) failed to reach
    Postgres: each confirms with its own query, and answers the outage's 503 if that fails too,
    instead of waiting for a worker that cannot finish its job. At most once a second per process
    (every request or task failing during a cut calls it); a Redis failure is logged, not raised
    (the waiters then fall back to their timeout)."""
    global _last_database_announcement
    now = time.monotonic()
    if now - _last_database_announcement < 1.0:
        return
    _last_database_announcement = now
    try:
        client.publish(database_down_channel(prefix), json.dumps({"reason": DATABASE_UNAVAILABLE}))
    except redis.RedisError:
        log.debug("could not announce the database outage", exc_info=True)


class JobWaiter:
    """Subscribe first, enqueue, then wait: no completion event can slip in between. A waiter
    also hears ``announce_database_down`` (an event whose reason is DATABASE_UNAVAILABLE)."""

    def __init__(self, client: redis.Redis, prefix: str, job_id: uuid.UUID | str):
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(job_channel(prefix, job_id), database_down_channel(prefix))

    def wait(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self._pubsub.get_message(timeout=min(left, 1.0))
            if message and message.get("type") == "message":
                return json.loads(message["data"])
        return None

    def close(self) -> None:
        self._pubsub.close()

    def __enter__(self) -> JobWaiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remember_rendered(
    client: redis.Redis, prefix: str, cache_key: str, entry: dict[str, Any], ttl: int
) -> None:
    client.set(cache_entry_key(prefix, cache_key), json.dumps(entry), ex=max(1, ttl))


def announce_rendered(
    client: redis.Redis, prefix: str, job_id: uuid.UUID | str, cache_key: str, entry: dict[str, Any], ttl: int
) -> None:
    """Index the new object in the render cache and wake the job's waiters, in one round trip. The
    event carries the image's columns (sent once the job row is committed with them), so a sync
    waiter that only needs the image does not read the row back."""
    pipe = client.pipeline(transaction=False)
    pipe.set(cache_entry_key(prefix, cache_key), json.dumps(entry), ex=max(1, ttl))
    pipe.publish(job_channel(prefix, job_id), json.dumps({"id": str(job_id), "status": "succeeded", **entry}))
    pipe.execute()


def lookup_rendered(client: redis.Redis, prefix: str, cache_key: str) -> dict[str, Any] | None:
    raw = client.get(cache_entry_key(prefix, cache_key))
    return json.loads(raw) if raw else None


def lookup_rendered_and_storage(
    client: redis.Redis, prefix: str, cache_key: str
) -> tuple[dict[str, Any] | None, int]:
    """``lookup_rendered`` and ``storage_down_for`` in one round trip."""
    pipe = client.pipeline(transaction=False)
    pipe.get(cache_entry_key(prefix, cache_key))
    pipe.ttl(storage_down_key(prefix))
    raw, ttl = pipe.execute()
    return (json.loads(raw) if raw else None), max(0, int(ttl))


def forget_rendered(client: redis.Redis, prefix: str, cache_key: str) -> None:
    client.delete(cache_entry_key(prefix, cache_key))
