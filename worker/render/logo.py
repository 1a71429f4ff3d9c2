"""A brand kit's logo in its chosen corner, sized from the image's smaller side.

The logo arrives as the normalized PNG the API stored (``core.specs.logos``); it is resized with
Pillow to its exact device-pixel size and placed with ``figimage``, so it is the same in raster
formats and embedded as an image in SVG and PDF.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
from PIL import Image

from core.specs.model import ChartSpec

from .canvas import Canvas

HEIGHT_SHARE = 0.09  # of the smaller side
MAX_WIDTH_SHARE = 0.3  # of the width
MARGIN_SHARE = 0.025


def draw(canvas: Canvas, spec: ChartSpec, assets: Mapping[str, bytes]) -> None:
    look = spec.theme
    if look is None or not look.logo_key or look.logo_key not in assets:
        return
    with Image.open(io.BytesIO(assets[look.logo_key])) as source:
        image = source.convert("RGBA")
    short = min(canvas.width, canvas.height)
    height = max(1.0, short * HEIGHT_SHARE)
    width = height * image.width / max(1, image.height)
    if width > canvas.width * MAX_WIDTH_SHARE:
        width = canvas.width * MAX_WIDTH_SHARE
        height = width * image.height / max(1, image.width)
    w, h = max(1, round(width)), max(1, round(height))
    pixels = np.asarray(image.resize((w, h), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0
    margin = round(short * MARGIN_SHARE)
    right = "right" in look.logo_position
    top = "top" in look.logo_position
    x = canvas.width - margin - w if right else margin
    y = canvas.height - margin - h if top else margin
    canvas.figure.figimage(pixels, xo=x, yo=y, origin="upper", zorder=20, resize=False)
