"""Health probe bodies."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each dependency: `ok` or `unavailable` (causes go to the log)."},
    )
    failing = fields.List(
        fields.String(), metadata={"description": 'The checks that are not `ok`, e.g. `["postgres"]`.'}
    )
