"""Radar charts: labels around, a radial linear ``r`` scale (polygon grid, angle lines, tick
labels on backdrops), one closed line per dataset with optional fill, tension and points.

Tick labels sit on backdrops above the datasets (Chart.js draws them underneath, where an
opaque fill hides them). Like Chart.js the ``r`` scale does not begin at zero unless asked
(``begin_at_zero``). A null value breaks the polygon into open runs and then the dataset is not
filled. ``fill`` to another dataset fills the ring between the two polygons; any other truthy
fill fills the shape.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import CircleCollection
from matplotlib.patches import PathPatch
from matplotlib.transforms import IdentityTransform

from core.specs.model import ChartSpec

from . import paths, plugins, radial_scale, theme
from .canvas import Canvas
from .layout import DEFAULT_FRAME, FrameOptions, LegendItem, layout_frame
from .series import as_number


def render(
    canvas: Canvas, spec: ChartSpec, frame: FrameOptions = DEFAULT_FRAME, progress: float = 1.0
) -> None:
    """``progress`` (animation) draws every dataset that share of the way out from the centre."""
    styles = [theme.series_style(ds, i) for i, ds in enumerate(spec.datasets)]
    items = [
        LegendItem(ds.label, st.fill, st.border, st.border_width, ds.hidden)
        for ds, st in zip(spec.datasets, styles, strict=True)
    ]
    region, finish = layout_frame(canvas, spec, items, frame)
    n = max([len(spec.labels)] + [len(ds.values) for ds in spec.datasets])
    labels = list(spec.labels) + [""] * (n - len(spec.labels))
    values = [
        np.array([as_number(v) for v in ds.values] + [np.nan] * (n - len(ds.values))) for ds in spec.datasets
    ]
    visible = [i for i, ds in enumerate(spec.datasets) if not ds.hidden]
    cfg = spec.axis("r")
    data = np.concatenate([values[i] for i in visible]) if visible else np.zeros(0)
    region = region.inset(*(canvas.px(4),) * 4)
    scale = radial_scale.build(
        canvas, region, cfg, data, labels if cfg.display else None, begin_at_zero=False
    )
    scale = plugins.format_radial_ticks(spec, scale)
    radial_scale.draw_grid(canvas, scale, cfg, n, circular=False, angle_lines=True)
    radial_scale.draw_tick_labels(canvas, scale, cfg)  # above the datasets, readable through any fill
    if cfg.display:
        radial_scale.draw_point_labels(canvas, scale, labels)
    a = radial_scale.angles(n)
    polys = {i: scale.xy(a, scale.r(values[i]) * max(progress, 0.0)) for i in visible}
    closed = {i: bool(np.isfinite(values[i]).all()) and n >= 3 for i in visible}
    count = len(spec.datasets)
    for i in visible:
        ds, st = spec.datasets[i], styles[i]
        tension = ds.tension
        z = 3 + (count - i) * 1e-3
        ok = np.isfinite(values[i])
        if closed[i]:
            shape = paths.polyline(polys[i], tension, closed=True)
            parts = [shape]
        else:
            order = _rotation(ok)
            pts, ok_r = polys[i][order], ok[order]
            parts = [paths.polyline(pts[r0:r1], tension) for r0, r1 in paths.runs(ok_r) if r1 - r0 > 1]
        target = _fill_target(ds.fill, i, count)
        if target is not None and closed[i]:
            fill_parts = [shape]
            if isinstance(target, int) and target in polys and closed[target]:
                other = paths.polyline(polys[target], spec.datasets[target].tension, closed=True)
                # reversed winding: nonzero filling then covers only the ring between the two
                fill_parts.append(paths.reverse(*other))
            p = paths.join(fill_parts)
            if p is not None:
                canvas.add(
                    PathPatch(p, facecolor=st.fill, edgecolor="none", linewidth=0),
                    zorder=2 + (count - i) * 1e-3,
                )
        width = canvas.px(st.border_width)
        p = paths.join(parts)
        if p is not None and width > 0:
            canvas.add(
                PathPatch(
                    p,
                    fill=False,
                    edgecolor=st.border,
                    linewidth=width,
                    joinstyle="round",
                    linestyle=paths.dash_pattern(ds.border_dash, canvas.scale, width),
                ),
                zorder=z,
            )
        if st.point_radius > 0 and ok.any():
            r = canvas.px(st.point_radius)
            where = np.flatnonzero(ok)
            canvas.add(
                CircleCollection(
                    [np.pi * r * r],
                    offsets=polys[i][ok],
                    offset_transform=IdentityTransform(),
                    facecolors=st.fills if len(st.fills) == 1 else [st.fill_at(int(k)) for k in where],
                    edgecolors=st.borders if len(st.borders) == 1 else [st.border_at(int(k)) for k in where],
                    linewidths=[canvas.px(theme.POINT_BORDER_WIDTH)],
                ),
                zorder=z + 5e-4,
            )
    plugins.after_radar(
        canvas, spec, {i: (polys[i], values[i]) for i in visible}, (scale.cx, scale.cy), region
    )
    finish(region)


def _rotation(ok: np.ndarray) -> np.ndarray:
    """Index order starting just after a null, so no run of defined points wraps around."""
    n = len(ok)
    if ok.all() or not ok.any():
        return np.arange(n)
    start = int(np.flatnonzero(~ok)[0]) + 1
    return (np.arange(n) + start) % n


def _fill_target(fill: bool | str, index: int, count: int) -> str | int | None:
    if fill is False or fill in ("false", ""):
        return None
    if isinstance(fill, str) and fill.lstrip("+-").isdigit():
        target = index + int(fill) if fill[0] in "+-" else int(fill)
        return target if 0 <= target < count and target != index else None
    return "shape"
