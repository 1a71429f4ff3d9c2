"""Brand kits: the six preset looks, the shipped font families, and custom kit settings turned into
the ``Theme`` a spec carries.

A kit never changes what a spec says explicitly: a dataset colour, a title colour or a
``backgroundColor`` in the spec still wins. The kit fills in everything left to defaults.
Custom kits are stored per account (``core.models.BrandKit``); their ``settings`` use the same
camelCase names as the API and are validated here, so the API, the CLI and tests share one rule.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.model import ChartSpec, Theme

# Families a kit may name. DejaVu Sans comes with matplotlib; the others with the font-* wheels in
# pyproject.toml (SIL Open Font Licence, licence files inside the packages). CJK labels fall back
# to WenQuanYi Micro Hei when the machine has it (Debian fonts-wqy-microhei, see the docs).
FONT_FAMILIES = ("DejaVu Sans", "Source Sans Pro", "Source Serif Pro", "Lato")
TITLE_WEIGHTS = ("normal", "medium", "semibold", "bold", "heavy")
LOGO_POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
MIN_PALETTE = 1
MAX_PALETTE = 20
MAX_NAME = 100
FIELD = "brandKitId"


def _theme(name: str, **kw: Any) -> Theme:
    kw["palette"] = tuple(c + "ff" for c in kw["palette"])
    for key in ("background", "text", "axis", "grid", "muted", "positive", "negative"):
        if key in kw and len(kw[key]) == 7:
            kw[key] += "ff"
    return Theme(name=name, **kw)


# The six presets are data (brandkit_presets.json): background, a palette of eight, text, axis,
# grid and muted colours, card colours, a font family and a title weight, each with what it is for.
PRESETS: dict[str, Theme] = {
    entry["name"]: _theme(
        entry["name"], **{k: v for k, v in entry.items() if k not in ("name", "description")}
    )
    for entry in json.loads((Path(__file__).with_name("brandkit_presets.json")).read_text())["presets"]
}

# A custom kit starts from this preset unless it names another one as ``base``.
DEFAULT_BASE = "polar"
_HEX = re.compile(r"^#[0-9a-f]{8}$")


def is_preset(value: str) -> bool:
    return value.strip().lower() in PRESETS


def preset(name: str) -> Theme:
    return PRESETS[name.strip().lower()]


def parse_kit_id(value: Any, field: str = FIELD) -> str | uuid.UUID:
    """A preset name (lower-cased) or a custom kit's UUID; anything else is a ``SpecError``."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(field, "must be a brand kit id (a UUID) or a preset name: " + ", ".join(PRESETS))
    text = value.strip()
    if text.lower() in PRESETS:
        return text.lower()
    try:
        return uuid.UUID(text)
    except ValueError:
        raise SpecError(
            field, f"{text[:60]!r} is neither a brand kit id (a UUID) nor a preset ({', '.join(PRESETS)})"
        ) from None


def validate_settings(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check a custom kit's settings (API names) and return them normalized (colours as
    ``#rrggbbaa``). Raises ``SpecError`` naming the field. Unknown keys are refused."""
    known = {
        "base",
        "backgroundColor",
        "palette",
        "textColor",
        "axisColor",
        "gridColor",
        "mutedColor",
        "positiveColor",
        "negativeColor",
        "fontFamily",
        "titleWeight",
        "logoPosition",
    }
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise SpecError(key, "is not a brand kit setting; known: " + ", ".join(sorted(known)))
        if value is None:
            continue
        if key == "base":
            if not isinstance(value, str) or value.strip().lower() not in PRESETS:
                raise SpecError(key, "must be a preset name: " + ", ".join(PRESETS))
            out[key] = value.strip().lower()
        elif key == "palette":
            if not isinstance(value, list | tuple) or not MIN_PALETTE <= len(value) <= MAX_PALETTE:
                raise SpecError(key, f"must be a list of {MIN_PALETTE} to {MAX_PALETTE} colours")
            out[key] = [parse_color(c, f"palette[{i}]") for i, c in enumerate(value)]
        elif key.endswith("Color"):
            out[key] = parse_color(value, key)
        elif key == "fontFamily":
            match = [
                f for f in FONT_FAMILIES if isinstance(value, str) and f.lower() == value.strip().lower()
            ]
            if not match:
                raise SpecError(key, "must be one of the shipped families: " + ", ".join(FONT_FAMILIES))
            out[key] = match[0]
        elif key == "titleWeight":
            if value not in TITLE_WEIGHTS:
                raise SpecError(key, "must be one of " + ", ".join(TITLE_WEIGHTS))
            out[key] = value
        elif key == "logoPosition":
            if value not in LOGO_POSITIONS:
                raise SpecError(key, "must be one of " + ", ".join(LOGO_POSITIONS))
            out[key] = value
    return out


def theme_from_settings(
    kit_id: uuid.UUID | str, version: int, settings: Mapping[str, Any], logo_key: str | None = None
) -> Theme:
    """The ``Theme`` of a custom kit: its base preset overlaid with its own settings."""
    base = PRESETS[settings.get("base") or DEFAULT_BASE]
    changes: dict[str, Any] = {"name": str(kit_id), "version": int(version), "logo_key": logo_key}
    for api, attr in (
        ("backgroundColor", "background"),
        ("textColor", "text"),
        ("axisColor", "axis"),
        ("gridColor", "grid"),
        ("mutedColor", "muted"),
        ("positiveColor", "positive"),
        ("negativeColor", "negative"),
        ("fontFamily", "font_family"),
        ("titleWeight", "title_weight"),
        ("logoPosition", "logo_position"),
    ):
        if settings.get(api) is not None:
            changes[attr] = settings[api]
    if settings.get("palette"):
        changes["palette"] = tuple(settings["palette"])
    return dataclasses.replace(base, **changes)


def theme_view(theme: Theme) -> dict[str, Any]:
    """A theme in the API's names (what ``GET /api/v1/brand-kits`` shows for presets)."""
    return {
        "backgroundColor": theme.background,
        "palette": list(theme.palette),
        "textColor": theme.text,
        "axisColor": theme.axis,
        "gridColor": theme.grid,
        "mutedColor": theme.muted or theme.text,
        "positiveColor": theme.positive,
        "negativeColor": theme.negative,
        "fontFamily": theme.font_family,
        "titleWeight": theme.title_weight,
        "logoPosition": theme.logo_position,
    }


def with_palette(theme: Theme | None, colors: tuple[str, ...]) -> Theme:
    """``theme`` (or, without one, Chartfleet's default look) with its palette replaced."""
    base = theme or DEFAULT_LOOK
    return dataclasses.replace(base, palette=tuple(colors))


def apply_theme(spec: ChartSpec, theme: Theme | None) -> ChartSpec:
    """The spec carrying ``theme`` (None leaves it as it is)."""
    if theme is None:
        return spec
    return dataclasses.replace(spec, theme=theme)


# The look of a spec without a kit, as a theme: used when only a palette is overridden.
DEFAULT_LOOK = Theme(
    name="default",
    background="#ffffffff",
    palette=("#36a2ebff", "#ff6384ff", "#ff9f40ff", "#ffcd56ff", "#4bc0c0ff", "#9966ffff", "#c9cbcfff"),
    text="#666666ff",
    axis="#666666ff",
    grid="#0000001a",
    font_family="DejaVu Sans",
    title_weight="bold",
)

assert all(_HEX.match(c) for t in PRESETS.values() for c in t.palette)
assert all(len(t.palette) >= 8 for t in PRESETS.values())
