"""QR codes (``cht=qr``): segno encodes ``chl`` (UTF-8) at the requested error correction level; the
symbol and its quiet zone (``chld`` margin, in modules) are scaled to the largest whole number of
pixels per module that fits the smaller side (fractional only when even one pixel is too big),
centred, dark modules black over the chart background. For SVG output the dark modules are one
vector path (a rectangle per horizontal run of dark modules) instead of an embedded image."""

from __future__ import annotations

import numpy as np
import segno
from matplotlib.image import BboxImage
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from core.specs.imagecharts.style import QRCode

from ..canvas import Canvas, Rect


def render(canvas: Canvas, qr: QRCode, vector: bool = False) -> None:
    symbol = segno.make(qr.text, error=qr.level.lower(), micro=False, boost_error=False)
    matrix = np.array([list(row) for row in symbol.matrix_iter(scale=1, border=qr.margin)], dtype=bool)
    modules = matrix.shape[0]
    side = min(canvas.width, canvas.height)
    module = float(side // modules) if side >= modules else side / modules
    total = module * modules
    x0 = round((canvas.width - total) / 2)
    y0 = round((canvas.height - total) / 2)
    if vector:
        canvas.add(PathPatch(_runs(matrix, x0, y0 + total, module), facecolor="black", linewidth=0), zorder=3)
        return
    pixels = np.zeros((modules, modules, 4), dtype=np.uint8)
    pixels[matrix] = (0, 0, 0, 255)  # light modules stay transparent: the background shows
    image = BboxImage(Rect(x0, y0, x0 + total, y0 + total).bbox(), interpolation="nearest", origin="upper")
    image.set_data(pixels)
    image.set_zorder(3)
    canvas.figure.add_artist(image, clip=False)


def _runs(matrix: np.ndarray, x0: float, top: float, module: float) -> Path:
    """Dark modules as one compound path: a rectangle per run of dark modules in a row (y up)."""
    vertices: list[tuple[float, float]] = []
    for row, cells in enumerate(matrix):
        y1 = top - row * module
        y0 = y1 - module
        padded = np.concatenate(([False], cells, [False]))
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        for start, stop in zip(edges[0::2], edges[1::2], strict=True):
            a, b = x0 + start * module, x0 + stop * module
            vertices += [(a, y0), (b, y0), (b, y1), (a, y1), (a, y0)]
    if not vertices:
        return Path(np.zeros((0, 2)))
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(vertices) // 5)
    return Path(np.array(vertices), codes)
