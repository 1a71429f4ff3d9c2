"""Cartesian axes drawn by hand in device pixels: scale model, tick layout, grid and labels.

Not matplotlib Axes: that buys Chart.js's look (light grid whose lines run on as tick marks,
an axis border line, #666 labels, category offsets for bars) and skips matplotlib's tick
machinery, the slow part of a naive render.

Choices (documented): the first axis of each orientation draws grid lines across the chart area;
further axes (``y1``...) draw only their tick marks, which is what Chart.js users almost always
configure with ``grid.drawOnChartArea: false``. Category labels rotate up to 50 degrees and then
skip (``autoSkip``) when they do not fit; numeric and time labels thin out instead, keeping the
range's end labels (they carry a user's min/max).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.collections import LineCollection

from core.specs.model import Axis

from . import paths, theme
from .axis_ticks import category_ticks, custom_ticks, numeric_ticks
from .canvas import Canvas, Rect, widest
from .scales import Ticks

AXIS_SHARE = 0.4  # an axis band never takes more than this share of the region
OUTSIDE = 1e4  # axis lengths beyond either end at which far-away values are pinned


@dataclass(frozen=True, slots=True)
class AxisLook:
    """Styling beyond the Chart.js defaults, set by the Image-Charts dialect: label colour and size
    (CSS px), axis line and tick mark colours and visibility, a grid dash (CSS px), custom ticks
    ((position, label), positions in axis units or, when ``relative``, fractions of the range) and
    a label formatter for automatic ticks."""

    label_color: theme.RGBA | None = None
    label_size: float | None = None
    line_color: theme.RGBA | None = None
    tick_color: theme.RGBA | None = None
    show_line: bool = True
    show_ticks: bool = True
    grid_dash: tuple[float, float] | None = None
    ticks: tuple[tuple[float, str], ...] | None = None
    relative: bool = False
    formatter: Callable[[float], str] | None = None


@dataclass(slots=True)
class AxisModel:
    id: str
    cfg: Axis
    horizontal: bool
    kind: str
    role: str
    side: str
    primary: bool = False
    offset: bool = False
    labels: list[str] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 1.0
    ticks: Ticks | None = None
    tick_values: list[float] = field(default_factory=list)
    tick_labels: list[str] = field(default_factory=list)
    grid_values: list[float] = field(default_factory=list)
    rotation: float = 0.0
    has_data: bool = True  # a category axis without labels or values shows no ticks
    thickness: float = 0.0
    outset: float = 0.0  # distance of this axis' band from the chart area (axes stack outwards)
    start: float = 0.0  # pixel of ``lo``
    end: float = 1.0  # pixel of ``hi``
    look: AxisLook | None = None
    tick_format: Callable[[float], str] | None = None  # numeric tick labels (QuickChart tickFormat)

    def to_px(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        lo, hi = self.lo, self.hi
        if self.kind == "logarithmic":
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.log10(np.where(v > 0, v, np.nan))
            lo, hi = math.log10(lo), math.log10(hi)
        span = hi - lo
        with np.errstate(over="ignore", invalid="ignore"):
            t = (v - lo) / span if span else np.full(v.shape, 0.5)
        # Far outside the range (a user min/max way inside the data) stays far outside, but at
        # coordinates the rasterizer can handle.
        t = np.clip(t, -OUTSIDE, 1 + OUTSIDE)
        return self.start + t * (self.end - self.start)

    def px(self, v: float) -> float:
        return float(self.to_px(np.array([v]))[0])

    @property
    def shown(self) -> bool:
        return self.cfg.display

    def font_size(self, canvas: Canvas) -> float:
        """Tick label size in device pixels."""
        return canvas.px(self.look.label_size if self.look and self.look.label_size else theme.FONT_SIZE)

    def tick_length(self, canvas: Canvas) -> float:
        """Tick marks come with the grid (Chart.js), or with the labels when a look says so."""
        if self.look is None:
            return canvas.px(theme.TICK_LENGTH) if self.cfg.grid_display else 0.0
        shown = self.look.show_ticks and self.cfg.ticks_display
        return canvas.px(theme.TICK_LENGTH) / 2 if shown else 0.0


def fit(canvas: Canvas, region: Rect, axes: list[AxisModel], overflow: float) -> Rect:
    """The chart area: the region minus the axis bands, tick labels that stick out past its ends
    and ``overflow`` (bubbles may reach past their centre by that much)."""
    size = canvas.px(theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    # Tick counts depend on the area and the area on the tick labels: start from a guess and
    # refine (two or three passes settle it).
    area = region.inset(canvas.px(40), line_h * 2, overflow, overflow)
    data_range = {a.id: (a.lo, a.hi) for a in axes}
    for _ in range(3):
        sides = {"left": 0.0, "right": 0.0, "top": 0.0, "bottom": 0.0}
        for a in axes:
            a.lo, a.hi = data_range[a.id]
            length = area.width if a.horizontal else area.height
            _layout_axis(canvas, a, length, region)
            a.outset = sides[a.side]
            sides[a.side] += a.thickness
        over = dict.fromkeys(sides, overflow)
        for a in axes:
            if not (a.shown and a.cfg.ticks_display and a.tick_labels):
                continue
            size = a.font_size(canvas)
            line_h = size * theme.LINE_HEIGHT
            if a.horizontal and a.rotation == 0:
                first, last = _end_overhang(canvas, a, area.width, size)
                over["left"] = max(over["left"], first)
                over["right"] = max(over["right"], last)
            elif not a.horizontal:
                over["top"] = max(over["top"], line_h / 2)
                over["bottom"] = max(over["bottom"], line_h / 2)
        new = region.inset(
            max(sides["left"], over["left"]),
            max(sides["bottom"], over["bottom"]),
            max(sides["right"], over["right"]),
            max(sides["top"], over["top"]),
        )
        if new == area:
            break
        area = new
    for a in axes:
        _place(a, area)
    return area


def _end_overhang(canvas: Canvas, a: AxisModel, length: float, size: float) -> tuple[float, float]:
    """How far the first/last horizontal tick labels stick out past the chart area's ends."""
    span = a.hi - a.lo
    if not a.tick_values or not span:
        return 0.0, 0.0
    labeled = [(v, t) for v, t in zip(a.tick_values, a.tick_labels, strict=True) if t]
    if not labeled:
        return 0.0, 0.0
    if a.kind == "logarithmic":

        def frac(v: float) -> float:
            return (math.log10(v) - math.log10(a.lo)) / (math.log10(a.hi) - math.log10(a.lo))
    else:

        def frac(v: float) -> float:
            return (v - a.lo) / span

    if a.cfg.reverse:
        labeled = labeled[::-1]
        f0, f1 = 1 - frac(labeled[0][0]), 1 - frac(labeled[-1][0])
    else:
        f0, f1 = frac(labeled[0][0]), frac(labeled[-1][0])
    # A tick placed far outside the range (a custom position at 1e308 on a 1e-300 span) gives an
    # infinite fraction: it overhangs no more than a label at the end would.
    f0, f1 = (min(1.0, max(0.0, f)) if math.isfinite(f) else 0.0 for f in (f0, f1))
    w0 = canvas.measure(labeled[0][1], size) / 2
    w1 = canvas.measure(labeled[-1][1], size) / 2
    return max(0.0, w0 - f0 * length), max(0.0, w1 - (1 - f1) * length)


def _layout_axis(canvas: Canvas, a: AxisModel, length: float, region: Rect) -> None:
    size = a.font_size(canvas)
    line_h = size * theme.LINE_HEIGHT
    a.rotation = 0.0
    if not a.shown:
        a.thickness = 0.0
        a.tick_values, a.tick_labels, a.grid_values = [], [], []
        if a.kind != "category":  # a hidden axis still honours min/max (sparklines pad their range)
            a.lo = a.lo if a.cfg.min is None else a.cfg.min
            a.hi = a.hi if a.cfg.max is None else a.cfg.max
        return
    if a.kind == "category":
        category_ticks(canvas, a, length, size, line_h)
    else:
        numeric_ticks(canvas, a, length, size, line_h)
    if a.look is not None and a.look.ticks is not None:
        custom_ticks(a, a.look)
    tick_len = a.tick_length(canvas)
    labels = [t for t in a.tick_labels if t] if a.cfg.ticks_display else []
    depth = tick_len
    if labels:
        w = widest(labels, size)
        if a.horizontal:
            r = math.radians(a.rotation)
            depth += canvas.px(theme.TICK_PADDING) + (
                w * math.sin(r) + line_h * math.cos(r) if a.rotation else line_h
            )
        else:
            depth += canvas.px(theme.TICK_PADDING) + w
    if a.cfg.title:
        depth += line_h + 2 * canvas.px(theme.AXIS_TITLE_PADDING)
    limit = (region.height if a.horizontal else region.width) * AXIS_SHARE
    a.thickness = min(depth, limit)


def _place(a: AxisModel, area: Rect) -> None:
    if a.horizontal:
        a.start, a.end = area.x0, area.x1
    elif a.kind == "category":
        a.start, a.end = area.y1, area.y0  # first label on top
    else:
        a.start, a.end = area.y0, area.y1
    if a.cfg.reverse:
        a.start, a.end = a.end, a.start


def draw_axes(canvas: Canvas, area: Rect, axes: list[AxisModel]) -> None:
    lw = max(1.0, canvas.px(1))
    # Lines grouped by (colour, dash): one collection each (a single one for Chart.js specs).
    groups: dict[tuple[theme.RGBA, tuple[float, float] | None], list] = {}
    for a in axes:
        if not a.shown:
            continue
        look = a.look
        size = a.font_size(canvas)
        line_h = size * theme.LINE_HEIGHT
        color = look.label_color if look and look.label_color else theme.axis_color()
        tick_len = a.tick_length(canvas)
        out = a.outset
        edge = {"bottom": area.y0 - out, "top": area.y1 + out, "left": area.x0 - out, "right": area.x1 + out}[
            a.side
        ]
        sign = -1.0 if a.side in ("bottom", "left") else 1.0
        border = (area.y0, area.y1) if a.horizontal else (area.x0, area.x1)
        grid_key = (theme.grid_color(), look.grid_dash if look else None)
        if look is None or look.show_line:  # axis border line along the chart area
            line_color = look.line_color if look and look.line_color else theme.grid_color()
            segment = (
                ((area.x0, edge), (area.x1, edge)) if a.horizontal else ((edge, area.y0), (edge, area.y1))
            )
            groups.setdefault((line_color, None), []).append(segment)
        if a.cfg.grid_display or tick_len:
            tick_key = (look.tick_color if look and look.tick_color else theme.grid_color(), None)
            for p in a.to_px(np.array(a.grid_values)):
                if not math.isfinite(p):
                    continue
                inner = (border[1] if sign < 0 else border[0]) if a.primary and out == 0 else edge
                outer = edge + sign * tick_len
                if a.horizontal:
                    covered = abs(p - area.x0) < 0.5 and any(b.side == "left" and b.shown for b in axes)
                else:
                    covered = abs(p - area.y0) < 0.5 and any(b.side == "bottom" and b.shown for b in axes)
                if covered:  # the other axis' border line already draws the inner part
                    inner = edge
                if look is None:  # Chart.js: grid line and tick mark are one line
                    groups.setdefault(grid_key, []).append(_segment(a, p, inner, outer))
                    continue
                if a.cfg.grid_display and inner != edge:
                    groups.setdefault(grid_key, []).append(_segment(a, p, inner, edge))
                if tick_len:
                    groups.setdefault(tick_key, []).append(_segment(a, p, edge, outer))
        label_at = edge + sign * (tick_len + canvas.px(theme.TICK_PADDING))
        if a.cfg.ticks_display:
            _tick_labels(canvas, a, label_at, size, line_h, color)
        if a.cfg.title:
            far = edge + sign * (a.thickness - canvas.px(theme.AXIS_TITLE_PADDING) - line_h / 2)
            if a.horizontal:
                canvas.text(area.cx, far, a.cfg.title, size=size, color=color)
            else:
                canvas.text(
                    far, area.cy, a.cfg.title, size=size, color=color, rotation=90 if sign < 0 else -90
                )
    for (line_color, dash), segments in groups.items():
        style = paths.dash_pattern(dash, canvas.scale, lw) if dash else "solid"
        canvas.add(
            LineCollection(
                segments, colors=[line_color], linewidths=[lw], capstyle="butt", linestyles=[style]
            ),
            zorder=1,
        )


def _segment(a: AxisModel, p: float, inner: float, outer: float):
    return ((p, inner), (p, outer)) if a.horizontal else ((inner, p), (outer, p))


def _tick_labels(canvas: Canvas, a: AxisModel, at: float, size: float, line_h: float, color) -> None:
    pos = a.to_px(np.array(a.tick_values))
    rot = a.rotation
    r = math.radians(rot)
    for p, label in zip(pos, a.tick_labels, strict=True):
        if not label or not math.isfinite(p):
            continue
        if a.side in ("bottom", "top"):
            # rotated labels hang from their end below the axis, stand on their start above it
            below = a.side == "bottom"
            if rot:
                shift = math.cos(r) * line_h / 2
                y, ha = (at - shift, "right") if below else (at + shift, "left")
                canvas.text(p, y, label, size=size, color=color, ha=ha, va="center_baseline", rotation=rot)
            else:
                canvas.text(p, at, label, size=size, color=color, va="top" if below else "bottom")
        else:
            ha = "right" if a.side == "left" else "left"
            canvas.text(at, p, label, size=size, color=color, ha=ha, va="center_baseline")
