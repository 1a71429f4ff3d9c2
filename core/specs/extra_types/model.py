"""Normalized options of the extra chart types that need their own renderer (gauges, box plots,
violins, Sankey diagrams), carried in ``ChartSpec.extras`` under ``EXTRAS_KEY`` with the same
pair codec as the plugins. Colours are ``#rrggbbaa``; sizes CSS px unless named as percentages."""

from __future__ import annotations

from dataclasses import dataclass

from core.specs.model import ChartSpec, ColorSpec
from core.specs.plugins.model import NumberFormat

EXTRAS_KEY = "chart_type"
# Statistics, flows and gauge values are summed and subtracted while drawing; values beyond this
# (far past any real measurement) would overflow, so the parsers refuse them.
MAX_MAGNITUDE = 1e100


@dataclass(frozen=True, slots=True)
class Needle:
    radius_pct: float = 2.0  # of the gauge's radius: the hub
    width_pct: float = 3.2  # of the radius: the needle's base
    length_pct: float = 80.0  # of the distance from the centre to the arc's inner edge... of the radius
    color: str = "#000000ff"


@dataclass(frozen=True, slots=True)
class ValueLabel:
    display: bool = True
    color: str = "#ffffffff"
    background_color: str = "#000000ff"
    font_size: float | None = None
    border_radius: float = 5.0
    padding: tuple[float, float, float, float] = (5.0, 5.0, 5.0, 5.0)
    bottom_margin_pct: float = 5.0
    number: NumberFormat | None = None


@dataclass(frozen=True, slots=True)
class Gauge:
    """chartjs-gauge: a half doughnut of threshold sectors and a needle at ``value``."""

    value: float
    min_value: float = 0.0
    cutout_pct: float = 50.0
    needle: Needle = Needle()
    value_label: ValueLabel = ValueLabel()


@dataclass(frozen=True, slots=True)
class RadialGauge:
    """chartjs-chart-radial-gauge: a track ring with an arc filled to ``value`` and text in the middle."""

    value: float
    domain: tuple[float, float] = (0.0, 100.0)
    track_color: str = "#e0e0e0ff"
    center_pct: float = 80.0  # inner radius as a percentage of the outer radius
    rounded: bool = True
    display_text: bool = True
    text: str | None = None  # None: the value
    text_color: str | None = None
    font_size: float | None = None  # None: fitted to the centre
    center_color: str | None = None  # the centre disc's fill
    sub_text: str | None = None
    number: NumberFormat | None = None


@dataclass(frozen=True, slots=True)
class BoxStats:
    min: float
    q1: float
    median: float
    q3: float
    max: float
    whisker_min: float
    whisker_max: float
    mean: float | None = None
    outliers: tuple[float, ...] = ()
    items: tuple[float, ...] = ()  # the raw values, sorted (violins estimate their density from them)


@dataclass(frozen=True, slots=True)
class BoxSeries:
    stats: tuple[BoxStats | None, ...]  # one per label; None is a gap
    outlier_color: ColorSpec = None  # None: the border colour
    outlier_radius: float = 2.0
    item_radius: float = 0.0
    mean_color: ColorSpec = None  # None: the border colour
    mean_radius: float = 3.0
    median_color: ColorSpec = None  # None: the border colour


@dataclass(frozen=True, slots=True)
class BoxPlot:
    series: tuple[BoxSeries, ...]
    violin: bool = False


@dataclass(frozen=True, slots=True)
class Flow:
    source: str
    target: str
    flow: float


@dataclass(frozen=True, slots=True)
class Sankey:
    """chartjs-chart-sankey: flows between nodes laid out in columns."""

    flows: tuple[Flow, ...]
    labels: tuple[tuple[str, str], ...] = ()  # node id -> shown label
    color_from: ColorSpec = None  # one colour, or one per flow
    color_to: ColorSpec = None
    color_mode: str = "gradient"  # gradient, from, to
    node_color: str | None = None  # None: the palette
    node_width: float = 10.0
    border_color: str = "#000000ff"
    border_width: float = 1.0
    size: str = "max"  # node height from max(in, out) or min
    priority: tuple[tuple[str, float], ...] = ()
    column: tuple[tuple[str, int], ...] = ()
    label_color: str | None = None
    font_size: float | None = None


@dataclass(frozen=True, slots=True)
class ExtraType:
    gauge: Gauge | None = None
    radial_gauge: RadialGauge | None = None
    boxplot: BoxPlot | None = None
    sankey: Sankey | None = None

    @classmethod
    def from_spec(cls, spec: ChartSpec) -> ExtraType:
        from core.specs.imagecharts.style import decode

        for key, value in spec.extras:
            if key == EXTRAS_KEY:
                return decode(cls, value)
        return cls()

    def to_extras(self) -> tuple[str, object]:
        from core.specs.imagecharts.style import encode

        return (EXTRAS_KEY, encode(self))
