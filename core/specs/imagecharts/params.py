"""Readers for the simple Image-Charts parameters: size, type, title, legend, margins, grid, line
styles, labels, animation, output format and QR options. Each returns plain values or raises an
error naming its parameter (see ``codes``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.specs.errors import SpecError
from core.specs.imagecharts import codes
from core.specs.imagecharts.colors import parse_color
from core.specs.imagecharts.style import Animation
from core.specs.model import MAX_LABELS, MAX_TEXT
from core.specs.values import Warnings

MAX_SIDE = 999
MAX_AREA = 998_001
MAX_FONT_SIZE = 100.0
MAX_LINE_WIDTH = 50.0
MAX_DASH = 200.0
MIN_ANIMATION_MS, MAX_ANIMATION_MS, DEFAULT_ANIMATION_MS = 10, 1500, 1200
DEFAULT_EASING = "easeOutQuart"
# Every easing the documentation lists; names are case-sensitive.
EASINGS = tuple(
    f"ease{way}{curve}"
    for curve in ("Quad", "Cubic", "Quart", "Quint", "Sine", "Expo", "Circ", "Elastic", "Back", "Bounce")
    for way in ("In", "Out", "InOut")
)
QR_LEVELS = ("L", "M", "Q", "H")
DEFAULT_LINE_WIDTH = 2.0

# cht value -> (family, variant). Fallbacks documented by Image-Charts: bvo -> bvs, p3/pc -> p.
CHART_TYPES: dict[str, tuple[str, str]] = {
    "bvs": ("bar", "vertical-stacked"),
    "bvo": ("bar", "vertical-stacked"),
    "bhs": ("bar", "horizontal-stacked"),
    "bvg": ("bar", "vertical-grouped"),
    "bhg": ("bar", "horizontal-grouped"),
    "lc": ("line", "lc"),
    "ls": ("line", "ls"),
    "lxy": ("line", "lxy"),
    "p": ("pie", "pie"),
    "p3": ("pie", "pie"),
    "pc": ("pie", "pie"),
    "pd": ("pie", "doughnut"),
    "r": ("radar", "r"),
    "rs": ("radar", "rs"),
    "pa": ("polarArea", "pa"),
    "s": ("scatter", "s"),
    "bb": ("bubble", "bb"),
    "qr": ("qr", "qr"),
}

_SIZE = re.compile(r"\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class ChartType:
    code: str  # as given, e.g. "p3"
    family: str
    variant: str
    no_default_axes: bool  # ":nda"


def soft_number(
    text: str,
    warnings: Warnings,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    default: float | None = None,
) -> float | None:
    """A number clamped into [low, high]; anything that is not a finite number gives ``default`` and
    a warning for ``where`` (Image-Charts ignores the parts of a parameter it does not understand)."""
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped) or not math.isfinite(float(stripped)):
        warnings.add(where)
        return default
    value = float(stripped)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def soft_color(text: str, warnings: Warnings, where: str) -> str | None:
    """A colour, or None and a warning for ``where`` when ``text`` is not one."""
    try:
        return parse_color(text, "")
    except SpecError:
        warnings.add(where)
        return None


def label_text(text: str, param: str) -> str:
    """One line of text (control characters such as line breaks become spaces), at most MAX_TEXT."""
    if len(text) > MAX_TEXT:
        raise codes.fail(param, f"is longer than {MAX_TEXT} characters", codes.LIMIT_EXCEEDED)
    return _CONTROL.sub(" ", text)


def labels(text: str, param: str) -> tuple[str, ...]:
    """A ``|``-separated label list; an empty item (``||``) is a label left blank."""
    items = text.split("|")
    if len(items) > MAX_LABELS:
        raise codes.fail(
            param, f"has {len(items)} labels; at most {MAX_LABELS} are allowed", codes.LIMIT_EXCEEDED
        )
    return tuple(label_text(item, param) for item in items)


def chart_size(text: str) -> tuple[int, int]:
    match = _SIZE.fullmatch(text)
    if match is None:
        raise codes.fail(
            "chs", f"must be <width>x<height> in pixels, got {codes.shown(text)}", codes.INVALID_CHART_SIZE
        )
    width, height = int(match.group(1)), int(match.group(2))
    if width < 1 or height < 1:
        raise codes.fail(
            "chs",
            f"width and height must be at least 1 pixel, got {width}x{height}",
            codes.INVALID_CHART_SIZE,
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise codes.fail(
            "chs",
            f"width and height must each be at most {MAX_SIDE} pixels, got {width}x{height}",
            codes.CHART_SIZE_TOO_LARGE,
        )
    if width * height > MAX_AREA:
        raise codes.fail(
            "chs",
            f"{width}x{height} is {width * height:,} pixels; the maximum is {MAX_AREA:,}",
            codes.CHART_SIZE_TOO_LARGE,
        )
    return width, height


def chart_type(text: str) -> ChartType:
    code, _, suffix = text.strip().partition(":")
    if code not in CHART_TYPES and code.lower() in CHART_TYPES:
        code = code.lower()  # BVS, Lc: real URLs vary the case
    suffix = suffix.strip().lower()
    if code not in CHART_TYPES or suffix not in ("", "nda"):
        raise codes.fail(
            "cht",
            f"unknown chart type {codes.shown(text)}; supported: {', '.join(CHART_TYPES)}; lines accept :nda",
            codes.INVALID_CHART_TYPE,
        )
    family, variant = CHART_TYPES[code]
    return ChartType(code, family, variant, suffix == "nda")


def title(text: str) -> str:
    # Image-Charts does not break titles on "|" (Google did): the pipe is dropped, words kept apart.
    return label_text(" ".join(part for part in re.split(r"[|\r\n]+", text) if part).strip(), "chtt")


def title_style(text: str, warnings: Warnings) -> tuple[str | None, float | None, str]:
    """``chts=<color>,<size>[,<alignment>...]`` -> (colour, size, "left"/"center"/"right"); parts
    that are not understood are ignored (and reported)."""
    parts = [p.strip() for p in text.split(",")]
    color = soft_color(parts[0], warnings, "chts.color") if parts[0] else None
    size = None
    if len(parts) > 1 and parts[1]:
        size = soft_number(parts[1], warnings, "chts.font_size", low=1, high=MAX_FONT_SIZE)
    align = "center"
    if len(parts) > 2 and parts[2]:
        aligns = {"l": "left", "c": "center", "r": "right"}
        key = parts[2].lower()[:1]
        if key in aligns:
            align = aligns[key]
        else:
            warnings.add("chts.alignment")
    return color, size, align


def legend_position(text: str, warnings: Warnings) -> tuple[str, bool]:
    """``chdlp=<position>[s][|<order>]`` -> (position, skip empty entries). The order is ignored, an
    unknown position is the default (bottom) and reported."""
    spec = text.split("|")[0].strip().lower()
    positions = {"b": "bottom", "t": "top", "r": "right", "l": "left"}
    skip = "s" in spec[1:] or spec == "s"
    letter = spec[:1]
    if letter == "s":
        letter = ""
    if letter and (letter not in positions or any(c not in "vs" for c in spec[1:])):
        warnings.add("chdlp")
        return positions.get(letter, "bottom"), skip
    return positions.get(letter, "bottom"), skip


def legend_style(text: str, warnings: Warnings) -> tuple[str | None, float | None]:
    parts = [p.strip() for p in text.split(",")]
    color = soft_color(parts[0], warnings, "chdls.color") if parts[0] else None
    size = None
    if len(parts) > 1 and parts[1]:
        size = soft_number(parts[1], warnings, "chdls.font_size", low=1, high=MAX_FONT_SIZE)
    return color, size


def margins(text: str, warnings: Warnings) -> tuple[float, float, float, float]:
    """``chma=<left>,<right>,<top>,<bottom>[|<legend width>,<legend height>]``; missing sides are 0.
    Negative margins are allowed (Image-Charts uses them to hide axes, e.g. for progress bars);
    each side is clamped to +-MAX_SIDE, extra values and non-numbers are ignored and reported."""
    sides = [p.strip() for p in text.split("|")[0].split(",")]
    if len(sides) > 4:
        warnings.add("chma")
        sides = sides[:4]
    values = [
        soft_number(s, warnings, "chma", low=-MAX_SIDE, high=MAX_SIDE, default=0.0) if s else 0.0
        for s in sides
    ]
    values += [0.0] * (4 - len(values))
    return values[0] or 0.0, values[1] or 0.0, values[2] or 0.0, values[3] or 0.0


def grid(text: str, warnings: Warnings) -> tuple[bool, bool, tuple[float, float]]:
    """``chg=<x>,<y>[,<dash>,<space>[,<x offset>,<y offset>]]`` -> (vertical lines, horizontal
    lines, (dash, space)). A missing step is 0 (no lines); offsets are not drawn."""
    parts = [p.strip() for p in text.split(",")]
    x = soft_number(parts[0], warnings, "chg", default=0.0) if parts[0] else 0.0
    y = soft_number(parts[1], warnings, "chg", default=0.0) if len(parts) > 1 and parts[1] else 0.0
    dash = 4.0
    if len(parts) > 2 and parts[2]:
        dash = soft_number(parts[2], warnings, "chg", low=0, high=MAX_DASH, default=4.0) or 0.0
    space = 1.0
    if len(parts) > 3 and parts[3]:
        space = soft_number(parts[3], warnings, "chg", low=0, high=MAX_DASH, default=1.0) or 0.0
    return (x or 0.0) > 0, (y or 0.0) > 0, (dash, space)


def line_styles(text: str, warnings: Warnings) -> tuple[tuple[float, tuple[float, ...]], ...]:
    """``chls=<thickness>[,<dash>[,<space>]]|...`` -> (thickness, dash pattern) per series; values
    are clamped, non-numbers take the defaults (and are reported)."""
    out = []
    for i, item in enumerate(text.split("|")):
        parts = [p.strip() for p in item.split(",")]
        where = f"chls[{i}]"
        width = DEFAULT_LINE_WIDTH
        if parts[0]:
            width = soft_number(parts[0], warnings, where, low=0, high=MAX_LINE_WIDTH, default=width)
        dash: tuple[float, ...] = ()
        if len(parts) > 1 and parts[1]:
            on = soft_number(parts[1], warnings, where, low=0, high=MAX_DASH, default=0.0) or 0.0
            off = on
            if len(parts) > 2 and parts[2]:
                off = soft_number(parts[2], warnings, where, low=0, high=MAX_DASH, default=on) or 0.0
            dash = (on, off) if off > 0 and on > 0 else ()
        out.append((width or 0.0, dash))
    return tuple(out)


def animation(text: str) -> Animation:
    """``chan``, ``chan=<ms>`` or ``chan=<ms>,<easing>`` (``|`` is accepted as the separator too)."""
    stripped = text.strip()
    if not stripped:
        return Animation(DEFAULT_ANIMATION_MS, DEFAULT_EASING)
    parts = re.split(r"[,|]", stripped, maxsplit=1)
    duration_text = parts[0].strip()
    easing = parts[1].strip() if len(parts) > 1 else ""
    if duration_text in EASINGS and not easing:  # both are optional: "chan=easeOutBounce"
        duration_text, easing = "", duration_text
    duration = DEFAULT_ANIMATION_MS
    if duration_text:
        if not re.fullmatch(r"\d{1,9}", duration_text):
            raise codes.fail(
                "chan",
                f"duration must be a whole number of milliseconds, got {codes.shown(duration_text)}",
                codes.INVALID_ANIMATION,
            )
        duration = int(duration_text)
        if not MIN_ANIMATION_MS <= duration <= MAX_ANIMATION_MS:
            raise codes.fail(
                "chan",
                f"duration must be between {MIN_ANIMATION_MS} and {MAX_ANIMATION_MS} ms, got {duration}",
                codes.INVALID_ANIMATION,
            )
    if easing and easing not in EASINGS:
        raise codes.fail(
            "chan",
            f"unknown easing {codes.shown(easing)} (names are case-sensitive): {', '.join(EASINGS)}",
            codes.INVALID_ANIMATION,
        )
    return Animation(duration, easing or DEFAULT_EASING)


def output_format(text: str, qr: bool, warnings: Warnings) -> str | None:
    """``chof``: ``.svg`` (or ``svg``) makes a QR code an SVG; ``.png``/``.gif`` are accepted for
    URLs that must end in an image extension (the format follows the animation rule: GIF when
    animated, PNG otherwise). Anything else (cache-busting strings, ``.svg`` on a chart, other
    formats) is ignored and reported."""
    value = text.strip().lower().lstrip(".")
    if value == "svg" and qr:
        return "svg"
    if value not in ("png", "gif"):
        warnings.add("chof")
    return None


def qr_options(chld: str | None, choe: str | None, warnings: Warnings) -> tuple[str, int]:
    """``chld=<level>[|<margin>]`` (default L|4; the margin clamped to 0-100, a non-number is the
    default and reported) and ``choe``: UTF-8 is the only encoding (Image-Charts supports no
    other); Google's Shift_JIS and ISO-8859-1 are encoded as UTF-8 and reported."""
    if choe is not None and choe.strip().upper().replace("_", "-") not in ("UTF-8", "UTF8", ""):
        warnings.add("choe")
    if chld is None or not chld.strip():
        return "L", 4
    level, _, margin_text = chld.strip().partition("|")
    level = level.strip().upper() or "L"
    if level not in QR_LEVELS:
        raise codes.fail(
            "chld", f"error correction level must be one of L, M, Q, H, got {codes.shown(level)}"
        )
    margin = 4
    if margin_text.strip():
        margin = round(soft_number(margin_text, warnings, "chld", low=0, high=100, default=4) or 0)
    return level, margin
