"""What every chart family's builder reads: the parsed parameters of one request, and the helpers
they share (series colours, putting series with different ``chds`` ranges on one axis, ticks)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.specs.imagecharts import colors
from core.specs.imagecharts.axes import AxisRequest
from core.specs.imagecharts.data import Range, Scaled, Series, drawable
from core.specs.imagecharts.fills import Fills, LineFill
from core.specs.imagecharts.numbers import format_value
from core.specs.imagecharts.params import ChartType
from core.specs.imagecharts.style import AxisStyle, Gradient, Marker, NumberFormat
from core.specs.model import Axis, Dataset
from core.specs.values import Warnings


@dataclass
class Context:
    chart: ChartType
    scaled: Scaled
    warnings: Warnings
    chco: tuple[tuple[str, ...], ...] | None = None
    fills: Fills = field(default_factory=Fills)
    line_fills: list[LineFill] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    legend: tuple[str, ...] = ()  # chdl
    chl: tuple[str, ...] | None = None
    inside_label: str = ""
    horizontal_axis: AxisRequest | None = None
    vertical_axis: AxisRequest | None = None
    grid: tuple[bool, bool, tuple[float, float]] | None = None
    line_styles: tuple[tuple[float, tuple[float, ...]], ...] = ()
    raw_series: tuple[Series, ...] = ()  # chd as decoded, before chds or the text range applied
    drawn: int | None = None  # chd=t<n>: series from n on are hidden (marker data only)

    def legend_label(self, i: int) -> str:
        return self.legend[i] if i < len(self.legend) else ""

    def series_color(self, i: int) -> str | tuple[str, ...]:
        """chf b<i> wins over chco; chco groups cycle over series; the default palette otherwise."""
        if i in self.fills.series_colors:
            return self.fills.series_colors[i]
        if self.chco:
            group = self.chco[i % len(self.chco)]
            return group[0] if len(group) == 1 else group
        return colors.DEFAULT_PALETTE[i % len(colors.DEFAULT_PALETTE)]

    def series_gradient(self, i: int) -> Gradient | None:
        return self.fills.series_gradients.get(i)


@dataclass
class Built:
    """A family builder's share of the ``ChartSpec`` and of the style."""

    type: str
    datasets: tuple[Dataset, ...] = ()
    labels: tuple[str, ...] = ()
    index_axis: str = "x"
    scales: tuple[tuple[str, Axis], ...] = ()
    axes: tuple[AxisStyle, ...] = ()
    display: tuple[tuple[float, float], ...] = ()
    point_labels: tuple[tuple[str, ...], ...] = ()
    inside_label: str = ""
    series_gradients: tuple[tuple[int, Gradient], ...] = ()
    slice_gradients: tuple[tuple[int, int, Gradient], ...] = ()
    markers: tuple[Marker, ...] = ()


def unify(
    series: tuple[Series, ...], ranges: tuple[Range | None, ...], display: tuple[tuple[float, float], ...]
) -> tuple[tuple[Series, ...], Range | None, tuple[tuple[float, float], ...]]:
    """Put series that were scaled to different ``chds`` ranges on one axis: each is mapped into the
    first series' range (so the axis shows the first series' real values, like Image-Charts), and
    the returned display transforms print every series' own values."""
    if not series or ranges[0] is None:
        return series, None, display
    lo0, hi0 = ranges[0]
    out, shown = [], []
    for values, rng, (a, b) in zip(series, ranges, display, strict=True):
        if rng is None or rng == ranges[0]:
            out.append(values)
            shown.append((a, b))
            continue
        lo, hi = rng
        f = (hi0 - lo0) / (hi - lo)
        shift, scale = (a + b * (lo - lo0 / f), b / f) if f and math.isfinite(f) else (math.inf, math.inf)
        if not (math.isfinite(shift) and math.isfinite(scale)):
            out.append(values)  # ranges too far apart to map (1e300 against 1e-10): drawn as given
            shown.append((a, b))
            continue
        out.append(tuple(None if v is None else drawable(lo0 + (v - lo) * f) for v in values))
        # printed = a + b * raw, raw = lo + (plotted - lo0) / f
        shown.append((shift, scale))
    return tuple(out), (lo0, hi0), tuple(shown)


def nice_ticks(lo: float, hi: float, step: float | None = None, count: int = 6) -> list[float]:
    """Tick values within [lo, hi]: every ``step`` from ``lo``, or round numbers about ``count`` apart."""
    lo, hi = min(lo, hi), max(lo, hi)
    if step is None:
        raw = (hi - lo) / max(count - 1, 1)
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
        first = math.ceil(lo / step - 1e-9) * step
    else:
        first = lo
    n = int(math.floor((hi - first) / step + 1e-9))
    return [float(f"{first + k * step:.12g}") for k in range(n + 1)]


def tick_label(value: float, number: NumberFormat | None) -> str:
    return format_value(value, number)
