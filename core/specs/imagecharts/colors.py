"""Image-Charts colours: ``RRGGBB`` or ``RRGGBBAA`` hex (a leading ``#`` is tolerated), returned in
the ``#rrggbbaa`` form every ``ChartSpec`` colour uses, plus the colour arithmetic the dialect needs
(pie gradations and gradients between series colours)."""

from __future__ import annotations

import re

from core.specs.imagecharts import codes

_HEX = re.compile(r"#?([0-9a-fA-F]{6})([0-9a-fA-F]{2})?")
# Image-Charts' default series colours (its client libraries document them as chco's default).
DEFAULT_PALETTE = ("#f56991ff", "#ff9f80ff", "#ffc48cff", "#d1f2a5ff", "#effab4ff")
TRANSPARENT = "#00000000"


def parse_color(text: str, param: str) -> str:
    """One ``RRGGBB[AA]`` colour as ``#rrggbbaa``, or an error naming ``param``."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise codes.fail(
            param, f"{codes.shown(text)} is not a colour; use RRGGBB or RRGGBBAA hex", codes.INVALID_COLOR
        )
    return "#" + (match.group(1) + (match.group(2) or "ff")).lower()


def parse_chco(text: str) -> tuple[tuple[str, ...], ...]:
    """``chco``: comma-separated groups (one per series), each one colour or ``|``-separated colours
    (one per bar or slice). Empty items (a trailing ``,`` or ``|``, a doubled separator) are skipped;
    a colour that is not one is refused, naming ``chco``."""
    groups = (group.split("|") for group in text.split(","))
    parsed = (tuple(parse_color(c, "chco") for c in group if c.strip()) for group in groups)
    return tuple(g for g in parsed if g)


def channels(color: str) -> tuple[int, int, int, int]:
    value = int(color[1:], 16)
    return (value >> 24 & 255, value >> 16 & 255, value >> 8 & 255, value & 255)


def from_channels(r: float, g: float, b: float, a: float) -> str:
    return "#" + "".join(f"{min(255, max(0, round(c))):02x}" for c in (r, g, b, a))


def mix(a: str, b: str, t: float) -> str:
    """``a`` blended toward ``b`` by ``t`` (0..1), alpha included."""
    ca, cb = channels(a), channels(b)
    return from_channels(*(x + (y - x) * t for x, y in zip(ca, cb, strict=True)))


def gradations(color: str, count: int) -> tuple[str, ...]:
    """``count`` shades of ``color`` from the colour itself (darkest) toward white (lightest)."""
    if count <= 1:
        return (color,)
    white = "#ffffff" + color[7:]
    return tuple(mix(color, white, 0.75 * i / (count - 1)) for i in range(count))


def interpolate(stops: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``count`` colours evenly spread along the gradient through ``stops``."""
    if count <= 1 or len(stops) == 1:
        return tuple(stops[0] for _ in range(max(count, 1)))
    out = []
    for i in range(count):
        position = i / (count - 1) * (len(stops) - 1)
        k = min(int(position), len(stops) - 2)
        out.append(mix(stops[k], stops[k + 1], position - k))
    return tuple(out)


def with_alpha(color: str, alpha: int) -> str:
    return color[:7] + f"{max(0, min(255, alpha)):02x}"
