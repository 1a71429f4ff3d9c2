"""The render requests as the API reference shows them. The spec itself is parsed by
``core.specs`` (which accepts more, e.g. the QuickChart ``{"chart": {...}}`` envelope and Chart.js
2.x option layouts); these schemas document the common shape and its limits."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from core.models.webhooks import MAX_URL_LENGTH
from core.services.jobs import MAX_IDEMPOTENCY_KEY
from core.specs.extra_types import EXTRA_TYPES
from core.specs.model import (
    CHART_TYPES,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    FORMATS,
    MAX_DATASETS,
    MAX_LABELS,
    MAX_PIXEL_RATIO,
    MAX_POINTS,
    MAX_SIDE,
    MAX_TEXT,
    MIN_PIXEL_RATIO,
    MIN_SIDE,
)

_SIDE = validate.Range(MIN_SIDE, MAX_SIDE)


BRAND_KIT_ID = (
    "A brand kit: one of the account's kit ids or a preset (obsidian, linen, polar, studio, ember, "
    "harbor). An unknown or another account's kit is a 400 naming brandKitId."
)


class CardSchema(Schema):
    title = fields.String()
    subtitle = fields.String()
    value = fields.Raw(metadata={"description": "Text, or a number shown with thousands separators."})
    change = fields.Float(metadata={"description": "A fraction: 0.124 shows +12.4% coloured by sign."})
    footnote = fields.String()


class DatasetSchema(Schema):
    class Meta:
        unknown = INCLUDE

    label = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    data = fields.List(
        # A number, null (a gap), a [low, high] pair (floating bars) or an {x, y[, r]} point.
        fields.Raw(allow_none=True),
        allow_none=True,  # null: nothing to draw
        validate=validate.Length(max=MAX_POINTS),
        metadata={
            "description": "Numbers (null: a gap), [low, high] pairs for floating bars; scatter/bubble "
            "charts take {x, y[, r]} points instead. At most "
            f"{MAX_POINTS:,} points in all datasets together. Missing: a dataset with nothing to draw."
        },
    )
    type = fields.String(
        allow_none=True,
        validate=validate.OneOf(CHART_TYPES),
        metadata={"description": "Mixed charts; null: the chart's."},
    )
    backgroundColor = fields.Raw(metadata={"description": "A CSS color or a list of them."})
    borderColor = fields.Raw(metadata={"description": "A CSS color or a list of them."})


class ChartDataSchema(Schema):
    class Meta:
        unknown = INCLUDE

    labels = fields.List(
        fields.String(validate=validate.Length(max=MAX_TEXT)), validate=validate.Length(max=MAX_LABELS)
    )
    datasets = fields.List(
        fields.Nested(DatasetSchema), required=True, validate=validate.Length(1, MAX_DATASETS)
    )


class ChartRequestSchema(Schema):
    """A Chart.js-style chart. Unknown keys are ignored and listed in ``X-Chart-Warnings``."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(
        required=True,
        validate=validate.OneOf((*CHART_TYPES, *EXTRA_TYPES)),
        metadata={"description": "Chart.js types and QuickChart's extra types (docs/quickchart-plugins.md)."},
    )
    width = fields.Integer(load_default=DEFAULT_WIDTH, validate=_SIDE)
    height = fields.Integer(load_default=DEFAULT_HEIGHT, validate=_SIDE)
    format = fields.String(load_default="png", validate=validate.OneOf(FORMATS))
    devicePixelRatio = fields.Float(load_default=1, validate=validate.Range(MIN_PIXEL_RATIO, MAX_PIXEL_RATIO))
    data = fields.Nested(ChartDataSchema, required=True)
    options = fields.Dict(
        allow_none=True,  # null: no options
        metadata={
            "description": "Chart.js options (2.x or 3.x/4.x layout), including the QuickChart plugins "
            "datalabels, tickFormat, annotation, doughnutlabel and outlabels (declarative only)."
        },
    )
    backgroundColor = fields.String(
        allow_none=True,
        metadata={"description": "Canvas color; default white (transparent SVG); null: the default."},
    )
    returnUrl = fields.Boolean(
        load_default=False, metadata={"description": "Answer JSON with the image URL instead of the bytes."}
    )
    brandKitId = fields.String(metadata={"description": BRAND_KIT_ID})
    card = fields.Nested(
        CardSchema, metadata={"description": "A headline card around the chart (title, value, change...)."}
    )


class JobRequestSchema(ChartRequestSchema):
    webhookUrl = fields.String(
        allow_none=True,  # null: no one-off webhook
        validate=validate.Length(max=MAX_URL_LENGTH),
        metadata={"description": "http(s) URL called when the job finishes (plans with webhooks)."},
    )


class RenderQuerySchema(Schema):
    """``GET /api/v1/render``: ``chart``/``c`` (base64url JSON spec) or the simple parameters."""

    chart = fields.String(metadata={"description": "The whole spec as base64url JSON."})
    c = fields.String(metadata={"description": "Alias of chart."})
    type = fields.String(validate=validate.OneOf(CHART_TYPES))
    cht = fields.String(metadata={"description": "Alias of type."})
    labels = fields.String(metadata={"description": "Comma-separated labels."})
    l = fields.String(metadata={"description": "Alias of labels."})  # noqa: E741 - the public name
    data = fields.String(metadata={"description": "Comma-separated numbers."})
    d = fields.String(metadata={"description": "Alias of data."})
    title = fields.String()
    t = fields.String(metadata={"description": "Alias of title."})
    width = fields.Integer(validate=_SIDE)
    height = fields.Integer(validate=_SIDE)
    format = fields.String(validate=validate.OneOf(FORMATS))
    devicePixelRatio = fields.Float(validate=validate.Range(MIN_PIXEL_RATIO, MAX_PIXEL_RATIO))
    returnUrl = fields.Boolean()
    brandKitId = fields.String(metadata={"description": BRAND_KIT_ID})


class IdempotencyHeaderSchema(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(1, MAX_IDEMPOTENCY_KEY),
        metadata={
            "description": "Retries with the same key and body return the first job (never charged twice)."
        },
    )
