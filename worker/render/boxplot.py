"""``boxplot`` and ``violin`` charts (@sgratzl/chartjs-chart-boxplot), vertical or horizontal.

Laid out as a bar chart (``cartesian.prepare``: categories, bar slots, legend, axes), with the
value axis spanning every box's whiskers, outliers and items. A box runs q1..q3 with a median line,
whiskers to ``whisker_min``/``whisker_max`` capped by short bars, outliers as small circles and the
mean as a dot. A violin is the mirrored Gaussian kernel density of the values (Silverman's
bandwidth, as the plugin estimates it) over their range, with the median marked; a violin given
only statistics is drawn as a box.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import CircleCollection, LineCollection, PolyCollection
from matplotlib.transforms import IdentityTransform

from core.specs.extra_types.model import BoxSeries, BoxStats, ExtraType
from core.specs.model import ChartSpec

from . import cartesian, series, theme
from .canvas import Canvas, RenderError

KDE_POINTS = 100


def render(canvas: Canvas, spec: ChartSpec) -> None:
    plot_spec = ExtraType.from_spec(spec).boxplot
    if plot_spec is None:
        raise RenderError(f"a {spec.type} chart needs its statistics (parse it with core.specs)")
    values = [
        v
        for s in plot_spec.series
        for st in s.stats
        if st is not None
        for v in (st.whisker_min, st.whisker_max, st.min, st.max, *st.outliers)
    ]

    def configure(axes) -> None:
        if not values:
            return
        for a in axes.values():
            if a.role == "value":
                a.lo, a.hi = min(values), max(values)

    plot, finish = cartesian.prepare(canvas, spec, configure=configure)
    cartesian.draw(canvas, plot)
    for s in plot.visible:
        if s.order >= len(plot_spec.series):
            continue
        box_series = plot_spec.series[s.order]
        plane = plot.planes[s.order]
        _draw_series(
            canvas,
            s,
            box_series,
            plane,
            plot.slots,
            plot_spec.violin,
            3 + (len(plot.series) - s.order) * 1e-3,
        )
    finish(plot.area)


def _pick(spec, index: int, fallback: theme.RGBA) -> theme.RGBA:
    if spec is None or spec == ():
        return fallback
    if isinstance(spec, str):
        return theme.rgba(spec)
    return theme.rgba(spec[index % len(spec)])


def _draw_series(canvas, s, box_series: BoxSeries, plane, slots: int, violin: bool, zorder: float) -> None:
    n = len(box_series.stats)
    if not n:
        return
    centers, width = series.bar_centers(s, plane, slots, np.arange(n, dtype=float))
    line_w = canvas.px(s.style.border_width if s.ds.border_width is not None else 1.0)
    bodies, body_fills, body_edges = [], [], []
    lines, line_colors = [], []
    dots, dot_sizes, dot_fills, dot_edges = [], [], [], []

    def pt(c: float, v: float) -> tuple[float, float]:
        p = float(plane.val_px(np.array([v]))[0])
        return (p, c) if plane.horizontal else (c, p)

    for i, st in enumerate(box_series.stats):
        if st is None:
            continue
        c = float(centers[i])
        fill = s.style.fill_at(i)
        edge = s.style.border_at(i)
        half = width / 2
        if violin and len(st.items) > 1:
            outline = _violin(st, c, half, pt)
            if outline is not None:
                bodies.append(outline)
                body_fills.append(fill)
                body_edges.append(edge)
            median = _pick(box_series.median_color, i, edge)
            lines.append((pt(c - half * 0.35, st.median), pt(c + half * 0.35, st.median)))
            line_colors.append(median)
        else:
            corners = [pt(c - half, st.q1), pt(c + half, st.q1), pt(c + half, st.q3), pt(c - half, st.q3)]
            bodies.append(corners)
            body_fills.append(fill)
            body_edges.append(edge)
            median = _pick(box_series.median_color, i, edge)
            lines.append((pt(c - half, st.median), pt(c + half, st.median)))
            line_colors.append(median)
            cap = half * 0.5
            for a, b in ((st.q1, st.whisker_min), (st.q3, st.whisker_max)):
                lines.append((pt(c, a), pt(c, b)))
                lines.append((pt(c - cap, b), pt(c + cap, b)))
                line_colors.extend([edge, edge])
        outlier = _pick(box_series.outlier_color, i, edge)
        for v in st.outliers:
            dots.append(pt(c, v))
            dot_sizes.append(math.pi * canvas.px(box_series.outlier_radius) ** 2)
            dot_fills.append(outlier)
            dot_edges.append(outlier)
        if box_series.item_radius > 0:
            for v in st.items:
                dots.append(pt(c, v))
                dot_sizes.append(math.pi * canvas.px(box_series.item_radius) ** 2)
                dot_fills.append(theme.with_alpha(edge, 0.5))
                dot_edges.append(edge)
        if st.mean is not None and box_series.mean_radius > 0:
            mean = _pick(box_series.mean_color, i, edge)
            dots.append(pt(c, st.mean))
            dot_sizes.append(math.pi * canvas.px(box_series.mean_radius) ** 2)
            dot_fills.append(mean)
            dot_edges.append(mean)
    area = plane.area
    if bodies:
        canvas.add(
            PolyCollection(
                bodies, facecolors=body_fills, edgecolors=body_edges, linewidths=[line_w], closed=True
            ),
            area.grow(line_w),
            zorder,
        )
    if lines:
        canvas.add(
            LineCollection(lines, colors=line_colors, linewidths=[max(line_w, canvas.px(1))]),
            area.grow(line_w),
            zorder + 1e-4,
        )
    if dots:
        canvas.add(
            CircleCollection(
                dot_sizes,
                offsets=dots,
                offset_transform=IdentityTransform(),
                facecolors=dot_fills,
                edgecolors=dot_edges,
                linewidths=[canvas.px(1)],
            ),
            area.grow(canvas.px(10)),
            zorder + 2e-4,
        )


def _violin(st: BoxStats, c: float, half: float, pt) -> list[tuple[float, float]] | None:
    items = np.array(st.items, dtype=float)
    n = items.size
    sd = float(items.std(ddof=1)) if n > 1 else 0.0
    iqr = st.q3 - st.q1
    spread = min(sd, iqr / 1.34) if iqr > 0 else sd
    if spread <= 0:
        return None
    bandwidth = 1.06 * spread * n**-0.2
    grid = np.linspace(st.min, st.max, KDE_POINTS)
    z = (grid[:, None] - items[None, :]) / bandwidth
    density = np.exp(-0.5 * z * z).sum(axis=1) / (n * bandwidth * math.sqrt(2 * math.pi))
    peak = float(density.max())
    if peak <= 0:
        return None
    widths = density / peak * half
    right = [pt(c + w, v) for v, w in zip(grid, widths, strict=True)]
    left = [pt(c - w, v) for v, w in zip(grid[::-1], widths[::-1], strict=True)]
    return right + left
