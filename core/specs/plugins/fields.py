"""Readers for option shapes several plugins share (fonts, paddings, colours, display flags)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.specs.colors import parse_color, parse_color_spec
from core.specs.errors import SpecError
from core.specs.model import ColorSpec
from core.specs.plugins.model import Font
from core.specs.values import Warnings, boolean, describe, join, mapping, number, number_text, text

MAX_FONT_SIZE = 500.0
MAX_OFFSET = 1000.0
_BOLD_WEIGHTS = ("bold", "bolder")
_NORMAL_WEIGHTS = ("normal", "lighter")


def font(raw: Any, path: str, warnings: Warnings, base: Font | None = None) -> Font:
    """``{size, weight, family, style, lineHeight}``; weight ``bold``/``bolder`` or 600 and up is bold."""
    base = base or Font()
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, ("size", "weight", "family", "style", "lineHeight"), path)
    size, bold, family = base.size, base.bold, base.family
    if obj.get("size") is not None:
        size = font_size(obj["size"], join(path, "size"))
    if obj.get("weight") is not None:
        bold = font_weight(obj["weight"], join(path, "weight"))
    if obj.get("family") is not None:
        family = text(obj["family"], join(path, "family"))
    for key in ("style", "lineHeight"):
        if obj.get(key) is not None:
            warnings.add(join(path, key))
    return Font(size=size, bold=bold, family=family)


def font_size(value: Any, path: str) -> float:
    """CSS px: a number, or text such as ``"20"`` or ``"20px"`` (plugin examples write both)."""
    if isinstance(value, str):
        stripped = value.strip().lower().removesuffix("px")
        value = number_text(stripped, path) if stripped else value
    return number(value, path, minimum=1, maximum=MAX_FONT_SIZE)


def font_weight(value: Any, path: str) -> bool:
    if isinstance(value, str):
        name = value.strip().lower()
        if name in _BOLD_WEIGHTS:
            return True
        if name in _NORMAL_WEIGHTS:
            return False
        if name.isdigit():
            value = int(name)
        else:
            raise SpecError(path, f"unknown font weight {value[:40]!r}; expected normal, bold or 100-900")
    weight = number(value, path, minimum=1, maximum=1000)
    return weight >= 600


def padding(value: Any, path: str) -> tuple[float, float, float, float]:
    """A number (every side) or ``{top, right, bottom, left}`` (missing sides 0), CSS px."""
    if isinstance(value, Mapping):
        sides = []
        for side in ("top", "right", "bottom", "left"):
            raw = value.get(side)
            sides.append(0.0 if raw is None else number(raw, join(path, side), minimum=0, maximum=MAX_OFFSET))
        return (sides[0], sides[1], sides[2], sides[3])
    n = number(value, path, minimum=0, maximum=MAX_OFFSET)
    return (n, n, n, n)


def color(value: Any, path: str) -> str | None:
    return None if value is None else parse_color(value, path)


def colors(value: Any, path: str) -> ColorSpec:
    """One colour or one per data point (indexable option)."""
    if value is None:
        return None
    return parse_color_spec(value, path)


def display(value: Any, path: str, default: bool = True) -> bool:
    """A ``display`` flag; ``"auto"`` (show unless overlapping) counts as shown."""
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lower() == "auto":
        return True
    if not isinstance(value, bool):
        raise SpecError(path, f"must be true, false or 'auto', got {describe(value)}")
    return boolean(value, path)
