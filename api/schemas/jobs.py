"""JSON shapes of render jobs (marshmallow dump schemas; the OpenAPI document is built from them)."""

from __future__ import annotations

from marshmallow import Schema, fields


class JobSchema(Schema):
    id = fields.UUID(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["queued", "running", "succeeded", "failed", "dead"]}
    )
    dialect = fields.String()
    format = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    cache = fields.Function(lambda job: "HIT" if job["cache_hit"] else "MISS")
    attempts = fields.Integer()
    queuedAt = fields.DateTime(attribute="queued_at")
    startedAt = fields.DateTime(attribute="started_at", allow_none=True)
    finishedAt = fields.DateTime(attribute="finished_at", allow_none=True)
    renderTimeMs = fields.Integer(attribute="render_ms", allow_none=True)
    error = fields.String(allow_none=True)
    warnings = fields.List(fields.String())
    statusUrl = fields.String()
    # Present once the job has succeeded:
    url = fields.String()
    size = fields.Integer()
    etag = fields.String()
    contentType = fields.String()
    expiresAt = fields.DateTime()
    directUrl = fields.String()
    directUrlExpiresAt = fields.DateTime()


job_schema = JobSchema()
