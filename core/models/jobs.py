"""Render jobs: one row per render request, cache hits included (Postgres is the truth)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD)


class RenderJob(Base):
    __tablename__ = "render_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'dead')", name="status_valid"
        ),
        # Idempotency keys are unique per owner (an account, or an anonymous client IP).
        Index(
            "uq_render_jobs_owner_idempotency_key",
            "owner",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        Index("ix_render_jobs_owner_queued_at", "owner", "queued_at"),
        Index("ix_render_jobs_owner_status_queued_at", "owner", "status", "queued_at"),  # dashboard filter
        Index(  # the dashboard's month aggregates, index-only
            "ix_render_jobs_owner_queued_at_covering",
            "owner",
            "queued_at",
            postgresql_include=["status", "cache_hit", "render_ms", "dialect", "api_key_id", "finished_at"],
        ),
        Index(
            "ix_render_jobs_unfinished",
            "status",
            "queued_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(80))  # "account:<uuid>" or "ip:<address>"
    dialect: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10), default="async")  # sync | async
    # json, not jsonb: specs are stored and read back whole, never queried inside, and can be
    # hundreds of KB; json input is validated but not converted, several times cheaper both ways.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)  # loaded only when read
    cache_key: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(10))
    width: Mapped[int]
    height: Mapped[int]
    warnings: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    cache_hit: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    render_ms: Mapped[int | None]
    worker: Mapped[str | None] = mapped_column(String(200))
    object_key: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None]
    etag: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None]
    expires_at: Mapped[dt.datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    webhook_url: Mapped[str | None]
    # Days the image is kept, from the plan the job was charged to (drives expires_at).
    retention_days: Mapped[int | None]

    @property
    def job_status(self) -> JobStatus:
        return JobStatus(self.status)
