"""``chf`` (fills) and ``chm`` (line fills and markers).

Fills: ``<target>,s,<color>`` (solid), ``<target>,lg,<angle>,<color>,<offset>,...`` (linear gradient)
and ``<target>,ls,<angle>,<color>,<width>,...`` (stripes: Image-Charts draws the first colour as a
solid fill). Targets: ``bg`` background, ``c`` chart area (drawn as the background unless ``bg`` is
given, as Image-Charts does), ``a`` whole-image transparency, ``b<i>`` series i, ``ps<i>-<j>`` slice
j of pie series i.

Markers: ``B`` fills under a line down to the bottom, ``b`` fills between two lines, ``D`` draws a
series as a line, ``N<format>`` prints values, ``t<text>`` prints text, and the shapes ``o`` (circle),
``s`` (square), ``d`` (diamond), ``c`` (cross), ``x``, ``h``/``H`` (horizontal line), ``v``/``V``
(vertical line). Other Google marker types are ignored and reported.

Both parameters are lenient, as Image-Charts is: entries that cannot be drawn are ignored and
reported in the warnings (``chf[<i>]``, ``chm[<i>]``), never refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from core.specs.errors import SpecError
from core.specs.imagecharts import codes
from core.specs.imagecharts.numbers import parse_number_format
from core.specs.imagecharts.params import MAX_FONT_SIZE, label_text, soft_color, soft_number
from core.specs.imagecharts.style import Gradient, Marker
from core.specs.values import Warnings

MAX_ITEMS = 200  # fills or markers in one parameter
MAX_SERIES_INDEX = 999
DEFAULT_MARKER_SIZE = 10.0
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SERIES_TARGET = re.compile(r"b(\d{1,3})")
_SLICE_TARGET = re.compile(r"ps(\d{1,3})-(\d{1,4})")
_SHAPES = {"o": "circle", "s": "square", "d": "diamond", "c": "cross", "x": "x", "h": "hline", "H": "hline"}
_SHAPES.update({"v": "vline", "V": "vline"})


@dataclass
class Fills:
    background: str | None = None
    background_gradient: Gradient | None = None
    opacity: float = 1.0
    series_colors: dict[int, str] = field(default_factory=dict)
    series_gradients: dict[int, Gradient] = field(default_factory=dict)
    slice_colors: dict[tuple[int, int], str] = field(default_factory=dict)
    slice_gradients: dict[tuple[int, int], Gradient] = field(default_factory=dict)


@dataclass(frozen=True)
class LineFill:
    color: str
    series: int
    to_series: int | None  # None: down to the bottom of the chart (B)


def parse_chf(text: str, warnings: Warnings) -> Fills:
    """Fills; a fill that cannot be drawn (an unknown target or style, such as an image fill, a
    malformed colour, a gradient without a stop) is ignored and reported as ``chf[<i>]``."""
    items = text.split("|")
    _check_count(items, "chf")
    fills = Fills()
    area: tuple[str | None, Gradient | None] | None = None
    for i, item in enumerate(items):
        if not item.strip():
            continue  # "a|b|" and "a||b": empty entries
        parts = [p.strip() for p in item.split(",")]
        where = f"chf[{i}]"
        target, kind = parts[0].lower(), parts[1].lower() if len(parts) > 1 else ""
        known_target = (
            target in ("bg", "c", "a") or _SERIES_TARGET.fullmatch(target) or _SLICE_TARGET.fullmatch(target)
        )
        if len(parts) < 3 or not known_target or kind not in ("s", "lg", "ls"):
            warnings.add(where)
            continue
        color, gradient = _fill_value(kind, parts[2:], where, warnings)
        if color is None and gradient is None:
            continue
        if target == "bg":
            fills.background, fills.background_gradient = color, gradient
        elif target == "c":
            area = (color, gradient)
        elif target == "a":
            if kind != "s" or color is None:
                warnings.add(where)
                continue
            fills.opacity = int(color[7:9], 16) / 255
        elif match := _SERIES_TARGET.fullmatch(target):
            index = int(match.group(1))
            _store(fills.series_colors, fills.series_gradients, index, color, gradient)
        elif match := _SLICE_TARGET.fullmatch(target):
            key = (int(match.group(1)), int(match.group(2)))
            _store(fills.slice_colors, fills.slice_gradients, key, color, gradient)
    # The chart-area fill paints the background unless a background fill was given (bg wins).
    if area is not None and fills.background is None and fills.background_gradient is None:
        fills.background, fills.background_gradient = area
    return fills


def _store(colors: dict, gradients: dict, key, color: str | None, gradient: Gradient | None) -> None:
    if gradient is not None:
        gradients[key] = gradient
        colors[key] = gradient.stops[0][0]
    elif color is not None:
        colors[key] = color
        gradients.pop(key, None)


def _fill_value(
    kind: str, params: list[str], where: str, warnings: Warnings
) -> tuple[str | None, Gradient | None]:
    if kind == "s":
        return soft_color(params[0], warnings, where), None
    angle = soft_number(params[0], warnings, where, default=0.0) or 0.0
    rest = params[1:]
    stops = []
    for k in range(0, len(rest), 2):
        color = soft_color(rest[k], warnings, where)
        if color is None:
            continue
        offset = 1.0 if k + 1 >= len(rest) or not rest[k + 1] else rest[k + 1]
        if isinstance(offset, str):
            high = 1.0 if kind == "lg" else 1000.0
            offset = soft_number(offset, warnings, where, low=0.0, high=high, default=1.0) or 0.0
        stops.append((color, offset))
    if not stops:
        warnings.add(where)
        return None, None
    if kind == "ls":  # stripes are drawn as a solid fill of their first colour
        return stops[0][0], None
    stops.sort(key=lambda s: s[1])
    if len(stops) == 1:
        return stops[0][0], None
    return None, Gradient(angle % 360, tuple(stops))


def parse_chm(text: str, warnings: Warnings) -> tuple[list[LineFill], list[Marker]]:
    """Line fills and markers. Image-Charts ignores what it does not understand, and so do we (each
    ignored entry is reported as ``chm[<i>]``): an unknown marker type, a missing or non-numeric
    series index, a malformed colour. Optional fields are lenient: an empty or non-numeric
    ``which_points`` marks every point, a missing or non-numeric size is the default size, the
    z-order is clamped to [-1, 1]."""
    items = text.split("|")
    _check_count(items, "chm")
    fills: list[LineFill] = []
    markers: list[Marker] = []
    for i, item in enumerate(items):
        if not item.strip():
            continue
        # Google's escape for a comma inside a text marker: "t\\,"
        parts = [p.strip().replace("\x00", ",") for p in item.replace("\\,", "\x00").split(",")]
        where = f"chm[{i}]"
        kind = parts[0]
        if kind in ("B", "b"):
            fill = _line_fill(kind, parts, where, warnings)
            if fill is not None:
                fills.append(fill)
            continue
        name, extra = _marker_kind(kind)
        series = _series_index(parts[2] if len(parts) > 2 else "", where, warnings)
        if name is None or series is None:
            warnings.add(where)
            continue
        color = soft_color(parts[1], warnings, where) if len(parts) > 1 and parts[1] else None
        color = color or "#000000ff"
        which, size_text = (parts[3] if len(parts) > 3 else ""), (parts[4] if len(parts) > 4 else "")
        if len(parts) == 4 and _NUMBER.fullmatch(which) and float(which) > 0:
            which, size_text = "", which  # Image-Charts' short form: <type>,<color>,<series>,<size>
        if name == "line" and which.strip() in ("0", "0.0"):
            which = ""  # for a D line, 0 means every point
        start, end, step = _which_points(which, where, warnings)
        size = DEFAULT_MARKER_SIZE
        if size_text:
            size = soft_number(size_text, warnings, where, low=0, high=MAX_FONT_SIZE, default=size) or 0.0
        z = 0.0
        if len(parts) > 5 and parts[5]:
            z = soft_number(parts[5], warnings, where, low=-1.0, high=1.0, default=0.0) or 0.0
        number = None
        if name == "value":
            try:
                number = parse_number_format(extra, "chm")
            except SpecError:
                warnings.add(where)
        markers.append(
            Marker(
                kind=name,
                color=color,
                series=series,
                size=size,
                start=start,
                end=end,
                step=step,
                text=label_text(extra, "chm") if name == "text" else "",
                number=number,
                above=z > 0,
            )
        )
    return fills, markers


def _line_fill(kind: str, parts: list[str], where: str, warnings: Warnings) -> LineFill | None:
    color = soft_color(parts[1], warnings, where) if len(parts) > 1 else None
    start = _series_index(parts[2] if len(parts) > 2 else "", where, warnings)
    end = None
    if kind == "b":
        end = _series_index(parts[3] if len(parts) > 3 else "", where, warnings)
        if end is None:
            start = None
    if color is None or start is None:
        warnings.add(where)
        return None
    return LineFill(color, start, end)


def _series_index(text: str, where: str, warnings: Warnings) -> int | None:
    value = soft_number(text, warnings, where) if text else None
    if value is None or value < 0 or value > MAX_SERIES_INDEX:
        return None
    return int(value)


def _marker_kind(kind: str) -> tuple[str | None, str]:
    if kind.startswith("N"):
        return "value", kind[1:]
    if kind.startswith("t"):
        return "text", kind[1:]
    if kind == "D":
        return "line", ""
    return _SHAPES.get(kind), ""


def _which_points(text: str, where: str, warnings: Warnings) -> tuple[int, int | None, int]:
    """Empty or ``-1``: all points; ``n`` one point (``n.d`` rounds down); ``-n`` every n-th point;
    ``start:end[:step]`` a range, each part optional, negative start/end counting from the last
    point. Anything else marks every point (and is reported)."""
    text = text.strip()
    if not text:
        return 0, None, 1
    limit = 10**6
    if ":" in text:
        pieces = (text.split(":") + ["", ""])[:3]
        start = soft_number(pieces[0], warnings, where, low=-limit, high=limit) if pieces[0] else 0.0
        end = soft_number(pieces[1], warnings, where, low=-limit, high=limit) if pieces[1] else None
        step = soft_number(pieces[2], warnings, where, low=1, high=limit) if pieces[2] else 1.0
        if (pieces[0] and start is None) or (pieces[1] and end is None):
            return 0, None, 1
        return math.floor(start or 0.0), None if end is None else math.floor(end), math.floor(step or 1.0)
    value = soft_number(text, warnings, where, low=-limit, high=limit)
    if value is None:
        return 0, None, 1
    point = math.floor(value) if value >= 0 else math.ceil(value)
    if point == -1:
        return 0, None, 1
    if point < -1:
        return 0, None, -point
    return point, point, 1


def _check_count(items: list[str], param: str) -> None:
    if len(items) > MAX_ITEMS:
        raise codes.fail(
            param, f"has {len(items)} entries; at most {MAX_ITEMS} are allowed", codes.LIMIT_EXCEEDED
        )
