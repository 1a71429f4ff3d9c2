"""The transactional outbox: messages written in the same transaction as the state they announce.

The writer publishes right after commit (fast path) and stamps ``published_at``; the relay on beat
publishes whatever is still unpublished after a grace period (slow path). Consumers are idempotent,
so publishing twice is harmless while losing a message is impossible.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unpublished", "created_at", postgresql_where=text("published_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(100))  # Celery task name
    queue: Mapped[str] = mapped_column(String(50))  # logical queue (render, webhooks, maintenance)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[dt.datetime | None]
    publish_count: Mapped[int] = mapped_column(default=0)
