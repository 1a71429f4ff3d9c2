"""Bar, line (lc, ls, lxy), scatter and bubble charts as ``ChartSpec`` datasets and axes.

* Bars (``bvs bhs bvg bhg``, ``bvo`` as ``bvs``): one dataset per series, opaque, stacked on both
  axes for ``*s``; horizontal bars put the categories on the left axis.
* Lines: no point markers; ``chls`` width (default 2 px) and dashes; ``chm=B`` fills to the bottom,
  ``chm=b`` between two lines. ``lxy`` series come in x/y pairs; an x series that is a single
  missing value (``-1`` or ``_``) spaces that line's points evenly across the x axis.
* Scatter (``s``): series 0 = x, 1 = y, 2 (optional) = point sizes. Bubble (``bb``): each series is a
  set of ``x,y[,r]`` bubbles separated by ``_`` (radius in pixels, 1 by default), as Image-Charts
  documents; series in x|y|radius triplets are read too.
* Value axes span the data format's range (0-100 for text, 0-61 simple, 0-4095 extended, the
  ``chds`` pair), or fit the data with automatic scaling; ``chxr`` sets the range instead.
* Axes are drawn as lines without labels unless ``chxt`` names them (``ls`` and ``:nda`` hide them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.specs.imagecharts.axes import AxisRequest
from core.specs.imagecharts.context import Built, Context, nice_ticks, tick_label, unify
from core.specs.imagecharts.data import Range, Series
from core.specs.imagecharts.params import DEFAULT_LINE_WIDTH
from core.specs.imagecharts.style import AxisStyle
from core.specs.model import Axis, Dataset, Point

SCATTER_MIN_RADIUS, SCATTER_MAX_RADIUS = 2.0, 12.0
MAX_BUBBLE_RADIUS = 100.0
DEFAULT_BUBBLE_RADIUS = 1.0  # Image-Charts' radius when a bubble gives only x,y


def build(ctx: Context) -> Built:
    family, variant = ctx.chart.family, ctx.chart.variant
    scaled = ctx.scaled
    if family == "bar" or variant in ("lc", "ls"):
        values, value_range, display = unify(scaled.series, scaled.ranges, scaled.display)
        n = max(len(v) for v in values)
        horizontal = variant.startswith("horizontal")
        stacked = variant.endswith("stacked")
        maker = _bar if family == "bar" else _line
        datasets = tuple(_hide(ctx, i, maker(ctx, i, v)) for i, v in enumerate(values))
        cat_id, val_id = ("y", "x") if horizontal else ("x", "y")
        requests = _requests(ctx)
        cat_axis, cat_style, labels = _category_axis(ctx, cat_id, requests[cat_id], n, stacked)
        val_axis, val_style = _value_axis(ctx, val_id, requests[val_id], value_range, stacked)
        on_axis = (
            cat_axis.display
            and cat_axis.ticks_display
            and labels
            and ctx.chl is not None
            and (request_uses_chl(requests[cat_id]))
        )
        return Built(
            type=family,
            datasets=_with_line_fills(ctx, datasets),
            point_labels=() if on_axis else _point_labels(ctx, [len(v) for v in values]),
            labels=labels,
            index_axis="y" if horizontal else "x",
            scales=tuple(sorted(((cat_id, cat_axis), (val_id, val_axis)))),
            axes=tuple(s for s in (cat_style, val_style) if s is not None),
            display=display,
            series_gradients=_gradients(ctx, len(datasets)),
            markers=tuple(ctx.markers),
        )
    if variant == "lxy":
        datasets, x_range, y_range = _xy_lines(ctx)
    elif family == "scatter":
        datasets, x_range, y_range = _scatter(ctx)
    else:
        datasets, x_range, y_range = _bubbles(ctx)
    requests = _requests(ctx)
    x_axis, x_style = _value_axis(ctx, "x", requests["x"], x_range, False)
    y_axis, y_style = _value_axis(ctx, "y", requests["y"], y_range, False)
    return Built(
        type="line" if variant == "lxy" else family,
        datasets=_with_line_fills(ctx, datasets),
        point_labels=_point_labels(ctx, [len(d.points) for d in datasets]),
        scales=(("x", replace(x_axis, type="linear")), ("y", y_axis)),
        axes=tuple(s for s in (x_style, y_style) if s is not None),
        series_gradients=_gradients(ctx, len(datasets)),
        markers=tuple(ctx.markers),
    )


def request_uses_chl(request: AxisRequest | None) -> bool:
    """A category axis shows ``chl`` when chxt names it without chxl, chxp or chxr."""
    return (
        request is not None and request.labels is None and request.positions is None and request.range is None
    )


def _point_labels(ctx: Context, counts: list[int]) -> tuple[tuple[str, ...], ...]:
    """``chl`` labels the points of every series in turn (``||`` skips one), drawn at the points."""
    if not ctx.chl or not any(ctx.chl):
        return ()
    out, offset = [], 0
    for n in counts:
        out.append(tuple(ctx.chl[offset : offset + n]))
        offset += n
    return tuple(out)


def _hide(ctx: Context, i: int, dataset: Dataset) -> Dataset:
    """Series past the ``chd=t<n>:`` count are not drawn (nor in the legend); markers still use them."""
    if ctx.drawn is None or i < ctx.drawn:
        return dataset
    return replace(dataset, hidden=True, label="")


def _requests(ctx: Context) -> dict[str, AxisRequest | None]:
    return {"x": ctx.horizontal_axis, "y": ctx.vertical_axis}


def _series(ctx: Context, i: int, kind: str, **drawing: Any) -> Dataset:
    """Series ``i`` as a dataset of ``kind``: its legend label, its colour for the border."""
    return Dataset(type=kind, label=ctx.legend_label(i), border_color=ctx.series_color(i), **drawing)


def _bar(ctx: Context, i: int, values: Series) -> Dataset:
    return _series(ctx, i, "bar", values=values, background_color=ctx.series_color(i), border_width=0)


def _line(ctx: Context, i: int, values: Series = (), points: tuple[Point, ...] = ()) -> Dataset:
    width, dash = DEFAULT_LINE_WIDTH, ()
    if i < len(ctx.line_styles):
        width, dash = ctx.line_styles[i]
    return _series(
        ctx, i, "line", values=values, points=points, border_width=width, border_dash=dash, point_radius=0
    )


def _with_line_fills(ctx: Context, datasets: tuple[Dataset, ...]) -> tuple[Dataset, ...]:
    """``chm=B`` (to the bottom) and ``chm=b`` (to another line) on line and radar datasets."""
    out = list(datasets)
    for fill in ctx.line_fills:
        if fill.series >= len(out) or out[fill.series].type not in ("line", "radar"):
            ctx.warnings.add("chm")
            continue
        target: bool | str = "start" if out[fill.series].type == "line" else True
        if fill.to_series is not None:
            if fill.to_series >= len(out) or fill.to_series == fill.series:
                ctx.warnings.add("chm")
                continue
            target = str(fill.to_series)
        out[fill.series] = replace(out[fill.series], fill=target, background_color=fill.color)
    return tuple(out)


def _gradients(ctx: Context, count: int):
    return tuple((i, g) for i, g in sorted(ctx.fills.series_gradients.items()) if i < count)


def _xy_lines(ctx: Context) -> tuple[tuple[Dataset, ...], Range | None, Range | None]:
    s = ctx.scaled
    if len(s.series) == 1:  # a lone series: y values evenly spaced along x
        s = replace(
            s, series=((None,), *s.series), ranges=(None, *s.ranges), display=((0.0, 1.0), *s.display)
        )
    elif len(s.series) % 2:
        ctx.warnings.add(f"chd[{len(s.series) - 1}]")  # an x series without its y series
        s = replace(s, series=s.series[:-1], ranges=s.ranges[:-1], display=s.display[:-1])
    xs, x_range, _ = unify(s.series[0::2], s.ranges[0::2], s.display[0::2])
    ys, y_range, _ = unify(s.series[1::2], s.ranges[1::2], s.display[1::2])
    datasets = []
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if len(x) == 1 and x[0] is None:  # evenly spaced along the x axis
            lo, hi = x_range if x_range is not None else (0.0, float(max(len(y) - 1, 1)))
            steps = max(len(y) - 1, 1)
            x = tuple(lo + (hi - lo) * i / steps for i in range(len(y)))
        points = tuple(_point(a, b) for a, b in zip(x, y, strict=False))
        datasets.append(_line(ctx, k, points=points))
    return tuple(datasets), x_range, y_range


def _scatter(ctx: Context) -> tuple[tuple[Dataset, ...], Range | None, Range | None]:
    s = ctx.scaled
    if len(s.series) < 2:  # y values only: x is the point's index
        xs = tuple(float(i) for i in range(len(s.series[0])))
        s = replace(s, series=(xs, *s.series), ranges=(None, *s.ranges), display=((0.0, 1.0), *s.display))
    if len(s.series) > 3:
        ctx.warnings.add("chd[3]")
    x, y = s.series[0], s.series[1]
    sizes = s.series[2] if len(s.series) > 2 else None
    color = ctx.series_color(0)
    if sizes is None:
        points = tuple(_point(a, b) for a, b in zip(x, y, strict=False))
        kind = "scatter"
    else:
        known = [v for v in sizes if v is not None]
        lo, hi = (
            s.ranges[2] if s.ranges[2] is not None else (min(known, default=0.0), max(known, default=1.0))
        )
        span = (hi - lo) or 1.0
        radius = [
            None
            if v is None
            else SCATTER_MIN_RADIUS + (SCATTER_MAX_RADIUS - SCATTER_MIN_RADIUS) * (v - lo) / span
            for v in sizes
        ]
        points = tuple(
            _point(a, b, radius[i] if i < len(radius) else None)
            for i, (a, b) in enumerate(zip(x, y, strict=False))
        )
        kind = "bubble"
    dataset = Dataset(
        type=kind, label=ctx.legend_label(0), points=points, background_color=color, border_color=color
    )
    return (dataset,), s.ranges[0], s.ranges[1]


def _bubbles(ctx: Context) -> tuple[tuple[Dataset, ...], Range | None, Range | None]:
    """Image-Charts' layout: each ``chd`` series is a set of bubbles ``x,y[,r]`` separated by ``_``
    (``t:40,60,10,_,47,40,12|50,30,5``), the radius in pixels (1 when left out). Our older layout,
    series in x|y|radius triplets, is still read when no series holds a bubble of its own (every
    series longer than three values, without separators, and a multiple of three series)."""
    s = ctx.scaled
    if s.series and len(s.series) % 3 == 0 and all(len(v) > 3 and None not in v for v in s.series):
        return _bubble_triplets(ctx)
    datasets = []
    raw_series = ctx.raw_series or s.series
    for k, (raw, values) in enumerate(zip(raw_series, s.series, strict=True)):
        bubbles = []
        group: list[float | None] = []
        # "_" (missing in the raw data) separates bubbles; a value chds or the 0-100 text range
        # dropped is missing only after scaling: that bubble is not drawn.
        for given, v in zip((*raw, None), (*values, None), strict=True):
            if given is not None:
                group.append(v)
                continue
            if len(group) >= 2 and None not in group[:3]:
                radius = group[2] if len(group) > 2 else DEFAULT_BUBBLE_RADIUS
                bubbles.append(Point(group[0], group[1], _radius(radius)))
            elif len(group) == 1:
                ctx.warnings.add(f"chd[{k}]")  # a lone number is not a bubble
            if len(group) > 3:
                ctx.warnings.add(f"chd[{k}]")  # values after x,y,r are not drawn
            group = []
        datasets.append(_bubble_dataset(ctx, k, tuple(bubbles)))
    ranges = [r for r in s.ranges if r is not None]
    shared = (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None
    return tuple(datasets), shared, shared


def _bubble_triplets(ctx: Context) -> tuple[tuple[Dataset, ...], Range | None, Range | None]:
    s = ctx.scaled
    xs, x_range, _ = unify(s.series[0::3], s.ranges[0::3], s.display[0::3])
    ys, y_range, _ = unify(s.series[1::3], s.ranges[1::3], s.display[1::3])
    datasets = []
    for k, (x, y, r) in enumerate(zip(xs, ys, s.series[2::3], strict=True)):
        points = tuple(
            _point(a, b, None if i >= len(r) or r[i] is None else _radius(r[i]))
            for i, (a, b) in enumerate(zip(x, y, strict=False))
        )
        datasets.append(_bubble_dataset(ctx, k, points))
    return tuple(datasets), x_range, y_range


def _radius(value: float) -> float:
    return min(max(value, 0.0), MAX_BUBBLE_RADIUS)


def _bubble_dataset(ctx: Context, k: int, points: tuple[Point, ...]) -> Dataset:
    color = ctx.series_color(k)
    return Dataset(
        type="bubble", label=ctx.legend_label(k), points=points, background_color=color, border_color=color
    )


def _point(x: float | None, y: float | None, r: float | None = None) -> Point:
    if x is None or y is None:
        return Point(None, None, r)
    return Point(x, y, r)


def _base_axis(ctx: Context, axis_id: str, request: AxisRequest | None, stacked: bool) -> Axis:
    # Sparklines and bubble charts show no axis lines unless chxt asks for them
    hidden_by_default = ctx.chart.no_default_axes or ctx.chart.variant in ("ls", "bb")
    grid = False
    if ctx.grid is not None:
        grid = ctx.grid[0] if axis_id == "x" else ctx.grid[1]
    position = None
    if request is not None and request.letter in ("t", "r"):
        position = "top" if request.letter == "t" else "right"
    return Axis(
        display=request is not None or not hidden_by_default,
        ticks_display=request is not None and request.label_size != 0,  # chxs font size 0 hides labels
        grid_display=grid,
        stacked=stacked,
        position=position,
    )


def _style(
    ctx: Context,
    axis_id: str,
    request: AxisRequest | None,
    ticks=None,
    relative: bool = False,
) -> AxisStyle | None:
    dash = None
    if ctx.grid is not None and (ctx.grid[0] if axis_id == "x" else ctx.grid[1]):
        on, off = ctx.grid[2]
        dash = (on, off) if on > 0 and off > 0 else None
    if request is None:
        return AxisStyle(axis_id, grid_dash=dash) if dash else None
    return AxisStyle(
        axis=axis_id,
        ticks=tuple(ticks) if ticks is not None else None,
        relative=relative,
        number=request.number,
        label_color=request.label_color,
        label_size=request.label_size,
        show_line=request.show_line,
        show_ticks=request.show_ticks,
        tick_color=request.tick_color,
        line_color=request.line_color,
        grid_dash=dash,
    )


def _category_axis(
    ctx: Context, axis_id: str, request: AxisRequest | None, n: int, stacked: bool
) -> tuple[Axis, AxisStyle | None, tuple[str, ...]]:
    axis = _base_axis(ctx, axis_id, request, stacked)
    labels: tuple[str, ...] = ()
    ticks, relative = None, False
    if request is not None:
        lo, hi = request.range if request.range is not None else (0.0, 100.0)
        if request.labels is not None and request.positions is not None:
            ticks = [
                ((p - lo) / (hi - lo), t) for p, t in zip(request.positions, request.labels, strict=False)
            ]
        elif request.labels is not None and len(request.labels) == n:
            labels = request.labels
        elif request.labels is not None:
            ticks = _spread(request.labels)
        elif request.positions is not None:
            ticks = [((p - lo) / (hi - lo), tick_label(p, request.number)) for p in request.positions]
        elif request.range is not None:
            values = nice_ticks(lo, hi, request.step)
            ticks = [((v - lo) / (hi - lo), tick_label(v, request.number)) for v in values]
        elif ctx.chl is not None:
            labels = (*ctx.chl[:n], *[""] * (n - len(ctx.chl)))  # fewer labels than points: blanks
        else:
            labels = tuple(str(i) for i in range(n))
        relative = ticks is not None
    return axis, _style(ctx, axis_id, request, ticks, relative), labels


def _value_axis(
    ctx: Context, axis_id: str, request: AxisRequest | None, data_range: Range | None, stacked: bool
) -> tuple[Axis, AxisStyle | None]:
    axis = _base_axis(ctx, axis_id, request, stacked)
    lo, hi = data_range if data_range is not None else (None, None)
    reverse = False
    if request is not None and request.range is not None:
        start, end = request.range
        lo, hi, reverse = min(start, end), max(start, end), start > end
    axis = replace(axis, min=lo, max=hi, reverse=reverse, begin_at_zero=lo is None)
    ticks, relative = None, False
    if request is not None:
        if request.labels is not None and request.positions is not None:
            ticks = list(zip(request.positions, request.labels, strict=False))
        elif request.labels is not None:
            ticks, relative = _spread(request.labels), True
        elif request.positions is not None:
            ticks = [(p, tick_label(p, request.number)) for p in request.positions]
        elif request.range is not None and request.step is not None:
            values = nice_ticks(request.range[0], request.range[1], request.step)
            ticks = [(v, tick_label(v, request.number)) for v in values]
    return axis, _style(ctx, axis_id, request, ticks, relative)


def _spread(labels: tuple[str, ...]) -> list[tuple[float, str]]:
    """Labels spaced evenly from the first position to the last."""
    if len(labels) == 1:
        return [(0.0, labels[0])]
    return [(i / (len(labels) - 1), t) for i, t in enumerate(labels)]
