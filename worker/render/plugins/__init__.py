"""QuickChart's plugins drawn on top of the Chart.js renderers.

The chart renderers call three hooks, each a no-op for a spec without plugins:
``tick_formatter`` (numeric tick labels from ``tickFormat``), ``after_cartesian`` (data labels and
annotations once the datasets are drawn) and ``after_arcs`` (data labels, outside labels and the
doughnut's centre text once the slices are drawn). ``pie_radius`` leaves room for outside labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from core.specs.model import ChartSpec
from core.specs.plugins.model import NumberFormat, Plugins
from core.specs.plugins.tickformat import format_number

from .. import series, theme
from ..canvas import Canvas, Rect
from ..radial_scale import RadialScale
from ..scales import Ticks
from . import annotate, centertext, datalabels, outlabels
from .datalabels import Element

# Beyond this many data labels a chart is unreadable and the render slow (each label is a text and
# maybe a box): the first ones, in dataset order, are drawn (documented).
MAX_DATALABELS = 2000


@dataclass(frozen=True, slots=True)
class Arc:
    """One drawn slice: matplotlib angles (degrees counter-clockwise from 3 o'clock)."""

    dataset: int
    index: int
    value: float
    cx: float
    cy: float
    r_in: float
    r_out: float
    theta1: float
    theta2: float
    fill: theme.RGBA


def plugins_of(spec: ChartSpec) -> Plugins | None:
    return Plugins.from_spec(spec) if spec.extras else None


def tick_formatter(spec: ChartSpec) -> Callable[[float], str] | None:
    found = plugins_of(spec)
    if found is None or found.tick_format is None:
        return None
    fmt = found.tick_format.number
    return lambda value: format_number(fmt, value)


def axis_configurer(spec: ChartSpec) -> Callable[[dict], None] | None:
    """A ``cartesian.prepare`` hook that puts ``tickFormat`` on every numeric axis."""
    formatter = tick_formatter(spec)
    if formatter is None:
        return None

    def configure(axes: dict) -> None:
        for a in axes.values():
            a.tick_format = formatter

    return configure


def format_radial_ticks(spec: ChartSpec, scale: RadialScale) -> RadialScale:
    """A radar or polar-area scale with its tick labels written by ``tickFormat``."""
    formatter = tick_formatter(spec)
    if formatter is None:
        return scale
    t = scale.ticks
    labels = tuple(formatter(v) if label else "" for v, label in zip(t.values, t.labels, strict=True))
    return replace(scale, ticks=Ticks(t.values, labels, t.lo, t.hi))


def shared_format(found: Plugins) -> NumberFormat | None:
    tick = found.tick_format
    return tick.number if tick is not None and tick.apply_to_datalabels else None


def after_cartesian(canvas: Canvas, spec: ChartSpec, plot) -> None:
    """Annotations, then data labels, over a laid-out ``cartesian.Plot``."""
    found = plugins_of(spec)
    if found is None:
        return
    if found.annotations:
        annotate.draw(canvas, found.annotations, plot.axes, plot.area)
    if not found.datalabels:
        return
    budget, placed = MAX_DATALABELS, []
    for s in plot.visible:
        opts = found.datalabels[s.order] if s.order < len(found.datalabels) else None
        if opts is None or budget <= 0:
            continue
        plane = plot.planes[s.order]
        with np.errstate(all="ignore"):
            elements = _cartesian_elements(s, plane, plot.slots)[:budget]
        budget -= len(elements)
        datalabels.draw(canvas, opts, elements, plot.area, shared_format(found), placed)


def _cartesian_elements(s: series.Series, plane: series.Plane, slots: int) -> list[Element]:
    ok = ~(np.isnan(s.idx) | np.isnan(s.val))
    where = np.flatnonzero(ok)
    if not where.size:
        return []
    top = plane.val_px(s.top[where])
    if s.kind == "bar":
        centers, _ = series.bar_centers(s, plane, slots, s.idx[where])
        base = plane.val_px(s.base[where]) if s.stacked else np.full(centers.shape, plane.val_base)
    else:
        centers = plane.idx_px(s.idx[where])
        base = np.full(centers.shape, plane.val_base)
    out = []
    for k, i in enumerate(where):
        c, b, t = float(centers[k]), float(base[k]), float(top[k])
        if not (math.isfinite(c) and math.isfinite(t)):
            continue
        value = float(s.val[i])
        sign = 1.0 if (t - b) > 0 or (t == b and value >= 0) else -1.0
        if s.kind != "bar":
            sign = 1.0 if t >= b else -1.0
            b = t
        if plane.horizontal:
            start, end, direction = (b, c), (t, c), (sign, 0.0)
        else:
            start, end, direction = (c, b), (c, t), (0.0, sign)
        out.append(Element(int(i), value, start, end, direction))
    return out


def after_radar(
    canvas: Canvas,
    spec: ChartSpec,
    points: dict[int, tuple[np.ndarray, np.ndarray]],
    center: tuple[float, float],
    area: Rect,
) -> None:
    """Data labels on radar points (``points``: dataset index -> (pixel xy, values)); a point's
    direction runs outwards from the centre."""
    found = plugins_of(spec)
    if found is None or not found.datalabels:
        return
    budget, placed = MAX_DATALABELS, []
    for k, (xy, values) in points.items():
        opts = found.datalabels[k] if k < len(found.datalabels) else None
        if opts is None or budget <= 0:
            continue
        elements = []
        for i, ((x, y), value) in enumerate(zip(xy, values, strict=True)):
            if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(value)):
                continue
            dx, dy = x - center[0], y - center[1]
            length = math.hypot(dx, dy)
            direction = (dx / length, dy / length) if length > 0 else (0.0, 1.0)
            elements.append(Element(i, float(value), (x, y), (x, y), direction))
        elements = elements[:budget]
        budget -= len(elements)
        datalabels.draw(canvas, opts, elements, area, shared_format(found), placed)


def pie_radius(canvas: Canvas, spec: ChartSpec, outer: float) -> float:
    """The outer radius left for the slices when outside labels need room around them."""
    found = plugins_of(spec)
    if found is None or found.outlabels is None:
        return outer
    return outlabels.radius(canvas, found.outlabels, outer)


def after_arcs(
    canvas: Canvas, spec: ChartSpec, arcs: list[Arc], area: Rect, cx: float, cy: float, hole: float
) -> None:
    found = plugins_of(spec)
    if found is None:
        return
    if found.outlabels is not None:
        outlabels.draw(canvas, found.outlabels, [a for a in arcs if a.dataset == 0], list(spec.labels))
    if found.datalabels:
        budget, placed = MAX_DATALABELS, []
        for k, opts in enumerate(found.datalabels):
            if opts is None or budget <= 0:
                continue
            elements = []
            for a in arcs:
                if a.dataset != k:
                    continue
                mid = math.radians((a.theta1 + a.theta2) / 2)
                ux, uy = math.cos(mid), math.sin(mid)
                elements.append(
                    Element(
                        a.index,
                        a.value,
                        (a.cx + ux * a.r_in, a.cy + uy * a.r_in),
                        (a.cx + ux * a.r_out, a.cy + uy * a.r_out),
                        (ux, uy),
                    )
                )
            elements = elements[:budget]
            budget -= len(elements)
            datalabels.draw(canvas, opts, elements, area, shared_format(found), placed)
    if found.center_text:
        centertext.draw(canvas, found.center_text, cx, cy, hole)
