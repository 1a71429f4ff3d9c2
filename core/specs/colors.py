"""CSS colour parsing into the ``#rrggbbaa`` form every ``ChartSpec`` colour uses.

Accepted: ``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``/``rgba()`` (0-255 or percent
channels, comma or space separated, alpha 0-1 or percent, optionally after ``/``), ``hsl()``/``hsla()``
(hue in degrees, saturation and lightness in percent), the CSS named colours and ``transparent``.
Out-of-range channels are refused rather than clamped: they are almost always a client bug.
"""

from __future__ import annotations

import colorsys
import math
import re
from typing import Any

from PIL import ImageColor

from core.specs.errors import SpecError
from core.specs.model import ColorSpec
from core.specs.values import describe, item

_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
_FUNCTION = re.compile(r"(rgba?|hsla?)\((.*)\)")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_COMPONENT = re.compile(rf"({_NUMBER})(%|deg)?")


def parse_color(value: Any, path: str) -> str:
    """One CSS colour as ``#rrggbbaa`` (lowercase), or ``SpecError`` naming ``path``."""
    if not isinstance(value, str):
        raise SpecError(path, f"must be a CSS colour string, got {describe(value)}")
    css = value.strip().lower()
    rgba = _parse(css)
    if rgba is None:
        raise SpecError(path, f"is not a valid CSS colour: {value[:60]!r}")
    return "#" + "".join(f"{channel:02x}" for channel in rgba)


def parse_color_spec(value: Any, path: str) -> ColorSpec:
    """One colour, or a list with one colour per point (an empty list or null means "default")."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if not value:
            return None
        return tuple(parse_color(v, item(path, i)) for i, v in enumerate(value))
    return parse_color(value, path)


def _parse(css: str) -> tuple[int, int, int, int] | None:
    if css == "transparent":
        return (0, 0, 0, 0)
    if _HEX.fullmatch(css):
        digits = css[1:]
        if len(digits) <= 4:
            digits = "".join(d * 2 for d in digits)
        if len(digits) == 6:
            digits += "ff"
        r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
        return (r, g, b, a)
    match = _FUNCTION.fullmatch(css)
    if match:
        return _parse_function(match.group(1), match.group(2))
    named = ImageColor.colormap.get(css)
    if isinstance(named, str):  # Pillow caches lookups as tuples in the same dict
        return _parse(named)
    if isinstance(named, tuple) and len(named) == 3:
        return (*named, 255)
    return None


def _parse_function(name: str, body: str) -> tuple[int, int, int, int] | None:
    if "/" in body:  # CSS Color 4: "r g b / a"
        main, _, alpha_text = body.partition("/")
        parts = [*main.replace(",", " ").split(), alpha_text.strip()]
    elif "," in body:
        parts = [p.strip() for p in body.split(",")]
    else:
        parts = body.split()
    if len(parts) not in (3, 4):
        return None
    components = [_COMPONENT.fullmatch(p) for p in parts]
    if not all(components):
        return None
    values = [(float(m.group(1)), m.group(2)) for m in components if m]
    if not all(math.isfinite(v) for v, _ in values):
        return None
    alpha = _alpha(*values[3]) if len(values) == 4 else 255
    if alpha is None:
        return None
    if name.startswith("rgb"):
        channels = [_rgb_channel(v, unit) for v, unit in values[:3]]
        if any(c is None for c in channels):
            return None
        r, g, b = (c for c in channels if c is not None)
        return (r, g, b, alpha)
    return _hsl(values[0], values[1], values[2], alpha)


def _rgb_channel(value: float, unit: str | None) -> int | None:
    if unit == "%":
        value = value * 255 / 100 if 0 <= value <= 100 else -1
    elif unit is not None or value > 255:
        return None
    return _round(value) if value >= 0 else None


def _alpha(value: float, unit: str | None) -> int | None:
    if unit == "%":
        value /= 100
    elif unit is not None:
        return None
    return _round(value * 255) if 0 <= value <= 1 else None


def _hsl(
    hue: tuple[float, str | None], sat: tuple[float, str | None], light: tuple[float, str | None], alpha: int
) -> tuple[int, int, int, int] | None:
    if hue[1] == "%" or sat[1] == "deg" or light[1] == "deg":
        return None
    s, lum = sat[0] / 100, light[0] / 100
    if not (0 <= s <= 1 and 0 <= lum <= 1):
        return None
    r, g, b = colorsys.hls_to_rgb((hue[0] % 360) / 360, lum, s)
    return (_round(r * 255), _round(g * 255), _round(b * 255), alpha)


def _round(value: float) -> int:
    return min(255, math.floor(value + 0.5))
