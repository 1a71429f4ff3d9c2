"""Image-Charts pies and doughnuts: one ring per series (the first outermost), slices clockwise from
12 o'clock with white borders, slice gradients (``chf=ps<i>-<j>`` and ``b<i>``), labels (``chl``)
around the pie with leader lines, the doughnut's inside label (``chli``), and the animation (slices
sweep in, the inside label grows).

The pie shrinks until the labels fit beside it; labels on one side that would overlap are pushed
apart vertically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Wedge

from core.specs.imagecharts.style import ImageChartsStyle
from core.specs.model import ChartSpec

from .. import theme
from ..canvas import Canvas, Rect
from ..layout import FrameOptions, LegendItem, layout_frame
from ..series import as_number
from . import gradient

DOUGHNUT_CUTOUT = 0.5
LEADER = 14.0  # CSS px from the pie's edge to a label
MIN_SHARE = 0.3  # the pie keeps at least this share of the space, however long the labels
MAX_LABELS = 100  # labels drawn around one pie (those of the biggest slices)


@dataclass(frozen=True, slots=True)
class _Slice:
    series: int
    index: int
    mid: float  # radians clockwise from 12 o'clock
    r_out: float
    r_in: float
    wedge: Wedge
    border: theme.RGBA
    border_width: float  # device px


def render(
    canvas: Canvas, spec: ChartSpec, style: ImageChartsStyle, frame: FrameOptions, progress: float
) -> None:
    datasets = [(k, ds) for k, ds in enumerate(spec.datasets) if not ds.hidden]
    n = max((len(ds.values) for _, ds in datasets), default=0)
    region, finish = layout_frame(canvas, spec, _legend(spec, n), frame)
    region = region.inset(*(canvas.px(4),) * 4)
    labels = [style.point_labels[k] if k < len(style.point_labels) else () for k, _ in datasets]
    size = canvas.px(theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    lead = canvas.px(LEADER)
    outer = max(0.0, min(region.width, region.height) / 2 - canvas.px(theme.ARC_BORDER_WIDTH))
    if any(any(group) for group in labels):
        widest = max(canvas.measure(t, size) for group in labels for t in group if t)
        fit = min(region.width / 2 - widest - lead * 1.5, region.height / 2 - line_h / 2 - lead / 2)
        outer = max(min(outer, fit), min(region.width, region.height) / 2 * MIN_SHARE)
    inner = outer * DOUGHNUT_CUTOUT if spec.type == "doughnut" else 0.0
    slices = _slices(canvas, spec, datasets, region, outer, inner, min(max(progress, 0.0), 1.0))
    shaded = []
    for k, j, fill in style.slice_gradients:
        match = next((s for s in slices if s.series == k and s.index == j), None)
        if match is not None:
            box = match.wedge.get_path().get_extents()
            gradient.paint(canvas, fill, Rect(box.x0, box.y0, box.x1, box.y1), clip=match.wedge, zorder=3.5)
            shaded.append(match)
    if shaded:  # the slice borders again, over the gradients
        canvas.add(
            PatchCollection(
                [s.wedge for s in shaded],
                facecolors="none",
                edgecolors=[s.border for s in shaded],
                linewidths=[s.border_width for s in shaded],
                joinstyle="round",
            ),
            zorder=3.6,
        )
    if labels:
        _labels(canvas, region, slices, dict(zip((k for k, _ in datasets), labels, strict=True)), outer, lead)
    if inner > 0 and style.inside_label:
        grow = min(max(progress, 0.0), 1.5)
        width_at_one = max(canvas.measure(style.inside_label, 100.0) / 100.0, 1e-6)
        text_size = min(inner * 0.6, inner * 1.6 / width_at_one) * grow
        if text_size >= 1:
            color = theme.text_color(spec.title.color if spec.title else None)
            canvas.text(region.cx, region.cy, style.inside_label, size=text_size, color=color, bold=True)
    finish(region)


def _legend(spec: ChartSpec, n: int) -> list[LegendItem]:
    first = next((ds for ds in spec.datasets if not ds.hidden), None)
    if first is None or not spec.labels:
        return []
    fills, borders, width = theme.slice_colors(first, n, spec.type)
    labels = list(spec.labels) + [""] * (n - len(spec.labels))
    return [LegendItem(labels[i], fills[i], borders[i], width) for i in range(min(n, len(spec.labels)))]


def _slices(
    canvas, spec, datasets, region: Rect, outer: float, inner: float, progress: float
) -> list[_Slice]:
    if not datasets:
        return []
    ring = (outer - inner) / len(datasets)
    wedges, fills, borders, widths, out = [], [], [], [], []
    for ring_index, (k, ds) in enumerate(datasets):
        values = np.abs(np.nan_to_num(np.array([as_number(v) for v in ds.values], dtype=float), nan=0.0))
        peak = float(values.max()) if values.size else 0.0
        if not np.isfinite(peak) or peak <= 0:
            continue
        values = values / peak  # shares only: huge values (1e308 each) must not overflow the total
        total = float(values.sum())
        f, b, w = theme.slice_colors(ds, len(values), spec.type)
        r_out = outer - ring_index * ring
        r_in = r_out - ring if (inner > 0 or ring_index < len(datasets) - 1) else 0.0
        start = 0.0
        for j, v in enumerate(values):
            sweep = 360.0 * progress * v / total
            if sweep <= 0:
                continue
            wedge = Wedge(
                (region.cx, region.cy),
                r_out,
                90 - start - sweep,
                90 - start,
                width=(r_out - r_in) if r_in > 0 else None,
            )
            wedges.append(wedge)
            fills.append(f[j])
            borders.append(b[j])
            widths.append(canvas.px(w))
            out.append(_Slice(k, j, math.radians(start + sweep / 2), r_out, r_in, wedge, b[j], canvas.px(w)))
            start += sweep
    if wedges:
        canvas.add(
            PatchCollection(
                wedges, facecolors=fills, edgecolors=borders, linewidths=widths, joinstyle="round"
            ),
            zorder=3,
        )
    return out


def _labels(
    canvas: Canvas,
    region: Rect,
    slices: list[_Slice],
    labels: dict[int, tuple[str, ...]],
    outer: float,
    lead: float,
) -> None:
    size = canvas.px(theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    color = theme.text_color(None)
    placed: dict[bool, list[list]] = {True: [], False: []}  # right side?
    if len(slices) > MAX_LABELS:  # only the biggest slices have room for a label
        cutoff = sorted((s.wedge.theta2 - s.wedge.theta1 for s in slices), reverse=True)[MAX_LABELS - 1]
        slices = [s for s in slices if s.wedge.theta2 - s.wedge.theta1 >= cutoff][:MAX_LABELS]
    for s in slices:
        group = labels.get(s.series, ())
        text = group[s.index] if s.index < len(group) else ""
        if not text:
            continue
        dx, dy = math.sin(s.mid), math.cos(s.mid)
        anchor_r = s.r_out * 0.92 if s.r_in == 0 else (s.r_out + s.r_in) / 2
        anchor = (region.cx + anchor_r * dx, region.cy + anchor_r * dy)
        elbow_r = outer + lead * 0.6
        elbow = [region.cx + elbow_r * dx, region.cy + elbow_r * dy]
        placed[dx >= 0].append([elbow, anchor, text])
    segments = []
    for right, items in placed.items():
        items.sort(key=lambda it: -it[0][1])  # top to bottom
        for a, b in zip(items, items[1:], strict=False):  # push overlapping labels apart
            if a[0][1] - b[0][1] < line_h:
                b[0][1] = a[0][1] - line_h
        for elbow, anchor, text in items:
            end_x = elbow[0] + (lead * 0.6 if right else -lead * 0.6)
            segments.append([anchor, tuple(elbow), (end_x, elbow[1])])
            x = end_x + (canvas.px(3) if right else -canvas.px(3))
            canvas.text(
                x,
                elbow[1],
                text,
                size=size,
                color=color,
                ha="left" if right else "right",
                va="center_baseline",
            )
    if segments:
        canvas.add(LineCollection(segments, colors=[color], linewidths=[max(1.0, canvas.px(1))]), zorder=4)
