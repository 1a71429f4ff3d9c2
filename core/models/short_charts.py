"""Charts stored behind QuickChart-style short URLs (``POST /chart/create``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class ShortChart(Base):
    __tablename__ = "short_charts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, URL-safe
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    owner: Mapped[str] = mapped_column(String(80))  # "account:<uuid>" or "ip:<address>"
    # The validated QuickChart request (config as data, size, ratio, background, format, version);
    # json, not jsonb: stored and read back whole, never queried inside.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)  # the plan's retention
