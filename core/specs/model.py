"""The normalized chart specification every dialect is parsed into.

A ``ChartSpec`` is plain data: frozen dataclasses holding only str/int/float/bool/None and tuples
of those, so it serializes to canonical JSON (stored on the job row, sent to the worker, hashed into
the cache key) and back without loss. Parsers in ``core.specs`` build it; renderers in
``worker.render`` draw it. Nothing in a spec is ever code.

Conventions the parsers guarantee and the renderers rely on:

* Colours are ``#rrggbbaa`` lowercase hex strings (alpha included), already resolved from CSS
  names, ``rgb()``/``rgba()``/``hsl()`` and short hex forms.
* A colour field is either one colour (``str``) or one colour per point (``tuple[str, ...]``).
* ``Dataset.values`` holds numbers/None for category charts (line, bar, pie, doughnut, radar,
  polarArea); ``Dataset.points`` holds ``Point`` objects for scatter/bubble and for any chart whose
  x scale is ``linear``/``logarithmic``/``time`` with object data. Exactly one of them is non-empty
  (both empty is an empty dataset).
* On a ``time`` scale, ``Point.x`` is seconds since the Unix epoch (UTC), and labels that were
  dates are kept as text in ``labels`` as well as converted in ``label_times``.
* ``Dataset.type`` is always set (the chart's type when the dataset did not name its own), so a
  mixed bar+line chart is just datasets of different types.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

CHART_TYPES = ("line", "bar", "pie", "doughnut", "radar", "polarArea", "scatter", "bubble")
FORMATS = ("png", "jpeg", "svg", "webp", "pdf", "gif")
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "gif": "image/gif",
}
FILE_EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg": "svg", "webp": "webp", "pdf": "pdf", "gif": "gif"}
SCALE_TYPES = ("linear", "logarithmic", "category", "time")
LEGEND_POSITIONS = ("top", "bottom", "left", "right", "chartArea")

# Limits (documented in the README). Dimensions are CSS pixels before devicePixelRatio.
MIN_SIDE = 100
MAX_SIDE = 4000
DEFAULT_WIDTH = 800
DEFAULT_HEIGHT = 400
MIN_PIXEL_RATIO = 1
MAX_PIXEL_RATIO = 4
MAX_DATASETS = 50
MAX_POINTS = 50_000  # total over all datasets
MAX_LABELS = 10_000
MAX_PIXELS = 50_000_000  # output image, after devicePixelRatio (e.g. 4000x3125 at ratio 4)
MAX_TEXT = 500  # characters in any one label/title line


Color = str
ColorSpec = str | tuple[str, ...] | None


class Point(NamedTuple):
    """One point of a scatter/bubble dataset (or of any dataset given as points). A named tuple,
    not a frozen dataclass: a 50,000-point spec makes 50,000 of them on every parse and every
    read-back in the worker, and a tuple is made several times faster."""

    x: float | str | None
    y: float | None
    r: float | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    type: str
    label: str = ""
    values: tuple[float | None, ...] = ()
    # Floating bars: where each bar starts (its end is in ``values``); empty for ordinary datasets,
    # None for a value drawn from the origin.
    starts: tuple[float | None, ...] = ()
    points: tuple[Point, ...] = ()
    background_color: ColorSpec = None  # None: the renderer's palette picks one
    border_color: ColorSpec = None
    border_width: float | None = None
    fill: bool | str = False  # False, True (to origin), "origin"/"start"/"end", or "-1"/"+1"/"2" targets
    tension: float = 0.0
    point_radius: float | None = None
    border_dash: tuple[float, ...] = ()
    stack: str | None = None
    hidden: bool = False
    y_axis_id: str = "y"
    x_axis_id: str = "x"


@dataclass(frozen=True, slots=True)
class Text:
    lines: tuple[str, ...]
    color: Color | None = None
    font_size: float | None = None  # CSS pixels
    position: str = "top"


@dataclass(frozen=True, slots=True)
class Legend:
    display: bool = True
    position: str = "top"
    color: Color | None = None


@dataclass(frozen=True, slots=True)
class Axis:
    type: str | None = None  # None: the natural default for the chart type
    min: float | None = None
    max: float | None = None
    stacked: bool = False
    title: str | None = None
    ticks_display: bool = True
    grid_display: bool = True
    display: bool = True
    begin_at_zero: bool = False
    reverse: bool = False
    position: str | None = None
    # Bars pull zero into their value axis' range (Chart.js 3+); Chart.js 2.9 fits the data instead
    # unless beginAtZero is set, so a 2.x config turns this off.
    bars_from_zero: bool = True


@dataclass(frozen=True, slots=True)
class Theme:
    """A brand kit's look, resolved into the spec so the worker needs no lookup and the cache key
    changes with the kit. It supplies defaults: colours the spec sets itself still win."""

    name: str  # preset name, or the custom kit's id
    background: Color
    palette: tuple[Color, ...]
    text: Color  # titles, legend, card text
    axis: Color  # tick labels
    grid: Color  # grid and axis lines
    font_family: str
    title_weight: str = "bold"  # normal | medium | semibold | bold | heavy
    muted: Color | None = None  # subtitles and footnotes; None: text
    positive: Color = "#16a34aff"  # card change > 0
    negative: Color = "#dc2626ff"  # card change < 0
    logo_key: str | None = None  # object-storage key of the kit's logo (PNG or SVG)
    logo_position: str = "top-right"  # top-left | top-right | bottom-left | bottom-right
    version: int = 1


@dataclass(frozen=True, slots=True)
class Card:
    """A headline card around the chart: title, subtitle, a value with its change, a footnote."""

    title: str | None = None
    subtitle: str | None = None
    value: str | None = None
    change: float | None = None  # a fraction: 0.124 shows +12.4%
    footnote: str | None = None


@dataclass(frozen=True, slots=True)
class ChartSpec:
    type: str
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    device_pixel_ratio: float = 1
    format: str = "png"
    labels: tuple[str, ...] = ()
    label_times: tuple[float, ...] = ()
    datasets: tuple[Dataset, ...] = ()
    index_axis: str = "x"  # "y" draws bars horizontally
    title: Text | None = None
    subtitle: Text | None = None
    legend: Legend = field(default_factory=Legend)
    scales: tuple[tuple[str, Axis], ...] = ()  # (axis id, Axis), ids like "x", "y", "y1"
    background_color: Color | None = None  # canvas; None means white for raster formats
    # Set by dialects that need it (Image-Charts animation, brand kits...); ignored when empty.
    extras: tuple[tuple[str, Any], ...] = ()
    theme: Theme | None = None  # brand kit; to_dict omits it when None (older hashes unchanged)
    card: Card | None = None

    @property
    def pixel_width(self) -> int:
        return round(self.width * self.device_pixel_ratio)

    @property
    def pixel_height(self) -> int:
        return round(self.height * self.device_pixel_ratio)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def axis(self, axis_id: str) -> Axis:
        for key, value in self.scales:
            if key == axis_id:
                return value
        return Axis()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists); ``from_dict`` inverts it exactly.

        Hand-written rather than ``dataclasses.asdict`` because specs can hold 50,000 points and
        this runs on every request (hashing) and every job (storage): asdict deep-copies each one.
        """
        out = {f: _jsonable(getattr(self, f)) for f in _SPEC_SCALARS}
        out["datasets"] = [_dataset_to_dict(ds) for ds in self.datasets]
        out["title"] = _small_to_dict(self.title)
        out["subtitle"] = _small_to_dict(self.subtitle)
        out["legend"] = _small_to_dict(self.legend)
        out["scales"] = [[key, _axis_to_dict(axis)] for key, axis in self.scales]
        out["extras"] = [[key, _jsonable(value)] for key, value in self.extras]
        if self.theme is not None:
            out["theme"] = _small_to_dict(self.theme)
        if self.card is not None:
            out["card"] = _small_to_dict(self.card)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChartSpec:
        d = dict(data)
        d["labels"] = tuple(d.get("labels", ()))
        d["label_times"] = tuple(d.get("label_times", ()))
        d["datasets"] = tuple(_dataset_from_dict(ds) for ds in d.get("datasets", ()))
        d["title"] = _text_from_dict(d.get("title"))
        d["subtitle"] = _text_from_dict(d.get("subtitle"))
        d["legend"] = Legend(**d["legend"]) if d.get("legend") else Legend()
        d["scales"] = tuple((k, Axis(**v)) for k, v in d.get("scales", ()))
        d["extras"] = tuple((k, _freeze(v)) for k, v in d.get("extras", ()))
        theme = d.get("theme")
        d["theme"] = Theme(**{**theme, "palette": tuple(theme["palette"])}) if theme else None
        d["card"] = Card(**d["card"]) if d.get("card") else None
        return cls(**d)

    def canonical_json(self) -> str:
        return canonical_json(self.to_dict())

    def cache_key(self, variant: str = "") -> str:
        """The canonical hash of spec + format + size + pixel ratio (+ a variant such as a brand kit).

        It is the ETag, the render cache key and the stored object's name.
        """
        return compute_cache_key(self.to_dict(), variant)


def canonical_json(spec_dict: dict[str, Any]) -> str:
    """The spec's canonical JSON text (sorted keys, no spaces, UTF-8 as is): what its cache key
    hashes and what the job row stores. orjson writes it about ten times faster than ``json`` (a
    5,000-point spec took 11 ms, on every request); the few values orjson refuses (a lone surrogate,
    an integer beyond 64 bits) fall back to ``json``, so the text of a spec is always the same."""
    try:
        return orjson.dumps(spec_dict, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(spec_dict, sort_keys=True, separators=(",", ":"), allow_nan=False)


def loads_canonical(text: str) -> Any:
    """``canonical_json``'s text back as Python values (a stored spec, which the worker reads for
    every job): orjson, about two and a half times faster than ``json`` on a 5,000-point spec;
    ``json`` for what orjson refuses (a lone surrogate's escape). orjson reads an integer beyond 64
    bits (possible only in a free-form option) as a float, which is what the renderer computes
    with anyway; checking the text for one first cost more than the parse itself."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def compute_cache_key(spec_dict: dict[str, Any], variant: str = "", *, canonical: str | None = None) -> str:
    """``ChartSpec.cache_key`` from an already computed ``to_dict()`` (and canonical JSON, if known)."""
    h = hashlib.sha256((canonical if canonical is not None else canonical_json(spec_dict)).encode())
    if variant:
        h.update(b"\0" + variant.encode())
    return h.hexdigest()


_SPEC_SCALARS = (
    "type",
    "width",
    "height",
    "device_pixel_ratio",
    "format",
    "labels",
    "label_times",
    "index_axis",
    "background_color",
)
_DATASET_FIELDS = tuple(f.name for f in dataclasses.fields(Dataset) if f.name != "points")


def _small_to_dict(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _axis_to_dict(axis: Axis) -> dict[str, Any]:
    out = _small_to_dict(axis)
    if axis.bars_from_zero:
        del out["bars_from_zero"]  # absent unless turned off, so older specs keep their hashes
    return out


def _dataset_to_dict(ds: Dataset) -> dict[str, Any]:
    out = {name: _jsonable(getattr(ds, name)) for name in _DATASET_FIELDS}
    # Points as [x, y, r] rows: built (and read back, ``_points_from``) without a Python-level
    # call per point, and about half the text of {"x", "y", "r"} objects.
    out["points"] = list(map(list, ds.points))
    if not ds.starts:
        del out["starts"]  # absent unless used, so specs without floating bars keep their hashes
    return out


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _color_from(value: Any) -> ColorSpec:
    return tuple(value) if isinstance(value, list) else value


def _text_from_dict(d: dict[str, Any] | None) -> Text | None:
    if not d:
        return None
    return Text(**{**d, "lines": tuple(d["lines"])})


_POINT_FIELDS = operator.itemgetter("x", "y", "r")
_new_point = functools.partial(tuple.__new__, Point)  # (x, y, r) as a Point, all in C


def _points_from(raw: list[Any]) -> tuple[Point, ...]:
    """The points of a stored dataset: in the worker, for every job, so without a Python-level
    call per point (a 50,000-point scatter is read back in a few milliseconds). Rows [x, y, r] as
    ``to_dict`` writes them; specs stored before that kept {"x", "y", "r"} objects."""
    if not raw or type(raw[0]) is list:
        return tuple(map(_new_point, raw))
    try:
        return tuple(map(_new_point, map(_POINT_FIELDS, raw)))
    except KeyError:  # a point stored without its "r"
        return tuple(Point(p["x"], p["y"], p.get("r")) for p in raw)


def _dataset_from_dict(d: dict[str, Any]) -> Dataset:
    d = dict(d)
    d["values"] = tuple(d.get("values", ()))
    d["starts"] = tuple(d.get("starts", ()))
    d["points"] = _points_from(d.get("points", ()))
    d["background_color"] = _color_from(d.get("background_color"))
    d["border_color"] = _color_from(d.get("border_color"))
    d["border_dash"] = tuple(d.get("border_dash", ()))
    if isinstance(d.get("fill"), list):  # never produced, but keep from_dict total
        d["fill"] = bool(d["fill"])
    return Dataset(**d)
