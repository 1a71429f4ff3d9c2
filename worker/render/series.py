"""Cartesian datasets: turning ``Dataset`` values into numbers on their axes (stacking included)
and drawing them as a few collections each (bars, line paths, fills, points).

Stacking follows Chart.js: bars share a slot when the index axis or the value axis is stacked or
the datasets name the same ``stack``; values add up when the value axis is stacked or the dataset
names a ``stack``. Stacks are kept per value axis and per dataset type (lines stack with lines),
positive and negative values separately.

Drawing order is Chart.js's: all fills first, then datasets from last to first, so dataset 0 is
on top; within a dataset points are above the line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.collections import CircleCollection, PolyCollection
from matplotlib.patches import PathPatch
from matplotlib.transforms import IdentityTransform

from core.specs.model import Dataset

from . import paths, theme
from .canvas import Canvas, Rect

ToPx = Callable[[np.ndarray], np.ndarray]

BAR_PERCENTAGE = 0.9
CATEGORY_PERCENTAGE = 0.8
RASTERIZE_POINTS = 2000  # per dataset, in SVG/PDF
MAX_BUBBLE_RADIUS = 4000.0  # CSS px; bigger bubbles are drawn at this size


@dataclass(slots=True)
class Series:
    order: int
    ds: Dataset
    style: theme.SeriesStyle
    idx: np.ndarray  # position on the index axis, in its units (NaN when missing)
    val: np.ndarray  # value as given (NaN for null)
    idx_axis: str
    val_axis: str
    radius: np.ndarray | None = None  # bubble radii in CSS px
    base: np.ndarray = field(default_factory=lambda: np.zeros(0))  # stack base
    top: np.ndarray = field(default_factory=lambda: np.zeros(0))  # plotted value
    stacked: bool = False
    floating: bool = False  # bars from ``Dataset.starts`` instead of the origin
    slot: int = 0

    @property
    def kind(self) -> str:
        return self.ds.type


def as_number(v: object) -> float:
    """A finite float, or NaN for null / non-numeric / infinite input."""
    if v is None or isinstance(v, bool):
        return math.nan
    if isinstance(v, (int, float)):
        try:
            f = float(v)
        except OverflowError:
            return math.nan
        return f if math.isfinite(f) else math.nan
    try:
        f = float(str(v))
    except ValueError:
        return math.nan
    return f if math.isfinite(f) else math.nan


def index_positions(
    ds: Dataset, kind: str, labels: list[str], label_index: dict[str, int], label_times: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(idx, val, radius) arrays for one dataset on an index axis of scale type ``kind``.

    Unknown string x values on a category axis are appended to ``labels`` (Chart.js does too).
    """
    if ds.values:
        n = len(ds.values)
        val = np.array([as_number(v) for v in ds.values], dtype=float)
        if kind == "category":
            idx = np.arange(n, dtype=float)
        elif kind == "time":
            times = np.full(n, math.nan)
            k = min(n, len(label_times))
            times[:k] = label_times[:k]
            idx = times
        else:
            idx = np.array([as_number(labels[i]) if i < len(labels) else float(i) for i in range(n)])
        return idx, val, None
    pts = ds.points
    val = np.array([as_number(p.y) for p in pts], dtype=float)
    radius = None
    if ds.type == "bubble":
        radius = np.array(
            [theme.POINT_RADIUS if p.r is None else max(0.0, as_number(p.r)) for p in pts], dtype=float
        )
        radius = np.clip(np.nan_to_num(radius, nan=0.0), 0.0, MAX_BUBBLE_RADIUS)
    xs: list[float] = []
    for p in pts:
        x = p.x
        if kind == "category":
            if isinstance(x, str):
                if x not in label_index:
                    label_index[x] = len(labels)
                    labels.append(x)
                xs.append(float(label_index[x]))
            else:
                xs.append(as_number(x))
        elif kind == "time" and isinstance(x, str):
            i = label_index.get(x)
            xs.append(label_times[i] if i is not None and i < len(label_times) else as_number(x))
        else:
            xs.append(as_number(x))
    return np.array(xs, dtype=float), val, radius


def apply_stacking(
    series: list[Series], index_stacked: dict[str, bool], value_stacked: dict[str, bool]
) -> int:
    """Fill ``base``/``top``/``slot`` for every series; return the number of bar slots."""
    sums: dict[tuple[str, str, str, bool], dict[float, float]] = {}
    slot_keys: dict[object, int] = {}
    for s in series:
        ds = s.ds
        s.stacked = value_stacked.get(s.val_axis, False) or ds.stack is not None
        s.base = np.zeros_like(s.val)
        s.top = s.val.copy()
        starts = None
        if ds.starts and s.kind == "bar":
            s.floating = True
            starts = np.array([as_number(v) for v in ds.starts], dtype=float)
            s.base = starts.copy()  # NaN: a plain value among floating ones, drawn from the origin
        if s.kind == "bar" and not ds.hidden:
            shared = index_stacked.get(s.idx_axis, False) or s.stacked
            key: object = (s.val_axis, ds.stack) if shared else ("__own__", s.order)
            s.slot = slot_keys.setdefault(key, len(slot_keys))
        if not s.stacked or ds.hidden or s.kind not in ("bar", "line"):
            continue
        group = ds.stack if ds.stack is not None else ds.type
        for i, (x, v) in enumerate(zip(s.idx, s.val, strict=True)):
            if math.isnan(x) or math.isnan(v):
                continue
            positive = v >= 0 if s.kind == "bar" else True
            acc = sums.setdefault((s.val_axis, group, s.kind, positive), {})
            b = acc.get(x, 0.0)
            start = starts[i] if starts is not None else math.nan
            if math.isnan(start):
                s.base[i], s.top[i] = b, b + v
            else:
                # Chart.js: a floating bar sits on the stack below it unless it crosses zero
                offset = b if start == 0 or (start > 0) == (v > 0) else 0.0
                s.base[i], s.top[i] = start + offset, v + offset
            acc[x] = b + v
    return max(1, len(slot_keys))


# --- drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plane:
    """Where one series is drawn: pixel mappers of its two axes and the chart area."""

    idx_px: ToPx
    val_px: ToPx
    val_base: float  # pixel of the value axis origin (0, clamped into range)
    val_start: float  # pixel of the value axis minimum (fill "start")
    val_end: float  # pixel of the value axis maximum (fill "end")
    horizontal: bool  # bars grow along x (index axis is vertical)
    area: Rect
    category_width: float  # pixels available to one index position (bars)


def _xy(plane: Plane, ip: np.ndarray, vp: np.ndarray) -> np.ndarray:
    return np.column_stack((vp, ip) if plane.horizontal else (ip, vp))


def bar_centers(s: Series, plane: Plane, slots: int, idx: np.ndarray) -> tuple[np.ndarray, float]:
    """Pixel centres (along the index axis) of this series' bars at index values ``idx``, and the
    bar width."""
    center = plane.idx_px(idx)
    slot_w = plane.category_width * CATEGORY_PERCENTAGE / slots
    c = center - plane.category_width * CATEGORY_PERCENTAGE / 2 + slot_w * (s.slot + 0.5)
    if plane.horizontal:
        c = center + plane.category_width * CATEGORY_PERCENTAGE / 2 - slot_w * (s.slot + 0.5)
    return c, slot_w * BAR_PERCENTAGE


def draw_bars(canvas: Canvas, s: Series, plane: Plane, slots: int, zorder: float) -> np.ndarray | None:
    """Draw the bars; returns their corners, shape (n, 4, 2) in device pixels (None when empty)."""
    ok = ~(np.isnan(s.idx) | np.isnan(s.val))
    if not ok.any():
        return None
    c, bar_w = bar_centers(s, plane, slots, s.idx[ok])
    base = plane.val_px(s.base[ok]) if s.stacked or s.floating else np.full(c.shape, plane.val_base)
    top = plane.val_px(s.top[ok])
    base = np.nan_to_num(base, nan=plane.val_base)
    top = np.nan_to_num(top, nan=plane.val_base)
    a, b = c - bar_w / 2, c + bar_w / 2
    rects = np.stack(
        [np.column_stack(p) for p in ((a, base), (b, base), (b, top), (a, top))], axis=1
    )  # (n, 4, 2) in (index, value) order
    if plane.horizontal:
        rects = rects[..., ::-1]
    where = np.flatnonzero(ok)
    fills = [s.style.fill_at(int(i)) for i in where]
    width = canvas.px(s.style.border_width)
    if width <= 0:
        canvas.add(
            PolyCollection(rects, facecolors=fills, edgecolors="none", linewidths=0), plane.area, zorder
        )
        return rects
    # Chart.js draws the border inside the bar and skips the base side ("borderSkipped: start").
    sign = np.sign(top - base)
    sign[sign == 0] = 1
    w = np.minimum(width, np.minimum(bar_w / 2, np.abs(top - base)))
    ia, ib, it = a + w, b - w, top - sign * w
    inner = np.stack([np.column_stack(p) for p in ((ia, base), (ib, base), (ib, it), (ia, it))], axis=1)
    frame = np.stack(
        [
            np.column_stack(p)
            for p in ((a, base), (ia, base), (ia, it), (ib, it), (ib, base), (b, base), (b, top), (a, top))
        ],
        axis=1,
    )
    if plane.horizontal:
        inner, frame = inner[..., ::-1], frame[..., ::-1]
    borders = [s.style.border_at(int(i)) for i in where]
    canvas.add(PolyCollection(inner, facecolors=fills, edgecolors="none", linewidths=0), plane.area, zorder)
    canvas.add(PolyCollection(frame, facecolors=borders, edgecolors="none", linewidths=0), plane.area, zorder)
    return rects


def line_runs(s: Series, plane: Plane) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Pixel coordinates (index, value) of a line's points and the runs between nulls."""
    ip = plane.idx_px(s.idx)
    vp = plane.val_px(s.top)
    return ip, vp, paths.runs(~(np.isnan(ip) | np.isnan(vp)))


def run_path(plane: Plane, ip: np.ndarray, vp: np.ndarray, run: tuple[int, int], tension: float):
    a, b = run
    return paths.polyline(_xy(plane, ip[a:b], vp[a:b]), tension, clamp=plane.area)


def draw_line(canvas: Canvas, s: Series, plane: Plane, zorder: float) -> None:
    ip, vp, rs = line_runs(s, plane)
    style = s.style
    width = canvas.px(style.border_width)
    if width > 0 and rs:
        p = paths.join([run_path(plane, ip, vp, r, s.ds.tension) for r in rs if r[1] - r[0] > 1])
        if p is not None:
            patch = PathPatch(
                p,
                fill=False,
                edgecolor=style.border,
                linewidth=width,
                linestyle=paths.dash_pattern(s.ds.border_dash, canvas.scale, width),
                capstyle="butt",
                joinstyle="round",
            )
            canvas.add(patch, plane.area.grow(width), zorder)
    if style.point_radius > 0:
        ok = ~(np.isnan(ip) | np.isnan(vp))
        draw_points(
            canvas, s, _xy(plane, ip[ok], vp[ok]), np.flatnonzero(ok), None, plane.area, zorder + 5e-4
        )


def draw_points(
    canvas: Canvas,
    s: Series,
    xy: np.ndarray,
    where: np.ndarray,
    radius: np.ndarray | None,
    area: Rect,
    zorder: float,
) -> None:
    if len(xy) == 0:
        return
    style = s.style
    edge = canvas.px(style.border_width if s.kind in ("scatter", "bubble") else theme.POINT_BORDER_WIDTH)
    if radius is None:
        r = canvas.px(style.point_radius)
        sizes = [math.pi * r * r]
        grow = r + edge
    else:
        r_px = radius[where] * canvas.scale
        sizes = math.pi * r_px * r_px
        grow = float(r_px.max(initial=0.0)) + edge
    fills = style.fills if len(style.fills) == 1 else [style.fill_at(int(i)) for i in where]
    borders = style.borders if len(style.borders) == 1 else [style.border_at(int(i)) for i in where]
    coll = CircleCollection(
        sizes,
        offsets=xy,
        offset_transform=IdentityTransform(),
        facecolors=fills,
        edgecolors=borders,
        linewidths=[edge],
    )
    # Thousands of markers make SVG/PDF heavy and slow to open; vector output embeds them as an
    # image at the output's pixel size instead (ignored by the raster formats).
    coll.set_rasterized(len(xy) > RASTERIZE_POINTS)
    canvas.add(coll, area.grow(grow), zorder)


def fill_target(s: Series, series: list[Series]) -> str | int | None:
    """Normalize ``Dataset.fill`` to "origin"/"start"/"end" or an absolute dataset position."""
    f = s.ds.fill
    if f is False or f is None or f == "false":
        return None
    if f is True or f in ("origin", "true", "shape"):
        return "origin"
    if f in ("start", "end"):
        return f
    if f == "stack":
        same = [
            o
            for o in series
            if o.order < s.order
            and o.stacked
            and o.val_axis == s.val_axis
            and o.kind == s.kind
            and o.ds.stack == s.ds.stack
        ]
        return same[-1].order if same else "origin"
    if isinstance(f, str):
        try:
            n = int(f)
        except ValueError:
            return "origin"
        target = s.order + n if f[0] in "+-" else n
        if target == s.order or not 0 <= target < len(series):
            return None
        return target
    return None


def draw_fill(
    canvas: Canvas,
    s: Series,
    target: str | int,
    planes: dict[int, Plane],
    others: list[Series],
    zorder: float,
) -> PathPatch | None:
    """Fill under (or between) lines; returns the drawn patch (None when there is nothing)."""
    plane = planes[s.order]
    ip, vp, rs = line_runs(s, plane)
    tension = s.ds.tension
    parts = []
    if isinstance(target, str):
        base = {"origin": plane.val_base, "start": plane.val_start, "end": plane.val_end}[target]
        for r in rs:
            verts, codes = run_path(plane, ip, vp, r, tension)
            parts.append(paths.area_to_baseline(verts, codes, base, not plane.horizontal))
    else:
        other = others[target]
        if other.ds.hidden:
            return None
        o_ip, o_vp, _ = line_runs(other, planes[other.order])
        n = min(len(ip), len(o_ip))
        ok = ~(np.isnan(ip[:n]) | np.isnan(vp[:n]) | np.isnan(o_ip[:n]) | np.isnan(o_vp[:n]))
        for r in paths.runs(ok):
            if r[1] - r[0] < 2:
                continue
            mine = run_path(plane, ip, vp, r, tension)
            theirs = run_path(plane, o_ip, o_vp, r, other.ds.tension)
            parts.append(paths.area_between(mine, theirs))
    p = paths.join(parts)
    if p is None:
        return None
    patch = PathPatch(p, facecolor=s.style.fill, edgecolor="none", linewidth=0)
    canvas.add(patch, plane.area, zorder)
    return patch
