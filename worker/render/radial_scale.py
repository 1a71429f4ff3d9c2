"""The radial linear scale shared by radar and polarArea charts (Chart.js ``radialLinear``).

Angles are measured clockwise from 12 o'clock, in radians; in device pixels (y up) the point at
angle ``a`` and distance ``r`` from the centre is ``(cx + r sin a, cy + r cos a)``. Tick labels
sit on the vertical line above the centre on white backdrops; point labels (radar) go around,
and the radius shrinks until every point label fits inside the region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection

from core.specs.model import Axis

from . import scales, theme
from .canvas import Canvas, Rect
from .scales import Ticks

POINT_LABEL_PADDING = 5.0
CIRCLE_SEGMENTS = 120


@dataclass(frozen=True, slots=True)
class RadialScale:
    cx: float
    cy: float
    radius: float
    ticks: Ticks
    reverse: bool

    def r(self, values: np.ndarray) -> np.ndarray:
        span = self.ticks.hi - self.ticks.lo
        t = (np.asarray(values, dtype=float) - self.ticks.lo) / span if span else np.zeros(np.shape(values))
        if self.reverse:
            t = 1 - t
        return np.clip(t, 0.0, None) * self.radius

    def xy(self, angles: np.ndarray, radii: np.ndarray) -> np.ndarray:
        return np.column_stack((self.cx + radii * np.sin(angles), self.cy + radii * np.cos(angles)))


def angles(n: int) -> np.ndarray:
    return np.arange(n) * (2 * math.pi / max(n, 1))


def _label_box(canvas: Canvas, label: str, size: float) -> tuple[float, float]:
    lines = label.split("\n")
    return max(canvas.measure(line, size) for line in lines), len(lines) * size * theme.LINE_HEIGHT


def fit_radius(canvas: Canvas, region: Rect, labels: list[str] | None) -> float:
    """Largest radius, centred in ``region``, with every point label outside it still inside."""
    radius = max(0.0, min(region.width, region.height) / 2)
    if not labels:
        return radius
    size = canvas.px(theme.FONT_SIZE)
    pad = canvas.px(POINT_LABEL_PADDING)
    cx, cy = region.cx, region.cy
    for a, label in zip(angles(len(labels)), labels, strict=True):
        w, h = _label_box(canvas, label, size)
        s, c = math.sin(a), math.cos(a)
        # horizontal extent of the label box relative to its anchor, by side (Chart.js alignment)
        if abs(s) < 1e-6:
            left, right = -w / 2, w / 2
        elif s > 0:
            left, right = 0.0, w
        else:
            left, right = -w, 0.0
        if abs(c) < 1e-6:
            below, above = h / 2, h / 2
        elif c > 0:
            below, above = 0.0, h
        else:
            below, above = h, 0.0
        if s > 1e-6:
            radius = min(radius, (region.x1 - right - cx) / s - pad)
        elif s < -1e-6:
            radius = min(radius, (cx - region.x0 + left) / -s - pad)
        if c > 1e-6:
            radius = min(radius, (region.y1 - above - cy) / c - pad)
        elif c < -1e-6:
            radius = min(radius, (cy - region.y0 - below) / -c - pad)
    return max(radius, 0.0)


def build(
    canvas: Canvas, region: Rect, cfg: Axis, values: np.ndarray, labels: list[str] | None, begin_at_zero: bool
) -> RadialScale:
    radius = fit_radius(canvas, region, labels)
    data = values[np.isfinite(values)]
    lo = float(data.min()) if data.size else 0.0
    hi = float(data.max()) if data.size else 1.0
    if begin_at_zero or cfg.begin_at_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    per = canvas.px(theme.FONT_SIZE * theme.LINE_HEIGHT + 2 * theme.BACKDROP_PADDING)
    max_ticks = max(2, min(11, math.ceil(radius / per)))
    ticks = scales.linear_ticks(lo, hi, max_ticks, user_min=cfg.min, user_max=cfg.max)
    return RadialScale(region.cx, region.cy, radius, ticks, cfg.reverse)


def draw_grid(
    canvas: Canvas, scale: RadialScale, cfg: Axis, spokes: int, circular: bool, angle_lines: bool
) -> None:
    if not cfg.display:
        return
    segs: list[np.ndarray] = []
    if cfg.grid_display:
        ring_angles = angles(CIRCLE_SEGMENTS if circular else max(spokes, 1))
        ring_angles = np.append(ring_angles, 0.0)
        for i, v in enumerate(scale.ticks.values):
            if i == 0 and not scale.reverse:
                continue  # the innermost ring is the centre
            r = float(scale.r(np.array([v]))[0])
            if r <= 0:
                continue
            segs.append(scale.xy(ring_angles, np.full(ring_angles.shape, r)))
    if angle_lines:
        for a in angles(spokes):
            segs.append(scale.xy(np.array([a, a]), np.array([0.0, scale.radius])))
    if segs:
        lw = max(1.0, canvas.px(1))
        canvas.add(LineCollection(segs, colors=[theme.grid_color()], linewidths=[lw]), zorder=1)


def draw_tick_labels(canvas: Canvas, scale: RadialScale, cfg: Axis, zorder: float = 4.0) -> None:
    if not (cfg.display and cfg.ticks_display):
        return
    size = canvas.px(theme.FONT_SIZE)
    pad = canvas.px(theme.BACKDROP_PADDING)
    color = theme.text_color(None)
    boxes = []
    last_y = -math.inf
    for i, (v, label) in enumerate(zip(scale.ticks.values, scale.ticks.labels, strict=True)):
        if not label or (i == 0 and scale.ticks.lo >= 0 and not scale.reverse):
            continue
        y = scale.cy + float(scale.r(np.array([v]))[0])
        h = size * theme.LINE_HEIGHT
        if abs(y - last_y) < h:
            continue  # too close to the previous label
        last_y = y
        w = canvas.measure(label, size)
        x0, x1 = scale.cx - w / 2 - pad, scale.cx + w / 2 + pad
        y0, y1 = y - size / 2 - pad, y + size / 2 + pad
        boxes.append(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        canvas.text(scale.cx, y, label, size=size, color=color, va="center_baseline", zorder=zorder + 0.1)
    if boxes:
        canvas.add(
            PolyCollection(boxes, facecolors=[theme.with_alpha(theme.background(), 0.75)], edgecolors="none"),
            zorder=zorder,
        )


def draw_point_labels(canvas: Canvas, scale: RadialScale, labels: list[str]) -> None:
    size = canvas.px(theme.FONT_SIZE)
    pad = canvas.px(POINT_LABEL_PADDING)
    color = theme.text_color(None)
    for a, label in zip(angles(len(labels)), labels, strict=True):
        if not label:
            continue
        s, c = math.sin(a), math.cos(a)
        x = scale.cx + (scale.radius + pad) * s
        y = scale.cy + (scale.radius + pad) * c
        ha = "center" if abs(s) < 1e-6 else ("left" if s > 0 else "right")
        va = "center" if abs(c) < 1e-6 else ("bottom" if c > 0 else "top")
        canvas.text(x, y, label, size=size, color=color, ha=ha, va=va)
