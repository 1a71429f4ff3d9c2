"""Cache hits recorded in Redis on the request's path, written to render history by beat in batches.

A sync cache hit needs no render, no storage write and no quota charge (hits are free), so the
only Postgres work it had left was its ``render_jobs`` row. That row is now appended to a Redis
stream (``<prefix>hits``, one XADD in the request) before the answer goes out, and ``flush``
(beat, every CHARTFLEET_HIT_FLUSH_INTERVAL seconds) moves batches into ``render_jobs``:

- exactly once: every entry carries the job id chosen by the api; the insert is
  ``ON CONFLICT (id) DO NOTHING`` and the webhooks of a hit are enqueued only for the rows that
  insert really added, in the same transaction;
- nothing lost: entries are read through a consumer group, so one a flusher read stays pending
  until it is acknowledged after the commit; a flusher that dies between the read and the ack
  leaves them pending and the next flush claims them once they are ``claim_after`` seconds idle
  (XAUTOCLAIM). An api process that dies before its XADD never answered the request.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.models import OutboxMessage, RenderJob

log = logging.getLogger(__name__)

GROUP = "flush"
BATCH = 500
_FIELDS = (
    "id account_id api_key_id client_ip owner dialect mode cache_key format width height warnings "
    "queued_at object_key size etag content_type expires_at webhook_url retention_days"
).split()

# One statement per batch. Rows of a key or account deleted meanwhile keep their history without
# the reference (as ON DELETE SET NULL would have left them).
_INSERT = text(
    """
    INSERT INTO render_jobs (id, account_id, api_key_id, client_ip, owner, dialect, mode, spec, cache_key,
        format, width, height, warnings, status, cache_hit, attempts, queued_at, started_at, finished_at,
        render_ms, object_key, size, etag, content_type, expires_at, webhook_url, retention_days)
    SELECT r.id, a.id, k.id, r.client_ip, r.owner, r.dialect, r.mode, CAST(r.spec AS json), r.cache_key,
        r.format, r.width, r.height, r.warnings, 'succeeded', true, 0, r.queued_at, r.queued_at, r.queued_at,
        0, r.object_key, r.size, r.etag, r.content_type, r.expires_at, r.webhook_url, r.retention_days
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id uuid, account_id uuid, api_key_id uuid,
        client_ip text, owner text, dialect text, mode text, spec text, cache_key text, format text,
        width int, height int, warnings jsonb, queued_at timestamptz, object_key text, size int, etag text,
        content_type text, expires_at timestamptz, webhook_url text, retention_days int)
    LEFT JOIN accounts a ON a.id = r.account_id
    LEFT JOIN api_keys k ON k.id = r.api_key_id
    ON CONFLICT (id) DO NOTHING
    RETURNING id, account_id, webhook_url
    """
)


def stream_key(prefix: str) -> str:
    return f"{prefix}hits"


def record(client: redis.Redis, prefix: str, job: RenderJob, canonical_spec: str) -> None:
    """Append the history row of a cache hit (a RenderJob built, not persisted) to the stream."""
    entry: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(job, name)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        entry[name] = value
    entry["spec"] = canonical_spec
    client.xadd(stream_key(prefix), {"row": json.dumps(entry, separators=(",", ":"))})


def flush(
    client: redis.Redis,
    sessions: sessionmaker[Session],
    prefix: str,
    *,
    claim_after: float,
    on_commit: Callable[[list[OutboxMessage]], None] = lambda messages: None,
    webhooks: Callable[[Session, uuid.UUID], list[OutboxMessage]] | None = None,
    consumer: str | None = None,
    batch: int = BATCH,
) -> int:
    """Move recorded hits into ``render_jobs`` until the stream is drained; returns the rows added.

    ``webhooks(session, job_id)`` enqueues a new row's webhook messages in the insert's transaction;
    ``on_commit`` publishes them after the commit."""
    key = stream_key(prefix)
    consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
    _ensure_group(client, key)
    added = 0
    # First what a flusher that died left pending, then what nobody has read yet.
    _, claimed, *_ = client.xautoclaim(key, GROUP, consumer, int(claim_after * 1000), "0-0", count=batch)
    if claimed:
        added += _write(client, sessions, key, claimed, on_commit, webhooks)
    while True:
        read = client.xreadgroup(GROUP, consumer, {key: ">"}, count=batch)
        entries = read[0][1] if read else []
        if not entries:
            return added
        added += _write(client, sessions, key, entries, on_commit, webhooks)


def _ensure_group(client: redis.Redis, key: str) -> None:
    try:
        client.xgroup_create(key, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _write(client, sessions, key, entries, on_commit, webhooks) -> int:
    ids = [entry_id for entry_id, _ in entries]
    rows = [json.loads(fields[b"row"]) for _, fields in entries if fields and b"row" in fields]
    messages: list[OutboxMessage] = []
    inserted = []
    if rows:
        with sessions() as session, session.begin():
            inserted = session.execute(_INSERT, {"rows": json.dumps(rows)}).all()
            if webhooks is not None:
                for job_id, account_id, webhook_url in inserted:
                    if account_id is not None or webhook_url:
                        messages.extend(webhooks(session, job_id))
    on_commit(messages)
    # Acknowledged only after the commit: a crash before this line leaves them to be claimed again.
    pipe = client.pipeline(transaction=False)
    pipe.xack(key, GROUP, *ids)
    pipe.xdel(key, *ids)
    pipe.execute()
    if inserted:
        log.debug("flushed %d cache hits into render history", len(inserted))
    return len(inserted)


def pending(client: redis.Redis, prefix: str) -> int:
    """Hits recorded but not yet in render history (unread plus read and unacknowledged)."""
    return int(client.xlen(stream_key(prefix)))
