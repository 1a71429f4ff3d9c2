"""Webhook endpoints of an account: create, update, delete, secrets and their rotation.

Each endpoint has its own signing secret, ``whsec_`` + base64 of 32 random bytes, shown once and
stored Fernet-encrypted (it must stay usable as an HMAC key). Rotation keeps the previous secret
signing beside the new one until its grace period ends. Every change is audited in its transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import DeliveryStatus, WebhookEndpoint, WebhookMessage
from core.services import audit
from core.services.signing import decrypt_secret, encrypt_secret

EVENT_TYPES = ("render.succeeded", "render.failed")
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32
MAX_SECRET_GRACE = dt.timedelta(days=7)


class WebhookError(ValueError):
    """A request about webhooks that cannot be honoured (bad events, an unknown endpoint...)."""


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def one_off_secret(account_id: uuid.UUID, secret_key: str) -> str:
    """The secret that signs deliveries to a job's one-off ``webhookUrl``: derived from the
    server's secret key and the account, so it needs no storage (it changes with the key)."""
    digest = hmac.new(secret_key.encode(), f"webhook-one-off:{account_id}".encode(), hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(digest).decode()


def signing_secrets(endpoint: WebhookEndpoint, secret_key: str, now: dt.datetime) -> list[str]:
    """The clear secrets that sign a delivery now: the current one, and the previous one during
    its grace period."""
    out = [decrypt_secret(endpoint.secret, secret_key)]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and now < endpoint.previous_secret_expires_at
    ):
        out.append(decrypt_secret(endpoint.previous_secret, secret_key))
    return [s for s in out if s]


def view(endpoint: WebhookEndpoint, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """The API's view of an endpoint (never its secret)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "disabledAt": endpoint.disabled_at,
        "failingSince": endpoint.failing_since,
        "previousSecretExpiresAt": endpoint.previous_secret_expires_at,
        "createdAt": endpoint.created_at,
        "updatedAt": endpoint.updated_at,
        "counts": counts if counts is not None else {"sent": 0, "failed": 0, "pending": 0},
    }


def _audit_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
    }


def check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise WebhookError(f"unknown event types {unknown}; choose from {list(EVENT_TYPES)}")
    if not events:
        raise WebhookError("subscribe to at least one event type")
    return sorted(set(events))


def list_endpoints(session: Session, account_id: uuid.UUID) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.account_id == account_id, WebhookEndpoint.deleted_at.is_(None))
            .order_by(WebhookEndpoint.created_at)
        )
    )


def get_endpoint(session: Session, account_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or row.account_id != account_id or row.deleted_at is not None:
        return None
    return row


def counts(session: Session, endpoint_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Messages per endpoint: sent (delivered), failed (given up or aborted) and pending."""
    out = {eid: {"sent": 0, "failed": 0, "pending": 0} for eid in endpoint_ids}
    if not endpoint_ids:
        return out
    rows = session.execute(
        select(WebhookMessage.endpoint_id, WebhookMessage.status, func.count())
        .where(WebhookMessage.endpoint_id.in_(endpoint_ids))
        .group_by(WebhookMessage.endpoint_id, WebhookMessage.status)
    )
    names = {"delivered": "sent", "failed": "failed", "aborted": "failed", "pending": "pending"}
    for eid, status, n in rows:
        out[eid][names.get(status, "failed")] += n
    return out


def create_endpoint(
    session: Session,
    account_id: uuid.UUID,
    *,
    url: str,
    events: list[str],
    description: str,
    enabled: bool,
    secret_key: str,
    actor: audit.Actor,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it and its clear secret (to be shown once)."""
    secret = generate_secret()
    row = WebhookEndpoint(
        account_id=account_id,
        url=url,
        events=check_events(events),
        description=description,
        enabled=enabled,
        secret=encrypt_secret(secret, secret_key),
    )
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(session, "webhook.created", actor, account_id, ("webhook", row.id), after=_audit_view(row))
    return row, secret


def update_endpoint(
    session: Session, endpoint: WebhookEndpoint, changes: dict[str, Any], actor: audit.Actor
) -> WebhookEndpoint:
    target = ("webhook", endpoint.id)
    with audit.change(
        session, "webhook.updated", actor, endpoint.account_id, target, lambda: _audit_view(endpoint)
    ):
        if "events" in changes:
            changes["events"] = check_events(changes["events"])
        for name, value in changes.items():
            setattr(endpoint, name, value)
        if changes.get("enabled"):
            # Re-enabling clears the flag and gives the endpoint a fresh failure window.
            endpoint.disabled_reason = None
            endpoint.disabled_at = None
            endpoint.failing_since = None
        endpoint.updated_at = utcnow()
    return endpoint


def delete_endpoint(session: Session, endpoint: WebhookEndpoint, actor: audit.Actor) -> None:
    """Soft delete: nothing more is sent to it; its delivery log stays readable in the audit."""
    before = _audit_view(endpoint)
    endpoint.deleted_at = utcnow()
    endpoint.enabled = False
    session.execute(
        WebhookMessage.__table__.update()
        .where(WebhookMessage.endpoint_id == endpoint.id, WebhookMessage.status == DeliveryStatus.PENDING)
        .values(status="aborted", last_error="endpoint deleted")
    )
    audit.record(
        session, "webhook.deleted", actor, endpoint.account_id, ("webhook", endpoint.id), before=before
    )


def rotate_secret(
    session: Session,
    endpoint: WebhookEndpoint,
    grace: dt.timedelta,
    secret_key: str,
    actor: audit.Actor,
    now: dt.datetime | None = None,
) -> str:
    """A new secret; the current one keeps signing (beside it) for ``grace``. Returns the new one."""
    if grace < dt.timedelta(0) or grace > MAX_SECRET_GRACE:
        raise WebhookError("the grace period must be between 0 and 7 days")
    now = now or utcnow()
    secret = generate_secret()
    endpoint.previous_secret = endpoint.secret if grace > dt.timedelta(0) else None
    endpoint.previous_secret_expires_at = now + grace if grace > dt.timedelta(0) else None
    endpoint.secret = encrypt_secret(secret, secret_key)
    endpoint.updated_at = now
    session.flush()
    audit.record(
        session,
        "webhook.secret_rotated",
        actor,
        endpoint.account_id,
        ("webhook", endpoint.id),
        after={"previousSecretExpiresAt": endpoint.previous_secret_expires_at},
    )
    return secret


@dataclasses.dataclass(frozen=True)
class Disabled:
    endpoint_id: uuid.UUID
    reason: str


def disable(session: Session, endpoint: WebhookEndpoint, reason: str, now: dt.datetime) -> Disabled:
    """Disable an endpoint for the system (410, or failing too long): flag and audit entry."""
    endpoint.enabled = False
    endpoint.disabled_reason = reason[:500]
    endpoint.disabled_at = now
    endpoint.updated_at = now
    session.flush()
    audit.record(
        session,
        "webhook.disabled",
        audit.Actor.system("webhooks"),
        endpoint.account_id,
        ("webhook", endpoint.id),
        before={"enabled": True},
        after={"enabled": False, "reason": endpoint.disabled_reason},
    )
    return Disabled(endpoint.id, reason)
