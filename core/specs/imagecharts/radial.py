"""Pie (``p``, ``p3`` drawn flat, ``pc``, and concentric whenever there are several series), doughnut
(``pd``), polar area (``pa``) and radar (``r`` straight, ``rs`` curved) charts.

Pie colours follow the documentation: ``|``-separated colours colour single slices; one colour for a
series gives gradations from that colour (first slice, darkest) toward white (last slice); several
comma-separated single colours for a one-series pie give a gradient across its slices. Without
``chco`` slices take the default palette in turn. Negative values are empty slices of their size.
``chl`` labels go to the slices of every series in order (``||`` leaves one out); ``chdl`` is the
legend. ``chf=b<i>`` colours or shades every slice of series i and wins over ``ps<i>-<j>``.
"""

from __future__ import annotations

from core.specs.imagecharts import colors
from core.specs.imagecharts.cartesian import DEFAULT_LINE_WIDTH, _with_line_fills
from core.specs.imagecharts.context import Built, Context, unify
from core.specs.imagecharts.style import Gradient
from core.specs.model import Axis, Dataset

RADAR_SPLINE_TENSION = 0.35


def build_pie(ctx: Context) -> Built:
    kind = "doughnut" if ctx.chart.variant == "doughnut" else "pie"
    series = ctx.scaled.series
    datasets = []
    point_labels = []
    offset = 0
    gradients: list[tuple[int, int, Gradient]] = []
    for k, values in enumerate(series):
        datasets.append(
            Dataset(
                type=kind,
                label=ctx.legend_label(k),
                values=values,
                background_color=_slice_colors(ctx, k, values),
            )
        )
        chl = ctx.chl or ()
        point_labels.append(tuple(chl[offset : offset + len(values)]))
        offset += len(values)
        whole = ctx.fills.series_gradients.get(k)
        for j in range(len(values)):
            gradient = whole or ctx.fills.slice_gradients.get((k, j))
            if gradient is not None and (values[j] or 0) >= 0:
                gradients.append((k, j, gradient))
    return Built(
        type=kind,
        datasets=tuple(datasets),
        labels=ctx.legend,
        point_labels=tuple(point_labels) if ctx.chl is not None else (),
        inside_label=ctx.inside_label if kind == "doughnut" else "",
        slice_gradients=tuple(gradients),
    )


def build_polar(ctx: Context) -> Built:
    values, value_range, _ = unify(ctx.scaled.series, ctx.scaled.ranges, ctx.scaled.display)
    datasets = tuple(
        Dataset(
            type="polarArea",
            label=ctx.legend_label(k),
            values=v,
            background_color=_slice_colors(ctx, k, raw),
            border_color="#ffffffff",
        )
        for k, (v, raw) in enumerate(zip(values, ctx.scaled.series, strict=True))
    )
    return Built(
        type="polarArea",
        datasets=datasets,
        labels=ctx.legend or ctx.chl or (),
        scales=(("r", _radial_axis(ctx, value_range)),),
    )


def build_radar(ctx: Context) -> Built:
    values, value_range, display = unify(ctx.scaled.series, ctx.scaled.ranges, ctx.scaled.display)
    tension = RADAR_SPLINE_TENSION if ctx.chart.variant == "rs" else 0.0
    datasets = []
    for i, v in enumerate(values):
        width, dash = ctx.line_styles[i] if i < len(ctx.line_styles) else (DEFAULT_LINE_WIDTH, ())
        datasets.append(
            Dataset(
                type="radar",
                label=ctx.legend_label(i),
                values=v,
                border_color=ctx.series_color(i),
                border_width=width,
                border_dash=dash,
                tension=tension,
                point_radius=0,
            )
        )
    n = max(len(v) for v in values)
    request = ctx.horizontal_axis
    labels: tuple[str, ...] = ()
    if request is not None and request.labels is not None:
        labels = request.labels[:n]
    elif ctx.chl is not None:
        labels = ctx.chl[:n]
    elif request is not None:
        labels = tuple(str(i) for i in range(n))
    return Built(
        type="radar",
        datasets=_with_line_fills(ctx, tuple(datasets)),
        labels=labels,
        scales=(("r", _radial_axis(ctx, value_range)),),
        display=display,
        markers=(),
    )


def _radial_axis(ctx: Context, value_range: tuple[float, float] | None) -> Axis:
    request = ctx.vertical_axis
    lo, hi = value_range if value_range is not None else (None, None)
    if request is not None and request.range is not None:
        lo, hi = min(request.range), max(request.range)
    shown = request is not None and request.label_size != 0  # chxs font size 0 hides labels
    return Axis(min=lo, max=hi, begin_at_zero=True, ticks_display=shown)


def _slice_colors(ctx: Context, k: int, values: tuple[float | None, ...]) -> tuple[str, ...]:
    n = max(len(values), 1)
    if k in ctx.fills.series_colors:
        base: tuple[str, ...] = colors.gradations(ctx.fills.series_colors[k], n)
    elif ctx.chco is None:
        base = tuple(colors.DEFAULT_PALETTE[j % len(colors.DEFAULT_PALETTE)] for j in range(n))
    elif len(ctx.scaled.series) == 1 and len(ctx.chco) > 1 and all(len(g) == 1 for g in ctx.chco):
        base = colors.interpolate(tuple(g[0] for g in ctx.chco), n)
    else:
        group = ctx.chco[k % len(ctx.chco)]
        if len(group) > 1:
            base = tuple(group[j % len(group)] for j in range(n))
        else:
            base = colors.gradations(group[0], n)
    out = list(base)
    for j, v in enumerate(values):
        if k not in ctx.fills.series_colors and (k, j) in ctx.fills.slice_colors:
            out[j] = ctx.fills.slice_colors[(k, j)]
        if v is not None and v < 0:
            out[j] = colors.TRANSPARENT  # a negative value is an empty slice of its size
    return tuple(out)
