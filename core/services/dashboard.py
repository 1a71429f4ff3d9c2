"""Read models of the dashboard pages that the management API does not already have: percentiles,
breakdowns of the period per key and per dialect, past periods with their invoices, the month-end
projection and the filtered render history.

Every query is bounded by ``owner`` and a ``queued_at`` range or a keyset page, so it runs on the
``(owner, queued_at)`` / ``(owner, status, queued_at)`` indexes whatever the history's length.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import ApiKey, JobStatus, RenderJob, UsageCounter
from core.services.plans import PlanTerms, account_terms, get_plan
from core.services.quotas import month_start, next_month
from core.services.reports import decode_cursor, encode_cursor

STATUSES = tuple(s.value for s in JobStatus)
PAST_PERIODS = 12


def owner_of(account_id: uuid.UUID) -> str:
    return f"account:{account_id}"


def period_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    end = next_month(period)
    return (
        dt.datetime(period.year, period.month, 1, tzinfo=dt.UTC),
        dt.datetime(end.year, end.month, 1, tzinfo=dt.UTC),
    )


def render_times(session: Session, account_id: uuid.UUID, now: dt.datetime | None = None) -> dict[str, Any]:
    """This month's average and p95 render time (rendered jobs, cache hits excluded) and the
    cache-hit ratio of succeeded jobs."""
    start, end = period_bounds(month_start(now or utcnow()))
    j = RenderJob
    rendered = and_(j.cache_hit.is_(False), j.status == JobStatus.SUCCEEDED.value)
    avg, p95, hits, succeeded = session.execute(
        select(
            func.avg(j.render_ms).filter(rendered),
            func.percentile_cont(0.95).within_group(j.render_ms).filter(rendered),
            func.count().filter(j.cache_hit.is_(True)),
            func.count().filter(j.status == JobStatus.SUCCEEDED.value),
        ).where(j.owner == owner_of(account_id), j.queued_at >= start, j.queued_at < end)
    ).one()
    return {
        "averageRenderMs": round(float(avg)) if avg is not None else None,
        "p95RenderMs": round(float(p95)) if p95 is not None else None,
        "cacheHitRatio": round(hits / succeeded, 4) if succeeded else None,
    }


def invoice(terms: PlanTerms, price_cents: int, used: int) -> dict[str, Any]:
    """Plan price plus overage (rounded up to the cent) for ``used`` charged renders."""
    over = max(0, used - terms.monthly_quota)
    overage_cents = (over * terms.overage_cents_per_1000 + 999) // 1000 if terms.overage_cents_per_1000 else 0
    return {
        "priceCents": price_cents,
        "overage": over,
        "overageCents": overage_cents,
        "totalCents": price_cents + overage_cents,
    }


def projection(used: int, now: dt.datetime) -> int:
    """Month-end usage if the rest of the month goes like its elapsed part (linear)."""
    start, end = period_bounds(month_start(now))
    elapsed = max((now - start).total_seconds(), 3600.0)  # the first hour says little
    return round(used * (end - start).total_seconds() / elapsed)


def breakdowns(session: Session, account_id: uuid.UUID, now: dt.datetime | None = None) -> dict[str, Any]:
    """The period's jobs per API key and per dialect (charged renders and cache hits)."""
    start, end = period_bounds(month_start(now or utcnow()))
    j = RenderJob
    in_period = (j.owner == owner_of(account_id), j.queued_at >= start, j.queued_at < end)
    renders = func.count().filter(j.cache_hit.is_(False))
    hits = func.count().filter(j.cache_hit.is_(True))
    by_key_rows = session.execute(
        select(j.api_key_id, renders, hits).where(*in_period).group_by(j.api_key_id)
    ).all()
    names = {
        k.id: (k.name, k.prefix)
        for k in session.scalars(
            select(ApiKey).where(ApiKey.id.in_([r[0] for r in by_key_rows if r[0] is not None]))
        )
    }
    by_key = []
    for key_id, n, h in by_key_rows:
        name, prefix = names.get(key_id, ("", "")) if key_id else ("Dashboard and unkeyed", "")
        by_key.append({"keyId": key_id, "name": name, "prefix": prefix, "renders": n, "cacheHits": h})
    by_dialect = [
        {"dialect": d, "renders": n, "cacheHits": h}
        for d, n, h in session.execute(select(j.dialect, renders, hits).where(*in_period).group_by(j.dialect))
    ]
    by_key.sort(key=lambda r: -(r["renders"] + r["cacheHits"]))
    by_dialect.sort(key=lambda r: -(r["renders"] + r["cacheHits"]))
    return {"byKey": by_key, "byDialect": by_dialect}


def past_periods(session: Session, account_id: uuid.UUID, now: dt.datetime | None = None) -> list[dict]:
    """Closed months from the usage counter (the number that was billed), newest first, priced
    with the account's current plan (plan history is not kept; see docs/dashboard.md)."""
    current = month_start(now or utcnow())
    terms = account_terms(session, account_id)
    price = get_plan(session, terms.name).price_cents
    rows = session.execute(
        select(UsageCounter.period, UsageCounter.renders)
        .where(UsageCounter.owner == owner_of(account_id), UsageCounter.period < current)
        .order_by(UsageCounter.period.desc())
        .limit(PAST_PERIODS)
    ).all()
    return [{"period": p, "renders": n, **invoice(terms, price, n)} for p, n in rows]


@dataclasses.dataclass
class RenderFilter:
    status: str | None = None
    dialect: str | None = None
    format: str | None = None
    cache: str | None = None  # "hit" | "miss"
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    q: str | None = None  # a job id, or text of the error


def search_renders(
    session: Session, account_id: uuid.UUID, f: RenderFilter, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[RenderJob], str | None]:
    """The account's jobs matching ``f``, newest first, keyset-paginated like the API's history.
    Raises ValueError for a cursor this module did not make."""
    j = RenderJob
    query = select(j).where(j.owner == owner_of(account_id))
    if f.status:
        query = query.where(j.status == f.status)
    if f.dialect:
        query = query.where(j.dialect == f.dialect)
    if f.format:
        query = query.where(j.format == f.format)
    if f.cache in ("hit", "miss"):
        query = query.where(j.cache_hit.is_(f.cache == "hit"))
    if f.since:
        query = query.where(j.queued_at >= f.since)
    if f.until:
        query = query.where(j.queued_at < f.until)
    if f.q:
        try:
            query = query.where(j.id == uuid.UUID(f.q))
        except ValueError:
            query = query.where(j.error.ilike(f"%{_like_escape(f.q)}%", escape="\\"))
    if cursor:
        at, job_id = decode_cursor(cursor)
        query = query.where(or_(j.queued_at < at, and_(j.queued_at == at, j.id < job_id)))
    jobs = list(session.scalars(query.order_by(j.queued_at.desc(), j.id.desc()).limit(limit + 1)))
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return jobs, (encode_cursor(jobs[-1].queued_at, jobs[-1].id) if more and jobs else None)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def job_of(session: Session, account_id: uuid.UUID, job_id: uuid.UUID) -> RenderJob | None:
    job = session.get(RenderJob, job_id)
    if job is None or job.owner != owner_of(account_id):
        return None
    return job
