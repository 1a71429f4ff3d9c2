"""``gauge`` (chartjs-gauge) and ``radialGauge`` (chartjs-chart-radial-gauge).

gauge: a half doughnut from 9 o'clock to 3 o'clock, one sector per threshold (``minValue`` to the
first bound, then bound to bound) in the dataset's colours, a needle from the centre to ``value``
(clamped to the range) with a round hub, and the value in a rounded box under the hub.

radialGauge: a full ring (the track) with an arc from 12 o'clock clockwise to the value's share of
the domain, rounded ends by default, and the value (or ``centerArea.text``) in the middle.
"""

from __future__ import annotations

import math

from matplotlib.patches import Circle, Polygon, Wedge

from core.specs.extra_types.model import ExtraType
from core.specs.model import ChartSpec
from core.specs.plugins.tickformat import format_number
from core.specs.values import number_label

from . import theme
from .canvas import Canvas, RenderError
from .layout import LegendItem, layout_frame
from .plugins.boxes import TextBox, draw_text_box


def render(canvas: Canvas, spec: ChartSpec) -> None:
    extra = ExtraType.from_spec(spec)
    if spec.type == "gauge" and extra.gauge is not None:
        _gauge(canvas, spec, extra)
    elif spec.type == "radialGauge" and extra.radial_gauge is not None:
        _radial(canvas, spec, extra)
    else:
        raise RenderError(f"a {spec.type} chart needs its gauge options (parse it with core.specs)")


def _legend(spec: ChartSpec, count: int) -> list[LegendItem]:
    if not spec.labels or not spec.datasets:
        return []
    fills, borders, width = theme.slice_colors(spec.datasets[0], count, "doughnut")
    return [
        LegendItem(spec.labels[i], fills[i], borders[i], width) for i in range(min(count, len(spec.labels)))
    ]


def _gauge(canvas: Canvas, spec: ChartSpec, extra: ExtraType) -> None:
    g = extra.gauge
    assert g is not None
    ds = spec.datasets[0]
    bounds = [float(v) for v in ds.values if v is not None]
    region, finish = layout_frame(canvas, spec, _legend(spec, len(bounds)))
    region = region.inset(*(canvas.px(6),) * 4)
    lo = g.min_value
    hi = bounds[-1] if bounds else lo + 1
    span = hi - lo if hi > lo else 1.0
    # A half circle (width 2r, height r) with the value box under its centre: the hub, a margin of
    # bottomMarginPercentage of the height, then the box. The hub and the needle's width are
    # percentages of the chart area's width, as chartjs-gauge sizes them.
    box = _value_box(canvas, g) if g.value_label.display else None
    box_h = box.size_px(canvas)[1] if box is not None else 0.0
    hub = region.width * g.needle.radius_pct / 100
    half = region.width * g.needle.width_pct / 100 / 2
    margin = region.height * g.value_label.bottom_margin_pct / 100 if box is not None else 0.0
    below = max(hub, half) + margin + box_h
    radius = max(0.0, min(region.width / 2, region.height - below))
    cx = region.cx
    cy = region.y1 - (region.height - radius - below) / 2 - radius
    fills, borders, width = theme.slice_colors(ds, max(len(bounds), 1), "doughnut")
    ring = radius * (1 - g.cutout_pct / 100) if g.cutout_pct < 100 else 0.0
    start = lo
    for i, bound in enumerate(bounds):
        a0 = 180 - 180 * (start - lo) / span
        a1 = 180 - 180 * (bound - lo) / span
        if a0 > a1:
            canvas.add(
                Wedge(
                    (cx, cy),
                    radius,
                    a1,
                    a0,
                    width=ring or None,
                    facecolor=fills[i],
                    edgecolor=borders[i],
                    linewidth=canvas.px(width),
                ),
                zorder=3,
            )
        start = bound
    # needle: a triangle from the hub to lengthPercentage of the way from the arc's inner edge
    # (0 %) to its outer edge (100 %)
    needle = g.needle
    value = min(max(g.value, lo), hi)
    angle = math.radians(180 - 180 * (value - lo) / span)
    inner = radius - ring if ring else 0.0
    length = inner + (radius - inner) * needle.length_pct / 100
    tip = (cx + math.cos(angle) * length, cy + math.sin(angle) * length)
    side = (-math.sin(angle) * half, math.cos(angle) * half)
    color = theme.rgba(needle.color)
    canvas.add(
        Polygon(
            [(cx + side[0], cy + side[1]), tip, (cx - side[0], cy - side[1])],
            closed=True,
            facecolor=color,
            edgecolor="none",
        ),
        zorder=5,
    )
    canvas.add(Circle((cx, cy), hub, facecolor=color, edgecolor="none"), zorder=5)
    if box is not None:
        y = cy - max(hub, half) - margin - box_h / 2
        draw_text_box(canvas, box, cx, y, zorder=6)
    finish(region)


def _value_box(canvas: Canvas, g) -> TextBox:
    label = g.value_label
    # chartjs-gauge's default formatter is Math.round
    text = format_number(label.number, g.value) if label.number else number_label(math.floor(g.value + 0.5))
    pads = tuple(canvas.px(p) for p in label.padding)
    return TextBox(
        lines=(text,),
        size=canvas.px(label.font_size or 14),
        bold=False,
        color=theme.rgba(label.color),
        padding=pads,  # type: ignore[arg-type]
        background=theme.rgba(label.background_color),
        radius=canvas.px(label.border_radius),
    )


def _radial(canvas: Canvas, spec: ChartSpec, extra: ExtraType) -> None:
    g = extra.radial_gauge
    assert g is not None
    region, finish = layout_frame(canvas, spec, [])
    region = region.inset(*(canvas.px(6),) * 4)
    radius = max(0.0, min(region.width, region.height) / 2)
    cx, cy = region.cx, region.cy
    inner = radius * g.center_pct / 100
    ring = radius - inner
    canvas.add(
        Wedge((cx, cy), radius, 0, 360, width=ring, facecolor=theme.rgba(g.track_color), edgecolor="none"),
        zorder=2,
    )
    ds = spec.datasets[0]
    fill = theme.slice_colors(ds, 1, "doughnut")[0][0] if ds.background_color else theme.palette(0)
    lo, hi = g.domain
    share = min(max((g.value - lo) / (hi - lo), 0.0), 1.0)
    sweep = 360 * share
    if sweep > 0:
        canvas.add(
            Wedge((cx, cy), radius, 90 - sweep, 90, width=ring, facecolor=fill, edgecolor="none"), zorder=3
        )
        if g.rounded and sweep < 360:
            mid = inner + ring / 2
            for deg in (90.0, 90.0 - sweep):
                a = math.radians(deg)
                canvas.add(
                    Circle(
                        (cx + math.cos(a) * mid, cy + math.sin(a) * mid),
                        ring / 2,
                        facecolor=fill,
                        edgecolor="none",
                    ),
                    zorder=3,
                )
    if g.center_color:
        canvas.add(
            Circle((cx, cy), inner, facecolor=theme.rgba(g.center_color), edgecolor="none"), zorder=2.5
        )
    if g.display_text:
        text = (
            g.text
            if g.text is not None
            else (format_number(g.number, g.value) if g.number else number_label(g.value))
        )
        size = canvas.px(g.font_size) if g.font_size else _fit(canvas, text, inner * 1.2, inner * 0.6)
        color = theme.rgba(g.text_color) if g.text_color else theme.text_color(None)
        y = cy + (size * 0.35 if g.sub_text else 0.0)
        canvas.text(cx, y, text, size=size, color=color, zorder=6)
        if g.sub_text:
            canvas.text(cx, cy - size * 0.55, g.sub_text, size=size * 0.4, color=color, zorder=6)
    finish(region)


def _fit(canvas: Canvas, text: str, width: float, height: float) -> float:
    """The largest size (device px) at which ``text`` fits ``width`` x ``height``."""
    size = max(height, 1.0)
    measured = canvas.measure(text, size)
    if measured > width > 0:
        size *= width / measured
    return max(size, 1.0)
