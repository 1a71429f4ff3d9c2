"""API keys of the caller's account: list, create (shown once), revoke, roll."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, g, jsonify

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.routes.common import dumped, object_body, principal_for_request
from api.schemas.accounts import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListSchema,
    ApiKeyRolledSchema,
    ApiKeyRollSchema,
    ApiKeySchema,
)
from core.db import utcnow
from core.models import Account
from core.services import keys

bp = Blueprint("api_keys", __name__, url_prefix="/api/v1/api-keys")
TAGS = ["API keys"]
DEFAULT_ROLL_GRACE = dt.timedelta(hours=24)


@bp.get("")
@auth.account("manage")
@doc(summary="List the account's API keys", tags=TAGS, responses={200: ApiKeyListSchema})
def list_api_keys():
    principal = principal_for_request()
    with services().sessions() as session:
        rows = keys.list_keys(session, principal.account_id)
        data = [keys.key_view(row) for row in rows]
    return jsonify(ApiKeyListSchema().dump({"data": data}))


@bp.post("")
@auth.account("manage")
@doc(
    summary="Create an API key",
    description="The full key is in this response only; Chartfleet stores its SHA-256.",
    tags=TAGS,
    body=ApiKeyCreateSchema,
    body_required=False,
    responses={201: ApiKeyCreatedSchema},
)
def create_api_key():
    principal = principal_for_request()
    payload = ApiKeyCreateSchema().load(object_body(optional=True))
    svc = services()
    try:
        with svc.sessions() as session, session.begin():
            account = session.get(Account, principal.account_id)
            row, key = keys.issue_key(
                session,
                account,
                name=payload["name"],
                environment=payload["environment"] or svc.settings.key_environment,
                scopes=payload["scopes"],
                expires_at=payload["expiresAt"],
                actor=principal.actor(g.request_id),
            )
            body = {**keys.key_view(row), "key": key}
    except keys.KeyRequestError as exc:
        raise ApiError(400, str(exc)) from exc
    return dumped(ApiKeyCreatedSchema, body, 201, secret=True)


@bp.get("/<uuid:key_id>")
@auth.account("manage")
@doc(summary="One API key", tags=TAGS, responses={200: ApiKeySchema, 404: "No such key in this account."})
def get_api_key(key_id: uuid.UUID):
    principal = principal_for_request()
    with services().sessions() as session:
        row = _key_or_404(session, principal.account_id, key_id)
        return jsonify(ApiKeySchema().dump(keys.key_view(row)))


@bp.delete("/<uuid:key_id>")
@auth.account("manage")
@doc(
    summary="Revoke an API key",
    description="Effective at once: the key's next request gets 401. Revoking twice is harmless.",
    tags=TAGS,
    responses={200: ApiKeySchema, 404: "No such key in this account."},
)
def revoke_api_key(key_id: uuid.UUID):
    principal = principal_for_request()
    with services().sessions() as session, session.begin():
        _key_or_404(session, principal.account_id, key_id)
        row = keys.revoke_key(session, principal.account_id, key_id, principal.actor(g.request_id))
        body = keys.key_view(row)
    return jsonify(ApiKeySchema().dump(body))


@bp.post("/<uuid:key_id>/roll")
@auth.account("manage")
@doc(
    summary="Roll an API key",
    description="Issues a replacement with the same name, scopes and expiry. The old key keeps working "
    "until `oldKeyExpiresAt` (default 24 hours, at most 30 days, now to stop it at once).",
    tags=TAGS,
    body=ApiKeyRollSchema,
    body_required=False,
    responses={
        201: ApiKeyRolledSchema,
        404: "No such key in this account.",
        409: "The key is revoked or expired.",
    },
)
def roll_api_key(key_id: uuid.UUID):
    principal = principal_for_request()
    payload = ApiKeyRollSchema().load(object_body(optional=True))
    until = payload["oldKeyExpiresAt"] or utcnow() + DEFAULT_ROLL_GRACE
    with services().sessions() as session, session.begin():
        old = _key_or_404(session, principal.account_id, key_id)
        if keys.key_view(old)["status"] != "active":
            raise ApiError(409, "Only an active key can be rolled", status=keys.key_view(old)["status"])
        try:
            new, key = keys.roll_key(
                session, principal.account_id, key_id, until, principal.actor(g.request_id)
            )
        except keys.KeyRequestError as exc:
            raise ApiError(400, str(exc), field="oldKeyExpiresAt") from exc
        body = {"key": {**keys.key_view(new), "key": key}, "previous": keys.key_view(old)}
    return dumped(ApiKeyRolledSchema, body, 201, secret=True)


def _key_or_404(session, account_id: uuid.UUID, key_id: uuid.UUID):
    try:
        return keys.get_key(session, account_id, key_id)
    except LookupError as exc:
        raise ApiError(404, "API key not found", keyId=str(key_id)) from exc
