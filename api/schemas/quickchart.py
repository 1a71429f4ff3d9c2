"""QuickChart's requests as the API reference shows them. ``core.specs.quickchart`` and
``core.specs.qrcode`` parse them; these schemas only document them."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.common import text_query_schema
from api.schemas.imagecharts import ChartQuerySchema

_CHART = "The Chart.js config: JSON or a JavaScript object literal (JSON5), never code. Required."
_QUERY = {
    "c": _CHART,
    "chart": "Same as c.",
    "w": "Width in CSS pixels, 20-4000 (default 500). Also `width`.",
    "width": "Same as w.",
    "h": "Height in CSS pixels, 20-4000 (default 300). Also `height`.",
    "height": "Same as h.",
    "devicePixelRatio": "1-4 (default 2): the image is width*ratio x height*ratio pixels.",
    "bkg": "Background: any CSS colour (default transparent). Also `backgroundColor`.",
    "backgroundColor": "Same as bkg.",
    "f": "png (default), webp, jpg, svg, pdf, or base64 (a PNG data URI as text). Also `format`.",
    "format": "Same as f.",
    "v": "Chart.js version whose defaults apply: 2 (default; e.g. 2.9.4), 3 or 4. Also `version`.",
    "version": "Same as v.",
    "encoding": "url (default) or base64: how `c` is encoded.",
    "key": "API key (also the X-Api-Key header).",
    "brandKitId": "A brand kit (the account's kit id or a preset name).",
    "returnUrl": "true answers JSON (url, size, etag, expiresAt, format) instead of the image.",
}

QuickChartQuerySchema = text_query_schema(_QUERY, "QuickChartQuery")

# /chart serves both APIs: its query is the union of their parameters.
ChartRouteQuerySchema = Schema.from_dict(
    {**ChartQuerySchema().fields, **QuickChartQuerySchema().fields}, name="ChartQuery"
)


class QuickChartBodySchema(Schema):
    """``POST /chart`` and ``POST /chart/create`` with a JSON body."""

    chart = fields.Raw(required=True, metadata={"description": _CHART + " An object or a string."})
    width = fields.Integer(metadata={"description": "Default 500."})
    height = fields.Integer(metadata={"description": "Default 300."})
    devicePixelRatio = fields.Float(metadata={"description": "Default 2."})
    backgroundColor = fields.String(metadata={"description": "Default transparent."})
    format = fields.String(metadata={"description": "png (default), webp, jpg, svg, pdf or base64."})
    version = fields.String(metadata={"description": "2 (default), 3 or 4."})
    encoding = fields.String(metadata={"description": "url (default) or base64 (chart as base64 text)."})
    key = fields.String(metadata={"description": "API key (or send it as a header)."})
    brandKitId = fields.String(metadata={"description": "A brand kit (the account's kit id or a preset)."})
    returnUrl = fields.Boolean(metadata={"description": "Answer JSON with the image URL, not the bytes."})


class ShortUrlSchema(Schema):
    success = fields.Boolean(required=True)
    url = fields.String(required=True, metadata={"description": "Absolute URL of /chart/render/<id>."})


_TEMPLATE = {
    "title": "Replaces the chart title.",
    "labels": "Comma-separated labels.",
    "data1": "Comma-separated numbers for dataset 1 (data2... for the next ones).",
    "label1": "Label of dataset 1 (label2...).",
    "backgroundColor1": "Background colour of dataset 1 (backgroundColor2...).",
    "borderColor1": "Border colour of dataset 1 (borderColor2...).",
}

TemplateQuerySchema = text_query_schema(_TEMPLATE, "QuickChartTemplateQuery")

_QR = {
    "text": "The text to encode (UTF-8). Required.",
    "format": "png (default) or svg.",
    "size": "Image side in pixels, quiet zone included: 10-3000 (default 150).",
    "margin": "Quiet zone in modules (default 4).",
    "ecLevel": "Error correction: L, M (default), Q or H.",
    "dark": "Colour of dark modules: hex (with or without #) or CSS (default 000000).",
    "light": "Colour of light modules and margin (default ffffff; 8-digit hex for transparency).",
    "key": "API key (also the X-Api-Key header).",
}

QrQuerySchema = text_query_schema(_QR, "QrQuery", required=("text",))
