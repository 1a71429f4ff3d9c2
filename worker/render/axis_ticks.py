"""Tick layout of one cartesian axis: category ticks (rotated, then skipped, when labels do not
fit), numeric and time ticks (labels thinned instead, the range's end labels kept) and custom
ticks placed by a dialect. Called by ``axes._layout_axis``; results land on the ``AxisModel``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import scales, theme
from .canvas import Canvas, widest
from .scales import Ticks

if TYPE_CHECKING:
    from .axes import AxisLook, AxisModel

MAX_ROTATION = 50.0


def _max_ticks(canvas: Canvas, a: AxisModel, length: float) -> int:
    per = canvas.px(40) if a.horizontal else canvas.px(theme.FONT_SIZE * theme.LINE_HEIGHT)
    return max(2, min(11, math.ceil(length / per)))


def custom_ticks(a: AxisModel, look: AxisLook) -> None:
    """Ticks the dialect placed itself; relative positions run over the category positions (first
    to last) or the numeric range."""
    if look.relative:
        if a.kind == "category":
            lo, hi = 0.0, float(max(len(a.labels) - 1, 0))
        else:
            lo, hi = a.lo, a.hi
        ticks = [(lo + f * (hi - lo), t) for f, t in look.ticks or ()]
    else:
        ticks = list(look.ticks or ())
    a.rotation = 0.0
    a.tick_values = [v for v, _ in ticks]
    a.tick_labels = [t for _, t in ticks]
    a.grid_values = list(a.tick_values)


def category_ticks(canvas: Canvas, a: AxisModel, length: float, size: float, line_h: float) -> None:
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


def numeric_ticks(canvas: Canvas, a: AxisModel, length: float, size: float, line_h: float) -> None:
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
    formatter = a.look.formatter if a.look is not None and a.look.formatter is not None else a.tick_format
    if formatter is not None and a.kind != "time":
        ticks = Ticks(ticks.values, tuple(formatter(v) for v in ticks.values), ticks.lo, ticks.hi)
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
