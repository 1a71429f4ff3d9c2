"""Image-Charts bar, line, scatter and bubble charts: the shared cartesian renderer plus axis looks
(``chxs``/``chxl``/``chxp``/``chg``), series gradients (``chf=b<i>,lg``), markers (``chm``) and the
grow-in animation."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from core.specs.imagecharts.numbers import format_value
from core.specs.imagecharts.style import AxisStyle, ImageChartsStyle, Marker
from core.specs.model import ChartSpec

from .. import cartesian, theme
from ..axes import AxisLook, AxisModel
from ..canvas import Canvas, Rect
from ..layout import FrameOptions
from . import gradient, markers

POINT_LABEL_COLOR = "#404040ff"


def render(
    canvas: Canvas, spec: ChartSpec, style: ImageChartsStyle, frame: FrameOptions, progress: float
) -> None:
    looks = {a.axis: look(a) for a in style.axes}

    def configure(axes: dict[str, AxisModel]) -> None:
        for axis_id, model in axes.items():
            if axis_id in looks:
                model.look = looks[axis_id]

    plot, finish = cartesian.prepare(canvas, spec, frame, configure)
    if progress != 1.0:
        cartesian.animate(plot, progress)
    shapes = cartesian.draw(canvas, plot)
    n = len(plot.series)
    for index, fill in style.series_gradients:
        shape = shapes.get(index)
        # just above the series' own shapes: bars at 3 + ..., line fills at 2 + ... (cartesian.py)
        z = (3 if isinstance(shape, np.ndarray) else 2) + (n - index) * 1e-3 + 1e-4
        if isinstance(shape, np.ndarray) and len(shape):
            path = Path.make_compound_path(*(Path(corners, closed=False) for corners in shape))
            gradient.paint_path(canvas, fill, path, plot.area, z)
        elif isinstance(shape, PathPatch):
            extents = shape.get_path().get_extents()
            box = Rect(extents.x0, extents.y0, extents.x1, extents.y1)
            gradient.paint(canvas, fill, box, clip=shape, zorder=z)
    markers.draw(canvas, plot, style)
    if style.point_labels:  # chl on bars, lines and bubbles: each label at its point
        labels = tuple(
            Marker("text", POINT_LABEL_COLOR, k, 0.0, start=j, end=j, text=text)
            for k, group in enumerate(style.point_labels)
            for j, text in enumerate(group)
            if text
        )
        if len(labels) > markers.MAX_LABELS:  # thousands of labels are unreadable and slow to draw
            labels = labels[:: -(-len(labels) // markers.MAX_LABELS)]
        markers.draw(canvas, plot, replace(style, markers=labels))
    finish(plot.area)


def look(axis: AxisStyle) -> AxisLook:
    """The renderer's view of one axis' Image-Charts style."""
    return AxisLook(
        label_color=theme.rgba(axis.label_color) if axis.label_color else None,
        label_size=axis.label_size,
        line_color=theme.rgba(axis.line_color) if axis.line_color else None,
        tick_color=theme.rgba(axis.tick_color) if axis.tick_color else None,
        show_line=axis.show_line,
        show_ticks=axis.show_ticks,
        grid_dash=axis.grid_dash,
        ticks=axis.ticks,
        relative=axis.relative,
        formatter=functools.partial(format_value, fmt=axis.number) if axis.number else None,
    )
