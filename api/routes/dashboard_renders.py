"""Dashboard: the render history (``/app/renders``), one render's page and its image.

The history is filtered in SQL (status, dialect, format, cache, time range, a job id or error
text) and keyset-paginated like ``GET /api/v1/renders``. Images are served to the session from
storage while the job's retention lasts (``/app/renders/<id>/image``: same-origin, so the session
cookie authenticates the ``<img>``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

from flask import Blueprint, Response, g, request, url_for

from api import auth
from api.extensions import services
from api.rendering import read_image
from api.routes.dashboard import _hidden, _member_page, _page
from core.db import utcnow
from core.models import JobStatus
from core.services import dashboard
from core.specs.model import FORMATS

bp = Blueprint("dashboard_renders", __name__)
DIALECTS = ("chartjs", "imagecharts")  # offered in the filter; any short name is accepted
PAGE_SIZE = 50
_NAME = re.compile(r"[a-z0-9_-]{1,20}")


def image_available(job) -> bool:
    return (
        job.status == JobStatus.SUCCEEDED.value
        and job.object_key is not None
        and (job.expires_at is None or job.expires_at > utcnow())
    )


def _parse_day(value: str, field: str, errors: dict[str, str]) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = "Use a date like 2026-01-31."
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@_member_page(bp, "/app/renders", "Render history")
def renders():
    args = request.args
    form = {
        k: args.get(k, "").strip()[:100] for k in ("status", "dialect", "format", "cache", "from", "to", "q")
    }
    errors: dict[str, str] = {}
    if form["status"] and form["status"] not in dashboard.STATUSES:
        errors["status"] = f"One of {', '.join(dashboard.STATUSES)}."
    if form["format"] and form["format"] not in FORMATS:
        errors["format"] = f"One of {', '.join(FORMATS)}."
    if form["dialect"] and not _NAME.fullmatch(form["dialect"]):
        errors["dialect"] = "A dialect name (letters, digits, - and _)."
    if form["cache"] and form["cache"] not in ("hit", "miss"):
        errors["cache"] = "hit or miss."
    since = _parse_day(form["from"], "from", errors)
    until = _parse_day(form["to"], "to", errors)
    if until is not None:
        until += dt.timedelta(days=1)  # "to" is inclusive
    if since and until and since >= until:
        errors["to"] = "Must not be before the start date."
    jobs, next_cursor = [], None
    if not errors:
        filters = dashboard.RenderFilter(
            status=form["status"] or None,
            dialect=form["dialect"] or None,
            format=form["format"] or None,
            cache=form["cache"] or None,
            since=since,
            until=until,
            q=form["q"] or None,
        )
        try:
            with services().sessions() as session:
                jobs, next_cursor = dashboard.search_renders(
                    session,
                    g.principal.account_id,
                    filters,
                    limit=PAGE_SIZE,
                    cursor=args.get("cursor") or None,
                )
        except ValueError:
            errors["cursor"] = "This page link is invalid; start again from the first page."
    filtered = any(form.values())
    next_url = None
    if next_cursor:
        kept = {k: v for k, v in form.items() if v}
        next_url = url_for("dashboard_renders.renders", cursor=next_cursor, **kept)
    return _page(
        "app/renders.html",
        400 if errors else 200,
        jobs=jobs,
        next_url=next_url,
        form=form,
        errors=errors,
        filtered=filtered,
        statuses=dashboard.STATUSES,
        dialects=DIALECTS,
        formats=FORMATS,
        image_available=image_available,
    )


@_member_page(bp, "/app/renders/<uuid:job_id>", "One render")
def render_detail(job_id: uuid.UUID):
    with services().sessions() as session:
        job = dashboard.job_of(session, g.principal.account_id, job_id)
        if job is None:
            return _page("message.html", 404, title="Not found", message="No such render in this account.")
        spec = json.dumps(job.spec, indent=2, sort_keys=True)
        session.expunge(job)
    return _page("app/render_detail.html", job=job, spec=spec, has_image=image_available(job))


@bp.get("/app/renders/<uuid:job_id>/image")
@auth.page
@_hidden("A render's image")
def render_image(job_id: uuid.UUID):
    if g.get("dashboard") is None:
        return Response("Log in first", 401, mimetype="text/plain")
    with services().sessions() as session:
        job = dashboard.job_of(session, g.principal.account_id, job_id)
        if job is not None:
            session.expunge(job)
    if job is None or not image_available(job):
        return Response("No image: not rendered, or past its retention", 404, mimetype="text/plain")
    response = Response(read_image(job), mimetype=job.content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if job.format == "svg":  # an SVG opened directly must not run script
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
