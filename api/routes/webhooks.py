"""Webhook endpoints of the caller's account: CRUD, secret rotation, test events, the delivery log
and redelivery. Destinations are checked against the SSRF rules here and again at each attempt."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, g, jsonify
from sqlalchemy import select

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.routes.common import dumped, object_body, principal_for_request, query_args
from api.schemas.common import PageQuerySchema
from api.schemas.webhooks import (
    OneOffSecretSchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookDeliveryPageSchema,
    WebhookEndpointListSchema,
    WebhookEndpointSchema,
    WebhookQueuedSchema,
    WebhookRotateSchema,
    WebhookSecretSchema,
    WebhookUpdateSchema,
)
from core.db import utcnow
from core.models import WebhookEndpoint, WebhookMessage
from core.services import outbox, quotas
from core.services.keys import Principal
from core.services.webhooks import deliveries, endpoints
from core.services.webhooks.addresses import AddressPolicy, UnsafeDestination

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks")
TAGS = ["Webhooks"]
NOT_FOUND = "No such webhook endpoint in this account."
BAD_CURSOR = "Invalid cursor; use the nextCursor of a previous page"


def check_destination(url: str, field: str = "url") -> str:
    """Refuse a URL that may not receive webhooks (400 with the reason)."""
    try:
        AddressPolicy(services().settings).check(url)
    except UnsafeDestination as exc:
        raise ApiError(400, f"{field} is not allowed: {exc}", field=field) from exc
    return url


def _require_plan(session) -> None:
    terms = quotas.terms_for(session, principal_for_request())
    if not terms.webhooks_allowed:
        raise ApiError(403, f"Webhooks are not available on the {terms.name} plan", plan=terms.name)


def _endpoint_or_404(session, endpoint_id: uuid.UUID):
    row = endpoints.get_endpoint(session, principal_for_request().account_id, endpoint_id)
    if row is None:
        raise ApiError(404, NOT_FOUND, webhookId=str(endpoint_id))
    return row


def _view(session, row) -> dict:
    return endpoints.view(row, endpoints.counts(session, [row.id])[row.id])


def _require_enabled(row) -> None:
    if not row.enabled:
        raise ApiError(409, "The endpoint is disabled; enable it first", webhookId=str(row.id))


def _queued(svc, outbox_row, delivery_id: uuid.UUID):
    """Publish a queued delivery (after its transaction committed) and answer 202 with its ids."""
    outbox.dispatch(svc.celery, svc.settings, outbox_row)
    body = {"deliveryId": delivery_id, "webhookId": deliveries.webhook_id(delivery_id)}
    return dumped(WebhookQueuedSchema, body, 202)


def _cursor(raw: str | None) -> dt.datetime | None:
    """A page cursor: the ISO time (with its zone) of the last message of the previous page."""
    if not raw:
        return None
    try:
        cursor = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ApiError(400, BAD_CURSOR, field="cursor") from exc
    if cursor.tzinfo is None:
        raise ApiError(400, BAD_CURSOR, field="cursor")
    return cursor


def subscribe(session, principal: Principal, fields: dict) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the caller's account from ``fields`` (url, events, description, enabled:
    default true) and its signing secret, audited as the caller."""
    return endpoints.create_endpoint(
        session,
        principal.account_id,
        url=fields["url"],
        events=fields["events"],
        description=fields["description"],
        enabled=fields.get("enabled", True),
        secret_key=services().settings.secret_key,
        actor=principal.actor(g.request_id),
    )


@bp.get("")
@auth.account("read")
@doc(
    summary="List the account's webhook endpoints",
    description="With counts of messages sent, failed and pending per endpoint.",
    tags=TAGS,
    responses={200: WebhookEndpointListSchema},
)
def list_webhooks():
    principal = principal_for_request()
    with services().sessions() as session:
        rows = endpoints.list_endpoints(session, principal.account_id)
        counts = endpoints.counts(session, [r.id for r in rows])
        data = [endpoints.view(r, counts[r.id]) for r in rows]
    return jsonify(WebhookEndpointListSchema().dump({"data": data}))


@bp.post("")
@auth.account("manage")
@doc(
    summary="Subscribe a webhook endpoint",
    description="Events: `render.succeeded`, `render.failed` (default both). The signing secret is in "
    "this response only. Deliveries follow the Standard Webhooks scheme (docs/api/webhooks.md).",
    tags=TAGS,
    body=WebhookCreateSchema,
    responses={201: WebhookCreatedSchema, 403: "The plan has no webhooks."},
)
def create_webhook():
    principal = principal_for_request()
    payload = WebhookCreateSchema().load(object_body())
    svc = services()
    with svc.sessions() as session:
        _require_plan(session)
    check_destination(payload["url"])  # resolves the host: not inside a transaction
    with svc.sessions() as session, session.begin():
        try:
            row, secret = subscribe(session, principal, payload)
        except endpoints.WebhookError as exc:
            raise ApiError(400, str(exc), field="events") from exc
        body = {**_view(session, row), "secret": secret}
    return dumped(WebhookCreatedSchema, body, 201, secret=True)


@bp.get("/one-off-secret")
@auth.account("manage")
@doc(
    summary="The secret that signs deliveries to jobs' own webhookUrl",
    description="Derived from the server's secret key and the account.",
    tags=TAGS,
    responses={200: OneOffSecretSchema},
)
def one_off_secret():
    principal = principal_for_request()
    secret = endpoints.one_off_secret(principal.account_id, services().settings.secret_key)
    return dumped(OneOffSecretSchema, {"secret": secret}, secret=True)


@bp.get("/<uuid:webhook_id>")
@auth.account("read")
@doc(summary="One webhook endpoint", tags=TAGS, responses={200: WebhookEndpointSchema, 404: NOT_FOUND})
def get_webhook(webhook_id: uuid.UUID):
    with services().sessions() as session:
        row = _endpoint_or_404(session, webhook_id)
        body = _view(session, row)
    return jsonify(WebhookEndpointSchema().dump(body))


@bp.put("/<uuid:webhook_id>")
@auth.account("manage")
@doc(
    summary="Change a webhook endpoint",
    description="Any of url, events, description, enabled. Enabling clears a disabled flag.",
    tags=TAGS,
    body=WebhookUpdateSchema,
    responses={200: WebhookEndpointSchema, 403: "The plan has no webhooks.", 404: NOT_FOUND},
)
def update_webhook(webhook_id: uuid.UUID):
    principal = principal_for_request()
    changes = WebhookUpdateSchema().load(object_body())
    if "url" in changes:
        check_destination(changes["url"])
    with services().sessions() as session, session.begin():
        row = _endpoint_or_404(session, webhook_id)
        _require_plan(session)
        try:
            endpoints.update_endpoint(session, row, changes, principal.actor(g.request_id))
        except endpoints.WebhookError as exc:
            raise ApiError(400, str(exc), field="events") from exc
        body = _view(session, row)
    return jsonify(WebhookEndpointSchema().dump(body))


@bp.delete("/<uuid:webhook_id>")
@auth.account("manage")
@doc(
    summary="Delete a webhook endpoint",
    description="Nothing more is sent to it; pending messages are dropped.",
    tags=TAGS,
    responses={204: "Deleted.", 404: NOT_FOUND},
)
def delete_webhook(webhook_id: uuid.UUID):
    principal = principal_for_request()
    with services().sessions() as session, session.begin():
        row = _endpoint_or_404(session, webhook_id)
        endpoints.delete_endpoint(session, row, principal.actor(g.request_id))
    return "", 204


@bp.post("/<uuid:webhook_id>/rotate-secret")
@auth.account("manage")
@doc(
    summary="Rotate an endpoint's signing secret",
    description="The new secret is in this response only. The old one keeps signing deliveries beside "
    "it (two signatures in `webhook-signature`) for `graceSeconds` (default 24 h, at most 7 days).",
    tags=TAGS,
    body=WebhookRotateSchema,
    body_required=False,
    responses={201: WebhookSecretSchema, 404: NOT_FOUND},
)
def rotate_secret(webhook_id: uuid.UUID):
    principal = principal_for_request()
    payload = WebhookRotateSchema().load(object_body(optional=True))
    svc = services()
    grace = payload["graceSeconds"]
    grace = dt.timedelta(seconds=svc.settings.webhook_secret_grace if grace is None else grace)
    with svc.sessions() as session, session.begin():
        row = _endpoint_or_404(session, webhook_id)
        try:
            secret = endpoints.rotate_secret(
                session, row, grace, svc.settings.secret_key, principal.actor(g.request_id)
            )
        except endpoints.WebhookError as exc:
            raise ApiError(400, str(exc), field="graceSeconds") from exc
        body = {"secret": secret, "previousSecretExpiresAt": row.previous_secret_expires_at}
    return dumped(WebhookSecretSchema, body, 201, secret=True)


@bp.post("/<uuid:webhook_id>/test")
@auth.account("manage")
@doc(
    summary="Send a webhook.test event",
    description="Queued like any delivery (same signing, retries and log).",
    tags=TAGS,
    responses={202: WebhookQueuedSchema, 404: NOT_FOUND, 409: "The endpoint is disabled."},
)
def test_webhook(webhook_id: uuid.UUID):
    svc = services()
    with svc.sessions() as session, session.begin():
        row = _endpoint_or_404(session, webhook_id)
        _require_enabled(row)
        message_id, message = deliveries.enqueue_test(session, row, utcnow())
    return _queued(svc, message, message_id)


@bp.get("/<uuid:webhook_id>/deliveries")
@auth.account("read")
@doc(
    summary="An endpoint's deliveries, newest first",
    description="Each message with every attempt: time, status code, latency, the first 1 KB of the "
    "answer, error. Follow `nextCursor` (as `cursor`) for older ones.",
    tags=TAGS,
    query=PageQuerySchema,
    responses={200: WebhookDeliveryPageSchema, 404: NOT_FOUND},
)
def list_deliveries(webhook_id: uuid.UUID):
    query = PageQuerySchema().load(query_args())
    cursor = _cursor(query.get("cursor"))
    with services().sessions() as session:
        _endpoint_or_404(session, webhook_id)
        stmt = select(WebhookMessage).where(WebhookMessage.endpoint_id == webhook_id)
        if cursor is not None:
            stmt = stmt.where(WebhookMessage.created_at < cursor)
        rows = session.scalars(
            stmt.order_by(WebhookMessage.created_at.desc()).limit(query["limit"] + 1)
        ).all()
        more = len(rows) > query["limit"]
        rows = rows[: query["limit"]]
        data = deliveries.describe(session, rows)
    next_cursor = rows[-1].created_at.isoformat() if more and rows else None
    return jsonify(
        WebhookDeliveryPageSchema().dump({"data": data, "nextCursor": next_cursor, "hasMore": more})
    )


@bp.post("/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver")
@auth.account("manage")
@doc(
    summary="Send a delivery again",
    description="Same `webhook-id` (receivers de-duplicate by it), a fresh retry schedule.",
    tags=TAGS,
    responses={
        202: WebhookQueuedSchema,
        404: "No such endpoint or delivery.",
        409: "The endpoint is disabled.",
    },
)
def redeliver(webhook_id: uuid.UUID, delivery_id: uuid.UUID):
    principal = principal_for_request()
    svc = services()
    with svc.sessions() as session, session.begin():
        row = _endpoint_or_404(session, webhook_id)
        message = session.get(WebhookMessage, delivery_id, with_for_update=True)
        if message is None or message.endpoint_id != row.id:
            raise ApiError(404, "No such delivery for this endpoint", deliveryId=str(delivery_id))
        _require_enabled(row)
        queued = deliveries.redeliver(session, message, principal.actor(g.request_id), utcnow())
    return _queued(svc, queued, delivery_id)
