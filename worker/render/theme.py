"""The Chart.js look: default palette, fonts, sizes and per-dataset style resolution.

Sizes here are CSS pixels, as in Chart.js; ``Canvas.px`` multiplies them by the device pixel ratio.
Colours arrive from the spec as ``#rrggbbaa`` and leave as matplotlib RGBA float tuples.

Colour defaults, a deliberate simplification of Chart.js's colors plugin: a dataset (or, for
pie/doughnut/polarArea, a slice) with neither colour set takes the palette colour of its index,
the border opaque and the background at 50 % alpha (pie and doughnut slices opaque, like Chart.js
v4). When only one of the two is set, the other is derived from it (border = background made
opaque; background = border at 50 % alpha) instead of Chart.js's grey fallback, which nobody wants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.font_manager import FontProperties

from core.specs.model import Dataset, Theme

from . import fonts

RGBA = tuple[float, float, float, float]

# Chart.js v4 colors-plugin palette: blue, red, orange, yellow, teal, purple, grey.
PALETTE = ("#36a2ebff", "#ff6384ff", "#ff9f40ff", "#ffcd56ff", "#4bc0c0ff", "#9966ffff", "#c9cbcfff")

FONT_SIZE = 12.0  # Chart.js defaults.font.size
LINE_HEIGHT = 1.2  # Chart.js defaults.font.lineHeight
TEXT_COLOR = "#666666ff"
GRID_COLOR: RGBA = (0.0, 0.0, 0.0, 0.1)
WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)
TRANSPARENT: RGBA = (0.0, 0.0, 0.0, 0.0)

TITLE_PADDING = 10.0
LEGEND_PADDING = 10.0
LEGEND_BOX_WIDTH = 40.0
TICK_LENGTH = 8.0  # grid.tickLength: grid lines run this far into the tick area
TICK_PADDING = 3.0
AXIS_TITLE_PADDING = 4.0
BACKDROP_PADDING = 2.0
BACKDROP_COLOR: RGBA = (1.0, 1.0, 1.0, 0.75)

LINE_WIDTH = 3.0
POINT_RADIUS = 3.0
POINT_BORDER_WIDTH = 1.0
ARC_BORDER_WIDTH = 2.0
ARC_BORDER_COLOR = "#ffffffff"

# Matplotlib's bundled DejaVu Sans measures the same on every machine (layout and golden images
# stay stable). SVG keeps the generic family as a fallback for viewers without DejaVu.
FONT_FAMILY = ("DejaVu Sans", "sans-serif")


# The brand kit of the render in progress (``use``); None is the plain Chart.js look. A context
# variable rather than an argument so every drawing module picks it up without new parameters.
_ACTIVE: ContextVar[Theme | None] = ContextVar("chartfleet_theme", default=None)
_WEIGHTS = {"normal": 400, "medium": 500, "semibold": 600, "bold": 700, "heavy": 900}


@contextmanager
def use(look: Theme | None) -> Iterator[None]:
    """Draw with ``look`` (a brand kit's theme) inside the block."""
    token = _ACTIVE.set(look)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active() -> Theme | None:
    return _ACTIVE.get()


def face_key() -> tuple[str, int] | None:
    """(family, title weight) of the active theme: part of every text cache key."""
    look = _ACTIVE.get()
    return None if look is None else (look.font_family, _WEIGHTS.get(look.title_weight, 700))


def grid_color() -> RGBA:
    look = _ACTIVE.get()
    return GRID_COLOR if look is None else rgba(look.grid)


def axis_color() -> RGBA:
    look = _ACTIVE.get()
    return rgba(TEXT_COLOR if look is None else look.axis)


def background() -> RGBA:
    look = _ACTIVE.get()
    return WHITE if look is None else rgba(look.background)


@lru_cache(maxsize=1024)
def rgba(color: str) -> RGBA:
    """``#rrggbbaa`` (also tolerates ``#rrggbb``) to a matplotlib RGBA tuple."""
    h = color.lstrip("#")
    if len(h) == 6:
        h += "ff"
    if len(h) != 8:
        raise ValueError(f"not a #rrggbbaa colour: {color!r}")
    v = int(h, 16)
    return ((v >> 24 & 255) / 255, (v >> 16 & 255) / 255, (v >> 8 & 255) / 255, (v & 255) / 255)


def with_alpha(color: RGBA, alpha: float) -> RGBA:
    return (color[0], color[1], color[2], alpha)


def opaque(color: RGBA) -> RGBA:
    return with_alpha(color, 1.0)


def palette(index: int, alpha: float = 1.0) -> RGBA:
    look = _ACTIVE.get()
    colors = PALETTE if look is None else look.palette
    return with_alpha(rgba(colors[index % len(colors)]), alpha)


def font(size: float, bold: bool = False) -> FontProperties:
    """Font for ``size`` in device pixels (one pixel is one point: figures are 72 dpi), in the
    active theme's family (bold text takes its title weight).

    Cached; callers must not mutate the result (matplotlib's Text copies it anyway).
    """
    return _font(size, bold, face_key())


@lru_cache(maxsize=128)
def _font(size: float, bold: bool, face: tuple[str, int] | None) -> FontProperties:
    if face is None:
        return FontProperties(family=list(FONT_FAMILY), size=size, weight="bold" if bold else "normal")
    family, weight = face
    return FontProperties(family=fonts.family_list(family), size=size, weight=weight if bold else "normal")


def text_color(color: str | None) -> RGBA:
    if color:
        return rgba(color)
    look = _ACTIVE.get()
    return rgba(TEXT_COLOR if look is None else look.text)


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """Resolved colours of one dataset. ``fills``/``borders`` hold one colour or one per point."""

    fills: tuple[RGBA, ...]
    borders: tuple[RGBA, ...]
    border_width: float  # CSS px
    point_radius: float  # CSS px

    @property
    def fill(self) -> RGBA:
        return self.fills[0]

    @property
    def border(self) -> RGBA:
        return self.borders[0]

    def fill_at(self, i: int) -> RGBA:
        return self.fills[i % len(self.fills)]

    def border_at(self, i: int) -> RGBA:
        return self.borders[i % len(self.borders)]


def _colors(spec: str | tuple[str, ...] | None) -> tuple[RGBA, ...] | None:
    if spec is None or spec == ():
        return None
    if isinstance(spec, str):
        return (rgba(spec),)
    return tuple(rgba(c) for c in spec)


def series_style(ds: Dataset, index: int) -> SeriesStyle:
    """Style for a line/bar/scatter/bubble/radar dataset drawn in palette slot ``index``."""
    fills = _colors(ds.background_color)
    borders = _colors(ds.border_color)
    if fills is None and borders is None:
        fills, borders = (palette(index, 0.5),), (palette(index),)
    elif fills is None:
        fills = tuple(with_alpha(c, 0.5 * c[3]) for c in borders)
    elif borders is None:
        borders = tuple(opaque(c) for c in fills)
    kind = ds.type
    if ds.border_width is not None:
        width = max(0.0, float(ds.border_width))
    elif kind in ("line", "radar"):
        width = LINE_WIDTH
    elif kind in ("scatter", "bubble"):
        width = POINT_BORDER_WIDTH
    else:
        width = 0.0
    radius = POINT_RADIUS if ds.point_radius is None else max(0.0, float(ds.point_radius))
    return SeriesStyle(fills, borders, width, radius)


def slice_colors(ds: Dataset, count: int, kind: str) -> tuple[list[RGBA], list[RGBA], float]:
    """Per-slice fill and border colours plus border width for pie/doughnut/polarArea."""
    fills = _colors(ds.background_color)
    borders = _colors(ds.border_color)
    alpha = 0.5 if kind == "polarArea" else 1.0
    if fills is None:
        fills = tuple(palette(i, alpha) for i in range(max(count, 1)))
    if borders is None:
        look = _ACTIVE.get()
        borders = (rgba(ARC_BORDER_COLOR if look is None else look.background),)
    width = ARC_BORDER_WIDTH if ds.border_width is None else max(0.0, float(ds.border_width))
    return (
        [fills[i % len(fills)] for i in range(count)],
        [borders[i % len(borders)] for i in range(count)],
        width,
    )
