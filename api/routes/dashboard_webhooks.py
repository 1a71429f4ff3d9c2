"""Dashboard: webhook endpoints (``/app/webhooks``): subscribe, the secret shown once, rotate,
enable/disable, delete, recent deliveries with every attempt, redeliver and a test event.

Same core services as the JSON API in api/routes/webhooks.py (same checks, same audit rows, same
outbox dispatch); only the transport differs (HTML forms with CSRF tokens).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from flask import Blueprint, abort, g, redirect, request, url_for
from sqlalchemy import select

from api import flash
from api.errors import ApiError
from api.extensions import services
from api.routes.dashboard import _csrf_failed, _csrf_ok, _member_page, _page
from api.routes.webhooks import check_destination, subscribe
from core.db import utcnow
from core.models import WebhookMessage
from core.models.webhooks import MAX_URL_LENGTH
from core.services import outbox, quotas
from core.services.webhooks import deliveries, endpoints

bp = Blueprint("dashboard_webhooks", __name__)
RECENT_DELIVERIES = 25
EXCERPT = 200


def _not_found():
    return _page("message.html", 404, title="Not found", message="No such webhook endpoint in this account.")


def _plan_allows(session) -> tuple[bool, str]:
    terms = quotas.terms_for(session, g.principal)
    return terms.webhooks_allowed, terms.name


def _list_page(status: int = 200, *, form=None, errors=None, created=None):
    account_id = g.principal.account_id
    with services().sessions() as session:
        rows = endpoints.list_endpoints(session, account_id)
        counts = endpoints.counts(session, [r.id for r in rows])
        hooks = [endpoints.view(r, counts[r.id]) for r in rows]
        allowed, plan = _plan_allows(session)
    return _page(
        "app/webhooks.html",
        status,
        hooks=hooks,
        form=form or {"url": "", "description": "", "events": list(endpoints.EVENT_TYPES)},
        errors=errors or {},
        created=created,
        event_types=endpoints.EVENT_TYPES,
        allowed=allowed,
        plan=plan,
    )


@_member_page(bp, "/app/webhooks", "Webhooks", methods=("GET", "POST"))
def webhooks():
    if request.method == "GET":
        return _list_page(created=flash.pop("webhook_created"))
    if not _csrf_ok():
        return _csrf_failed()
    principal = g.principal
    form = {
        "url": request.form.get("url", "").strip(),
        "description": request.form.get("description", "").strip(),
        "events": request.form.getlist("events"),
    }
    errors: dict[str, str] = {}
    if not form["url"]:
        errors["url"] = "Enter the https URL that receives the events."
    elif len(form["url"]) > MAX_URL_LENGTH:
        errors["url"] = f"At most {MAX_URL_LENGTH} characters."
    if len(form["description"]) > 500:
        errors["description"] = "At most 500 characters."
    try:
        endpoints.check_events(form["events"])
    except endpoints.WebhookError as exc:
        errors["events"] = str(exc).capitalize() + "."
    svc = services()
    with svc.sessions() as session:
        allowed, plan = _plan_allows(session)
    if not allowed:
        errors["url"] = f"Webhooks are not available on the {plan} plan."
    if not errors:
        try:
            check_destination(form["url"])  # resolves the host: outside any transaction
        except ApiError as exc:
            errors["url"] = exc.detail.get("detail", "This URL may not receive webhooks.")
    if errors:
        return _list_page(400, form=form, errors=errors)
    with svc.sessions() as session, session.begin():
        row, secret = subscribe(session, principal, form)
        # Post/Redirect/Get: the secret is shown once, by the page the browser is sent to
        flash.put("webhook_created", id=str(row.id), url=row.url, secret=secret)
    return redirect(url_for(".webhooks"), code=303)


def _deliveries(session, endpoint_id: uuid.UUID) -> list[dict]:
    rows = session.scalars(
        select(WebhookMessage)
        .where(WebhookMessage.endpoint_id == endpoint_id)
        .order_by(WebhookMessage.created_at.desc())
        .limit(RECENT_DELIVERIES)
    ).all()
    recent = deliveries.describe(session, rows)
    for delivery in recent:
        for attempt in delivery["attempts"]:
            attempt["excerpt"] = _excerpt(attempt["response"] or "")
    return recent


def _detail_page(endpoint_id: uuid.UUID, status: int = 200, *, secret=None, notice=None, error=None):
    with services().sessions() as session:
        row = _owned(session, endpoint_id)
        hook = endpoints.view(row, endpoints.counts(session, [row.id])[row.id])
        recent = _deliveries(session, row.id)
    return _page(
        "app/webhook_detail.html",
        status,
        hook=hook,
        deliveries=recent,
        secret=secret,
        notice=notice,
        error=error,
    )


@_member_page(bp, "/app/webhooks/<uuid:endpoint_id>", "One webhook endpoint")
def webhook_detail(endpoint_id: uuid.UUID):
    shown = flash.pop("webhook_secret")
    secret = shown["secret"] if shown and shown.get("id") == str(endpoint_id) else None
    return _detail_page(endpoint_id, notice=request.args.get("notice"), secret=secret)


def _action(rule: str, summary: str):
    """A form POST on one endpoint: signed in, with a valid CSRF token (the view's name is kept for
    ``url_for``)."""

    def register(view):
        @functools.wraps(view)
        def guarded(**kwargs):
            if not _csrf_ok():
                return _csrf_failed()
            return view(**kwargs)

        return _member_page(bp, rule, summary, methods=("POST",))(guarded)

    return register


def _owned(session, endpoint_id: uuid.UUID):
    """The account's endpoint ``endpoint_id``; the not-found page otherwise."""
    row = endpoints.get_endpoint(session, g.principal.account_id, endpoint_id)
    if row is None:
        abort(_not_found())
    return row


@_action("/app/webhooks/<uuid:endpoint_id>/test", "Send a test event")
def send_test(endpoint_id: uuid.UUID):
    svc = services()
    with svc.sessions() as session, session.begin():
        row = _owned(session, endpoint_id)
        if not row.enabled:
            return _detail_page(endpoint_id, 409, error="The endpoint is disabled: enable it first.")
        _, message = deliveries.enqueue_test(session, row, utcnow())
    outbox.dispatch(svc.celery, svc.settings, message)
    return redirect(
        url_for(".webhook_detail", endpoint_id=endpoint_id, notice="Test event queued."), code=303
    )


@_action("/app/webhooks/<uuid:endpoint_id>/rotate", "Rotate a webhook secret")
def rotate(endpoint_id: uuid.UUID):
    svc = services()
    hours = request.form.get("grace_hours", "24").strip() or "24"
    if not hours.isdigit() or int(hours) > 168:
        return _detail_page(endpoint_id, 400, error="Keep the old secret 0 to 168 hours (7 days).")
    with svc.sessions() as session, session.begin():
        secret = endpoints.rotate_secret(
            session,
            _owned(session, endpoint_id),
            dt.timedelta(hours=int(hours)),
            svc.settings.secret_key,
            g.principal.actor(g.request_id),
        )
    flash.put("webhook_secret", id=str(endpoint_id), secret=secret)
    return redirect(url_for(".webhook_detail", endpoint_id=endpoint_id), code=303)


@_action("/app/webhooks/<uuid:endpoint_id>/enabled", "Enable or disable a webhook endpoint")
def set_enabled(endpoint_id: uuid.UUID):
    enabled = request.form.get("enabled") == "true"
    with services().sessions() as session, session.begin():
        row = _owned(session, endpoint_id)
        if enabled:
            allowed, plan = _plan_allows(session)
            if not allowed:
                return _detail_page(endpoint_id, 403, error=f"Webhooks are not available on the {plan} plan.")
        endpoints.update_endpoint(session, row, {"enabled": enabled}, g.principal.actor(g.request_id))
    notice = "Enabled." if enabled else "Disabled."
    return redirect(url_for(".webhook_detail", endpoint_id=endpoint_id, notice=notice), code=303)


@_action("/app/webhooks/<uuid:endpoint_id>/delete", "Delete a webhook endpoint")
def delete(endpoint_id: uuid.UUID):
    with services().sessions() as session, session.begin():
        endpoints.delete_endpoint(session, _owned(session, endpoint_id), g.principal.actor(g.request_id))
    return redirect(url_for(".webhooks"), code=303)


@_action(
    "/app/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver", "Redeliver a webhook message"
)
def redeliver(endpoint_id: uuid.UUID, delivery_id: uuid.UUID):
    svc = services()
    with svc.sessions() as session, session.begin():
        row = _owned(session, endpoint_id)
        message = session.get(WebhookMessage, delivery_id, with_for_update=True)
        if message is None or message.endpoint_id != row.id:
            return _page(
                "message.html", 404, title="Not found", message="No such delivery for this endpoint."
            )
        if not row.enabled:
            return _detail_page(endpoint_id, 409, error="The endpoint is disabled: enable it first.")
        queued = deliveries.redeliver(session, message, g.principal.actor(g.request_id), utcnow())
    outbox.dispatch(svc.celery, svc.settings, queued)
    return redirect(
        url_for(".webhook_detail", endpoint_id=endpoint_id, notice="Delivery queued again."), code=303
    )


def _excerpt(body: str) -> str:
    return body[:EXCERPT] + ("…" if len(body) > EXCERPT else "")
