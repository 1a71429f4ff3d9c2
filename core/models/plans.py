"""Plans: what an account (or an anonymous client IP) may do and what it costs.

Plans live in the database, seeded by migration 0004 and edited by operators with
``chartfleet plans set``; every change is audited. Money is in integer cents.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("monthly_quota >= 0", name="quota_not_negative"),
        CheckConstraint("rate_limit > 0 AND rate_window_seconds > 0", name="rate_limit_positive"),
        CheckConstraint(
            "max_width BETWEEN 100 AND 4000 AND max_height BETWEEN 100 AND 4000", name="max_size"
        ),
        CheckConstraint("retention_days > 0", name="retention_positive"),
        CheckConstraint("price_cents >= 0 AND coalesce(overage_cents_per_1000, 0) >= 0", name="money"),
        CheckConstraint("trial_days IS NULL OR trial_days > 0", name="trial_days_positive"),
    )

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Renders per calendar month (UTC). Cache hits and idempotent replays are not renders.
    monthly_quota: Mapped[int]
    # None: the quota is a hard stop (402). A price: renders past the quota go on and are billed.
    overage_cents_per_1000: Mapped[int | None]
    rate_limit: Mapped[int]  # requests per window, per API key (or per client IP when anonymous)
    rate_window_seconds: Mapped[int] = mapped_column(server_default=text("900"))
    max_width: Mapped[int]  # CSS pixels, before devicePixelRatio
    max_height: Mapped[int]
    formats: Mapped[list[str]] = mapped_column(ARRAY(String(10)))
    retention_days: Mapped[int]  # drives a job's expiresAt
    webhooks_allowed: Mapped[bool]
    price_cents: Mapped[int]  # per month
    trial_days: Mapped[int | None]  # set on the trial plan: its length for new sign-ups
    sort_order: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
