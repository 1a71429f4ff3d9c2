"""Shapes shared by every surface: errors, the three 402 bodies, 429, pagination queries."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate


class ErrorSchema(Schema):
    """Every error: ``{"error": message, ...detail}``; the detail keys depend on the error."""

    class Meta:
        unknown = INCLUDE

    error = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    field = fields.String(metadata={"description": "The offending input, e.g. data.datasets[0].data[3]."})
    code = fields.String()


class QuotaExceededSchema(Schema):
    error = fields.String(required=True, metadata={"enum": ["Monthly render quota exceeded"]})
    currentUsage = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    plan = fields.String(required=True)


class TrialExpiredSchema(Schema):
    error = fields.String(required=True, metadata={"enum": ["Trial expired. Please upgrade to continue."]})
    plan = fields.String(required=True, metadata={"enum": ["expired"]})
    upgradeUrl = fields.String(required=True)


class PdfRequiresProSchema(Schema):
    error = fields.String(required=True, metadata={"enum": ["PDF output requires the Pro plan"]})
    plan = fields.String(required=True)
    upgradeUrl = fields.String(required=True)


class RateLimitedSchema(Schema):
    error = fields.String(required=True, metadata={"enum": ["Rate limit exceeded"]})
    retryAfter = fields.Integer(required=True, metadata={"description": "Seconds until the window resets."})


class PageQuerySchema(Schema):
    limit = fields.Integer(
        load_default=10, validate=validate.Range(1, 100), metadata={"description": "Items per page (1-100)."}
    )
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "The `nextCursor` of the previous page."},
    )


def text_query_schema(
    descriptions: dict[str, str], name: str, required: tuple[str, ...] = ()
) -> type[Schema]:
    """A query schema that only documents its parameters: each a string, described by the table;
    those ``required`` must be present and non-empty."""

    def field(param: str, text: str) -> fields.String:
        if param in required:
            return fields.String(
                required=True, validate=validate.Length(min=1), metadata={"description": text}
            )
        return fields.String(metadata={"description": text})

    return Schema.from_dict({param: field(param, text) for param, text in descriptions.items()}, name=name)
