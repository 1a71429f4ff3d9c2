"""Figure creation, geometry and literal text.

Every chart is drawn on a bare ``matplotlib.figure.Figure`` (no Axes, no pyplot) whose display
coordinates are device pixels: the figure is ``pixel_width/72 x pixel_height/72`` inches at
72 dpi, so one display unit is one device pixel for Agg and one point for SVG/PDF. The renderers
place artists directly in those coordinates (y grows upwards, matplotlib's convention) with an
identity transform, which is what makes the output size exact and the render cheap: no tick
machinery, no tight layout, no layout engine.

Text is always literal (``typeset.Label``: cached bitmaps on Agg, otherwise a ``Text`` with
``parse_math=False`` and ``usetex=False``), so ``$5`` is a dollar sign and five.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Unpack

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.textpath import text_to_path
from matplotlib.transforms import Bbox, IdentityTransform

from core.specs.model import ChartSpec

from . import theme
from .typeset import Label, TextStyle, drawable

DPI = 72.0
_IDENTITY = IdentityTransform()


class RenderError(Exception):
    """A (validated) spec that cannot be drawn."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle in device pixels, y upwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def inset(self, left: float = 0, bottom: float = 0, right: float = 0, top: float = 0) -> Rect:
        x0, x1 = self.x0 + left, self.x1 - right
        y0, y1 = self.y0 + bottom, self.y1 - top
        # Never invert: a too-small canvas collapses to a line instead of a negative box.
        if x1 < x0:
            x0 = x1 = (x0 + x1) / 2
        if y1 < y0:
            y0 = y1 = (y0 + y1) / 2
        return Rect(x0, y0, x1, y1)

    def grow(self, d: float) -> Rect:
        return Rect(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def bbox(self) -> Bbox:
        return Bbox.from_extents(self.x0, self.y0, self.x1, self.y1)


def figure_size_inches(pixels: int) -> float:
    """Inches that give exactly ``pixels`` at 72 dpi (nudged by an ulp if float rounding says otherwise)."""
    inches = pixels / DPI
    for _ in range(4):
        got = inches * DPI
        if got == pixels:
            break
        inches = math.nextafter(inches, math.inf if got < pixels else -math.inf)
    return inches


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of one line of ``text`` at ``size`` device pixels (pure, so memoized)."""
    return _text_width(text, size, bold, theme.face_key())


@lru_cache(maxsize=8192)
def _text_width(text: str, size: float, bold: bool, face: tuple[str, int] | None) -> float:
    if not text:
        return 0.0
    w, _h, _d = text_to_path.get_text_width_height_descent(
        drawable(text), theme.font(size, bold), ismath=False
    )
    return float(w)


def widest(texts: Iterable[str], size: float, bold: bool = False, sample: int = 12) -> float:
    """Width of the widest text; for long lists only the ``sample`` longest strings are measured."""
    texts = list(texts)
    if len(texts) > sample:
        texts = sorted(texts, key=len, reverse=True)[:sample]
    return max((text_width(t, size, bold) for t in texts), default=0.0)


class Canvas:
    """One figure being drawn for one spec."""

    def __init__(self, spec: ChartSpec, background: theme.RGBA):
        self.spec = spec
        self.width = spec.pixel_width
        self.height = spec.pixel_height
        self.scale = float(spec.device_pixel_ratio)
        self.figure = Figure(
            figsize=(figure_size_inches(self.width), figure_size_inches(self.height)),
            dpi=DPI,
            facecolor=background,
            edgecolor=background,
            linewidth=0.0,
            frameon=True,
            layout=None,
        )
        self.bounds = Rect(0.0, 0.0, float(self.width), float(self.height))

    def px(self, css: float) -> float:
        """CSS pixels to device pixels."""
        return css * self.scale

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        return text_width(text, size, bold)

    def add(self, artist: Artist, clip: Rect | None = None, zorder: float | None = None) -> Artist:
        artist.set_transform(_IDENTITY)
        if zorder is not None:
            artist.set_zorder(zorder)
        if clip is not None:
            artist.set_clip_box(clip.bbox())
        self.figure.add_artist(artist, clip=False)
        return artist

    def text(
        self,
        x: float,
        y: float,
        s: str,
        *,
        size: float,
        color: theme.RGBA,
        zorder: float = 5.0,
        **style: Unpack[TextStyle],
    ) -> Label:
        """Literal text (never mathtext, never TeX) at device pixel position ``(x, y)``."""
        label = Label(x, y, s, size=size, color=color, **style)
        label.set_zorder(zorder)
        self.figure.add_artist(label, clip=False)
        return label
