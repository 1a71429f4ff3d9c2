"""QuickChart's ``/qr`` parameters as a ``ChartSpec`` of type ``qr``.

``text`` (required, UTF-8), ``format`` png (default) or svg, ``size`` (150 px, the whole image,
quiet zone included; at most 3000), ``margin`` (4 modules of quiet zone), ``ecLevel`` L, M
(default), Q or H, ``dark`` and ``light`` (hex with or without ``#``, or any CSS colour; default
black on white). The worker draws it with segno (``worker.render.qrcode``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import segno

from core.specs.chartjs import ParseResult
from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.model import ChartSpec, Legend
from core.specs.values import Warnings

EXTRAS_KEY = "quickchart.qr"
DEFAULT_SIZE = 150
MIN_SIZE = 10
MAX_SIZE = 3000
DEFAULT_MARGIN = 4
MAX_MARGIN = 100
LEVELS = ("L", "M", "Q", "H")
PARAMETERS = frozenset({"text", "format", "size", "margin", "ecLevel", "dark", "light", "key", "apiKey"})
MAX_TEXT = 4296  # the most a QR code can hold (alphanumeric at level L); segno checks the real bound
_HEX = re.compile(r"[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}")


def parse_qr(params: Mapping[str, str]) -> ParseResult:
    """Validate ``/qr`` parameters; raises ``SpecError`` naming the parameter."""
    warnings = Warnings()
    warnings.unknown_keys(params, PARAMETERS, "")
    text = params.get("text", "")
    if not text:
        raise SpecError("text", "is required: the text to encode", code="missing_text")
    if len(text) > MAX_TEXT:
        raise SpecError("text", f"is longer than {MAX_TEXT} characters, more than a QR code holds")
    fmt = (params.get("format") or "png").strip().lower()
    if fmt not in ("png", "svg"):
        raise SpecError("format", f"must be png or svg, got {fmt[:20]!r}")
    size = _whole(params, "size", DEFAULT_SIZE, MIN_SIZE, MAX_SIZE)
    margin = _whole(params, "margin", DEFAULT_MARGIN, 0, MAX_MARGIN)
    level = (params.get("ecLevel") or "M").strip().upper()
    if level not in LEVELS:
        raise SpecError("ecLevel", f"must be one of L, M, Q, H, got {level[:10]!r}")
    dark = _color(params, "dark", "#000000")
    light = _color(params, "light", "#ffffff")
    try:
        segno.make(text, error=level.lower(), micro=False, boost_error=False)
    except segno.DataOverflowError:
        raise SpecError("text", f"is too long for a QR code at error correction level {level}") from None
    spec = ChartSpec(
        type="qr",
        width=size,
        height=size,
        device_pixel_ratio=1,
        format=fmt,
        legend=Legend(display=False),
        background_color=light,
        extras=((EXTRAS_KEY, (text, level, margin, dark, light)),),
    )
    return ParseResult(spec=spec, warnings=warnings.as_tuple())


def qr_options(spec: ChartSpec) -> tuple[str, str, int, str, str] | None:
    """``(text, level, margin, dark, light)`` of a ``/qr`` spec; None for any other spec."""
    if spec.type != "qr":
        return None
    for key, value in spec.extras:
        if key == EXTRAS_KEY:
            text, level, margin, dark, light = value
            return str(text), str(level), int(margin), str(dark), str(light)
    return None


def _whole(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or not raw.strip():
        return default
    if not re.fullmatch(r"\s*\d{1,6}\s*", raw):
        raise SpecError(name, f"must be a whole number, got {raw[:20]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise SpecError(name, f"must be between {low} and {high}, got {value}")
    return value


def _color(params: Mapping[str, Any], name: str, default: str) -> str:
    raw = (params.get(name) or "").strip() or default
    return parse_color("#" + raw if _HEX.fullmatch(raw) else raw, name)
