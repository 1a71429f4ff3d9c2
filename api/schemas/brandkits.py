"""Brand kits and templates: request bodies and the documents the API answers with.

Kit settings are validated by ``core.specs.brandkits.validate_settings`` (the same rule everywhere);
these schemas shape the bodies and document them in OpenAPI.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from core.specs.brandkits import FONT_FAMILIES, LOGO_POSITIONS, PRESETS, TITLE_WEIGHTS
from core.specs.template_dialects import DIALECTS

TEMPLATE_DIALECTS = tuple(DIALECTS)

_COLOR = fields.String(
    metadata={"description": "A CSS colour (#rgb, #rrggbb, #rrggbbaa, rgb(), hsl(), a name)."}
)
_NAME = fields.String(validate=validate.Length(min=1, max=100))


class BrandKitSettingsSchema(Schema):
    class Meta:
        unknown = INCLUDE  # validate_settings names an unknown key precisely

    base = fields.String(
        validate=validate.OneOf(tuple(PRESETS)),
        metadata={"description": "The preset a custom kit starts from (default polar)."},
    )
    backgroundColor = _COLOR
    palette = fields.List(fields.String(), validate=validate.Length(min=1, max=20))
    textColor = _COLOR
    axisColor = _COLOR
    gridColor = _COLOR
    mutedColor = _COLOR
    positiveColor = _COLOR
    negativeColor = _COLOR
    fontFamily = fields.String(
        metadata={"description": "One of " + ", ".join(FONT_FAMILIES) + " (any case)."}
    )
    titleWeight = fields.String(validate=validate.OneOf(TITLE_WEIGHTS))
    logoPosition = fields.String(validate=validate.OneOf(LOGO_POSITIONS))


class BrandKitCreateSchema(BrandKitSettingsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class BrandKitUpdateSchema(BrandKitSettingsSchema):
    name = _NAME


class BrandKitSchema(Schema):
    id = fields.String(required=True, metadata={"description": "A UUID, or the preset's name."})
    name = fields.String(required=True)
    preset = fields.Boolean(required=True)
    base = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "Goes up by one on every update."})
    hasLogo = fields.Boolean(
        required=True, metadata={"description": "PUT /api/v1/brand-kits/{id}/logo sets one."}
    )
    backgroundColor = fields.String(required=True)
    palette = fields.List(fields.String(), required=True)
    textColor = fields.String(required=True)
    axisColor = fields.String(required=True)
    gridColor = fields.String(required=True)
    mutedColor = fields.String(required=True)
    positiveColor = fields.String(required=True)
    negativeColor = fields.String(required=True)
    fontFamily = fields.String(required=True)
    titleWeight = fields.String(required=True)
    logoPosition = fields.String(required=True)
    createdAt = fields.DateTime()
    updatedAt = fields.DateTime()


class BrandKitListSchema(Schema):
    data = fields.List(fields.Nested(BrandKitSchema), required=True, metadata={"description": "Custom kits."})
    presets = fields.List(fields.Nested(BrandKitSchema), required=True)


class TemplateParameterSchema(Schema):
    path = fields.String(
        required=True, metadata={"description": "Dotted path into the spec, e.g. data.datasets.0.label."}
    )
    description = fields.String()


_DIALECT = fields.String(
    validate=validate.OneOf(TEMPLATE_DIALECTS),
    metadata={
        "description": "What `spec` is: chartjs (a POST /api/v1/render body, the default), quickchart "
        "(a QuickChart /chart request body), imagecharts (Image-Charts parameters as strings: cht, chs, "
        "chd, ...) or finance (a /v3/coinglass/advanced-chart body)."
    },
)
_SPEC_DESCRIPTION = "The chart in `dialect`: a JSON object (see dialect)."


class TemplateCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=500))
    dialect = _DIALECT
    spec = fields.Dict(required=True, metadata={"description": _SPEC_DESCRIPTION})
    parameters = fields.Dict(
        keys=fields.String(), values=fields.Nested(TemplateParameterSchema), load_default=dict
    )
    brandKitId = fields.String(allow_none=True, load_default=None)


class TemplateUpdateSchema(Schema):
    name = _NAME
    description = fields.String(validate=validate.Length(max=500))
    dialect = _DIALECT
    spec = fields.Dict(metadata={"description": _SPEC_DESCRIPTION})
    parameters = fields.Dict(keys=fields.String(), values=fields.Nested(TemplateParameterSchema))
    brandKitId = fields.String(allow_none=True)


class TemplateSchema(Schema):
    id = fields.String(required=True, metadata={"description": "A UUID, or the built-in's name."})
    name = fields.String(required=True)
    description = fields.String(required=True)
    builtIn = fields.Boolean(required=True)
    dialect = fields.String(required=True, validate=validate.OneOf(TEMPLATE_DIALECTS))
    spec = fields.Dict(required=True)
    parameters = fields.Dict(required=True)
    brandKitId = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    renderUrl = fields.String(
        required=True,
        metadata={
            "description": "The template's short, stable render URL (on the account's custom domain when "
            "set): embed it as <img src> with ?key=... (and any overrides)."
        },
    )
    createdAt = fields.DateTime()
    updatedAt = fields.DateTime()


class TemplateListSchema(Schema):
    data = fields.List(
        fields.Nested(TemplateSchema), required=True, metadata={"description": "Custom templates."}
    )
    builtIn = fields.List(fields.Nested(TemplateSchema), required=True)


class TemplateRenderQuerySchema(Schema):
    labels = fields.String(metadata={"description": "Comma-separated labels."})
    data = fields.String(metadata={"description": "Comma-separated values of the first series."})
    title = fields.String()
    width = fields.Integer(metadata={"description": "100-4000 px."})
    height = fields.Integer(metadata={"description": "100-4000 px."})
    format = fields.String(validate=validate.OneOf(("png", "jpeg", "jpg", "svg", "webp", "pdf")))
    brandKitId = fields.String(metadata={"description": "A kit id or preset: " + ", ".join(PRESETS)})
    scale = fields.Float(metadata={"description": "Device pixel ratio 1-4; default 2 on this route."})
    devicePixelRatio = fields.Float(metadata={"description": "Alias of scale."})
    palette = fields.String(metadata={"description": "Comma-separated hex colours (%23 for #)."})
    returnUrl = fields.Boolean(metadata={"description": "JSON with url, size, etag, expiresAt, format."})
    key = fields.String(metadata={"description": "API key (for <img src>)."})
    data1 = fields.String(metadata={"description": "data1..dataN: values of series N (QuickChart style)."})
    label1 = fields.String(metadata={"description": "label1..labelN: name of series N."})


class RenderUrlSchema(Schema):
    url = fields.String(required=True)
    size = fields.Integer(required=True)
    etag = fields.String(required=True)
    expiresAt = fields.DateTime(required=True)
    format = fields.String(required=True)
    jobId = fields.String()
