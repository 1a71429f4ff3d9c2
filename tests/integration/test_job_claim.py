"""The worker's claim and success statements against real Postgres: what each one round trip
decides, and what it leaves behind on the connection (a lock, a session setting)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text, update

from core.db import get_engine, transaction
from core.locks import HeldLock, LockSpace, lock_id
from core.models import OutboxMessage, RenderJob
from core.services import jobs
from core.services.keys import Principal
from core.specs.chartjs import parse_chart
from core.storage import StoredObject


def _queued_job(sessions) -> tuple[str, int]:
    body = {"type": "bar", "data": {"labels": ["a"], "datasets": [{"label": uuid.uuid4().hex, "data": [1]}]}}
    req = jobs.RenderRequest(
        spec=parse_chart(body).spec, dialect="chartjs", principal=Principal(client_ip="10.0.0.7")
    )
    with transaction(sessions) as session:
        job, message, _ = jobs.create_job(session, req)
    return str(job.id), message.id


def _row(sessions, job_id: str) -> RenderJob:
    with sessions() as s:
        return s.get(RenderJob, uuid.UUID(job_id))


def _consumed(sessions, message_id: int) -> bool:
    with sessions() as s:
        return s.scalar(select(OutboxMessage.consumed_at).where(OutboxMessage.id == message_id)) is not None


def _lock_holders(conn, key: int) -> int:
    """How many sessions hold the advisory lock ``key`` (asked from another connection)."""
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    return conn.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = :high AND objid::bigint = :low"
        ),
        {"high": high, "low": low},
    ).scalar()


@pytest.fixture()
def conns(database):
    engine = get_engine(database)
    with engine.connect() as worker, engine.connect() as other:
        yield worker, other


def _stored(job_id: str) -> StoredObject:
    return StoredObject(key=f"renders/{job_id}.png", size=10, etag="e" * 32, content_type="image/png")


def test_a_granted_claim_takes_the_lock_and_consumes_the_message_in_one_statement(sessions, conns):
    worker, other = conns
    job_id, message_id = _queued_job(sessions)
    lock = HeldLock(worker, lock_id(LockSpace.RENDER_JOB, job_id))
    claim = jobs.claim_job(worker, job_id, message_id, lock, "w1", max_attempts=3)
    assert claim.outcome == jobs.ClaimOutcome.CLAIMED and claim.spec["type"] == "bar"
    assert claim.may_notify is False  # anonymous, no webhookUrl
    row = _row(sessions, job_id)
    assert (row.status, row.attempts, row.worker) == ("running", 1, "w1")
    assert _consumed(sessions, message_id) and lock.held and _lock_holders(other, lock.key) == 1
    # The claim's asynchronous commit was its own transaction's: the connection's later commits
    # (the result's) stay synchronous, and it is not left inside a transaction.
    assert worker.execute(text("SHOW synchronous_commit")).scalar() == "on"
    worker.rollback()

    assert jobs.mark_succeeded(worker, job_id, _stored(job_id), render_ms=5, retention_days=7, unlock=lock)
    row = _row(sessions, job_id)
    assert (row.status, row.object_key, row.render_ms) == ("succeeded", f"renders/{job_id}.png", 5)
    assert row.expires_at is not None and not lock.held and _lock_holders(other, lock.key) == 0
    # A second success changes nothing and says so.
    assert not jobs.mark_succeeded(worker, job_id, _stored(job_id), render_ms=9, retention_days=7)
    assert _row(sessions, job_id).render_ms == 5


def test_a_claim_while_another_delivery_holds_the_lock_is_busy_and_still_consumes(sessions, conns):
    worker, other = conns
    job_id, message_id = _queued_job(sessions)
    key = lock_id(LockSpace.RENDER_JOB, job_id)
    assert other.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
    other.commit()
    try:
        lock = HeldLock(worker, key)
        claim = jobs.claim_job(worker, job_id, message_id, lock, "w2", max_attempts=3)
        assert claim.outcome == jobs.ClaimOutcome.BUSY and not lock.held
        row = _row(sessions, job_id)
        assert (row.status, row.attempts) == ("queued", 0)  # untouched: the holder renders it
        assert _consumed(sessions, message_id)  # but this message is handled: never relayed
    finally:
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        other.commit()


def test_an_unclaimable_job_is_settled_under_the_lock(sessions, conns):
    worker, other = conns
    finished, _ = _queued_job(sessions)
    spent, _ = _queued_job(sessions)
    with transaction(sessions) as session:
        session.execute(update(RenderJob).where(RenderJob.id == uuid.UUID(finished)).values(status="failed"))
        session.execute(update(RenderJob).where(RenderJob.id == uuid.UUID(spent)).values(attempts=3))
    for job_id, outcome in ((finished, jobs.ClaimOutcome.FINISHED), (spent, jobs.ClaimOutcome.DEAD)):
        lock = HeldLock(worker, lock_id(LockSpace.RENDER_JOB, job_id))
        assert jobs.claim_job(worker, job_id, None, lock, "w3", max_attempts=3) is None
        assert lock.held and _lock_holders(other, lock.key) == 1
        with transaction(sessions) as session:
            assert jobs.settle_unclaimed(session, job_id).outcome == outcome
        lock.release()
        assert _lock_holders(other, lock.key) == 0
    assert _row(sessions, finished).status == "failed"
    dead = _row(sessions, spent)
    assert dead.status == "dead" and "gave up after 3 attempts" in dead.error
