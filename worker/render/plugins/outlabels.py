"""chartjs-plugin-piechart-outlabels: each slice's label in a coloured box outside the pie, joined
to the slice's edge by a line ``stretch`` px long. The pie shrinks to leave that room."""

from __future__ import annotations

import math

from matplotlib.patches import PathPatch
from matplotlib.path import Path

from core.specs.plugins.model import OutLabels
from core.specs.values import number_label

from .. import theme
from ..canvas import Canvas
from .boxes import TextBox, draw_text_box

DEFAULT_SIZE = 12.0


def radius(canvas: Canvas, opts: OutLabels, outer: float) -> float:
    size = canvas.px(opts.font.size or DEFAULT_SIZE)
    room = canvas.px(opts.stretch) + size * theme.LINE_HEIGHT + canvas.px(opts.padding) * 2 + canvas.px(6)
    return max(outer - room, outer * 0.35)


def text_of(template: str, label: str, value: float, total: float, decimals: int) -> str:
    percent = 100.0 * abs(value) / total if total else 0.0
    out = (
        template.replace("%l", label)
        .replace("%p", f"{percent:.{decimals}f}%")
        .replace("%v", number_label(value))
    )
    return out


def draw(canvas: Canvas, opts: OutLabels, arcs, labels: list[str]) -> None:
    total = sum(abs(a.value) for a in arcs)
    size = canvas.px(opts.font.size or DEFAULT_SIZE)
    pad = canvas.px(opts.padding)
    for a in arcs:
        label = labels[a.index] if a.index < len(labels) else ""
        content = text_of(opts.text, label, a.value, total, opts.percent_decimals)
        mid = math.radians((a.theta1 + a.theta2) / 2)
        ux, uy = math.cos(mid), math.sin(mid)
        edge = (a.cx + ux * a.r_out, a.cy + uy * a.r_out)
        reach = a.r_out + canvas.px(opts.stretch)
        tip = (a.cx + ux * reach, a.cy + uy * reach)
        color = theme.rgba(opts.line_color) if opts.line_color else a.fill
        line = PathPatch(
            Path([edge, tip]), fill=False, edgecolor=theme.opaque(color), linewidth=canvas.px(opts.line_width)
        )
        canvas.add(line, zorder=7)
        box = TextBox(
            lines=tuple(content.split("\n")),
            size=size,
            bold=opts.font.bold,
            color=theme.rgba(opts.color),
            padding=(pad, pad, pad, pad),
            background=theme.rgba(opts.background_color) if opts.background_color else theme.opaque(a.fill),
            radius=canvas.px(opts.border_radius),
        )
        width, height = box.size_px(canvas)
        # the box's nearest edge touches the line's tip
        edge_reach = min(
            width / 2 / abs(ux) if abs(ux) > 1e-9 else math.inf,
            height / 2 / abs(uy) if abs(uy) > 1e-9 else math.inf,
        )
        draw_text_box(canvas, box, tip[0] + ux * edge_reach, tip[1] + uy * edge_reach, zorder=8)
