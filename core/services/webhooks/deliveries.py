"""Webhook messages: created in the transaction that finishes a job, delivered by the ``webhooks``
queue, retried on a schedule with jitter, and every attempt recorded.

Time and randomness are parameters (``now``, ``rng``) so the schedule is tested with an injected
clock. The HTTP exchange itself lives in the worker; this module decides what to send and what an
answer means.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import random
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from core.config import Settings
from core.locks import LockSpace, lock_id, try_transaction_lock
from core.models import (
    DeliveryStatus,
    JobStatus,
    OutboxMessage,
    RenderJob,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
)
from core.queue import WEBHOOK_DELIVER_TASK
from core.services import audit, outbox
from core.services.webhooks import endpoints

# Delay before each attempt, seconds: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.1  # each delay is stretched or shrunk by up to 10% so retries of many messages spread out
MAX_RETRY_AFTER = 36000
RESPONSE_KEEP = 1024  # bytes of the receiver's answer kept with each attempt


def next_delay(attempts_done: int, rng: random.Random | Any = random) -> float | None:
    """Seconds until the next attempt after ``attempts_done`` attempts, or None when exhausted."""
    if attempts_done >= len(SCHEDULE):
        return None
    base = SCHEDULE[attempts_done]
    return base * (1 + rng.uniform(-JITTER, JITTER)) if base else 0.0


def webhook_id(message_id: uuid.UUID) -> str:
    return f"msg_{message_id.hex}"


def job_summary(job: RenderJob, settings: Settings) -> dict[str, Any]:
    """What a render event says about its job: small, never the image."""
    succeeded = job.status == JobStatus.SUCCEEDED.value
    base = settings.public_url.rstrip("/")
    return {
        "id": str(job.id),
        "status": job.status,
        "dialect": job.dialect,
        "format": job.format,
        "width": job.width,
        "height": job.height,
        "size": job.size if succeeded else None,
        "etag": job.etag if succeeded else None,
        "imageUrl": f"{base}/api/v1/jobs/{job.id}/image" if succeeded else None,
        "imageExpiresAt": job.expires_at.isoformat() if succeeded and job.expires_at else None,
        "error": job.error,
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
    }


def _body(event_type: str, data: dict[str, Any], now: dt.datetime) -> str:
    event = {
        "type": event_type,
        "id": f"evt_{uuid.uuid4().hex}",
        "timestamp": now.isoformat(),
        "data": data,
    }
    return json.dumps(event, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class _Recipient:
    """Where one message goes: its columns besides the event itself."""

    account_id: uuid.UUID | None
    endpoint_id: uuid.UUID | None  # None for a job's one-off webhookUrl
    job_id: uuid.UUID | None
    url: str


def _enqueue(
    session: Session, recipients: list[_Recipient], event_type: str, data: dict[str, Any], now: dt.datetime
) -> list[OutboxMessage]:
    """One message per recipient, all with the same event, each due now."""
    body = _body(event_type, data, now)
    rows = []
    for recipient in recipients:
        message = WebhookMessage(
            id=uuid.uuid4(), **dataclasses.asdict(recipient), event_type=event_type, body=body
        )
        session.add(message)
        rows.append(_due_now(session, message, now))
    session.flush()
    return rows


def _due_now(session: Session, message: WebhookMessage, now: dt.datetime) -> OutboxMessage:
    """A fresh schedule starting now; the outbox publishes it, so the scanner leaves it alone meanwhile."""
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.dispatched_at = now
    return outbox.add(session, WEBHOOK_DELIVER_TASK, message_id=str(message.id))


def enqueue_job_event(
    session: Session, job_id: str | uuid.UUID, settings: Settings, now: dt.datetime
) -> list[OutboxMessage]:
    """In the transaction that finished the job: one message per subscribed endpoint and one for
    the job's own ``webhookUrl``. Returns the outbox rows to publish after commit."""
    job = session.get(RenderJob, uuid.UUID(str(job_id)))
    if job is None or not JobStatus(job.status).finished:
        return []
    event = "render.succeeded" if job.status == JobStatus.SUCCEEDED.value else "render.failed"
    recipients: list[_Recipient] = []
    if job.account_id is not None:
        for endpoint in session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.account_id == job.account_id,
                WebhookEndpoint.enabled.is_(True),
                WebhookEndpoint.deleted_at.is_(None),
                WebhookEndpoint.events.any(event),
            )
        ):
            recipients.append(_Recipient(job.account_id, endpoint.id, job.id, endpoint.url))
    if job.webhook_url:
        recipients.append(_Recipient(job.account_id, None, job.id, job.webhook_url))
    if not recipients:
        return []
    return _enqueue(session, recipients, event, job_summary(job, settings), now)


def enqueue_test(
    session: Session, endpoint: WebhookEndpoint, now: dt.datetime
) -> tuple[uuid.UUID, OutboxMessage]:
    recipient = _Recipient(endpoint.account_id, endpoint.id, None, endpoint.url)
    [row] = _enqueue(session, [recipient], endpoints.TEST_EVENT, {"endpointId": str(endpoint.id)}, now)
    return uuid.UUID(row.payload["message_id"]), row


def redeliver(
    session: Session, message: WebhookMessage, actor: audit.Actor, now: dt.datetime
) -> OutboxMessage:
    """Send a message again now (same ``webhook-id``), whatever became of it; audited."""
    before = {"status": message.status, "attempts": message.attempts}
    row = _due_now(session, message, now)
    session.flush()
    audit.record(
        session,
        "webhook.redelivered",
        actor,
        message.account_id,
        ("webhook_message", message.id),
        before=before,
        after={"status": "pending"},
    )
    return row


class NotSent(enum.StrEnum):
    """Why a delivery task sends nothing (besides the message being finished already)."""

    MISSING = "missing"
    BUSY = "busy"  # another worker holds the message's lock
    NOT_DUE = "not-due"
    ENDPOINT_DISABLED = "endpoint-disabled"
    NO_ACCOUNT = "no-account"


@dataclasses.dataclass(frozen=True)
class Delivery:
    message_id: uuid.UUID
    url: str
    body: str
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A delivery to make now, or the reason there is none."""

    delivery: Delivery | None = None
    reason: NotSent | DeliveryStatus | None = None


def prepare(session: Session, message_id: uuid.UUID, settings: Settings, now: dt.datetime) -> Prepared:
    """What to send for a due message, or why nothing is sent now."""
    message = session.get(WebhookMessage, message_id)
    if message is None:
        return Prepared(reason=NotSent.MISSING)
    if message.status != DeliveryStatus.PENDING:
        return Prepared(reason=DeliveryStatus(message.status))
    if message.next_attempt_at is not None and message.next_attempt_at > now:
        return Prepared(reason=NotSent.NOT_DUE)
    if message.endpoint_id is not None:
        endpoint = session.get(WebhookEndpoint, message.endpoint_id)
        if endpoint is None or not endpoint.enabled or endpoint.deleted_at is not None:
            message.status = DeliveryStatus.FAILED
            message.last_error = "the endpoint is disabled or deleted"
            return Prepared(reason=NotSent.ENDPOINT_DISABLED)
        secrets = endpoints.signing_secrets(endpoint, settings.secret_key, now)
        url = endpoint.url
    else:
        if message.account_id is None:
            message.status = DeliveryStatus.FAILED
            return Prepared(reason=NotSent.NO_ACCOUNT)
        secrets = [endpoints.one_off_secret(message.account_id, settings.secret_key)]
        url = message.url
    return Prepared(Delivery(message.id, url, message.body, sign(message.id, message.body, secrets, now)))


def sign(message_id: uuid.UUID, body: str, secrets: list[str], now: dt.datetime) -> dict[str, str]:
    """Standard Webhooks headers; one signature per secret, space-separated."""
    msg_id = webhook_id(message_id)
    signatures = " ".join(Webhook(secret).sign(msg_id, now, body) for secret in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "Chartfleet-Webhooks/1",
    }


@dataclasses.dataclass(frozen=True)
class Answer:
    """What happened to one attempt."""

    status_code: int | None = None
    latency_ms: int | None = None
    body: str | None = None
    error: str | None = None
    retry_after: float | None = None
    abort: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def record(
    session: Session,
    message_id: uuid.UUID,
    answer: Answer,
    settings: Settings,
    now: dt.datetime,
    rng: random.Random | Any = random,
) -> str:
    """Record an attempt and decide what comes next; returns the message's new status (a
    ``DeliveryStatus``, or ``NotSent.MISSING``)."""
    message = session.get(WebhookMessage, message_id, with_for_update=True)
    if message is None:
        return NotSent.MISSING
    error = answer.error
    if error is None and not answer.succeeded and answer.status_code is not None:
        error = f"HTTP {answer.status_code}" + (
            " (redirects are not followed)" if 300 <= answer.status_code < 400 else ""
        )
    session.add(
        WebhookAttempt(
            message_id=message.id,
            attempted_at=now,
            status_code=answer.status_code,
            latency_ms=answer.latency_ms,
            response_body=answer.body,
            error=error[:1000] if error else None,
            succeeded=answer.succeeded,
        )
    )
    message.attempts += 1
    endpoint = session.get(WebhookEndpoint, message.endpoint_id) if message.endpoint_id else None
    if answer.succeeded:
        message.status = DeliveryStatus.DELIVERED
        message.delivered_at = now
        message.next_attempt_at = None
        message.last_error = None
        if endpoint is not None:
            endpoint.failing_since = None
        return message.status
    message.last_error = error[:1000] if error else "failed"
    if endpoint is not None and endpoint.failing_since is None:
        endpoint.failing_since = now
    if answer.status_code == 410 and endpoint is not None and endpoint.enabled:
        endpoint.failing_since = endpoint.failing_since or now
        endpoints.disable(session, endpoint, "The receiver answered 410 Gone", now)
        message.status = DeliveryStatus.FAILED
    elif answer.abort:
        message.status = DeliveryStatus.ABORTED
    else:
        delay = next_delay(message.attempts, rng)
        if delay is not None and answer.retry_after is not None and answer.status_code in (429, 503):
            delay = max(delay, min(answer.retry_after, MAX_RETRY_AFTER))
        if delay is None:
            message.status = DeliveryStatus.FAILED
        else:
            message.next_attempt_at = now + dt.timedelta(seconds=delay)
    if message.status != DeliveryStatus.PENDING:
        message.next_attempt_at = None
    if (
        endpoint is not None
        and endpoint.enabled
        and endpoint.failing_since is not None
        and (now - endpoint.failing_since).total_seconds() >= settings.webhook_disable_after
    ):
        days = settings.webhook_disable_after / 86400
        endpoints.disable(session, endpoint, f"Every attempt failed for {days:g} days", now)
    return message.status


def due_messages(
    session: Session, settings: Settings, now: dt.datetime, queue_idle: bool, limit: int = 500
) -> list[uuid.UUID]:
    """Messages to queue now: retries that came due since their last dispatch, and (when the queue
    is idle) due messages dispatched long ago that nobody is delivering (their message was lost or
    their worker died). Stamps ``dispatched_at``; the caller publishes after commit."""
    stale = now - dt.timedelta(seconds=settings.webhook_redispatch_after)
    rows = session.scalars(
        select(WebhookMessage)
        .where(
            WebhookMessage.status == DeliveryStatus.PENDING,
            WebhookMessage.next_attempt_at <= now,
            WebhookMessage.dispatched_at.is_(None)
            | (WebhookMessage.dispatched_at < WebhookMessage.next_attempt_at)
            | (WebhookMessage.dispatched_at < stale),
        )
        .order_by(WebhookMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    out = []
    for row in rows:
        retry_due = row.dispatched_at is None or row.dispatched_at < row.next_attempt_at
        if not retry_due:
            if not queue_idle:
                continue  # its message may still be waiting in the queue
            if not try_transaction_lock(session, lock_id(LockSpace.WEBHOOK_MESSAGE, row.id)):
                continue  # a live worker is delivering it
        row.dispatched_at = now
        out.append(row.id)
    return out


def attempts_by_message(
    session: Session, message_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    """Every recorded attempt of ``message_ids``, oldest first, in one query."""
    attempts: dict[uuid.UUID, list[WebhookAttempt]] = {mid: [] for mid in message_ids}
    if message_ids:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.message_id.in_(message_ids))
            .order_by(WebhookAttempt.id)
        ):
            attempts[attempt.message_id].append(attempt)
    return attempts


def describe(session: Session, messages: Sequence[WebhookMessage]) -> list[dict[str, Any]]:
    """``messages`` with every recorded attempt, as the management API and the dashboard show them."""
    attempts = attempts_by_message(session, [m.id for m in messages])
    return [
        {
            "id": m.id,
            "webhookId": webhook_id(m.id),
            "eventType": m.event_type,
            "jobId": m.job_id,
            "status": m.status,
            "attemptCount": len(attempts[m.id]),
            "nextAttemptAt": m.next_attempt_at,
            "createdAt": m.created_at,
            "deliveredAt": m.delivered_at,
            "lastError": m.last_error,
            "attempts": [
                {
                    "attemptedAt": a.attempted_at,
                    "statusCode": a.status_code,
                    "latencyMs": a.latency_ms,
                    "response": a.response_body,
                    "error": a.error,
                    "succeeded": a.succeeded,
                }
                for a in attempts[m.id]
            ],
        }
        for m in messages
    ]
