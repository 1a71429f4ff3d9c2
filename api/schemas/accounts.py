"""JSON shapes of the management API: keys, stats, render history, usage, audit log, settings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.jobs import JobSchema
from core.services.keys import SCOPES

_SCOPE = fields.String(validate=validate.OneOf(SCOPES))


class ApiKeySchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "The visible start of the key."})
    scopes = fields.List(_SCOPE, required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "expired", "revoked"]))
    createdAt = fields.DateTime(required=True)
    lastUsedAt = fields.DateTime(
        allow_none=True, metadata={"description": "Refreshed at most once a minute."}
    )
    expiresAt = fields.DateTime(allow_none=True)
    revokedAt = fields.DateTime(allow_none=True)
    replacedById = fields.UUID(allow_none=True, metadata={"description": "Set on a rolled key."})


class ApiKeyListSchema(Schema):
    data = fields.List(fields.Nested(ApiKeySchema), required=True)


class ApiKeyCreateSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    scopes = fields.List(_SCOPE, load_default=lambda: ["render", "read"], validate=validate.Length(min=1))
    expiresAt = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "When the key stops working."}
    )
    environment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["live", "test"]),
        metadata={"description": "`live` (pk_live_) or `test` (pk_test_); default from the server."},
    )


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(required=True, metadata={"description": "The full key. Shown this once only."})


class ApiKeyRollSchema(Schema):
    oldKeyExpiresAt = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "Until when the old key keeps working (at most 30 days; default 24 hours)."},
    )


class ApiKeyRolledSchema(Schema):
    key = fields.Nested(ApiKeyCreatedSchema, required=True, metadata={"description": "The new key."})
    previous = fields.Nested(ApiKeySchema, required=True, metadata={"description": "The rolled key."})


class PeriodSchema(Schema):
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True)


class QuotaSchema(Schema):
    limit = fields.Integer(required=True, metadata={"description": "Renders per month."})
    used = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    hardLimit = fields.Boolean(
        required=True, metadata={"description": "True: renders stop at the limit (402); false: overage."}
    )
    overage = fields.Integer(required=True)
    overageCents = fields.Integer(required=True)


class StatsSchema(Schema):
    period = fields.Nested(PeriodSchema, required=True)
    plan = fields.String(required=True)
    rendersThisMonth = fields.Integer(required=True, metadata={"description": "Jobs, cache hits included."})
    rendered = fields.Integer(required=True)
    cacheHits = fields.Integer(required=True)
    succeeded = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    successRate = fields.Float(allow_none=True, required=True)
    averageLatencyMs = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Queued to finished, rendered jobs."}
    )
    averageRenderMs = fields.Integer(allow_none=True, required=True)
    quota = fields.Nested(QuotaSchema, required=True)


class RenderPageSchema(Schema):
    data = fields.List(fields.Nested(JobSchema), required=True)
    nextCursor = fields.String(allow_none=True, required=True)
    hasMore = fields.Boolean(required=True)


class UsageDaySchema(Schema):
    date = fields.Date(required=True)
    renders = fields.Integer(required=True, metadata={"description": "Charged renders."})
    cacheHits = fields.Integer(required=True)


class UsageSchema(QuotaSchema):
    plan = fields.String(required=True)
    period = fields.Nested(PeriodSchema, required=True)
    trialEndsAt = fields.DateTime(allow_none=True, required=True)
    days = fields.List(fields.Nested(UsageDaySchema), required=True)


class AuditActorSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["member", "api_key", "operator", "system"]))
    id = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class AuditLogSchema(Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    actor = fields.Nested(AuditActorSchema, required=True)
    targetType = fields.String(allow_none=True)
    targetId = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    requestId = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    createdAt = fields.DateTime(required=True)


class AuditQuerySchema(Schema):
    action = fields.String(
        validate=validate.Length(max=80), metadata={"description": "Exact action, or a prefix ending in `*`."}
    )
    actor = fields.String(
        validate=validate.Length(max=254), metadata={"description": "Actor id, email or key prefix."}
    )
    since = fields.AwareDateTime(metadata={"description": "From this time (inclusive)."})
    until = fields.AwareDateTime(metadata={"description": "Before this time."})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(
        validate=validate.Length(max=40), metadata={"description": "`nextCursor` of the previous page."}
    )


class AuditPageSchema(Schema):
    data = fields.List(fields.Nested(AuditLogSchema), required=True)
    nextCursor = fields.String(allow_none=True, required=True)
    hasMore = fields.Boolean(required=True)


class CustomDomainSchema(Schema):
    customDomain = fields.String(allow_none=True, required=True)
    baseUrl = fields.String(required=True, metadata={"description": "Where returned URLs point now."})


class CustomDomainUpdateSchema(Schema):
    customDomain = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(min=1, max=253),
        metadata={
            "description": "A host name such as charts.example.com (CNAME to this service); null clears it."
        },
    )
