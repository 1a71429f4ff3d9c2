"""The normalized form of the QuickChart plugins a Chart.js spec may configure.

Carried in ``ChartSpec.extras`` under ``EXTRAS_KEY`` as nested ``(name, value)`` pairs (the
Image-Charts style codec: plain tuples, canonical in JSON, equal after a ``to_dict``/``from_dict``
round trip). ``Plugins.from_spec`` decodes it in the worker. Colours are ``#rrggbbaa``; sizes are CSS
pixels; nothing here is code.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.specs.model import ChartSpec, ColorSpec

EXTRAS_KEY = "chartjs_plugins"


@dataclass(frozen=True, slots=True)
class Font:
    size: float | None = None  # None: the element's default size
    bold: bool = False
    family: str | None = None  # recorded; every family is drawn with the bundled DejaVu Sans


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """Intl.NumberFormat-style options (QuickChart's ``tickFormat``), formatted with Babel."""

    locale: str = "en_US"
    style: str = "decimal"  # decimal, currency, percent
    currency: str | None = None  # ISO 4217 code, required for style currency
    min_fraction: int | None = None  # None: the style's default (Intl's rules)
    max_fraction: int | None = None
    grouping: bool = True
    notation: str = "standard"  # standard, compact, scientific, engineering
    prefix: str = ""
    suffix: str = ""
    unit: str | None = None  # CLDR unit for style unit ("kilometer-per-hour", "liter"...)
    unit_display: str = "short"  # short, long, narrow


@dataclass(frozen=True, slots=True)
class TickFormat:
    number: NumberFormat = NumberFormat()
    apply_to_datalabels: bool = False


@dataclass(frozen=True, slots=True)
class DataLabels:
    """chartjs-plugin-datalabels options resolved for one dataset (chart level merged with the
    dataset's own block). Colour fields may hold one colour per data point."""

    anchor: str = "center"  # start, center, end
    align: str = "center"  # center, start, end, top, bottom, left, right, or degrees as text
    offset: float = 4.0
    rotation: float = 0.0
    color: ColorSpec = None  # None: Chart.js's default text colour
    font: Font = Font()
    background_color: ColorSpec = None
    border_color: ColorSpec = None
    border_width: float = 0.0
    border_radius: float = 0.0
    padding: tuple[float, float, float, float] = (4.0, 4.0, 4.0, 4.0)  # top, right, bottom, left
    clamp: bool = False
    number: NumberFormat | None = None  # Chartfleet's declarative formatter (``numberFormat``)
    percent_of: tuple[float, ...] = ()  # progress bars: show value / whole as a whole percentage
    auto: bool = False  # display "auto": skipped where it would overlap a label already placed


@dataclass(frozen=True, slots=True)
class AnnotationLabel:
    lines: tuple[str, ...]
    position: str = "center"  # start, center, end (along a line); for boxes: the box's centre
    background_color: str = "#000000cc"
    color: str = "#ffffffff"
    font: Font = Font()
    x_adjust: float = 0.0
    y_adjust: float = 0.0
    padding: float = 6.0
    border_radius: float = 6.0
    rotation: float = 0.0


# A coordinate on an axis: a number in the axis' units, a category label (text), or None (the
# chart area's edge on that side).
Coordinate = float | str | None


@dataclass(frozen=True, slots=True)
class Annotation:
    """One chartjs-plugin-annotation element: ``kind`` is line, box, point or label."""

    kind: str
    x_scale: str = "x"
    y_scale: str = "y"
    x_min: Coordinate = None
    x_max: Coordinate = None
    y_min: Coordinate = None
    y_max: Coordinate = None
    border_color: str | None = None
    border_width: float | None = None
    border_dash: tuple[float, ...] = ()
    background_color: str | None = None
    radius: float = 10.0  # point annotations
    label: AnnotationLabel | None = None
    below_datasets: bool = False  # drawTime beforeDraw / beforeDatasetsDraw


@dataclass(frozen=True, slots=True)
class CenterLine:
    """One line of the doughnutlabel plugin's centre text."""

    text: str
    color: str | None = None
    font: Font = Font()


@dataclass(frozen=True, slots=True)
class OutLabels:
    """chartjs-plugin-piechart-outlabels: ``text`` with %l (label), %p (percent), %v (value)."""

    text: str = "%l"
    color: str = "#ffffffff"
    background_color: str | None = None  # None: the slice's colour
    line_color: str | None = None  # None: the slice's colour
    line_width: float = 2.0
    stretch: float = 40.0
    font: Font = Font()
    percent_decimals: int = 1
    border_radius: float = 2.0
    padding: float = 3.0


@dataclass(frozen=True, slots=True)
class Plugins:
    datalabels: tuple[DataLabels | None, ...] = ()  # one per dataset; None: no labels on it
    tick_format: TickFormat | None = None
    annotations: tuple[Annotation, ...] = ()
    center_text: tuple[CenterLine, ...] = ()
    outlabels: OutLabels | None = None

    def is_empty(self) -> bool:
        return self == Plugins()

    @classmethod
    def from_spec(cls, spec: ChartSpec) -> Plugins | None:
        from core.specs.imagecharts.style import decode  # the package imports the Chart.js parser

        for key, value in spec.extras:
            if key == EXTRAS_KEY:
                return decode(cls, value)
        return None

    def to_extras(self) -> tuple[str, object]:
        from core.specs.imagecharts.style import encode

        return (EXTRAS_KEY, encode(self))
