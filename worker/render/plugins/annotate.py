"""chartjs-plugin-annotation drawn over a cartesian chart (after the datasets, the plugin's default).

A coordinate maps through its axis (a category label through the axis' labels); a missing bound is
the chart area's edge, so ``scaleID: 'y', value: 50`` spans the whole width. Defaults (documented
choices where the plugin uses Chart.js's faint ``rgba(0,0,0,0.1)``): lines 2 px #666, boxes 1 px #666
over ``rgba(0,0,0,0.1)``, points radius 10 with the same colours. Line labels sit on the line at
``start`` (left / top), ``center`` or ``end``; box labels in the box's centre.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Circle, PathPatch, Rectangle
from matplotlib.path import Path

from core.specs.plugins.model import Annotation, AnnotationLabel, Coordinate

from .. import paths, theme
from ..axes import AxisModel
from ..canvas import Canvas, Rect
from .boxes import TextBox, draw_text_box

LINE_COLOR = "#666666ff"
FILL_COLOR = "#0000001a"
LINE_WIDTH = 2.0
BOX_BORDER_WIDTH = 1.0
ZORDER = 6.0
BELOW_ZORDER = 1.5  # drawTime before the datasets: over the grid, under the data (zorder 2-4)


def draw(canvas: Canvas, annotations: tuple[Annotation, ...], axes: dict[str, AxisModel], area: Rect) -> None:
    for ann in annotations:
        x_axis = _axis(axes, ann.x_scale, horizontal=True)
        y_axis = _axis(axes, ann.y_scale, horizontal=False)
        x0 = _px(x_axis, ann.x_min, area.x0)
        x1 = _px(x_axis, ann.x_max, area.x1)
        y0 = _px(y_axis, ann.y_min, area.y0)
        y1 = _px(y_axis, ann.y_max, area.y1)
        if not all(math.isfinite(v) for v in (x0, x1, y0, y1)):
            continue
        if ann.kind == "line":
            _line(canvas, ann, (x0, y0, x1, y1), area)
        elif ann.kind == "box":
            _box(canvas, ann, Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), area)
        elif ann.kind == "point":
            _point(canvas, ann, x0, y0, area)
        if ann.label is not None:
            _label(canvas, ann, ann.label, (x0, y0, x1, y1))


def _z(ann: Annotation) -> float:
    return BELOW_ZORDER if ann.below_datasets else ZORDER


def _axis(axes: dict[str, AxisModel], axis_id: str, horizontal: bool) -> AxisModel | None:
    if axis_id in axes and axes[axis_id].horizontal == horizontal:
        return axes[axis_id]
    return next((a for a in axes.values() if a.horizontal == horizontal), None)


def _px(axis: AxisModel | None, value: Coordinate, edge: float) -> float:
    if value is None or axis is None:
        return edge
    if isinstance(value, str):
        if value in axis.labels:
            value = float(axis.labels.index(value))
        else:
            try:
                value = float(value)
            except ValueError:
                return math.nan
    with np.errstate(all="ignore"):  # a far-away coordinate overflows to inf and is skipped
        return float(axis.to_px(np.array([float(value)]))[0])


def _line(canvas: Canvas, ann: Annotation, coords: tuple[float, float, float, float], area: Rect) -> None:
    x0, y0, x1, y1 = coords
    if ann.x_min is None and ann.x_max is None:  # horizontal, across the area
        x0, x1 = area.x0, area.x1
    if ann.y_min is None and ann.y_max is None:  # vertical, up the area
        y0, y1 = area.y0, area.y1
    width = canvas.px(LINE_WIDTH if ann.border_width is None else ann.border_width)
    if width <= 0:
        return
    patch = PathPatch(
        Path([(x0, y0), (x1, y1)]),
        fill=False,
        edgecolor=theme.rgba(ann.border_color or LINE_COLOR),
        linewidth=width,
        linestyle=paths.dash_pattern(ann.border_dash, canvas.scale, width),
        capstyle="butt",
    )
    canvas.add(patch, area.grow(width), _z(ann))


def _box(canvas: Canvas, ann: Annotation, rect: Rect, area: Rect) -> None:
    width = canvas.px(BOX_BORDER_WIDTH if ann.border_width is None else ann.border_width)
    patch = Rectangle(
        (rect.x0, rect.y0),
        rect.width,
        rect.height,
        facecolor=theme.rgba(ann.background_color or FILL_COLOR),
        edgecolor=theme.rgba(ann.border_color or LINE_COLOR) if width > 0 else theme.TRANSPARENT,
        linewidth=width,
        linestyle=paths.dash_pattern(ann.border_dash, canvas.scale, width) if width > 0 else "solid",
    )
    canvas.add(patch, area.grow(width), _z(ann) - 0.1)


def _point(canvas: Canvas, ann: Annotation, x: float, y: float, area: Rect) -> None:
    width = canvas.px(BOX_BORDER_WIDTH if ann.border_width is None else ann.border_width)
    patch = Circle(
        (x, y),
        canvas.px(ann.radius),
        facecolor=theme.rgba(ann.background_color or FILL_COLOR),
        edgecolor=theme.rgba(ann.border_color or LINE_COLOR) if width > 0 else theme.TRANSPARENT,
        linewidth=width,
    )
    canvas.add(patch, area.grow(canvas.px(ann.radius) + width), _z(ann))


def _label(
    canvas: Canvas, ann: Annotation, label: AnnotationLabel, coords: tuple[float, float, float, float]
) -> None:
    x0, y0, x1, y1 = coords
    pad = canvas.px(label.padding)
    box = TextBox(
        lines=label.lines,
        size=canvas.px(label.font.size or theme.FONT_SIZE),
        bold=label.font.bold,
        color=theme.rgba(label.color),
        padding=(pad, pad, pad, pad),
        background=theme.rgba(label.background_color),
        radius=canvas.px(label.border_radius),
    )
    width, height = box.size_px(canvas)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if ann.kind == "line" and label.position != "center":
        horizontal = abs(x1 - x0) >= abs(y1 - y0)
        if horizontal:
            left, right = min(x0, x1), max(x0, x1)
            cx = left + width / 2 if label.position == "start" else right - width / 2
        else:
            top, bottom = max(y0, y1), min(y0, y1)
            cy = top - height / 2 if label.position == "start" else bottom + height / 2
    # adjustments are canvas pixels: positive y goes down
    cx += canvas.px(label.x_adjust)
    cy -= canvas.px(label.y_adjust)
    draw_text_box(canvas, box, cx, cy, label.rotation, zorder=_z(ann) + 0.5)
