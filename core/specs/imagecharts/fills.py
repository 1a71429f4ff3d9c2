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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.specs.imagecharts import codes
from core.specs.imagecharts.colors import parse_color
from core.specs.imagecharts.numbers import parse_number_format
from core.specs.imagecharts.params import MAX_FONT_SIZE, integer, label_text, number
from core.specs.imagecharts.style import Gradient, Marker
from core.specs.values import Warnings

MAX_ITEMS = 200  # fills or markers in one parameter
MAX_SERIES_INDEX = 999
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


def parse_chf(text: str) -> Fills:
    items = text.split("|")
    _check_count(items, "chf")
    fills = Fills()
    area: tuple[str | None, Gradient | None] | None = None
    for i, item in enumerate(items):
        parts = [p.strip() for p in item.split(",")]
        where = f"fill {i + 1}"
        if len(parts) < 3:
            raise codes.fail(
                "chf", f"{where} must be <fill_type>,<s|lg|ls>,<parameters>, got {codes.shown(item)}"
            )
        target, kind = parts[0], parts[1]
        color, gradient = _fill_value(kind, parts[2:], where)
        if target == "bg":
            fills.background, fills.background_gradient = color, gradient
        elif target == "c":
            area = (color, gradient)
        elif target == "a":
            if kind != "s" or color is None:
                raise codes.fail("chf", f"{where}: transparency takes a solid colour, e.g. a,s,00000080")
            fills.opacity = int(color[7:9], 16) / 255
        elif match := _SERIES_TARGET.fullmatch(target):
            index = int(match.group(1))
            _store(fills.series_colors, fills.series_gradients, index, color, gradient)
        elif match := _SLICE_TARGET.fullmatch(target):
            key = (int(match.group(1)), int(match.group(2)))
            _store(fills.slice_colors, fills.slice_gradients, key, color, gradient)
        else:
            raise codes.fail(
                "chf",
                f"{where}: unknown fill type {codes.shown(target)}; use bg, c, a, b<i> or ps<i>-<j>",
            )
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


def _fill_value(kind: str, params: list[str], where: str) -> tuple[str | None, Gradient | None]:
    if kind == "s":
        return parse_color(params[0], "chf"), None
    if kind not in ("lg", "ls"):
        raise codes.fail("chf", f"{where}: unknown fill style {codes.shown(kind)}; use s, lg or ls")
    angle = number(params[0], "chf", f"{where} angle", low=-3600, high=3600)
    rest = params[1:]
    if len(rest) < 2 or len(rest) % 2:
        raise codes.fail("chf", f"{where}: give <color>,<offset> pairs after the angle")
    stops = []
    for k in range(0, len(rest), 2):
        color = parse_color(rest[k], "chf")
        offset = number(
            rest[k + 1], "chf", f"{where} offset {k // 2 + 1}", low=0, high=1 if kind == "lg" else 1000
        )
        stops.append((color, offset))
    if kind == "ls":  # stripes are drawn as a solid fill of their first colour
        return stops[0][0], None
    stops.sort(key=lambda s: s[1])
    if len(stops) == 1:
        return stops[0][0], None
    return None, Gradient(angle % 360, tuple(stops))


def parse_chm(text: str, warnings: Warnings) -> tuple[list[LineFill], list[Marker]]:
    items = text.split("|")
    _check_count(items, "chm")
    fills: list[LineFill] = []
    markers: list[Marker] = []
    for i, item in enumerate(items):
        parts = [p.strip() for p in item.split(",")]
        where = f"marker {i + 1}"
        kind = parts[0]
        if not kind:
            raise codes.fail("chm", f"{where} has no marker type")
        if kind in ("B", "b"):
            if len(parts) < 3:
                raise codes.fail(
                    "chm", f"{where}: a line fill is {kind},<color>,<start_series>[,<end_series>,0]"
                )
            color = parse_color(parts[1], "chm")
            start = integer(parts[2], "chm", f"{where} series index", low=0, high=MAX_SERIES_INDEX)
            end = None
            if kind == "b":
                if len(parts) < 4:
                    raise codes.fail("chm", f"{where}: b fills between two series: b,<color>,<start>,<end>,0")
                end = integer(parts[3], "chm", f"{where} end series index", low=0, high=MAX_SERIES_INDEX)
            fills.append(LineFill(color, start, end))
            continue
        if len(parts) < 5:
            raise codes.fail("chm", f"{where}: a marker is <type>,<color>,<series>,<which_points>,<size>")
        name, extra = _marker_kind(kind)
        if name is None:
            warnings.add(f"chm[{i}]")
            continue
        color = parse_color(parts[1], "chm")
        series = integer(parts[2], "chm", f"{where} series index", low=0, high=MAX_SERIES_INDEX)
        start, end, step = _which_points(parts[3], where)
        size = number(parts[4], "chm", f"{where} size", low=0, high=MAX_FONT_SIZE)
        above = len(parts) > 5 and parts[5] not in ("", "0") and _z_order(parts[5], where) > 0
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
                number=parse_number_format(extra, "chm") if name == "value" else None,
                above=above,
            )
        )
    return fills, markers


def _marker_kind(kind: str) -> tuple[str | None, str]:
    if kind.startswith("N"):
        return "value", kind[1:]
    if kind.startswith("t"):
        return "text", kind[1:]
    if kind == "D":
        return "line", ""
    return _SHAPES.get(kind), ""


def _z_order(text: str, where: str) -> float:
    return number(text, "chm", f"{where} z-order", low=-1, high=1)


def _which_points(text: str, where: str) -> tuple[int, int | None, int]:
    """``-1`` all points, ``n`` one point, ``-n`` every n-th point, ``start:end:step`` a range."""
    what = f"{where} which_points"
    if ":" in text:
        pieces = (text.split(":") + ["", ""])[:3]
        start = integer(pieces[0], "chm", what, low=0, high=10**6) if pieces[0] else 0
        end = integer(pieces[1], "chm", what, low=0, high=10**6) if pieces[1] else None
        step = integer(pieces[2], "chm", what, low=1, high=10**6) if pieces[2] else 1
        return start, end, step
    value = number(text, "chm", what, low=-(10**6), high=10**6)
    point = int(value)
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
