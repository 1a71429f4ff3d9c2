"""The audit log: who changed what, when, from where, before and after.

Rows are written in the same transaction as the change they describe. The table is append-only for
the application: migration 0004 installs triggers that refuse UPDATE, DELETE and TRUNCATE. There is
deliberately no foreign key to ``accounts``: the record outlives what it describes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_account_id_id", "account_id", "id"),
        Index("ix_audit_logs_account_id_action", "account_id", "action"),
        # the dashboard's audit log filters, newest first (migration 0013)
        Index("ix_audit_logs_account_action_id", "account_id", "action", "id"),
        Index("ix_audit_logs_account_actor_label_id", "account_id", "actor_label", "id"),
        Index("ix_audit_logs_account_actor_id_id", "account_id", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID | None]  # None for platform-wide changes (a plan's terms)
    actor_type: Mapped[str] = mapped_column(String(20))  # member | api_key | operator | system
    actor_id: Mapped[str | None] = mapped_column(String(80))
    actor_label: Mapped[str | None] = mapped_column(String(254))  # email, key prefix, operator name
    action: Mapped[str] = mapped_column(String(80))  # e.g. "api_key.created"
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
