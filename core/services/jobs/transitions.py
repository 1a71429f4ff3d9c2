"""The worker's side of a job: claim it, then mark it succeeded or failed, or hand it back. Every
transition is guarded in SQL so a redelivered message or a duplicate publish changes nothing twice."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from typing import Any

from sqlalchemy import DateTime, Text, cast, func, literal, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.locks import HeldLock
from core.models import JobStatus, RenderJob
from core.specs.model import loads_canonical
from core.storage import StoredObject

# Hot worker-side statements use the table directly: Core statements skip the ORM's bulk-update
# machinery, which costs more CPU than the statements themselves.
_JOBS = RenderJob.__table__


class ClaimOutcome(enum.StrEnum):
    CLAIMED = "claimed"
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


def claim_job(
    session: Session, job_id: str, worker: str, max_attempts: int, *, async_commit: bool = False
) -> Claim:
    """Move a job to ``running`` and count the attempt, or say why not. Caller holds the job lock.

    The common case is one guarded UPDATE ... RETURNING; only a refused claim looks further. With
    ``async_commit`` a granted claim also sets ``synchronous_commit = off`` for the rest of the
    transaction, in the same statement (a refused one leaves the commit synchronous).
    """
    jid = uuid.UUID(job_id)
    extra = (func.set_config("synchronous_commit", "off", True),) if async_commit else ()
    row = session.execute(
        update(_JOBS)
        .where(
            _JOBS.c.id == jid,
            _JOBS.c.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
            _JOBS.c.attempts < max_attempts,
        )
        .values(
            status=JobStatus.RUNNING.value,
            attempts=_JOBS.c.attempts + 1,
            started_at=utcnow(),
            worker=worker,
        )
        .returning(
            cast(_JOBS.c.spec, Text).label("spec"),
            _JOBS.c.cache_key,
            _JOBS.c.attempts,
            _JOBS.c.account_id,
            _JOBS.c.webhook_url,
            _JOBS.c.dialect,
            *extra,
        )
    ).first()
    if row is not None:
        may_notify = row.account_id is not None or row.webhook_url is not None
        return Claim(
            ClaimOutcome.CLAIMED,
            loads_canonical(row.spec),
            row.cache_key,
            row.dialect,
            row.attempts,
            may_notify=may_notify,
        )
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


def mark_succeeded(
    session: Session,
    job_id: str,
    stored: StoredObject,
    *,
    render_ms: int,
    retention_days: int,
    unlock: HeldLock | None = None,
) -> bool:
    """``running`` to ``succeeded`` with the image's columns. With ``unlock`` (the job's advisory
    lock, held by this session's connection) the lock is dropped by the same statement when the
    transition happens (one round trip less); otherwise the caller still holds it."""
    now = utcnow()
    statement = (
        update(_JOBS)
        .where(_JOBS.c.id == uuid.UUID(job_id), _JOBS.c.status == JobStatus.RUNNING.value)
        .values(
            status=JobStatus.SUCCEEDED.value,
            finished_at=now,
            **image_columns(stored),
            render_ms=render_ms,
            error=None,
            # The job's own retention (its plan's, when it was created) wins over the default.
            expires_at=literal(now, DateTime(timezone=True))
            + func.make_interval(0, 0, 0, func.coalesce(_JOBS.c.retention_days, retention_days)),
        )
    )
    if unlock is None:
        return session.execute(statement).rowcount == 1
    row = session.execute(statement.returning(func.pg_advisory_unlock(unlock.key))).first()
    if row is None:
        return False
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
