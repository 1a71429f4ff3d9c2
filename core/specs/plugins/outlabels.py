"""chartjs-plugin-piechart-outlabels: labels outside the slices, joined to them by a line.

Read from ``options.plugins.outlabels`` on pie and doughnut charts (the ``outlabeledPie`` type turns
it on with its defaults): ``text`` (``%l`` label, ``%p`` percentage, ``%v`` value; default ``%l``),
``color`` (text), ``backgroundColor`` (the box; default the slice's colour), ``lineColor``,
``lineWidth``, ``stretch`` (length of the leader line, px), ``font`` ({size, weight, family;
resizable, minSize, maxSize are accepted, the size is fixed}), ``percentDecimals``, ``borderRadius``
and ``padding``. ``display: false`` turns the labels off.
"""

from __future__ import annotations

from typing import Any

from core.specs.model import ChartSpec
from core.specs.plugins import fields
from core.specs.plugins.model import Font, OutLabels
from core.specs.values import Warnings, join, mapping, number, text

ROUND_TYPES = ("pie", "doughnut")
_KEYS = (
    "display", "text", "color", "backgroundColor", "borderColor", "lineColor", "lineWidth", "stretch",
    "font", "percentDecimals", "borderRadius", "padding", "textAlign", "borderWidth", "valuePrecision",
)  # fmt: skip
_FONT_KEYS = ("size", "weight", "family", "resizable", "minSize", "maxSize", "style", "lineHeight")


def parse_outlabels(raw: Any, path: str, spec: ChartSpec, warnings: Warnings) -> OutLabels | None:
    if raw is None:
        return None
    if spec.type not in ROUND_TYPES:
        warnings.add(path)
        return None
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, _KEYS, path)
    if not fields.display(obj.get("display"), join(path, "display")):
        return None
    opts: dict[str, Any] = {}
    if obj.get("text") is not None:
        opts["text"] = text(obj["text"], join(path, "text"))
    for key, name in (
        ("color", "color"),
        ("backgroundColor", "background_color"),
        ("lineColor", "line_color"),
    ):
        if obj.get(key) is not None:
            opts[name] = fields.color(obj[key], join(path, key))
    for key, name, high in (
        ("lineWidth", "line_width", 50),
        ("stretch", "stretch", 500),
        ("borderRadius", "border_radius", 100),
        ("padding", "padding", 100),
    ):
        if obj.get(key) is not None:
            opts[name] = number(obj[key], join(path, key), minimum=0, maximum=high)
    if obj.get("percentDecimals") is not None:
        opts["percent_decimals"] = int(
            number(obj["percentDecimals"], join(path, "percentDecimals"), minimum=0, maximum=10)
        )
    if obj.get("font") is not None:
        font_path = join(path, "font")
        font = mapping(obj["font"], font_path)
        warnings.unknown_keys(font, _FONT_KEYS, font_path)
        size = None
        if font.get("size") is not None:
            size = number(font["size"], join(font_path, "size"), minimum=1, maximum=500)
        elif font.get("minSize") is not None:
            size = number(font["minSize"], join(font_path, "minSize"), minimum=1, maximum=500)
        bold = (
            fields.font_weight(font["weight"], join(font_path, "weight"))
            if font.get("weight") is not None
            else False
        )
        family = text(font["family"], join(font_path, "family")) if font.get("family") is not None else None
        opts["font"] = Font(size=size, bold=bold, family=family)
    return OutLabels(**opts)
