"""Brand kits: the six preset looks, the shipped font families, and custom kit settings turned into
the ``Theme`` a spec carries.

A kit never changes what a spec says explicitly: a dataset colour, a title colour or a
``backgroundColor`` in the spec still wins. The kit fills in everything left to defaults.
Custom kits are stored per account (``core.models.BrandKit``); their ``settings`` use the same
camelCase names as the API and are validated here, so the API, the CLI and tests share one rule.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Mapping
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


PRESETS: dict[str, Theme] = {
    # Dark graphite with bright, evenly weighted accents: dashboards on dark UIs.
    "obsidian": _theme(
        "obsidian",
        background="#111318",
        palette=("#7aa2f7", "#f7768e", "#9ece6a", "#e0af68", "#bb9af7", "#2ac3de", "#ff9e64", "#73daca"),
        text="#e6e8ee",
        axis="#a3a9b7",
        grid="#ffffff1f",
        muted="#8b92a3",
        positive="#4ade80",
        negative="#f87171",
        font_family="Source Sans Pro",
        title_weight="semibold",
    ),
    # Warm paper with earthy inks and a serif: reports and newsletters.
    "linen": _theme(
        "linen",
        background="#faf6ef",
        palette=("#b5651d", "#4f7942", "#3f6e9a", "#c49a3a", "#8b4c70", "#5f9ea0", "#a0522d", "#6b7280"),
        text="#3d3529",
        axis="#7a6f5f",
        grid="#3d35291a",
        muted="#8a7f6e",
        positive="#4f7942",
        negative="#a63d2f",
        font_family="Source Serif Pro",
        title_weight="semibold",
    ),
    # Crisp white with cool blues and teals: product and SaaS metrics.
    "polar": _theme(
        "polar",
        background="#ffffff",
        palette=("#2563eb", "#0891b2", "#7c3aed", "#059669", "#db2777", "#ea580c", "#4f46e5", "#0d9488"),
        text="#1e293b",
        axis="#64748b",
        grid="#0f172a14",
        muted="#64748b",
        font_family="Lato",
        title_weight="bold",
    ),
    # Neutral grey studio with a near-black lead colour: editorial, print-like.
    "studio": _theme(
        "studio",
        background="#f4f4f5",
        palette=("#18181b", "#e4572e", "#f3a712", "#29bf12", "#4c6ef5", "#9c36b5", "#d6336c", "#0ca678"),
        text="#18181b",
        axis="#52525b",
        grid="#18181b17",
        muted="#71717a",
        font_family="DejaVu Sans",
        title_weight="bold",
    ),
    # Dark roast with fire tones: marketing and energy.
    "ember": _theme(
        "ember",
        background="#1c1410",
        palette=("#ff7a45", "#ffc53d", "#ff4d4f", "#f759ab", "#ffa39e", "#d4b106", "#95de64", "#fa8c16"),
        text="#f5e6d8",
        axis="#c9a98f",
        grid="#f5e6d81f",
        muted="#a8917d",
        positive="#95de64",
        negative="#ff7875",
        font_family="Lato",
        title_weight="heavy",
    ),
    # Deep navy with sea-glass accents: finance and operations.
    "harbor": _theme(
        "harbor",
        background="#0b2239",
        palette=("#4fc3f7", "#ffd166", "#06d6a0", "#ef476f", "#a78bfa", "#f4a261", "#90e0ef", "#e9c46a"),
        text="#e8f1f8",
        axis="#9fb8cc",
        grid="#e8f1f81f",
        muted="#86a1b8",
        positive="#06d6a0",
        negative="#ef476f",
        font_family="Source Sans Pro",
        title_weight="bold",
    ),
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
