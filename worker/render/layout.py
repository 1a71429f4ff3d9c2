"""The boxes around the chart area, placed like Chart.js's layout service: the title outermost,
then the subtitle, then the legend, each taking a band off its side of the canvas.

Legend semantics (documented choice): hidden datasets stay in the legend with their label struck
through, as Chart.js shows them after a click. Legend position ``chartArea`` draws the legend as a
band inside the top of the chart area instead of reserving space for it. A legend that would
need more than half the canvas (dozens of long labels on a small chart) is cut to the items that
fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.collections import LineCollection, PolyCollection

from core.specs.model import ChartSpec, Text

from . import theme
from .canvas import Canvas, Rect


@dataclass(frozen=True, slots=True)
class FrameOptions:
    """Frame settings beyond the Chart.js defaults (the Image-Charts dialect sets them): the region
    to lay out in (margins), the title's alignment, the legend's font size (CSS px) and whether
    legend entries without text are left out."""

    region: Rect | None = None
    title_align: str = "center"
    legend_size: float | None = None
    legend_skip_empty: bool = False


DEFAULT_FRAME = FrameOptions()


@dataclass(frozen=True, slots=True)
class LegendItem:
    text: str
    fill: theme.RGBA
    border: theme.RGBA
    border_width: float  # CSS px
    hidden: bool = False


def layout_frame(
    canvas: Canvas, spec: ChartSpec, items: list[LegendItem], frame: FrameOptions = DEFAULT_FRAME
) -> tuple[Rect, Callable[[Rect], None]]:
    """Draw title, subtitle and legend; return the remaining region and a finisher.

    The finisher must be called with the final chart area; it draws a ``chartArea`` legend.
    """
    region = frame.region or canvas.bounds
    for text, bold, padding in (
        (spec.title, True, (theme.TITLE_PADDING, theme.TITLE_PADDING)),
        (spec.subtitle, False, (0.0, 0.0)),
    ):
        if text is not None and any(line for line in text.lines):
            region = _title(canvas, region, text, bold, padding, frame.title_align)

    legend = spec.legend
    shown = items if legend.display else []
    if frame.legend_skip_empty:
        shown = [item for item in shown if item.text]
    if not any(item.text for item in shown):
        shown = []  # only unnamed datasets: a row of bare swatches would explain nothing
    if not shown:
        return region, _no_finish
    size = canvas.px(frame.legend_size or theme.FONT_SIZE)
    color = theme.text_color(legend.color)
    position = legend.position if legend.position in ("top", "bottom", "left", "right") else "top"
    if legend.position == "chartArea":

        def finish(area: Rect) -> None:
            rows, height = _rows(canvas, shown, area.width, area.height / 2, size)
            _draw_rows(canvas, rows, Rect(area.x0, area.y1 - height, area.x1, area.y1), color, size)

        return region, finish
    if position in ("top", "bottom"):
        rows, height = _rows(canvas, shown, region.width, region.height / 2, size)
        if position == "top":
            band = Rect(region.x0, region.y1 - height, region.x1, region.y1)
            region = region.inset(top=height)
        else:
            band = Rect(region.x0, region.y0, region.x1, region.y0 + height)
            region = region.inset(bottom=height)
        _draw_rows(canvas, rows, band, color, size)
    else:
        columns, width = _columns(canvas, shown, region.height, region.width / 2, size)
        if position == "left":
            band = Rect(region.x0, region.y0, region.x0 + width, region.y1)
            region = region.inset(left=width)
        else:
            band = Rect(region.x1 - width, region.y0, region.x1, region.y1)
            region = region.inset(right=width)
        _draw_columns(canvas, columns, band, color, size)
    return region, _no_finish


def _no_finish(area: Rect) -> None:
    return None


def _title(
    canvas: Canvas, region: Rect, text: Text, bold: bool, padding: tuple[float, float], align: str = "center"
) -> Rect:
    size = canvas.px(text.font_size or theme.FONT_SIZE)
    line_h = size * theme.LINE_HEIGHT
    lines = [line for line in text.lines]
    pad_out, pad_in = canvas.px(padding[0]), canvas.px(padding[1])
    depth = pad_out + pad_in + line_h * len(lines)
    color = theme.text_color(text.color)
    position = text.position if text.position in ("top", "bottom", "left", "right") else "top"
    if position in ("top", "bottom"):
        depth = min(depth, region.height)
        if position == "top":
            top = region.y1 - pad_out
            region_out = region.inset(top=depth)
        else:
            top = region.y0 + depth - pad_out
            region_out = region.inset(bottom=depth)
        inset = canvas.px(theme.TITLE_PADDING)
        x, ha = {"left": (region.x0 + inset, "left"), "right": (region.x1 - inset, "right")}.get(
            align, (region.cx, "center")
        )
        for i, line in enumerate(lines):
            y = top - line_h * (i + 0.5)
            canvas.text(x, y, line, size=size, color=color, bold=bold, ha=ha)
        return region_out
    depth = min(depth, region.width)
    # Vertical titles read bottom-to-top on the left and top-to-bottom on the right, like Chart.js.
    if position == "left":
        x_first = region.x0 + pad_out + line_h / 2
        step, rotation, region_out = line_h, 90.0, region.inset(left=depth)
    else:
        x_first = region.x1 - pad_out - line_h / 2
        step, rotation, region_out = -line_h, -90.0, region.inset(right=depth)
    for i, line in enumerate(lines):
        canvas.text(x_first + step * i, region.cy, line, size=size, color=color, bold=bold, rotation=rotation)
    return region_out


def _item_width(canvas: Canvas, item: LegendItem, size: float) -> float:
    return canvas.px(theme.LEGEND_BOX_WIDTH) + size / 2 + canvas.measure(item.text, size)


def _rows(
    canvas: Canvas, items: list[LegendItem], width: float, max_height: float, size: float
) -> tuple[list[list[tuple[LegendItem, float]]], float]:
    pad = canvas.px(theme.LEGEND_PADDING)
    row_h = size + pad
    rows: list[list[tuple[LegendItem, float]]] = [[]]
    used = 0.0
    for item in items:
        w = _item_width(canvas, item, size)
        if rows[-1] and used + pad + w > width:
            if pad + (len(rows) + 1) * row_h > max_height:
                break
            rows.append([])
            used = 0.0
        used += (pad if rows[-1] else 0.0) + w
        rows[-1].append((item, w))
    return rows, pad + len(rows) * row_h


def _columns(
    canvas: Canvas, items: list[LegendItem], height: float, max_width: float, size: float
) -> tuple[list[list[tuple[LegendItem, float]]], float]:
    pad = canvas.px(theme.LEGEND_PADDING)
    row_h = size + pad
    per_column = max(1, int((height - pad) // row_h))
    columns: list[list[tuple[LegendItem, float]]] = []
    total = pad
    for start in range(0, len(items), per_column):
        column = [(item, _item_width(canvas, item, size)) for item in items[start : start + per_column]]
        col_w = max(w for _, w in column) + pad
        if columns and total + col_w > max_width:
            break
        columns.append(column)
        total += col_w
    return columns, total


def _draw_rows(
    canvas: Canvas, rows: list[list[tuple[LegendItem, float]]], band: Rect, color: theme.RGBA, size: float
) -> None:
    pad = canvas.px(theme.LEGEND_PADDING)
    placed: list[tuple[LegendItem, float, float]] = []
    for r, row in enumerate(rows):
        row_w = sum(w for _, w in row) + pad * (len(row) - 1)
        x = band.cx - row_w / 2
        y = band.y1 - pad - r * (size + pad) - size / 2
        for item, w in row:
            placed.append((item, x, y))
            x += w + pad
    _draw_items(canvas, placed, size, color)


def _draw_columns(
    canvas: Canvas, columns: list[list[tuple[LegendItem, float]]], band: Rect, color: theme.RGBA, size: float
) -> None:
    pad = canvas.px(theme.LEGEND_PADDING)
    placed: list[tuple[LegendItem, float, float]] = []
    x = band.x0 + pad
    for column in columns:
        col_h = len(column) * (size + pad) - pad
        y = band.cy + col_h / 2 - size / 2
        for item, _w in column:
            placed.append((item, x, y))
            y -= size + pad
        x += max(w for _, w in column) + pad
    _draw_items(canvas, placed, size, color)


def _draw_items(
    canvas: Canvas, placed: list[tuple[LegendItem, float, float]], size: float, color: theme.RGBA
) -> None:
    """Boxes in one collection; one text per label; struck-through labels for hidden datasets."""
    if not placed:
        return
    box_w = canvas.px(theme.LEGEND_BOX_WIDTH)
    boxes, fills, borders, widths, strikes = [], [], [], [], []
    for item, x, y in placed:
        half = size / 2
        boxes.append(((x, y - half), (x + box_w, y - half), (x + box_w, y + half), (x, y + half)))
        fills.append(item.fill)
        borders.append(item.border)
        widths.append(min(canvas.px(item.border_width), half))
        tx = x + box_w + size / 2
        canvas.text(tx, y, item.text, size=size, color=color, ha="left", va="center_baseline")
        if item.hidden:
            tw = canvas.measure(item.text, size)
            strikes.append(((tx, y), (tx + tw, y)))
    canvas.add(
        PolyCollection(boxes, facecolors=fills, edgecolors=borders, linewidths=widths, closed=True),
        zorder=5,
    )
    if strikes:
        canvas.add(LineCollection(strikes, colors=[color], linewidths=[max(1.0, canvas.px(1))]), zorder=6)
