"""Card composition: a headline band (title, subtitle, value and its change) above the chart and
a footnote below it, all in the active brand kit's colours and font.

Sizes follow the image's area, so a 100 px thumbnail and a 4000 px poster keep the
same proportions; text that does not fit is shortened with an ellipsis and the chart always keeps
at least ``MIN_CHART_SHARE`` of the height.
"""

from __future__ import annotations

from core.specs.cards import change_sign, format_change
from core.specs.model import Card, ChartSpec

from . import theme
from .canvas import Canvas

MIN_CHART_SHARE = 0.4
ELLIPSIS = "..."


def _unit(spec: ChartSpec) -> float:
    """CSS pixels per card unit: 1 for a 400x400 px area (the geometric mean of the sides, so wide
    strips such as progress bars keep readable text), within [0.35, 4]."""
    return min(4.0, max(0.35, (spec.width * spec.height) ** 0.5 / 400))


def _fit(canvas: Canvas, text: str, size: float, bold: bool, width: float) -> str:
    if canvas.measure(text, size, bold) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if canvas.measure(text[:mid].rstrip() + ELLIPSIS, size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else ""


def _rows(card: Card, u: float) -> list[tuple[str, float]]:
    """(kind, CSS size) of each line of the headline band, top to bottom."""
    rows = []
    if card.title:
        rows.append(("title", 15 * u))
    if card.subtitle:
        rows.append(("subtitle", 11 * u))
    if card.value or card.change is not None:
        rows.append(("value", 30 * u))
    return rows


def draw(canvas: Canvas, spec: ChartSpec) -> None:
    """Draw ``spec.card`` and shrink ``canvas.bounds`` to the region left for the chart."""
    card = spec.card
    if card is None:
        return
    look = theme.active()
    u = _unit(spec)
    rows = _rows(card, u)
    foot = 10 * u if card.footnote else 0.0
    pad = 12 * u
    gap = 4 * u
    band = sum(size * theme.LINE_HEIGHT for _, size in rows) + gap * max(0, len(rows) - 1)
    top = pad + band + (pad if rows else 0.0)
    bottom = (foot * theme.LINE_HEIGHT + pad) if foot else 0.0
    # Keep the chart visible: scale the card down on very flat images.
    budget = spec.height * (1 - MIN_CHART_SHARE)
    shrink = min(1.0, budget / (top + bottom)) if top + bottom else 1.0
    px = canvas.px
    text = theme.text_color(None)
    muted = theme.rgba(look.muted) if look and look.muted else theme.with_alpha(text, 0.7)
    left = px(pad * shrink)
    width = canvas.width - 2 * left
    y = canvas.height - px(pad * shrink)
    for kind, css in rows:
        size = px(css * shrink)
        line = size * theme.LINE_HEIGHT
        mid = y - line / 2
        if kind in ("title", "subtitle"):
            bold = kind == "title"
            canvas.text(
                left,
                mid,
                _fit(canvas, (card.title if bold else card.subtitle) or "", size, bold, width),
                size=size,
                color=text if bold else muted,
                bold=bold,
                ha="left",
            )
        else:
            _value_row(canvas, card, left, mid, size, width, text, muted)
        y -= line + px(gap * shrink)
    if card.footnote:
        size = px(foot * shrink)
        canvas.text(
            left,
            px(pad * shrink) + size * theme.LINE_HEIGHT / 2,
            _fit(canvas, card.footnote, size, False, width),
            size=size,
            color=muted,
            ha="left",
        )
    canvas.bounds = canvas.bounds.inset(0, px(bottom * shrink), 0, px(top * shrink))


def _value_row(
    canvas: Canvas,
    card: Card,
    left: float,
    mid: float,
    size: float,
    width: float,
    text: theme.RGBA,
    muted: theme.RGBA,
) -> None:
    x = left
    if card.value:
        value = _fit(canvas, card.value, size, True, width)
        canvas.text(x, mid, value, size=size, color=text, bold=True, ha="left")
        x += canvas.measure(value, size, True) + size * 0.4
    if card.change is not None:
        look = theme.active()
        sign = change_sign(card.change)
        if sign > 0:
            color = theme.rgba(look.positive if look else "#16a34aff")
        elif sign < 0:
            color = theme.rgba(look.negative if look else "#dc2626ff")
        else:
            color = muted
        small = size * 0.5
        label = _fit(canvas, format_change(card.change), small, True, max(0.0, left + width - x))
        if label:
            canvas.text(x, mid - (size - small) * 0.3, label, size=small, color=color, bold=True, ha="left")
