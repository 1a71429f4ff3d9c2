"""The Image-Charts requests as the API reference shows them: ``/chart`` parameters and the body of
an ``imagecharts`` job. ``core.specs.imagecharts`` parses them; these schemas only document them."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.common import text_query_schema

_PARAMETERS = {
    "cht": "Chart type: bvs bhs bvg bhg bvo lc ls lxy p p3 pc pd r rs pa s bb qr; lines take :nda. Required.",
    "chs": "Size <width>x<height>: each side at most 999 px, at most 998,001 px in all. Required.",
    "chd": "Data: t: text, s: simple, e: extended or a: automatic encoding. Required (except for qr).",
    "chds": "Scaling: a (automatic) or min,max pairs (the last pair serves the remaining series).",
    "chco": "Colours RRGGBB[AA]: comma per series, pipe per bar or slice.",
    "chf": "Fills: bg, c, a, b<i>, ps<i>-<j> with s (solid), lg (gradient) or ls (stripes).",
    "chtt": "Title.",
    "chts": "Title colour, size[, alignment l|c|r].",
    "chdl": "Legend labels, pipe-separated.",
    "chdlp": "Legend position b (default), t, r or l; s skips empty entries.",
    "chdls": "Legend colour, size.",
    "chma": "Margins left,right,top,bottom in pixels (negative margins are allowed).",
    "chg": "Grid x,y[,dash,space].",
    "chls": "Line styles thickness[,dash,space], pipe per line.",
    "chm": "Markers: B/b line fills, N value labels, shapes (o s d c x h v), t text, D lines.",
    "chl": "Labels of slices, bars, points and bubbles; the text of a QR code. || leaves one out.",
    "chli": "Doughnut inside label (chdil is accepted too).",
    "chan": "Animate: empty, <ms> (10-1500) or <ms>,<easing>; renders a GIF.",
    "chof": ".svg makes a QR code an SVG; .png/.gif are accepted (the format follows chan); "
    "anything else is ignored with a warning.",
    "chxt": "Visible axes: x, y (t and r draw them at the top and right).",
    "chxr": "Axis ranges <axis>,<start>,<end>[,<step>], pipe-separated.",
    "chxl": "Custom axis labels <axis>:|<label>|...",
    "chxp": "Axis label positions <axis>,<pos>,...",
    "chxs": "Axis styles <axis>[N<format>],<color>,<size>,<align>,<l|t|lt|_>,<tick color>,<axis color>.",
    "chld": "QR error correction level and margin, e.g. L|4 (default).",
    "choe": "QR text encoding: UTF-8.",
    "icac": "Account of a signed URL.",
    "ichm": "HMAC-SHA256 (hex) of the query string before &ichm, with the account's signing secret.",
    "icretina": "1 doubles the pixel density.",
    "brandKitId": "A brand kit (the account's kit id or a preset name) for the colours chco/chf leave open.",
    "returnUrl": "true answers JSON (url, size, etag, expiresAt, format) instead of the image.",
}


ChartQuerySchema = text_query_schema(_PARAMETERS, "ImageChartsQuery")


class ImageChartsJobSchema(Schema):
    """``POST /api/v1/jobs`` for an Image-Charts chart."""

    dialect = fields.String(required=True, metadata={"description": "imagecharts"})
    params = fields.Raw(
        required=True,
        metadata={
            "description": "The /chart parameters: an object of strings, or the query string itself "
            "(the only form in which a signed request's icac/ichm can be checked)."
        },
    )
    webhookUrl = fields.String(metadata={"description": "http(s) URL called when the job finishes."})
