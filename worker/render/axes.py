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
from dataclasses import dataclass, field

import numpy as np
from matplotlib.collections import LineCollection

from core.specs.model import Axis

from . import scales, theme
from .canvas import Canvas, Rect, widest
from .scales import Ticks

MAX_ROTATION = 50.0
AXIS_SHARE = 0.4  # an axis band never takes more than this share of the region


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

    def to_px(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        lo, hi = self.lo, self.hi
        if self.kind == "logarithmic":
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.log10(np.where(v > 0, v, np.nan))
            lo, hi = math.log10(lo), math.log10(hi)
        span = hi - lo
        t = (v - lo) / span if span else np.full(v.shape, 0.5)
        return self.start + t * (self.end - self.start)

    def px(self, v: float) -> float:
        return float(self.to_px(np.array([v]))[0])

    @property
    def shown(self) -> bool:
        return self.cfg.display


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
    w0 = canvas.measure(labeled[0][1], size) / 2
    w1 = canvas.measure(labeled[-1][1], size) / 2
    return max(0.0, w0 - f0 * length), max(0.0, w1 - (1 - f1) * length)


def _max_ticks(canvas: Canvas, a: AxisModel, length: float) -> int:
    per = canvas.px(40) if a.horizontal else canvas.px(theme.FONT_SIZE * theme.LINE_HEIGHT)
    return max(2, min(11, math.ceil(length / per)))


def _layout_axis(canvas: Canvas, a: AxisModel, length: float, region: Rect) -> None:
    size = canvas.px(theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    a.rotation = 0.0
    if not a.shown:
        a.thickness = 0.0
        a.tick_values, a.tick_labels, a.grid_values = [], [], []
        return
    if a.kind == "category":
        _category_ticks(canvas, a, length, size, line_h)
    else:
        _numeric_ticks(canvas, a, length, size, line_h)
    tick_len = canvas.px(theme.TICK_LENGTH) if a.cfg.grid_display else 0.0
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


def _category_ticks(canvas: Canvas, a: AxisModel, length: float, size: float, line_h: float) -> None:
    first = max(0, math.ceil(a.lo))
    last = min(len(a.labels) - 1, math.floor(a.hi))
    indexes = list(range(first, last + 1)) if a.has_data else []
    count = max(len(indexes), 1)
    space = length / max(a.hi - a.lo, 1e-9)  # pixels per category
    labels = [a.labels[i] for i in indexes]
    w = widest(labels, size)
    gap = canvas.px(6)
    if a.horizontal:
        if w + gap > space and a.cfg.ticks_display and w > 0:
            a.rotation = min(
                MAX_ROTATION, math.degrees(math.asin(min(1.0, (line_h + gap) / max(space, 1e-9))))
            )
        r = math.radians(a.rotation)
        if a.rotation == 0:
            footprint = w + canvas.px(3)
        else:
            footprint = (w / math.cos(r)) if line_h * math.cos(r) > w * math.sin(r) else line_h / math.sin(r)
            footprint += canvas.px(3)
    else:
        footprint = line_h + canvas.px(3)
    if a.cfg.ticks_display:
        skip = max(1, math.ceil(footprint / max(space, 1e-9)))
    else:  # no labels: thin the grid lines to about one per 14 px
        skip = max(1, math.ceil(count / max(2, int(length / canvas.px(14)))))
    shown = indexes[::skip]
    a.tick_values = [float(i) for i in shown]
    a.tick_labels = [a.labels[i] for i in shown]
    if a.offset:  # bars: grid lines between categories
        a.grid_values = [i - 0.5 for i in shown] + ([last + 0.5] if shown else [])
    else:
        a.grid_values = list(a.tick_values)


def _numeric_ticks(canvas: Canvas, a: AxisModel, length: float, size: float, line_h: float) -> None:
    cfg = a.cfg
    if a.kind == "time":
        lo = a.lo if cfg.min is None else cfg.min
        hi = a.hi if cfg.max is None else cfg.max
        if a.horizontal:

            def extent(unit: str) -> float:
                return canvas.measure(scales.format_time(lo, unit) + "0", size) + canvas.px(10)
        else:

            def extent(unit: str) -> float:
                return line_h + canvas.px(6)

        ticks = scales.time_ticks(lo, hi, length, extent)
    elif a.kind == "logarithmic":
        ticks = scales.log_ticks(a.lo, a.hi, user_min=cfg.min, user_max=cfg.max)
    else:
        max_ticks = _max_ticks(canvas, a, length)
        ticks = scales.linear_ticks(a.lo, a.hi, max_ticks, user_min=cfg.min, user_max=cfg.max)
        if a.horizontal and cfg.ticks_display:
            for _ in range(3):
                w = widest(ticks.labels, size) + canvas.px(8)
                room = int(length // max(w, 1.0))
                if len(ticks.values) <= max(room, 2):
                    break
                max_ticks = max(2, min(max_ticks - 1, room))
                ticks = scales.linear_ticks(a.lo, a.hi, max_ticks, user_min=cfg.min, user_max=cfg.max)
    a.lo, a.hi = ticks.lo, ticks.hi
    a.ticks = ticks
    a.tick_values = list(ticks.values)
    a.grid_values = list(ticks.values)
    a.tick_labels = _thin(canvas, a, ticks, length, size, line_h)


def _thin(canvas: Canvas, a: AxisModel, ticks: Ticks, length: float, size: float, line_h: float) -> list[str]:
    """Blank out labels that would overlap their neighbour (grid lines stay)."""
    labels = list(ticks.labels)
    if not labels:
        return labels
    span = a.hi - a.lo
    if a.kind == "logarithmic":
        lo, hi = math.log10(a.lo), math.log10(a.hi)
        pos = [(math.log10(v) - lo) / (hi - lo) * length for v in ticks.values]
    else:
        pos = [(v - a.lo) / span * length if span else 0.0 for v in ticks.values]
    gap = canvas.px(4)
    labelled = sorted((i for i in range(len(labels)) if labels[i]), key=lambda i: pos[i])
    if len(labelled) > 2:  # the range's ends first (they carry user min/max), then the rest in order
        labelled = [labelled[0], labelled[-1]] + labelled[1:-1]
    placed: list[tuple[float, float]] = []
    for i in labelled:
        half = (canvas.measure(labels[i], size) if a.horizontal else line_h) / 2
        start, end = pos[i] - half - gap, pos[i] + half + gap
        if any(start < p1 and p0 < end for p0, p1 in placed):
            labels[i] = ""
            continue
        placed.append((pos[i] - half, pos[i] + half))
    return labels


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
    size = canvas.px(theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    color = theme.text_color(None)
    grid: list[tuple[tuple[float, float], tuple[float, float]]] = []
    lw = max(1.0, canvas.px(1))
    for a in axes:
        if not a.shown:
            continue
        tick_len = canvas.px(theme.TICK_LENGTH) if a.cfg.grid_display else 0.0
        out = a.outset
        edge = {"bottom": area.y0 - out, "top": area.y1 + out, "left": area.x0 - out, "right": area.x1 + out}[
            a.side
        ]
        sign = -1.0 if a.side in ("bottom", "left") else 1.0
        border = (area.y0, area.y1) if a.horizontal else (area.x0, area.x1)
        # axis border line along the chart area
        if a.horizontal:
            grid.append(((area.x0, edge), (area.x1, edge)))
        else:
            grid.append(((edge, area.y0), (edge, area.y1)))
        if a.cfg.grid_display:
            for p in a.to_px(np.array(a.grid_values)):
                if not math.isfinite(p):
                    continue
                if a.primary and out == 0:
                    inner = border[1] if sign < 0 else border[0]
                else:
                    inner = edge
                outer = edge + sign * tick_len
                if a.horizontal:
                    if abs(p - area.x0) < 0.5 and any(b.side == "left" and b.shown for b in axes):
                        seg = ((p, edge), (p, outer))  # the y axis border already draws this line
                    else:
                        seg = ((p, inner), (p, outer))
                else:
                    if abs(p - area.y0) < 0.5 and any(b.side == "bottom" and b.shown for b in axes):
                        seg = ((edge, p), (outer, p))
                    else:
                        seg = ((inner, p), (outer, p))
                grid.append(seg)
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
    if grid:
        canvas.add(
            LineCollection(grid, colors=[theme.GRID_COLOR], linewidths=[lw], capstyle="butt"), zorder=1
        )


def _tick_labels(canvas: Canvas, a: AxisModel, at: float, size: float, line_h: float, color) -> None:
    pos = a.to_px(np.array(a.tick_values))
    rot = a.rotation
    r = math.radians(rot)
    for p, label in zip(pos, a.tick_labels, strict=True):
        if not label or not math.isfinite(p):
            continue
        if a.side == "bottom":
            if rot:
                canvas.text(
                    p,
                    at - math.cos(r) * line_h / 2,
                    label,
                    size=size,
                    color=color,
                    ha="right",
                    va="center_baseline",
                    rotation=rot,
                )
            else:
                canvas.text(p, at, label, size=size, color=color, va="top")
        elif a.side == "top":
            if rot:
                canvas.text(
                    p,
                    at + math.cos(r) * line_h / 2,
                    label,
                    size=size,
                    color=color,
                    ha="left",
                    va="center_baseline",
                    rotation=rot,
                )
            else:
                canvas.text(p, at, label, size=size, color=color, va="bottom")
        elif a.side == "left":
            canvas.text(at, p, label, size=size, color=color, ha="right", va="center_baseline")
        else:
            canvas.text(at, p, label, size=size, color=color, ha="left", va="center_baseline")
