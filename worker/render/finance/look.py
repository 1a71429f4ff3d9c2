"""Themes and number formats of the finance charts (TradingView's light and dark palettes)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from core.specs.model import Theme
from worker.render.theme import RGBA, rgba


@dataclass(frozen=True)
class Look:
    background: RGBA
    text: RGBA
    muted: RGBA
    grid: RGBA
    border: RGBA
    up: RGBA
    down: RGBA
    label_text: RGBA  # text on a coloured price tag


LIGHT = Look(
    background=rgba("#ffffff"),
    text=rgba("#131722"),
    muted=rgba("#787b86"),
    grid=rgba("#f0f3fa"),
    border=rgba("#e0e3eb"),
    up=rgba("#089981"),
    down=rgba("#f23645"),
    label_text=rgba("#ffffff"),
)
# The dark palette keeps the light one's muted text, candle colours and tag text.
DARK = replace(
    LIGHT,
    background=rgba("#131722"),
    text=rgba("#d1d4dc"),
    grid=rgba("#1e222d"),
    border=rgba("#2a2e39"),
)
LOOKS = {"light": LIGHT, "dark": DARK}


def look_of_kit(kit: Theme, base: Look) -> Look:
    """A brand kit's colours on a finance chart: its background, text and grid; its positive and
    negative colours for rising and falling bars."""
    return Look(
        background=rgba(kit.background),
        text=rgba(kit.text),
        muted=rgba(kit.muted or kit.axis),
        grid=rgba(kit.grid),
        border=rgba(kit.axis),
        up=rgba(kit.positive),
        down=rgba(kit.negative),
        label_text=base.label_text,
    )


# Study colours (TradingView's defaults); overlays of the same kind cycle through OVERLAY.
OVERLAY = ("#2962ff", "#ff6d00", "#9c27b0", "#00bcd4", "#e91e63", "#4caf50")
PLOT_COLORS = {
    ("Bollinger Bands", "Basis"): "#2962ff",
    ("Bollinger Bands", "Upper"): "#f23645",
    ("Bollinger Bands", "Lower"): "#089981",
    ("Bollinger Bands", "Background"): "#2196f30d",
    ("VWAP", "VWAP"): "#2962ff",
    ("Relative Strength Index", "Plot"): "#7e57c2",
    ("Relative Strength Index", "Bands"): "#7e57c21a",
    ("MACD", "MACD"): "#2962ff",
    ("MACD", "Signal"): "#ff6d00",
    ("Stochastic", "%K"): "#2962ff",
    ("Stochastic", "%D"): "#ff6d00",
    ("Stochastic", "Bands"): "#2196f31a",
    ("Average True Range", "Plot"): "#b71c1c",
    ("Cumulative Volume Delta (CVD)", "CVD"): "#2962ff",
}


def with_alpha(color: RGBA, alpha: float) -> RGBA:
    return (color[0], color[1], color[2], alpha)


def price(value: float, precision: int) -> str:
    """A price as exchanges print it: fixed decimals, no thousands separator."""
    return f"{value:.{precision}f}"


def compact(value: float) -> str:
    """Volumes and other large numbers: 12.3K, 4.56M, 7.8B."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= limit:
            return f"{value / limit:.2f}".rstrip("0").rstrip(".") + suffix
    if magnitude >= 100 or value == 0:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    # Small values (funding rates, ratios): four significant digits.
    decimals = max(2, 3 - int(math.floor(math.log10(magnitude))))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def nice_step(span: float, count: int) -> float:
    """A 1/2/2.5/5 x 10^k step giving about ``count`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, count)
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * base >= raw:
            return m * base
    return 10 * base


def ticks(lo: float, hi: float, count: int) -> tuple[list[float], float]:
    step = nice_step(hi - lo, count)
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + step * 1e-9 and len(out) < 100:
        out.append(round(v / step) * step)
        v += step
    return out, step
