"""Render a normalized ``ChartSpec`` to image bytes with matplotlib (Agg, SVG and PDF canvases).

``render_chart(spec)`` is the whole API: it draws the chart with the Chart.js look and semantics
and encodes it as ``spec.format``. Raster output is exactly ``spec.pixel_width x
spec.pixel_height`` pixels, SVG declares the same numbers in ``px`` and PDF pages are that many
points. Text is literal (no mathtext, no TeX); nothing in the spec is used as a path or evaluated.

Background: ``spec.background_color`` when set (transparent allowed for PNG/WebP/SVG/PDF; JPEG is
flattened onto white); otherwise white in every format, so all five formats look the same.

No pyplot, no global backend, and no module state other than pure caches (font metrics, parsed
colours), so it is safe in prefork workers.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.specs.extra_types import RENDERED_TYPES
from core.specs.imagecharts.style import ImageChartsStyle
from core.specs.model import CHART_TYPES, CONTENT_TYPES, FORMATS, MAX_PIXELS, ChartSpec
from core.specs.qrcode import qr_options

from . import (
    boxplot,
    cards,
    cartesian,
    encoders,
    gauges,
    imagecharts,
    logo,
    qrcode,
    radar,
    radial,
    sankey,
    theme,
)
from .canvas import Canvas, RenderError

__all__ = ["RenderError", "RenderedImage", "brand_assets", "render_chart", "MAX_PIXELS"]

# A raster canvas beyond this many pixels would need gigabytes (RGBA buffer, encoder copies).

_FAMILIES: dict[str, Callable[[Canvas, ChartSpec], None]] = {
    "line": cartesian.render,
    "bar": cartesian.render,
    "scatter": cartesian.render,
    "bubble": cartesian.render,
    "pie": radial.render,
    "doughnut": radial.render,
    "polarArea": radial.render,
    "radar": radar.render,
    # QuickChart's extra types with their own renderer (core.specs.extra_types.RENDERED_TYPES)
    "gauge": gauges.render,
    "radialGauge": gauges.render,
    "boxplot": boxplot.render,
    "violin": boxplot.render,
    "sankey": sankey.render,
}
assert set(_FAMILIES) == {*CHART_TYPES, *RENDERED_TYPES}
# Image-Charts specs add QR codes and animated GIFs to the common types and formats.
_IMAGECHARTS_TYPES = (*CHART_TYPES, "qr")
_IMAGECHARTS_FORMATS = ("png", "gif")


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    content_type: str
    width: int  # pixels
    height: int


def brand_assets(store, spec: ChartSpec) -> dict[str, bytes]:
    """The stored files ``spec`` draws (its brand kit's logo), read from ``store`` (an ObjectStore).
    A logo deleted since the request was made is left out rather than failing the render."""
    key = spec.theme.logo_key if spec.theme is not None else None
    if not key:
        return {}
    from core.storage import ObjectNotFound

    try:
        return {key: store.get(key)}
    except ObjectNotFound:
        return {}


def render_chart(spec: ChartSpec, assets: Mapping[str, bytes] | None = None) -> RenderedImage:
    """Draw ``spec`` and encode it; raises ``RenderError`` when it cannot be drawn. ``assets`` holds
    the files the spec refers to by key (a brand kit's logo, see ``brand_assets``)."""
    if spec.type == "finance":  # candlestick snapshots: their own renderer family
        from . import finance

        return finance.render(spec)
    qr = qr_options(spec)  # QuickChart /qr: no chart, just the symbol
    if qr is not None:
        try:
            data = qrcode.render(spec, qr)
        except (ValueError, TypeError, IndexError) as exc:
            raise RenderError(f"cannot draw this QR code: {exc}") from exc
        return RenderedImage(data, CONTENT_TYPES[spec.format], spec.pixel_width, spec.pixel_height)
    style = ImageChartsStyle.from_spec(spec) if spec.extras else None
    draw = _FAMILIES.get(spec.type)
    if style is not None:
        if spec.type not in _IMAGECHARTS_TYPES:
            raise RenderError(f"unsupported chart type {spec.type!r}")
        if spec.format not in _IMAGECHARTS_FORMATS:
            raise RenderError(f"unsupported format {spec.format!r}")
    elif draw is None:
        raise RenderError(f"unsupported chart type {spec.type!r}")
    elif spec.format not in FORMATS:
        raise RenderError(f"unsupported format {spec.format!r}")
    width, height = spec.pixel_width, spec.pixel_height
    if width < 1 or height < 1:
        raise RenderError(f"image size {width}x{height} is empty")
    if width * height > MAX_PIXELS:
        raise RenderError(f"image of {width}x{height} pixels exceeds {MAX_PIXELS} pixels")
    try:
        background = theme.rgba(spec.background_color) if spec.background_color else theme.WHITE
        if spec.theme is not None and not spec.background_color:
            background = theme.rgba(spec.theme.background)
        with warnings.catch_warnings(), theme.use(spec.theme):
            # Characters DejaVu Sans lacks are drawn as boxes; that is not worth a warning per render.
            warnings.filterwarnings("ignore", message=r"Glyph \d+ [\s\S]*missing from", category=UserWarning)
            warnings.filterwarnings("ignore", message=r".*missing from font", category=UserWarning)
            if style is not None:
                data = imagecharts.render(spec, style)
            else:
                canvas = Canvas(spec, background)
                cards.draw(canvas, spec)
                draw(canvas, spec)
                logo.draw(canvas, spec, assets or {})
                data = encoders.encode(canvas.figure, spec.format, width, height, opaque=background[3] >= 1.0)
    except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as exc:
        # Deterministic for this spec: retrying cannot help, so report it as undrawable.
        raise RenderError(f"cannot draw this {spec.type} chart: {exc}") from exc
    return RenderedImage(data, CONTENT_TYPES[spec.format], width, height)
