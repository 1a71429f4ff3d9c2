"""Pie, doughnut and polarArea charts.

Slices start at 12 o'clock and run clockwise. Pie and doughnut: slice angle proportional to the
absolute value, one ring per visible dataset (the first dataset outermost), doughnut cutout 50 %
of the radius. PolarArea: equal angles, radius by value on a radial linear scale that begins at
zero with circular grid lines. The legend lists the labels (slice colours of the first dataset),
as in Chart.js; no text is drawn on the slices (Chart.js needs a plugin for that).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Wedge

from core.specs.model import ChartSpec, Dataset

from . import plugins, radial_scale, theme
from .canvas import Canvas
from .layout import DEFAULT_FRAME, FrameOptions, LegendItem, layout_frame
from .series import as_number

DOUGHNUT_CUTOUT = 0.5


def _label_count(spec: ChartSpec) -> int:
    return max([len(spec.labels)] + [len(ds.values) for ds in spec.datasets])


def _legend(spec: ChartSpec, n: int) -> list[LegendItem]:
    first = next((ds for ds in spec.datasets if not ds.hidden), spec.datasets[0] if spec.datasets else None)
    if first is None:
        return []
    fills, borders, width = theme.slice_colors(first, n, spec.type)
    labels = list(spec.labels) + [""] * (n - len(spec.labels))
    return [LegendItem(labels[i], fills[i], borders[i], width) for i in range(n) if labels[i] or spec.labels]


def render(
    canvas: Canvas, spec: ChartSpec, frame: FrameOptions = DEFAULT_FRAME, progress: float = 1.0
) -> None:
    """``progress`` (animation) scales polar-area radii; pies grow in ``imagecharts.pie``."""
    n = _label_count(spec)
    region, finish = layout_frame(canvas, spec, _legend(spec, n), frame)
    if spec.type == "polarArea":
        _polar(canvas, spec, region, n, progress)
    else:
        _pie(canvas, spec, region, n)
    finish(region)


def _wedges(canvas: Canvas, wedges: list[Wedge], fills, borders, widths, zorder: float) -> None:
    if wedges:
        canvas.add(
            PatchCollection(
                wedges, facecolors=fills, edgecolors=borders, linewidths=widths, joinstyle="round"
            ),
            zorder=zorder,
        )


def _pie(canvas: Canvas, spec: ChartSpec, region, n: int) -> None:
    visible = [ds for ds in spec.datasets if not ds.hidden]
    if not visible:
        return
    region = region.inset(*(canvas.px(4),) * 4)
    widths_css = [theme.slice_colors(ds, n, spec.type)[2] for ds in visible]
    outer = max(0.0, (min(region.width, region.height) - canvas.px(max(widths_css))) / 2)
    outer = plugins.pie_radius(canvas, spec, outer)
    inner = outer * DOUGHNUT_CUTOUT if spec.type == "doughnut" else 0.0
    ring = (outer - inner) / len(visible)
    wedges, fills, borders, widths = [], [], [], []
    arcs: list[plugins.Arc] = []
    order = [i for i, ds in enumerate(spec.datasets) if not ds.hidden]
    for k, ds in enumerate(visible):
        values = np.abs(np.nan_to_num(np.array([as_number(v) for v in ds.values], dtype=float), nan=0.0))
        total = float(values.sum())
        if total <= 0:
            continue
        f, b, w = theme.slice_colors(ds, len(values), spec.type)
        r_out = outer - k * ring
        start = 0.0
        for i, v in enumerate(values):
            sweep = 360.0 * v / total
            if sweep <= 0:
                continue
            # clockwise from 12 o'clock -> matplotlib's counter-clockwise degrees from 3 o'clock
            wedges.append(
                Wedge(
                    (region.cx, region.cy),
                    r_out,
                    90 - start - sweep,
                    90 - start,
                    width=ring if (inner > 0 or k < len(visible) - 1) else None,
                )
            )
            fills.append(f[i])
            borders.append(b[i])
            widths.append(canvas.px(w))
            r_in = r_out - ring if (inner > 0 or k < len(visible) - 1) else 0.0
            theta = (90 - start - sweep, 90 - start)
            value = as_number(ds.values[i])
            arcs.append(plugins.Arc(order[k], i, value, region.cx, region.cy, r_in, r_out, *theta, f[i]))
            start += sweep
    _wedges(canvas, wedges, fills, borders, widths, zorder=3)
    plugins.after_arcs(canvas, spec, arcs, region, region.cx, region.cy, inner)


def _polar(canvas: Canvas, spec: ChartSpec, region, n: int, progress: float = 1.0) -> None:
    cfg = spec.axis("r")
    visible: list[Dataset] = [ds for ds in spec.datasets if not ds.hidden]
    data = np.array([as_number(v) for ds in visible for v in ds.values], dtype=float)
    region = region.inset(*(canvas.px(4),) * 4)
    scale = radial_scale.build(canvas, region, cfg, data, None, begin_at_zero=True)
    scale = plugins.format_radial_ticks(spec, scale)
    radial_scale.draw_grid(canvas, scale, cfg, n, circular=True, angle_lines=False)
    sweep = 360.0 / max(n, 1)
    wedges, fills, borders, widths = [], [], [], []
    arcs: list[plugins.Arc] = []
    order = [i for i, ds in enumerate(spec.datasets) if not ds.hidden]
    for k, ds in enumerate(visible):
        f, b, w = theme.slice_colors(ds, len(ds.values), spec.type)
        radii = scale.r(np.array([as_number(v) for v in ds.values], dtype=float)) * max(progress, 0.0)
        for i, r in enumerate(radii):
            if not math.isfinite(r) or r <= 0:
                continue
            start = i * sweep
            wedges.append(Wedge((scale.cx, scale.cy), float(r), 90 - start - sweep, 90 - start))
            fills.append(f[i])
            borders.append(b[i])
            widths.append(canvas.px(w))
            value = as_number(ds.values[i])
            theta = (90 - start - sweep, 90 - start)
            arcs.append(plugins.Arc(order[k], i, value, scale.cx, scale.cy, 0.0, float(r), *theta, f[i]))
    _wedges(canvas, wedges, fills, borders, widths, zorder=3)
    # above the slices (Chart.js draws them below), so opaque colours cannot hide the scale
    radial_scale.draw_tick_labels(canvas, scale, cfg)
    plugins.after_arcs(canvas, spec, arcs, region, scale.cx, scale.cy, 0.0)
