"""Read models of the management API: stats of the month, render history, usage by day.

Everything is computed from ``render_jobs`` (through its ``(owner, queued_at)`` index) and the
month's usage counter, which is the number the quota is enforced on.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import JobStatus, RenderJob
from core.services.plans import PlanTerms, account_terms
from core.services.quotas import current_usage, month_start, next_month

FINISHED = (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value, JobStatus.DEAD.value)


def _owner(account_id: uuid.UUID) -> str:
    return f"account:{account_id}"


def _period_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(period.year, period.month, 1, tzinfo=dt.UTC)
    end_day = next_month(period)
    return start, dt.datetime(end_day.year, end_day.month, 1, tzinfo=dt.UTC)


def stats(session: Session, account_id: uuid.UUID, now: dt.datetime | None = None) -> dict[str, Any]:
    """This month's renders, success rate and latency (queued to finished, rendered jobs only)."""
    now = now or utcnow()
    period = month_start(now)
    start, end = _period_bounds(period)
    j = RenderJob
    row = session.execute(
        select(
            func.count(),
            func.count().filter(j.cache_hit.is_(False)),
            func.count().filter(j.cache_hit.is_(True)),
            func.count().filter(j.status == JobStatus.SUCCEEDED.value),
            func.count().filter(j.status.in_(FINISHED)),
            func.avg(func.extract("epoch", j.finished_at - j.queued_at) * 1000).filter(
                j.cache_hit.is_(False), j.status == JobStatus.SUCCEEDED.value
            ),
            func.avg(j.render_ms).filter(j.cache_hit.is_(False), j.status == JobStatus.SUCCEEDED.value),
        ).where(j.owner == _owner(account_id), j.queued_at >= start, j.queued_at < end)
    ).one()
    total, rendered, hits, succeeded, finished, latency, render_ms = row
    terms = account_terms(session, account_id)
    return {
        "period": {"start": start, "end": end},
        "plan": terms.name,
        "rendersThisMonth": total,
        "rendered": rendered,
        "cacheHits": hits,
        "succeeded": succeeded,
        "failed": finished - succeeded,
        "successRate": round(succeeded / finished, 4) if finished else None,
        "averageLatencyMs": round(float(latency)) if latency is not None else None,
        "averageRenderMs": round(float(render_ms)) if render_ms is not None else None,
        "quota": _quota_view(session, account_id, terms, period),
    }


def _quota_view(session: Session, account_id: uuid.UUID, terms: PlanTerms, period: dt.date) -> dict[str, Any]:
    used = current_usage(session, _owner(account_id), period)
    over = max(0, used - terms.monthly_quota)
    return {
        "limit": terms.monthly_quota,
        "used": used,
        "remaining": max(0, terms.monthly_quota - used),
        "hardLimit": terms.hard_quota,
        "overage": over,
        "overageCents": (over * terms.overage_cents_per_1000 + 999) // 1000
        if terms.overage_cents_per_1000
        else 0,
    }


def usage(session: Session, account_id: uuid.UUID, now: dt.datetime | None = None) -> dict[str, Any]:
    """The current month by day against the quota. ``renders`` are charged renders (the quota's
    unit); ``cacheHits`` are served from the cache and cost nothing."""
    now = now or utcnow()
    period = month_start(now)
    start, end = _period_bounds(period)
    day = cast(func.timezone("UTC", RenderJob.queued_at), Date)
    rows = session.execute(
        select(
            day,
            func.count().filter(RenderJob.cache_hit.is_(False)),
            func.count().filter(RenderJob.cache_hit.is_(True)),
        )
        .where(RenderJob.owner == _owner(account_id), RenderJob.queued_at >= start, RenderJob.queued_at < end)
        .group_by(day)
    ).all()
    by_day = {d: (renders, hits) for d, renders, hits in rows}
    terms = account_terms(session, account_id)
    days = []
    cursor, today = period, now.date()
    while cursor <= today and cursor < end.date():
        renders, hits = by_day.get(cursor, (0, 0))
        days.append({"date": cursor, "renders": renders, "cacheHits": hits})
        cursor += dt.timedelta(days=1)
    return {
        "plan": terms.name,
        "period": {"start": start, "end": end},
        "trialEndsAt": terms.trial_ends_at,
        **_quota_view(session, account_id, terms, period),
        "days": days,
    }


def encode_cursor(queued_at: dt.datetime, job_id: uuid.UUID) -> str:
    raw = f"{queued_at.isoformat()}|{job_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    """Raises ValueError for a cursor this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, job_id = raw.split("|", 1)
        moment = dt.datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment, uuid.UUID(job_id)
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("invalid cursor") from exc


def render_history(
    session: Session, account_id: uuid.UUID, *, limit: int = 10, cursor: str | None = None
) -> tuple[list[RenderJob], str | None]:
    """The account's jobs, newest first; returns ``(jobs, next_cursor)`` (keyset pagination, so
    pages stay stable while new renders arrive)."""
    query = select(RenderJob).where(RenderJob.owner == _owner(account_id))
    if cursor:
        at, job_id = decode_cursor(cursor)
        query = query.where(
            or_(RenderJob.queued_at < at, and_(RenderJob.queued_at == at, RenderJob.id < job_id))
        )
    jobs = list(
        session.scalars(query.order_by(RenderJob.queued_at.desc(), RenderJob.id.desc()).limit(limit + 1))
    )
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return jobs, (encode_cursor(jobs[-1].queued_at, jobs[-1].id) if more and jobs else None)
