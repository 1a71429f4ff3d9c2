"""Literal text labels with a cached raster fast path.

Laying out and rasterizing a string through ``matplotlib.text.Text`` costs about a millisecond,
which made text three quarters of a render. ``Label`` draws on Agg from a per-process cache of
rendered strings instead: a miss rasterizes the string once with FreeType (through matplotlib's
``FT2Font``, the same shaping and hinting Agg uses), a hit is a single ``draw_image`` blit. Tick
numbers, month names and legend labels repeat across renders, so most labels are hits.

Multi-line text, characters outside the simple scripts (Latin, Greek, Cyrillic...)
or missing from the font, and every vector renderer (SVG, PDF) fall back to an ordinary ``Text``
with ``parse_math=False``/``usetex=False``: text is literal on every path.

Vertical placement uses the font's ascent/descent, not the ink of the particular string, so
labels in a row share one baseline: ``va="center"`` centres the em box, like canvas's
``textBaseline = "middle"``.

The caches hold pure functions of their arguments (string, size, weight, colour, angle), so
module-level caching is safe in prefork workers; the sprite cache is bounded in bytes. FT2Font
objects themselves are not cached here (matplotlib owns them and resets them on fork).

Cost of a miss. matplotlib 3.11's ``FT2Font.set_text`` shapes with libraqm/HarfBuzz (GSUB
ligatures such as "fi", GPOS kerning in fractional 26.6 units) and then loads every glyph with
hinting: a short label costs a few hundred microseconds, nearly all of it inside that one call,
so a label is composed from nothing cheaper than ``set_text`` (reproducing HarfBuzz's choices
glyph by glyph would be needed to skip it). What is saved is the second call a rotated label
used to make only to learn its unrotated width: ``set_text`` at the angle returns the unrotated
pen positions and an advance equal to ``FT_MulFix(width, cos)``; when that pins the width down
(``_unrotated_width``) no second call is made. A small process-wide table of hinted glyph
advances (``clear_glyph_cache``) serves that step; ``clear_text_cache`` leaves it warm, as skia
keeps its glyph cache while a chart's labels are new.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from functools import lru_cache
from typing import TypedDict

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from . import theme

_IDENTITY = IdentityTransform()
_LONE_SURROGATE = re.compile("[\ud800-\udfff\x00]")  # and NUL
_H_FRACTION = {"left": 0.0, "center": 0.5, "right": 1.0}


def _font_path(bold: bool) -> str:
    return _face_path(bold, theme.face_key())


@lru_cache(maxsize=32)
def _face_path(bold: bool, face: tuple[str, int] | None) -> str:
    return findfont(theme.font(10.0, bold))


def _metrics(bold: bool) -> tuple[float, float]:
    return _path_metrics(_font_path(bold))


@lru_cache(maxsize=64)
def _path_metrics(path: str) -> tuple[float, float]:
    """Ascent and descent of the font as fractions of its size."""
    font = get_font(path)
    return font.ascender / font.units_per_EM, -font.descender / font.units_per_EM


def baseline_offset(size: float, va: str, bold: bool = False) -> float:
    """Distance from the anchor to the baseline along the text's up direction."""
    ascent, descent = _metrics(bold)
    if va == "top":
        return -ascent * size
    if va == "bottom":
        return descent * size
    if va == "baseline":
        return 0.0
    return -(ascent - descent) * size / 2  # center, center_baseline


def _simple(text: str) -> bool:
    return all(32 <= ord(c) < 0x0590 and not 0x0300 <= ord(c) < 0x0370 for c in text)


Sprite = tuple[np.ndarray, float, float, float]  # RGBA bottom row first, left, bottom, ink width
SPRITE_CACHE_BYTES = 24 * 2**20
# What an entry costs beside its pixels (key tuple, OrderedDict node, value tuple, array header):
# about 400 bytes measured, plus the label's characters. Charged for every entry, so entries without
# pixels (``None``: labels that take the ``Text`` path, e.g. CJK or missing glyphs) count too; at
# zero bytes a stream of never-seen such labels would grow the cache without bound.
_ENTRY_BYTES = 384


def _entry_bytes(key: tuple, value: Sprite | None) -> int:
    text = key[0] if key and isinstance(key[0], str) else ""
    return _ENTRY_BYTES + len(text) + (value[0].nbytes if value is not None else 0)


class _SpriteCache:
    """Least-recently-used rendered labels, bounded by bytes: a few huge labels (500 characters
    at devicePixelRatio 4) must not pin hundreds of megabytes in every worker."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Sprite | None] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple) -> Sprite | None | bool:
        """The cached value (a sprite or None), or False when absent."""
        if key not in self._items:
            return False
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: tuple, value: Sprite | None) -> None:
        size = _entry_bytes(key, value)
        if size > self.max_bytes // 16 or key in self._items:
            return
        self._items[key] = value
        self._bytes += size
        while self._bytes > self.max_bytes:
            old_key, old = self._items.popitem(last=False)
            self._bytes -= _entry_bytes(old_key, old)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0


_sprites = _SpriteCache(SPRITE_CACHE_BYTES)


def clear_text_cache() -> None:
    """Forget every rendered label (benchmarks use it to time renders of never-seen text)."""
    _sprites.clear()


def _mask(
    text: str, size: float, bold: bool, rotation: float
) -> tuple[np.ndarray, float, float, float] | None:
    """Coverage bitmap of one line, bottom row first, and its placement relative to the pen
    origin (start of the baseline): (mask, left offset, bottom offset, unrotated ink width)."""
    if not text or not _simple(text):
        return None
    font = get_font(_font_path(bold))
    font.clear()
    font.set_size(size, 72.0)
    if any(font.get_char_index(ord(c)) == 0 for c in text):
        return None
    flags = get_hinting_flag()
    xys = font.set_text(text, rotation, flags=flags)
    font.draw_glyphs_to_bitmap(antialiased=True)
    mask = np.asarray(font.get_image(), dtype=np.uint8)[::-1]  # Agg's draw_image takes the bottom row first
    advance = font.get_width_height()[0]
    xo = font.get_bitmap_offset()[0] / 64.0
    descent = font.get_descent() / 64.0
    if not rotation:
        width = advance / 64.0
    else:
        found = _unrotated_width(font, text, size, rotation, xys, advance, flags)
        if found is None:
            font.set_text(text, 0.0, flags=flags)
            found = font.get_width_height()[0]
        width = found / 64.0
    return mask, xo, -descent - 1.0, width


def _mulfix(a: int, b: int) -> int:
    """FreeType's ``FT_MulFix``: a * b / 0x10000, rounded to nearest, halves away from zero."""
    ab = a * b
    return (ab + 0x8000 - (ab < 0)) >> 16


_ADVANCES: dict[tuple[str, float, int], int] = {}  # (font file, size, glyph index) -> 26.6 advance
_ADVANCES_MAX = 8192


def clear_glyph_cache() -> None:
    """Forget the glyph advances (tests; ``clear_text_cache`` keeps them, like skia's glyph cache)."""
    _ADVANCES.clear()


def _glyph_advance(font, gid: int, size: float, flags) -> int:
    """Hinted advance of glyph ``gid`` in 26.6 units (what HarfBuzz's FreeType functions report)."""
    key = (font.fname, size, gid)
    found = _ADVANCES.get(key)
    if found is None:
        if len(_ADVANCES) >= _ADVANCES_MAX:
            _ADVANCES.clear()
        found = _ADVANCES[key] = font.load_glyph(gid, flags).horiAdvance
    return found


def _unrotated_width(font, text: str, size: float, rotation: float, xys, advance: int, flags) -> int | None:
    """The unrotated advance (26.6) of the string just laid out at ``rotation``, or None when the
    rotated layout does not determine it (the caller then lays the string out unrotated).

    ``set_text`` rotates the final pen with ``FT_Vector_Transform``: the rotated advance is
    ``FT_MulFix(W, xx)`` with ``xx = (FT_Fixed)(cos(angle) * 0x10000)`` (the pen's y is 0 for
    horizontal scripts). When a single integer W gives it, that is the width (exact). When two
    do (|cos| < 1 makes the map up to 1/|cos| to one), the one equal to the last pen position
    (``xys``, unrotated) plus the hinted advance of the last character's glyph is taken: the
    other differs from it by exactly 1/64 px, which no substitution (hinted advances are whole
    pixels) can produce; only a positioning lookup moving the last glyph by exactly 1/64 px
    could. Steep angles (|cos| < 1/4) return None.
    """
    xx = int(math.cos(rotation * (2 * math.pi / 360.0)) * 0x10000)
    if abs(xx) < 0x4000 or len(xys) == 0:
        return None
    estimate = round(advance * 0x10000 / xx)
    span = 0x10000 // abs(xx) + 2
    candidates = [w for w in range(estimate - span, estimate + span + 1) if _mulfix(w, xx) == advance]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) != 2:
        return None
    gid = font.get_char_index(ord(text[-1]), _fallback=False)
    if not gid:
        return None
    guess = int(xys[-1][0]) + _glyph_advance(font, gid, size, flags)
    return guess if guess in candidates else None


def sprite(text: str, size: float, bold: bool, color: theme.RGBA, rotation: float) -> Sprite | None:
    """The label rendered in ``color`` (None when it needs the general ``Text`` path)."""
    key = (text, size, bold, color, rotation, theme.face_key())
    cached = _sprites.get(key)
    if cached is not False:
        return cached  # type: ignore[return-value]
    m = _mask(text, size, bold, rotation)
    value: Sprite | None = None
    if m is not None:
        mask, xo, bottom, width = m
        rgba = np.empty(mask.shape + (4,), dtype=np.uint8)
        rgba[..., 0] = round(color[0] * 255)
        rgba[..., 1] = round(color[1] * 255)
        rgba[..., 2] = round(color[2] * 255)
        rgba[..., 3] = (mask.astype(np.uint16) * round(color[3] * 255) // 255).astype(np.uint8)
        # (draw_image wants a writeable array; Agg only reads it. Never mutate a cached sprite.)
        value = (rgba, xo, bottom, width)
    _sprites.put(key, value)
    return value


def drawable(text: str) -> str:
    """``text`` without lone UTF-16 surrogates or NUL (U+FFFD instead): FreeType cannot take them."""
    return _LONE_SURROGATE.sub("\ufffd", text)


class TextStyle(TypedDict, total=False):
    """How a ``Label`` is drawn beyond its size and colour (the defaults are ``Label``'s)."""

    bold: bool
    ha: str
    va: str
    rotation: float


class Label(Artist):
    """One literal text at device pixel ``(x, y)``, aligned by ``ha``/``va``, rotated about its anchor."""

    def __init__(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: theme.RGBA,
        bold: bool = False,
        ha: str = "center",
        va: str = "center",
        rotation: float = 0.0,
    ):
        super().__init__()
        self._x, self._y, self._text = x, y, drawable(text)
        self._size, self._color, self._bold = size, color, bold
        self._ha, self._va, self._rotation = ha, va, rotation
        self.set_transform(_IDENTITY)

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self._text:
            return
        multiline = "\n" in self._text
        if not multiline and isinstance(renderer, RendererAgg):
            found = sprite(self._text, self._size, self._bold, self._color, self._rotation)
            if found is not None:
                rgba, xo, bottom, width = found
                r = math.radians(self._rotation)
                cos, sin = math.cos(r), math.sin(r)
                along = -width * _H_FRACTION.get(self._ha, 0.5)
                up = baseline_offset(self._size, self._va, self._bold)
                ox = self._x + along * cos - up * sin
                oy = self._y + along * sin + up * cos
                gc = renderer.new_gc()
                renderer.draw_image(gc, round(ox + xo), round(oy + bottom), rgba)
                gc.restore()
                return
        self._as_text(multiline).draw(renderer)

    def _as_text(self, multiline: bool) -> Text:
        x, y, va = self._x, self._y, self._va
        if not multiline:
            off = baseline_offset(self._size, va, self._bold)
            r = math.radians(self._rotation)
            x, y, va = x - off * math.sin(r), y + off * math.cos(r), "baseline"
        t = Text(
            x,
            y,
            self._text,
            color=self._color,
            fontproperties=theme.font(self._size, self._bold),
            horizontalalignment=self._ha,
            verticalalignment=va if va != "center_baseline" else "center",
            rotation=self._rotation,
            rotation_mode="anchor",
            parse_math=False,
            usetex=False,
            wrap=False,
            clip_on=False,
        )
        t.set_transform(_IDENTITY)
        t.set_figure(self.get_figure(root=False))
        return t
