"""Monthly render counters: one row per owner (account or anonymous client) and month.

A charge is one conditional upsert on this row in the transaction that inserts the job, so the
count is exact under any concurrency (see core/services/quotas.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class UsageCounter(Base):
    __tablename__ = "usage_counters"
    __table_args__ = (CheckConstraint("renders >= 0", name="renders_not_negative"),)

    owner: Mapped[str] = mapped_column(String(80), primary_key=True)  # "account:<uuid>" or "ip:<address>"
    period: Mapped[dt.date] = mapped_column(primary_key=True)  # first day of the month (UTC)
    renders: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
