"""``chm`` markers on cartesian charts: printed values (``N``), text (``t``), shapes (circle, square,
diamond, cross, x), horizontal and vertical lines, and a series drawn as a line (``D``).

Markers sit on the drawn data: the centre of a bar's end (above it, or beyond it for horizontal
bars) or a line's point; markers of a missing point are skipped. Values print the series' own
numbers (``display`` undoes ``chds`` scaling and encodings) with the marker's number format.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import CircleCollection, LineCollection, RegularPolyCollection
from matplotlib.transforms import IdentityTransform

from core.specs.imagecharts.numbers import format_value
from core.specs.imagecharts.style import ImageChartsStyle, Marker

from .. import theme
from ..canvas import Canvas
from ..cartesian import Plot
from ..series import Series, bar_centers

BASE_Z = 6.0
TEXT_GAP = 3.0  # CSS px between a point and its label
MAX_LABELS = 1000  # value/text labels per marker: more are thinned to every k-th point


def draw(canvas: Canvas, plot: Plot, style: ImageChartsStyle) -> None:
    by_order = {s.order: s for s in plot.series}  # hidden series (chd=t1:...) carry marker data
    for k, marker in enumerate(style.markers):
        s = by_order.get(marker.series)
        if s is None or len(s.idx) == 0:
            continue
        where = _points(marker, s)
        if where.size == 0:
            continue
        xy, horizontal = _positions(plot, s, where)
        z = BASE_Z + (1.0 if marker.above else 0.0) + k * 1e-4
        color = theme.rgba(marker.color)
        if marker.kind in ("value", "text"):
            if len(where) > MAX_LABELS:  # thousands of labels are unreadable and slow to draw
                keep = slice(None, None, -(-len(where) // MAX_LABELS))
                where, xy = where[keep], xy[keep]
            _labels(canvas, plot, s, marker, where, xy, horizontal, style, color, z)
        elif marker.kind == "line":
            width = max(canvas.px(marker.size), 0.5)
            canvas.add(LineCollection([xy], colors=[color], linewidths=[width], joinstyle="round"), zorder=z)
        elif marker.kind in ("hline", "vline"):
            _lines(canvas, plot, marker, xy, color, z)
        else:
            _shapes(canvas, marker, xy, color, z)


def _points(marker: Marker, s: Series) -> np.ndarray:
    n = len(s.idx)
    # negative start/end count back from the last point (chm "-6:-1")
    start = marker.start + n if marker.start < 0 else marker.start
    end = n - 1 if marker.end is None else marker.end + n if marker.end < 0 else marker.end
    start, end = max(start, 0), min(end, n - 1)
    if start > end:
        return np.zeros(0, dtype=int)
    where = np.arange(start, end + 1, max(marker.step, 1))
    ok = ~(np.isnan(s.idx[where]) | np.isnan(s.top[where]) | np.isnan(s.val[where]))
    return where[ok]


def _positions(plot: Plot, s: Series, where: np.ndarray) -> tuple[np.ndarray, bool]:
    plane = plot.planes[s.order]
    if s.kind == "bar":
        along, _ = bar_centers(s, plane, plot.slots, s.idx[where])
    else:
        along = plane.idx_px(s.idx[where])
    value = plane.val_px(s.top[where])
    xy = np.column_stack((value, along) if plane.horizontal else (along, value))
    return xy, plane.horizontal


def _labels(canvas, plot, s, marker, where, xy, horizontal, style, color, z) -> None:
    size = canvas.px(marker.size or theme.FONT_SIZE)
    gap = canvas.px(TEXT_GAP)
    offset, factor = style.display[s.order] if s.order < len(style.display) else (0.0, 1.0)
    for i, (x, y) in zip(where, xy, strict=True):
        if marker.kind == "value":
            text = format_value(offset + factor * float(s.val[i]), marker.number)
        else:
            text = marker.text
        if not text or not (math.isfinite(x) and math.isfinite(y)):
            continue
        negative = s.kind == "bar" and s.val[i] < 0
        if horizontal:
            canvas.text(
                x - gap if negative else x + gap,
                y,
                text,
                size=size,
                color=color,
                ha="right" if negative else "left",
                va="center_baseline",
                zorder=z,
            )
        else:
            canvas.text(x, y - gap if negative else y + gap, text, size=size, color=color,
                        va="top" if negative else "bottom", zorder=z)  # fmt: skip


def _lines(canvas, plot, marker, xy, color, z) -> None:
    area = plot.area
    width = max(canvas.px(marker.size), 0.5)
    if marker.kind == "hline":
        segments = [((area.x0, y), (area.x1, y)) for _, y in xy]
    else:
        segments = [((x, area.y0), (x, y)) for x, y in xy]
    canvas.add(LineCollection(segments, colors=[color], linewidths=[width]), area, z)


def _shapes(canvas, marker, xy, color, z) -> None:
    d = canvas.px(marker.size)
    if d <= 0:
        return
    r = d / 2
    if marker.kind == "circle":
        artist = CircleCollection(
            [math.pi * r * r],
            offsets=xy,
            offset_transform=IdentityTransform(),
            facecolors=[color],
            linewidths=[0],
        )
    elif marker.kind in ("square", "diamond"):
        artist = RegularPolyCollection(
            4,
            rotation=math.pi / 4 if marker.kind == "square" else 0.0,
            # area of the circumscribed circle: a square of side d, a diamond d wide tip to tip
            sizes=[math.pi * d * d / (2 if marker.kind == "square" else 4)],
            offsets=xy,
            offset_transform=IdentityTransform(),
            facecolors=[color],
            linewidths=[0],
        )
    else:
        w = max(canvas.px(1.5), d / 6)
        if marker.kind == "cross":
            arms = [((x - r, y), (x + r, y)) for x, y in xy] + [((x, y - r), (x, y + r)) for x, y in xy]
        else:
            k = r / math.sqrt(2)
            arms = [((x - k, y - k), (x + k, y + k)) for x, y in xy] + [
                ((x - k, y + k), (x + k, y - k)) for x, y in xy
            ]
        artist = LineCollection(arms, colors=[color], linewidths=[w], capstyle="butt")
    canvas.add(artist, zorder=z)
