"""chartjs-plugin-datalabels drawn on bars, points and slices.

Each element offers three anchor points along its own direction (``start``, ``center``, ``end``): a
bar's base, middle and tip; a slice's inner radius, middle and outer radius; a point is all three
(its direction is away from the value axis' origin, so ``end`` is above a positive point). The label
box is then moved ``offset`` px from the anchor in the ``align`` direction (``start``/``end`` along
the element, ``top``/``bottom``/``left``/``right`` on screen, or an angle clockwise from the right),
its nearest edge touching that distance, as the plugin places it. ``clamp`` keeps the anchor inside
the chart area. The text is the data value (a point's y), formatted by ``numberFormat``, else by
``tickFormat`` when it applies to data labels, else as JavaScript writes the number. A label with
``display: 'auto'`` is left out where its box would overlap a label already drawn (boxes are
compared unrotated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.specs.plugins.model import DataLabels, NumberFormat
from core.specs.plugins.tickformat import format_number
from core.specs.values import number_label

from .. import theme
from ..canvas import Canvas, Rect
from .boxes import TextBox, draw_text_box

_SCREEN = {"top": (0.0, 1.0), "bottom": (0.0, -1.0), "right": (1.0, 0.0), "left": (-1.0, 0.0)}


@dataclass(frozen=True, slots=True)
class Element:
    """One data element's geometry in device pixels: where it starts and ends along its direction."""

    index: int
    value: float
    start: tuple[float, float]
    end: tuple[float, float]
    direction: tuple[float, float]  # unit vector from start to end (for points: away from the origin)
    fill: theme.RGBA | None = None  # the element's colour (unused by datalabels; outlabels use it)


def label_text(value: float, opts: DataLabels, shared: NumberFormat | None, index: int = 0) -> str:
    if opts.percent_of:
        share = 100 * value / opts.percent_of[index % len(opts.percent_of)]
        return f"{round(share)}%" if math.isfinite(share) else ""
    fmt = opts.number or shared
    if fmt is not None:
        return format_number(fmt, value)
    return number_label(value)


def draw(
    canvas: Canvas,
    opts: DataLabels,
    elements: list[Element],
    area: Rect,
    shared: NumberFormat | None,
    placed: list[Rect] | None = None,
) -> None:
    """Draw one dataset's labels; ``placed`` collects the label boxes of the whole chart so that
    ``display: 'auto'`` labels can give way to the ones drawn before them."""
    placed = [] if placed is None else placed
    size = canvas.px(opts.font.size or theme.FONT_SIZE)
    padding = tuple(canvas.px(p) for p in opts.padding)
    for el in elements:
        if not math.isfinite(el.value):
            continue
        box = TextBox(
            lines=tuple(label_text(el.value, opts, shared, el.index).split("\n")),
            size=size,
            bold=opts.font.bold,
            color=_pick(opts.color, el.index) or theme.text_color(None),
            padding=padding,  # type: ignore[arg-type]
            background=_pick(opts.background_color, el.index),
            border=_pick(opts.border_color, el.index),
            border_width=canvas.px(opts.border_width),
            radius=canvas.px(opts.border_radius),
        )
        cx, cy = _position(canvas, opts, el, box, area)
        width, height = box.size_px(canvas)
        bounds = Rect(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        if opts.auto and any(_overlap(bounds, other) for other in placed):
            continue
        placed.append(bounds)
        draw_text_box(canvas, box, cx, cy, opts.rotation)


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _pick(spec, index: int) -> theme.RGBA | None:
    if spec is None or spec == ():
        return None
    if isinstance(spec, str):
        return theme.rgba(spec)
    return theme.rgba(spec[index % len(spec)])


def _position(canvas: Canvas, opts: DataLabels, el: Element, box: TextBox, area: Rect) -> tuple[float, float]:
    (x0, y0), (x1, y1) = el.start, el.end
    ax, ay = {"start": (x0, y0), "end": (x1, y1)}.get(opts.anchor, ((x0 + x1) / 2, (y0 + y1) / 2))
    if opts.clamp:
        ax, ay = min(max(ax, area.x0), area.x1), min(max(ay, area.y0), area.y1)
    if opts.align == "center":
        return ax, ay
    dx, dy = _direction(opts.align, el.direction)
    width, height = box.size_px(canvas)
    # distance from the box centre to its edge along (dx, dy): the box touches the offset circle
    hw, hh = width / 2, height / 2
    edge = min(hw / abs(dx) if abs(dx) > 1e-9 else math.inf, hh / abs(dy) if abs(dy) > 1e-9 else math.inf)
    reach = canvas.px(opts.offset) + edge
    return ax + dx * reach, ay + dy * reach


def _direction(align: str, along: tuple[float, float]) -> tuple[float, float]:
    if align == "end":
        return along
    if align == "start":
        return -along[0], -along[1]
    if align in _SCREEN:
        return _SCREEN[align]
    angle = math.radians(float(align))  # clockwise from the right, canvas-style
    return math.cos(angle), -math.sin(angle)
