"""Webhook endpoints, secrets and deliveries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.models.webhooks import MAX_URL_LENGTH
from core.services.webhooks.endpoints import EVENT_TYPES

_EVENT = fields.String(validate=validate.OneOf(EVENT_TYPES))
_URL = fields.String(
    validate=validate.Length(min=1, max=MAX_URL_LENGTH),
    metadata={"description": "http(s) URL on the public internet (private addresses are refused)."},
)


class WebhookCountsSchema(Schema):
    sent = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    pending = fields.Integer(required=True)


class WebhookEndpointSchema(Schema):
    id = fields.UUID(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    enabled = fields.Boolean(required=True)
    disabledReason = fields.String(
        allow_none=True,
        metadata={"description": "Why Chartfleet disabled the endpoint (410, failing too long)."},
    )
    disabledAt = fields.DateTime(allow_none=True)
    failingSince = fields.DateTime(allow_none=True)
    previousSecretExpiresAt = fields.DateTime(
        allow_none=True, metadata={"description": "Until when the rotated secret still signs deliveries."}
    )
    createdAt = fields.DateTime(required=True)
    updatedAt = fields.DateTime(required=True)
    counts = fields.Nested(WebhookCountsSchema, required=True)


class WebhookEndpointListSchema(Schema):
    data = fields.List(fields.Nested(WebhookEndpointSchema), required=True)


class WebhookCreatedSchema(WebhookEndpointSchema):
    secret = fields.String(
        required=True, metadata={"description": "The signing secret (whsec_...). Shown this once only."}
    )


class WebhookCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_LENGTH))
    events = fields.List(_EVENT, load_default=lambda: list(EVENT_TYPES), validate=validate.Length(min=1))
    description = fields.String(load_default="", validate=validate.Length(max=500))
    enabled = fields.Boolean(load_default=True)


class WebhookUpdateSchema(Schema):
    url = _URL
    events = fields.List(_EVENT, validate=validate.Length(min=1))
    description = fields.String(validate=validate.Length(max=500))
    enabled = fields.Boolean()


class WebhookRotateSchema(Schema):
    graceSeconds = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 7 * 86400),
        metadata={"description": "How long the old secret keeps signing beside the new one (default 24 h)."},
    )


class WebhookSecretSchema(Schema):
    secret = fields.String(required=True, metadata={"description": "The new secret. Shown this once only."})
    previousSecretExpiresAt = fields.DateTime(allow_none=True)


class OneOffSecretSchema(Schema):
    secret = fields.String(
        required=True, metadata={"description": "Signs deliveries to the `webhookUrl` of jobs."}
    )


class WebhookAttemptSchema(Schema):
    attemptedAt = fields.DateTime(required=True)
    statusCode = fields.Integer(allow_none=True)
    latencyMs = fields.Integer(allow_none=True)
    response = fields.String(allow_none=True, metadata={"description": "The first 1 KB of the answer."})
    error = fields.String(allow_none=True)
    succeeded = fields.Boolean(required=True)


class WebhookDeliverySchema(Schema):
    id = fields.UUID(required=True)
    webhookId = fields.String(required=True, metadata={"description": "The webhook-id header."})
    eventType = fields.String(required=True)
    jobId = fields.UUID(allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["pending", "delivered", "failed", "aborted"])
    )
    attemptCount = fields.Integer(required=True)
    nextAttemptAt = fields.DateTime(allow_none=True)
    createdAt = fields.DateTime(required=True)
    deliveredAt = fields.DateTime(allow_none=True)
    lastError = fields.String(allow_none=True)
    attempts = fields.List(fields.Nested(WebhookAttemptSchema), required=True)


class WebhookDeliveryPageSchema(Schema):
    data = fields.List(fields.Nested(WebhookDeliverySchema), required=True)
    nextCursor = fields.String(allow_none=True)
    hasMore = fields.Boolean(required=True)


class WebhookQueuedSchema(Schema):
    deliveryId = fields.UUID(required=True)
    webhookId = fields.String(required=True)
