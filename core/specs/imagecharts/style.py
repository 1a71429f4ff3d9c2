"""What an Image-Charts chart needs beyond the common ``ChartSpec`` fields, carried in
``ChartSpec.extras`` under the key ``"imagecharts"`` so the worker can draw it.

The value is these frozen dataclasses encoded as nested ``(name, value)`` pairs (only fields that
differ from their defaults), so it stays plain tuples: hashable, canonical in JSON, and equal after
``ChartSpec.from_dict(spec.to_dict())``. ``ImageChartsStyle.from_spec`` decodes it (the worker),
``to_extras`` encodes it (the parser). Colours are ``#rrggbbaa`` like every other spec colour.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from core.specs.model import ChartSpec

EXTRAS_KEY = "imagecharts"
WATERMARK_KEY = "watermark"  # set by the API for unsigned renders when the server asks for it


@dataclass(frozen=True, slots=True)
class Gradient:
    """A linear gradient: ``angle`` 0 runs left to right, 90 bottom to top; stops are (colour,
    offset 0..1) sorted by offset."""

    angle: float
    stops: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """Google's ``N<prefix>*<type><decimals>zs<x|y>*<suffix>`` value format (chm, chxs)."""

    kind: str = "f"  # f (fixed), p (percent), e (scientific), c (currency)
    decimals: int | None = None  # None: as many as the value needs
    currency: str = ""
    prefix: str = ""
    suffix: str = ""
    zeros: bool = False  # keep trailing zeros
    separators: bool = False  # thousands separators


@dataclass(frozen=True, slots=True)
class Marker:
    """One ``chm`` marker set: ``kind`` is value, text, circle, square, diamond, cross, x, hline,
    vline or line; drawn on ``series`` at the points ``start``..``end`` (None: last) every ``step``."""

    kind: str
    color: str
    series: int
    size: float
    start: int = 0
    end: int | None = None
    step: int = 1
    text: str = ""
    number: NumberFormat | None = None
    above: bool = False  # z-order: drawn above the other markers


@dataclass(frozen=True, slots=True)
class AxisStyle:
    """One visible axis (``chxt``): custom ticks (``chxl``/``chxp``/``chxr``), label and line styles
    (``chxs``) and the grid dash (``chg``). ``axis`` is the ``ChartSpec`` axis id it applies to.
    Relative tick positions run over the data positions of a category axis (first to last point)
    and over the range of a numeric axis."""

    axis: str
    ticks: tuple[tuple[float, str], ...] | None = None  # (position, label)
    relative: bool = False  # tick positions are fractions of the axis range, not axis units
    number: NumberFormat | None = None
    label_color: str | None = None
    label_size: float | None = None
    show_line: bool = True
    show_ticks: bool = True
    tick_color: str | None = None
    line_color: str | None = None
    grid_dash: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Animation:
    duration_ms: int = 1200
    easing: str = "easeOutQuart"


@dataclass(frozen=True, slots=True)
class QRCode:
    text: str
    level: str = "L"
    margin: int = 4


@dataclass(frozen=True, slots=True)
class ImageChartsStyle:
    margins: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, right, top, bottom
    title_align: str = "center"
    legend_size: float | None = None
    legend_skip_empty: bool = False
    axes: tuple[AxisStyle, ...] = ()
    background: Gradient | None = None  # solid backgrounds are ChartSpec.background_color
    opacity: float = 1.0  # chf=a: applied to the whole image
    series_gradients: tuple[tuple[int, Gradient], ...] = ()  # chf=b<i>,lg
    slice_gradients: tuple[tuple[int, int, Gradient], ...] = ()  # chf=ps<i>-<j>,lg
    markers: tuple[Marker, ...] = ()
    point_labels: tuple[tuple[str, ...], ...] = ()  # pie chl, per series
    inside_label: str = ""  # doughnut chli
    display: tuple[tuple[float, float], ...] = ()  # per series: printed value = a + b * plotted
    animation: Animation | None = None
    qr: QRCode | None = None

    def to_extras(self) -> tuple[tuple[str, Any], ...]:
        return ((EXTRAS_KEY, encode(self)),)

    def axis(self, axis_id: str) -> AxisStyle | None:
        return next((a for a in self.axes if a.axis == axis_id), None)

    @classmethod
    def from_spec(cls, spec: ChartSpec) -> ImageChartsStyle | None:
        """The style of an Image-Charts spec; None for specs of other dialects."""
        for key, value in spec.extras:
            if key == EXTRAS_KEY:
                return decode(cls, value)
        return None


def watermark_of(spec: ChartSpec) -> str:
    return next((str(v) for k, v in spec.extras if k == WATERMARK_KEY and v), "")


def encode(obj: Any) -> Any:
    """Dataclasses to ``(name, value)`` pairs (default-valued fields left out), tuples kept."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        pairs = []
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            default = f.default if f.default is not dataclasses.MISSING else dataclasses.MISSING
            if value != default:
                pairs.append((f.name, encode(value)))
        return tuple(pairs)
    if isinstance(obj, (tuple, list)):
        return tuple(encode(v) for v in obj)
    return obj


def decode(cls: type, pairs: Any) -> Any:
    """Inverse of ``encode`` for dataclass ``cls`` (types come from its annotations)."""
    hints = _hints(cls)
    values = {name: _decode_value(hints[name], value) for name, value in pairs if name in hints}
    return cls(**values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode_value(inner[0], value)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode_value(args[0], v) for v in value)
        if args and args != ((),):
            return tuple(_decode_value(a, v) for a, v in zip(args, value, strict=True))
        return tuple(value)
    if dataclasses.is_dataclass(hint):
        return decode(hint, value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
