"""chartjs-plugin-annotation, declaratively: lines, boxes, points and labels on cartesian charts.

Where: ``options.plugins.annotation.annotations`` (plugin 1.x+, Chart.js 3/4) as an object of named
annotations or a list, or ``options.annotation.annotations`` (plugin 0.5, Chart.js 2) as a list.

Each annotation has a ``type``: ``line`` (``scaleID`` + ``value`` [+ ``endValue``], or the 0.5
``mode: horizontal|vertical``, or ``xMin``/``xMax``/``yMin``/``yMax``), ``box`` (``xMin``/``xMax``/
``yMin``/``yMax``, a missing bound meaning the chart area's edge), ``point`` (``xValue``, ``yValue``,
``radius``) or ``label`` (``xValue``, ``yValue``, ``content``). Styling: ``borderColor``,
``borderWidth``, ``borderDash``, ``backgroundColor``; a line or box may carry a ``label``
(``content`` text or list of lines, ``display``/0.5 ``enabled``, ``position`` start/center/end (0.5:
left/top/right/bottom), ``backgroundColor``, ``color``/``fontColor``, ``font``/``fontSize``,
``xAdjust``, ``yAdjust``, ``rotation``). Scale ids are matched to the chart's axes; 2.x ids such as
``y-axis-0`` resolve to the first axis of that direction. A coordinate may be a number, a category
label or, on a time axis, a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.model import ChartSpec
from core.specs.plugins import fields
from core.specs.plugins.model import Annotation, AnnotationLabel, Coordinate, Font
from core.specs.values import (
    Warnings,
    boolean,
    choice,
    describe,
    epoch_seconds,
    item,
    join,
    mapping,
    number,
    sequence,
    text,
    text_lines,
)

KINDS = ("line", "box", "point", "label")
MAX_ANNOTATIONS = 200
LABEL_POSITIONS = ("start", "center", "end")
DRAW_TIMES = ("beforeDraw", "beforeDatasetsDraw", "afterDatasetsDraw", "afterDraw")
_V2_POSITIONS = {"left": "start", "top": "start", "right": "end", "bottom": "end"}
_COMMON_KEYS = (
    "type", "id", "drawTime", "display", "borderColor", "borderWidth", "borderDash", "backgroundColor",
    "label", "xScaleID", "yScaleID", "scaleID", "value", "endValue", "mode", "xMin", "xMax", "yMin", "yMax",
    "xValue", "yValue", "radius", "content", "color", "font", "position", "enabled",
)  # fmt: skip
_LABEL_KEYS = (
    "content", "display", "enabled", "position", "backgroundColor", "color", "fontColor", "font",
    "fontSize", "fontStyle", "fontFamily", "xAdjust", "yAdjust", "padding", "borderRadius", "cornerRadius",
    "rotation",
)  # fmt: skip


def parse_annotations(raw: Any, path: str, spec: ChartSpec, warnings: Warnings) -> tuple[Annotation, ...]:
    """The annotation block at ``path`` (``{annotations: ...}``) for the chart ``spec``."""
    block = mapping(raw, path)
    warnings.unknown_keys(block, ("annotations", "drawTime", "clip", "common"), path)
    if block.get("drawTime") is not None:  # the default for every annotation of the block
        block_time = choice(block["drawTime"], join(path, "drawTime"), DRAW_TIMES)
    else:
        block_time = None
    entries_path = join(path, "annotations")
    entries = block.get("annotations")
    if entries is None:
        return ()
    if isinstance(entries, Mapping):
        pairs = [(value, join(entries_path, key)) for key, value in entries.items()]
    else:
        pairs = [(value, item(entries_path, i)) for i, value in enumerate(sequence(entries, entries_path))]
    if len(pairs) > MAX_ANNOTATIONS:
        raise SpecError(entries_path, f"has {len(pairs)} annotations; at most {MAX_ANNOTATIONS} are allowed")
    out = []
    for value, entry_path in pairs:
        annotation = _annotation(value, entry_path, spec, warnings, block_time)
        if annotation is not None:
            out.append(annotation)
    return tuple(out)


def _annotation(
    raw: Any, path: str, spec: ChartSpec, warnings: Warnings, block_time: str | None = None
) -> Annotation | None:
    obj = mapping(raw, path, optional=False)
    warnings.unknown_keys(obj, _COMMON_KEYS, path)
    if obj.get("display") is not None and not boolean(obj["display"], join(path, "display")):
        return None
    if obj.get("type") is None:
        raise SpecError(join(path, "type"), f"is required (one of {', '.join(KINDS)})")
    kind = choice(obj["type"], join(path, "type"), KINDS)
    x_scale = _scale(obj.get("xScaleID"), join(path, "xScaleID"), "x", spec)
    y_scale = _scale(obj.get("yScaleID"), join(path, "yScaleID"), "y", spec)
    bounds: dict[str, Coordinate] = {}
    if kind == "line" and obj.get("scaleID") is not None:
        scale = _scale(obj["scaleID"], join(path, "scaleID"), _mode_letter(obj, path), spec)
        letter = _letter(scale)
        if obj.get("value") is None:
            raise SpecError(join(path, "value"), "is required with scaleID")
        value = _coordinate(obj["value"], join(path, "value"), scale, spec)
        end = value
        if obj.get("endValue") is not None:
            end = _coordinate(obj["endValue"], join(path, "endValue"), scale, spec)
        if letter == "x":
            x_scale, bounds = scale, {"x_min": value, "x_max": end}
        else:
            y_scale, bounds = scale, {"y_min": value, "y_max": end}
    elif kind in ("point", "label"):
        for key, name, scale in (("xValue", "x", x_scale), ("yValue", "y", y_scale)):
            if obj.get(key) is None:
                raise SpecError(join(path, key), f"is required on a {kind} annotation")
            bounds[f"{name}_min"] = bounds[f"{name}_max"] = _coordinate(
                obj[key], join(path, key), scale, spec
            )
    else:
        for key, name, scale in (
            ("xMin", "x_min", x_scale),
            ("xMax", "x_max", x_scale),
            ("yMin", "y_min", y_scale),
            ("yMax", "y_max", y_scale),
        ):
            if obj.get(key) is not None:
                bounds[name] = _coordinate(obj[key], join(path, key), scale, spec)
        if kind == "line" and not bounds:
            raise SpecError(path, "a line needs scaleID and value, or xMin/xMax/yMin/yMax")
    label = None
    if kind == "label":
        label = _label({**obj, "display": True}, path, warnings, own_keys=True)
    elif obj.get("label") is not None:
        label = _label(obj["label"], join(path, "label"), warnings)
    dash = ()
    if obj.get("borderDash") is not None:
        seq = sequence(obj["borderDash"], join(path, "borderDash"))
        dash = tuple(
            number(v, item(join(path, "borderDash"), i), minimum=0, maximum=1000)
            for i, v in enumerate(seq[:16])
        )
    width = obj.get("borderWidth")
    when = block_time
    if obj.get("drawTime") is not None:
        when = choice(obj["drawTime"], join(path, "drawTime"), DRAW_TIMES)
    below = when in ("beforeDraw", "beforeDatasetsDraw")
    return Annotation(
        below_datasets=below,
        kind=kind,
        x_scale=x_scale,
        y_scale=y_scale,
        border_color=fields.color(obj.get("borderColor"), join(path, "borderColor")),
        border_width=None
        if width is None
        else number(width, join(path, "borderWidth"), minimum=0, maximum=100),
        border_dash=dash,
        background_color=fields.color(obj.get("backgroundColor"), join(path, "backgroundColor")),
        radius=10.0
        if obj.get("radius") is None
        else number(obj["radius"], join(path, "radius"), minimum=0, maximum=1000),
        label=label,
        **bounds,
    )


def _label(raw: Any, path: str, warnings: Warnings, own_keys: bool = False) -> AnnotationLabel | None:
    obj = mapping(raw, path)
    if not own_keys:
        warnings.unknown_keys(obj, _LABEL_KEYS, path)
    shown = None
    for key in ("display", "enabled"):
        if obj.get(key) is not None:
            shown = boolean(obj[key], join(path, key))
    # As in the plugin (every version), a line or box label is drawn only when enabled/displayed.
    if not shown or obj.get("content") is None:
        return None
    lines = text_lines(obj["content"], join(path, "content"))
    opts: dict[str, Any] = {"lines": lines}
    if obj.get("position") is not None and not own_keys:
        value = obj["position"]
        if isinstance(value, str) and value.strip().lower() in _V2_POSITIONS:
            opts["position"] = _V2_POSITIONS[value.strip().lower()]
        else:
            opts["position"] = choice(value, join(path, "position"), LABEL_POSITIONS)
    if obj.get("backgroundColor") is not None:
        opts["background_color"] = fields.color(obj["backgroundColor"], join(path, "backgroundColor"))
    elif own_keys:
        opts["background_color"] = "#00000000"  # a label annotation has no box unless asked
    for key in ("color", "fontColor"):
        if obj.get(key) is not None:
            opts["color"] = fields.color(obj[key], join(path, key))
            break
    else:
        if own_keys:
            opts["color"] = "#666666ff"
    base = Font(bold=not own_keys)  # the plugin's line/box labels are bold by default
    font = fields.font(obj.get("font"), join(path, "font"), warnings, base)
    if obj.get("fontSize") is not None:
        font = Font(
            number(obj["fontSize"], join(path, "fontSize"), minimum=1, maximum=500), font.bold, font.family
        )
    if obj.get("fontStyle") is not None:
        style = text(obj["fontStyle"], join(path, "fontStyle")).lower()
        font = Font(font.size, "bold" in style, font.family)
    opts["font"] = font
    for key, name in (("xAdjust", "x_adjust"), ("yAdjust", "y_adjust"), ("rotation", "rotation")):
        if obj.get(key) is not None:
            opts[name] = number(obj[key], join(path, key), minimum=-4000, maximum=4000)
    if obj.get("padding") is not None and not isinstance(obj["padding"], Mapping):
        opts["padding"] = number(obj["padding"], join(path, "padding"), minimum=0, maximum=100)
    for key in ("borderRadius", "cornerRadius"):
        if obj.get(key) is not None and not isinstance(obj[key], Mapping):
            opts["border_radius"] = number(obj[key], join(path, key), minimum=0, maximum=100)
    return AnnotationLabel(**opts)


def _mode_letter(obj: Mapping[Any, Any], path: str) -> str:
    if obj.get("mode") is None:
        return "y"
    mode = choice(obj["mode"], join(path, "mode"), ("horizontal", "vertical"))
    return "y" if mode == "horizontal" else "x"


def _scale(raw: Any, path: str, letter: str, spec: ChartSpec) -> str:
    """The chart's axis id for an annotation's scale id (2.x ``y-axis-0`` names included)."""
    ids = [key for key, _ in spec.scales]
    if raw is None:
        return next((k for k in ids if k[:1] == letter), letter)
    name = text(raw, path)
    if name in ids:
        return name
    hint = name[:1].lower()
    if hint not in ("x", "y"):
        raise SpecError(path, f"unknown scale {name[:40]!r}; the chart's axes are {', '.join(ids) or 'x, y'}")
    return next((k for k in ids if k[:1] == hint), hint)


def _letter(scale: str) -> str:
    # An axis keeps its direction on every cartesian chart (x across, y up), horizontal bars too;
    # an id that names no direction ("amount") is a value axis, drawn vertically.
    return "x" if scale[:1].lower() == "x" else "y"


def _coordinate(value: Any, path: str, scale: str, spec: ChartSpec) -> Coordinate:
    axis = spec.axis(scale)
    if axis.type == "time":
        return epoch_seconds(value, path)
    if isinstance(value, str):
        return text(value, path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value, path)
    raise SpecError(path, f"must be a number or a label, got {describe(value)}")
