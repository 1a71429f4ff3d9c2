"""Webhooks: the endpoints an account subscribes, the messages (one per event and destination) and
every delivery attempt of a message.

A message's ``body`` is stored as sent, so every attempt signs the same bytes; its id is the
``webhook-id`` header (stable across retries, so receivers can de-duplicate).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

MAX_URL_LENGTH = 2000  # characters in a webhook destination URL


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(MAX_URL_LENGTH))
    description: Mapped[str] = mapped_column(String(500), server_default="")
    events: Mapped[list[str]] = mapped_column(ARRAY(String(50)))
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    # Signing secrets, Fernet-encrypted with CHARTFLEET_SECRET_KEY (they must be usable as HMAC keys).
    secret: Mapped[str] = mapped_column(Text)
    previous_secret: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[dt.datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))  # the dashboard flag
    disabled_at: Mapped[dt.datetime | None]
    failing_since: Mapped[dt.datetime | None]  # first failed attempt since the last success
    deleted_at: Mapped[dt.datetime | None]  # soft delete: the delivery log outlives the endpoint
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class DeliveryStatus(enum.StrEnum):
    """Where a webhook message stands: waiting for (another) attempt, or done for good."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # out of attempts, or its endpoint was disabled
    ABORTED = "aborted"  # refused before sending (e.g. an address that is not public)


class WebhookMessage(Base):
    __tablename__ = "webhook_messages"
    __table_args__ = (
        Index("ix_webhook_messages_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_messages_endpoint", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # None for a job's one-off webhookUrl.
    endpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("render_jobs.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(String(MAX_URL_LENGTH))
    event_type: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime | None]
    dispatched_at: Mapped[dt.datetime | None]  # last time a delivery task was queued for it
    delivered_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[dt.datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)  # first 1 KB
    error: Mapped[str | None] = mapped_column(String(1000))
    succeeded: Mapped[bool]
