"""The worker's side of a job: claim it, then mark it succeeded or failed, or hand it back. Every
transition is guarded in SQL so a redelivered message or a duplicate publish changes nothing twice."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from typing import Any

from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from core.db import execute_alone, utcnow
from core.locks import HeldLock
from core.models import JobStatus, RenderJob
from core.specs.model import loads_canonical
from core.storage import StoredObject

# Hot worker-side statements use the table directly: Core statements skip the ORM's bulk-update
# machinery, which costs more CPU than the statements themselves.
_JOBS = RenderJob.__table__


class ClaimOutcome(enum.StrEnum):
    CLAIMED = "claimed"
    BUSY = "busy"  # another delivery holds the job's lock (it is rendering it)
    FINISHED = "finished"  # already succeeded, failed or dead: nothing to do
    MISSING = "missing"
    DEAD = "dead"  # out of attempts: marked dead now


@dataclasses.dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    spec: dict[str, Any] | None = None
    cache_key: str = ""
    dialect: str = ""
    attempts: int = 0
    # False when nobody can be subscribed (anonymous, no webhookUrl): no webhook lookup needed.
    may_notify: bool = True


# The claim, in one statement sent alone (``core.db.execute_alone``: no BEGIN, no COMMIT): the
# delivery's outbox message is acknowledged whatever follows (the relay must not send it again),
# the job's session-level advisory lock is tried, and only with the lock is the job moved to
# ``running`` with one more attempt, if it is still queued or running and has attempts left. A
# granted claim turns the synchronous commit off for its own (implicit) transaction: nothing
# outside Postgres acts on a claim, and the result's synchronous commit flushes it too; a crash in
# between loses only the claim, and the job, queued again with its message unconsumed, is what the
# relay and the sweeper already recover.
_CLAIM = text(
    """
    WITH consumed AS (
        UPDATE outbox SET consumed_at = now()
        WHERE id = CAST(:outbox_id AS bigint) AND consumed_at IS NULL
    ),
    locked AS (SELECT pg_try_advisory_lock(:k) AS held),
    claimed AS (
        UPDATE render_jobs
        SET status = 'running', attempts = render_jobs.attempts + 1, started_at = :now, worker = :worker
        FROM locked
        WHERE locked.held AND render_jobs.id = :id
          AND render_jobs.status IN ('queued', 'running') AND render_jobs.attempts < :max_attempts
        RETURNING CAST(render_jobs.spec AS text) AS spec, render_jobs.cache_key, render_jobs.attempts,
                  render_jobs.account_id, render_jobs.webhook_url, render_jobs.dialect
    )
    SELECT locked.held, claimed.*,
           CASE WHEN claimed.cache_key IS NOT NULL
                THEN set_config('synchronous_commit', 'off', true) END AS async_commit
    FROM locked LEFT JOIN claimed ON true
    """
)


def claim_job(
    conn: Connection, job_id: str, outbox_id: int | None, lock: HeldLock, worker: str, max_attempts: int
) -> Claim | None:
    """Acknowledge the message ``outbox_id``, take ``lock`` and claim the job, in one round trip.

    Returns a CLAIMED claim (the lock is held), a BUSY one (another delivery holds the lock), or
    None when the lock is held but the job could not be claimed: the caller then settles it with
    ``settle_unclaimed`` in a transaction of its own, still holding the lock."""
    jid = uuid.UUID(job_id)
    row = execute_alone(
        conn,
        _CLAIM,
        {
            "outbox_id": outbox_id,
            "k": lock.key,
            "now": utcnow(),
            "worker": worker,
            "id": jid,
            "max_attempts": max_attempts,
        },
    )
    lock.held = bool(row.held)
    if not lock.held:
        return Claim(ClaimOutcome.BUSY)
    if row.cache_key is None:
        return None
    return Claim(
        ClaimOutcome.CLAIMED,
        loads_canonical(row.spec),
        row.cache_key,
        row.dialect,
        row.attempts,
        may_notify=row.account_id is not None or row.webhook_url is not None,
    )


def settle_unclaimed(session: Session, job_id: str) -> Claim:
    """The outcome for a job ``claim_job`` found not claimable, under its lock (held by the caller):
    MISSING, FINISHED, or out of attempts, which marks it DEAD now."""
    jid = uuid.UUID(job_id)
    current = session.execute(
        select(_JOBS.c.status, _JOBS.c.attempts).where(_JOBS.c.id == jid).with_for_update()
    ).first()
    if current is None:
        return Claim(ClaimOutcome.MISSING)
    if JobStatus(current.status).finished:
        return Claim(ClaimOutcome.FINISHED, attempts=current.attempts)
    session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == jid)
        .values(
            status=JobStatus.DEAD.value,
            finished_at=utcnow(),
            error=f"gave up after {current.attempts} attempts (the render crashed or timed out every time)",
        )
    )
    return Claim(ClaimOutcome.DEAD, attempts=current.attempts)


def image_columns(obj: StoredObject) -> dict[str, Any]:
    """A stored image as the job's columns; also the render cache's entry for it."""
    return {"object_key": obj.key, "size": obj.size, "etag": obj.etag, "content_type": obj.content_type}


# ``running`` to ``succeeded`` with the image's columns; the job's own retention (its plan's, when
# it was created) wins over the default. With :k (the job's advisory lock, held by this
# connection) the lock is dropped by the same statement when the transition happens.
_SUCCEED = text(
    """
    UPDATE render_jobs
    SET status = 'succeeded', finished_at = :now, object_key = :object_key, size = :size,
        etag = :etag, content_type = :content_type, render_ms = :render_ms, error = NULL,
        expires_at = CAST(:now AS timestamptz)
            + make_interval(0, 0, 0, coalesce(retention_days, :retention_days))
    WHERE id = :id AND status = 'running'
    RETURNING CASE WHEN CAST(:k AS bigint) IS NOT NULL THEN pg_advisory_unlock(:k) END
    """
)


def mark_succeeded(
    session: Session | Connection,
    job_id: str,
    stored: StoredObject,
    *,
    render_ms: int,
    retention_days: int,
    unlock: HeldLock | None = None,
) -> bool:
    """``running`` to ``succeeded`` with the image's columns, in ``session``'s transaction, or, given
    a Connection outside any transaction, as a statement of its own (one round trip). With
    ``unlock`` (the job's advisory lock, held by this connection) the lock is dropped by the same
    statement when the transition happens; otherwise the caller still holds it."""
    params = {
        "id": uuid.UUID(job_id),
        "now": utcnow(),
        **image_columns(stored),
        "render_ms": render_ms,
        "retention_days": retention_days,
        "k": None if unlock is None else unlock.key,
    }
    if isinstance(session, Connection):
        row = execute_alone(session, _SUCCEED, params)
    else:
        row = session.execute(_SUCCEED, params).first()
    if row is None:
        return False
    if unlock is not None:
        unlock.held = False
    return True


def mark_failed(session: Session, job_id: str, error: str, status: JobStatus = JobStatus.FAILED) -> bool:
    result = session.execute(
        update(_JOBS)
        .where(
            _JOBS.c.id == uuid.UUID(job_id),
            _JOBS.c.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
        .values(status=status.value, finished_at=utcnow(), error=error[:2000])
    )
    return result.rowcount == 1


def requeue(session: Session, job_id: str, error: str) -> None:
    """Back to ``queued`` after an infrastructure failure, refunding the attempt. No message is sent:
    the job waits in Postgres, and the sweeper queues it again once the render queues are idle and
    the failure has passed, so a backlog of such jobs never delays new work."""
    session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == uuid.UUID(job_id), _JOBS.c.status == JobStatus.RUNNING.value)
        .values(
            status=JobStatus.QUEUED.value,
            error=error[:2000],
            attempts=_JOBS.c.attempts - 1,
            started_at=None,
            worker=None,
        )
    )
