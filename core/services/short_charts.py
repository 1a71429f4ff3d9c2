"""Short URLs for QuickChart requests: a stored, validated request under a random id, kept for the
plan's retention (the creator's plan; the anonymous plan's for anonymous creators)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import ShortChart
from core.services import quotas
from core.services.keys import Principal

ID_BYTES = 12  # 16 URL-safe characters: 96 random bits, not guessable


def create(
    session: Session, principal: Principal, request: dict[str, Any], *, retention_days: int
) -> ShortChart:
    """Store ``request`` (a ``QuickChartRequest.stored()`` dict) for ``principal``'s retention."""
    terms = quotas.terms_for(session, principal)
    days = terms.retention_days or retention_days
    chart = ShortChart(
        id=secrets.token_urlsafe(ID_BYTES),
        account_id=principal.account_id,
        owner=principal.owner,
        request=request,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(chart)
    session.flush()
    return chart


def find(session: Session, chart_id: str, now: dt.datetime | None = None) -> ShortChart | None:
    """The stored chart, or None when it does not exist or has expired."""
    chart = session.get(ShortChart, chart_id)
    if chart is None or chart.expires_at <= (now or utcnow()):
        return None
    return chart


def delete_expired(session: Session, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Remove up to ``limit`` expired short charts (the maintenance sweep calls this)."""
    ids = (
        session.query(ShortChart.id)
        .filter(ShortChart.expires_at <= (now or utcnow()))
        .limit(limit)
        .subquery()
    )
    result = session.execute(delete(ShortChart).where(ShortChart.id.in_(ids.select())))
    return result.rowcount or 0
