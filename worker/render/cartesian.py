"""Line, bar (vertical, horizontal, stacked), scatter, bubble and mixed bar+line charts.

The chart area comes from ``axes.fit`` after the title/legend bands; datasets are mapped through
their axes and drawn by ``series``. Bars make the index axis "offset" (half a category of
padding at each end, grid lines between categories), as Chart.js does for bar charts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.specs.model import ChartSpec

from . import plugins, series, theme
from .axes import AxisModel, draw_axes, fit
from .canvas import Canvas, Rect
from .layout import DEFAULT_FRAME, FrameOptions, LegendItem, layout_frame

OUTER_PADDING = 4.0  # CSS px kept free around the axes so edge labels never touch the canvas border


@dataclass
class Plot:
    """A laid-out chart, ready to draw: the chart area, the fitted axes and the series on them."""

    area: Rect
    axes: dict[str, AxisModel]
    series: list[series.Series]
    visible: list[series.Series]
    slots: int
    planes: dict[int, series.Plane]


def render(canvas: Canvas, spec: ChartSpec, frame: FrameOptions = DEFAULT_FRAME) -> None:
    plot, finish = prepare(canvas, spec, frame, plugins.axis_configurer(spec))
    draw(canvas, plot)
    plugins.after_cartesian(canvas, spec, plot)
    finish(plot.area)


def prepare(
    canvas: Canvas,
    spec: ChartSpec,
    frame: FrameOptions = DEFAULT_FRAME,
    configure: Callable[[dict[str, AxisModel]], None] | None = None,
) -> tuple[Plot, Callable[[Rect], None]]:
    """Lay the chart out (frame, axes, stacking) without drawing any data. ``configure`` may
    adjust the axis models once their data ranges are known, before ticks are laid out."""
    horizontal = spec.index_axis == "y" and spec.type not in ("scatter", "bubble")
    styles = [theme.series_style(ds, i) for i, ds in enumerate(spec.datasets)]
    items = [
        LegendItem(ds.label, st.fill, st.border, st.border_width, ds.hidden)
        for ds, st in zip(spec.datasets, styles, strict=True)
    ]
    region, finish = layout_frame(canvas, spec, items, frame)
    axes, all_series = _model(spec, horizontal, styles)
    slots = series.apply_stacking(
        all_series,
        {a.id: a.cfg.stacked for a in axes.values() if a.role == "index"},
        {a.id: a.cfg.stacked for a in axes.values() if a.role == "value"},
    )
    visible = [s for s in all_series if not s.ds.hidden]
    _data_ranges(axes, visible)
    if configure is not None:
        configure(axes)
    bubble = max((float(np.max(s.radius, initial=0.0)) for s in visible if s.radius is not None), default=0.0)
    overflow = canvas.px(bubble + theme.POINT_BORDER_WIDTH) if bubble else 0.0
    area = fit(canvas, region.inset(*(canvas.px(OUTER_PADDING),) * 4), list(axes.values()), overflow)
    planes = _planes(area, axes, all_series, visible)
    return Plot(area, axes, all_series, visible, slots, planes), finish


def animate(plot: Plot, progress: float) -> None:
    """Move every value ``progress`` of the way from its axis origin (Chart.js's grow-in)."""
    for s in plot.series:
        a = plot.axes[s.val_axis]
        origin = a.lo if a.kind == "logarithmic" else min(max(0.0, a.lo), a.hi)
        s.top = origin + (s.top - origin) * progress
        if s.stacked:
            s.base = origin + (s.base - origin) * progress


def draw(canvas: Canvas, plot: Plot) -> dict[int, object]:
    """Draw axes and series; returns each series' drawn shape (bar rectangles or a fill path)."""
    draw_axes(canvas, plot.area, list(plot.axes.values()))
    return _draw_series(canvas, plot)


# --- model ------------------------------------------------------------------------------------


def _model(spec: ChartSpec, horizontal: bool, styles: list[theme.SeriesStyle]):
    labels = list(spec.labels)
    label_index = {label: i for i, label in reversed(list(enumerate(labels)))}
    axes: dict[str, AxisModel] = {}
    defaults = ("y", "x") if horizontal else ("x", "y")

    def axis(axis_id: str, role: str) -> AxisModel:
        if axis_id in axes:
            return axes[axis_id]
        cfg = spec.axis(axis_id)
        is_h = (role == "index") != horizontal
        if is_h:
            side = cfg.position if cfg.position in ("top", "bottom") else "bottom"
        else:
            side = cfg.position if cfg.position in ("left", "right") else "left"
        if role == "index":
            kind = (
                cfg.type if cfg.type in ("category", "linear", "logarithmic", "time") else _index_kind(spec)
            )
        else:
            kind = "logarithmic" if cfg.type == "logarithmic" else "linear"
        primary = not any(a.horizontal == is_h for a in axes.values())
        axes[axis_id] = AxisModel(axis_id, cfg, is_h, kind, role, side, primary=primary)
        return axes[axis_id]

    for ds in spec.datasets:
        axis(ds.y_axis_id if horizontal else ds.x_axis_id, "index")
    if not axes:
        axis(defaults[0], "index")
    out: list[series.Series] = []
    for i, ds in enumerate(spec.datasets):
        idx_ax = axis(ds.y_axis_id if horizontal else ds.x_axis_id, "index")
        val_ax = axis(ds.x_axis_id if horizontal else ds.y_axis_id, "value")
        idx, val, radius = series.index_positions(ds, idx_ax.kind, labels, label_index, spec.label_times)
        out.append(series.Series(i, ds, styles[i], idx, val, idx_ax.id, val_ax.id, radius))
    if not any(a.role == "value" for a in axes.values()):
        axis(defaults[1], "value")
    has_bars = any(ds.type == "bar" for ds in spec.datasets)
    for a in axes.values():
        if a.role == "index":
            a.labels = labels
            a.offset = has_bars and a.kind in ("category", "time", "linear")
    return axes, out


def _index_kind(spec: ChartSpec) -> str:
    if spec.type in ("scatter", "bubble"):
        return "linear"
    with_data = [ds for ds in spec.datasets if ds.values or ds.points]
    if (
        with_data
        and not spec.labels
        and all(ds.points for ds in with_data)
        and all(not isinstance(p.x, str) for ds in with_data for p in ds.points)
    ):
        return "linear"
    return "category"


def _data_ranges(axes: dict[str, AxisModel], visible: list[series.Series]) -> None:
    for a in axes.values():
        mine = [s for s in visible if (s.idx_axis if a.role == "index" else s.val_axis) == a.id]
        if a.role == "index" and a.kind == "category":
            n = max([len(a.labels)] + [len(s.idx) for s in mine if s.ds.values])
            a.has_data = n > 0
            n = max(n, 1)
            lo = 0.0 if a.cfg.min is None else float(math.floor(a.cfg.min))
            hi = float(n - 1) if a.cfg.max is None else float(math.ceil(a.cfg.max))
            if len(a.labels) < n:
                a.labels = a.labels + [""] * (n - len(a.labels))
            if a.offset or hi <= lo:
                lo, hi = lo - 0.5, hi + 0.5
            a.lo, a.hi = lo, hi
            continue
        if a.role == "index":
            arrays = [s.idx for s in mine]
        else:
            arrays = [s.top for s in mine] + [s.base for s in mine if s.stacked]
        data = np.concatenate(arrays) if arrays else np.zeros(0)
        data = data[np.isfinite(data)]
        if a.kind == "logarithmic":
            data = data[data > 0]
        lo = float(data.min()) if data.size else None
        hi = float(data.max()) if data.size else None
        wants_zero = a.cfg.begin_at_zero or (a.role == "value" and any(s.kind == "bar" for s in mine))
        if lo is None or hi is None:
            lo, hi = (1.0, 10.0) if a.kind == "logarithmic" else (0.0, 1.0)
        elif wants_zero and a.kind != "logarithmic":
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if a.role == "index" and a.offset:  # bars on a time/linear axis: room for half a bar each end
            gaps = np.diff(np.unique(data))
            half = float(gaps.min()) / 2 if gaps.size else (43200.0 if a.kind == "time" else 0.5)
            lo, hi = lo - half, hi + half
        a.lo, a.hi = lo, hi


def _planes(
    area: Rect, axes: dict[str, AxisModel], all_series: list[series.Series], visible: list[series.Series]
) -> dict[int, series.Plane]:
    planes: dict[int, series.Plane] = {}
    for s in all_series:
        ia, va = axes[s.idx_axis], axes[s.val_axis]
        planes[s.order] = series.Plane(
            idx_px=ia.to_px,
            val_px=va.to_px,
            val_base=va.px(va.lo if va.kind == "logarithmic" else min(max(0.0, va.lo), va.hi)),
            val_start=va.px(va.lo),
            val_end=va.px(va.hi),
            horizontal=not ia.horizontal,
            area=area,
            category_width=_category_width(
                ia, [o for o in visible if o.kind == "bar" and o.idx_axis == ia.id]
            ),
        )
    return planes


def _draw_series(canvas: Canvas, plot: Plot) -> dict[int, object]:
    planes, all_series = plot.planes, plot.series
    shapes: dict[int, object] = {}
    n = len(all_series)
    for s in plot.visible:
        if s.kind != "line":
            continue
        target = series.fill_target(s, all_series)
        if target is not None:
            shapes[s.order] = series.draw_fill(
                canvas, s, target, planes, all_series, 2 + (n - s.order) * 1e-3
            )
    for s in plot.visible:
        z = 3 + (n - s.order) * 1e-3
        plane = planes[s.order]
        if s.kind == "bar":
            shapes[s.order] = series.draw_bars(canvas, s, plane, plot.slots, z)
        elif s.kind in ("scatter", "bubble"):
            ip, vp = plane.idx_px(s.idx), plane.val_px(s.top)
            ok = ~(np.isnan(ip) | np.isnan(vp))
            xy = np.column_stack((vp[ok], ip[ok]) if plane.horizontal else (ip[ok], vp[ok]))
            if s.kind == "scatter" and s.style.point_radius <= 0:
                continue
            series.draw_points(canvas, s, xy, np.flatnonzero(ok), s.radius, plot.area, z)
        else:
            series.draw_line(canvas, s, plane, z)
    return shapes


def _category_width(a: AxisModel, bars: list[series.Series]) -> float:
    length = abs(a.end - a.start)
    if a.kind == "category":
        span = a.hi - a.lo
        return length / span if span > 0 else length
    xs = np.concatenate([s.idx for s in bars]) if bars else np.zeros(0)
    px = np.unique(a.to_px(xs[np.isfinite(xs)]))
    if px.size > 1:
        return float(np.diff(px).min())
    return length / 2 if px.size else length
