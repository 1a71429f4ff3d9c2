"""QR codes (``cht=qr``): segno encodes ``chl`` (UTF-8) at the requested error correction level; the
symbol and its quiet zone (``chld`` margin, in modules) are scaled to the largest whole number of
pixels per module that fits the smaller side (fractional only when even one pixel is too big),
centred, dark modules black over the chart background."""

from __future__ import annotations

import numpy as np
import segno
from matplotlib.image import BboxImage

from core.specs.imagecharts.style import QRCode

from ..canvas import Canvas, Rect


def render(canvas: Canvas, qr: QRCode) -> None:
    symbol = segno.make(qr.text, error=qr.level.lower(), micro=False, boost_error=False)
    matrix = np.array([list(row) for row in symbol.matrix_iter(scale=1, border=qr.margin)], dtype=bool)
    modules = matrix.shape[0]
    side = min(canvas.width, canvas.height)
    module = float(side // modules) if side >= modules else side / modules
    total = module * modules
    x0 = round((canvas.width - total) / 2)
    y0 = round((canvas.height - total) / 2)
    pixels = np.zeros((modules, modules, 4), dtype=np.uint8)
    pixels[matrix] = (0, 0, 0, 255)  # light modules stay transparent: the background shows
    image = BboxImage(Rect(x0, y0, x0 + total, y0 + total).bbox(), interpolation="nearest", origin="upper")
    image.set_data(pixels)
    image.set_zorder(3)
    canvas.figure.add_artist(image, clip=False)
