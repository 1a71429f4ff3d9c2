"""The transactional outbox: messages written in the same transaction as the state they announce.

The writer publishes right after commit (fast path). The consumer stamps ``consumed_at`` in the
same transaction as the work the message asks for (the message carries the row's id). The relay on
beat republishes rows still unconsumed after a grace period, once their queue has drained (a
message still waiting in a busy queue is not lost). Consumers are idempotent, so publishing twice is
harmless while losing a message is impossible.
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
        Index("ix_outbox_unconsumed", "created_at", postgresql_where=text("consumed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(100))  # Celery task name
    queue: Mapped[str] = mapped_column(String(50))  # logical queue (render, webhooks, maintenance)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[dt.datetime | None]  # last publish by the relay (the fast path doesn't stamp)
    consumed_at: Mapped[dt.datetime | None]
    publish_count: Mapped[int] = mapped_column(default=0)
