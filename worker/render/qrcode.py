"""QuickChart's ``/qr`` images: segno encodes the text; the symbol and its quiet zone fill the whole
``size x size`` image (modules may be a fractional number of pixels, as in QuickChart), dark modules
in ``dark`` over ``light``. SVG output is segno's own, scaled to the same size."""

from __future__ import annotations

import io

import numpy as np
import segno
from PIL import Image

from core.specs.model import ChartSpec


def render(spec: ChartSpec, options: tuple[str, str, int, str, str]) -> bytes:
    text, level, margin, dark, light = options
    symbol = segno.make(text, error=level.lower(), micro=False, boost_error=False)
    size = spec.pixel_width
    if spec.format == "svg":
        modules = symbol.symbol_size(scale=1, border=margin)[0]
        out = io.BytesIO()
        symbol.save(out, kind="svg", scale=size / modules, border=margin, dark=dark, light=light)
        return out.getvalue()
    matrix = np.array([list(row) for row in symbol.matrix_iter(scale=1, border=margin)], dtype=bool)
    modules = matrix.shape[0]
    index = np.arange(size) * modules // size  # the module under each output pixel
    grid = matrix[index][:, index]
    pixels = np.empty((size, size, 4), dtype=np.uint8)
    pixels[...] = _rgba(light)
    pixels[grid] = _rgba(dark)
    image = Image.fromarray(pixels, "RGBA")
    if pixels[..., 3].min() == 255:
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _rgba(color: str) -> tuple[int, int, int, int]:
    value = color.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4, 6))  # type: ignore[return-value]
