"""Linear gradient fills (``chf ... lg``) drawn as an image clipped to a shape.

Angle 0 runs from the left edge (offset 0) to the right edge (offset 1), 90 from the bottom to the
top; other angles run along that direction across the shape's bounding box. Between stops colours
blend linearly; before the first and after the last stop they stay flat.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.image import BboxImage
from matplotlib.transforms import IdentityTransform

from core.specs.imagecharts.style import Gradient

from .. import theme
from ..canvas import Canvas, Rect

MAX_IMAGE_SIDE = 2048


def gradient_pixels(gradient: Gradient, width: int, height: int) -> np.ndarray:
    """An (height, width, 4) uint8 RGBA image of the gradient, top row first."""
    width, height = max(1, min(width, MAX_IMAGE_SIDE)), max(1, min(height, MAX_IMAGE_SIDE))
    angle = math.radians(gradient.angle)
    dx, dy = math.cos(angle), math.sin(angle)
    xs = (np.arange(width) + 0.5) / width
    ys = 1.0 - (np.arange(height) + 0.5) / height  # y grows upwards, rows run downwards
    projection = xs[None, :] * dx + ys[:, None] * dy
    corners = [cx * dx + cy * dy for cx in (0.0, 1.0) for cy in (0.0, 1.0)]
    lo, hi = min(corners), max(corners)
    t = (projection - lo) / (hi - lo) if hi > lo else np.zeros_like(projection)
    offsets = [offset for _, offset in gradient.stops]
    colors = np.array([theme.rgba(color) for color, _ in gradient.stops]) * 255.0
    out = np.empty((height, width, 4), dtype=np.uint8)
    for channel in range(4):
        out[..., channel] = np.interp(t, offsets, colors[:, channel]).round().astype(np.uint8)
    return out


def paint(
    canvas: Canvas, gradient: Gradient, box: Rect, clip: Artist | None = None, zorder: float = 0.0
) -> BboxImage | None:
    """Draw the gradient over ``box`` (device pixels), clipped to the ``clip`` patch if given."""
    if box.width <= 0 or box.height <= 0:
        return None
    image = BboxImage(box.bbox(), interpolation="bilinear", origin="upper")
    image.set_data(gradient_pixels(gradient, math.ceil(box.width), math.ceil(box.height)))
    image.set_zorder(zorder)
    if clip is not None:
        image.set_clip_path(clip)
    canvas.figure.add_artist(image, clip=False)
    return image


def paint_path(canvas: Canvas, gradient: Gradient, path, clip_box: Rect | None, zorder: float) -> None:
    """Draw the gradient inside a matplotlib ``Path`` in device pixels (e.g. several bars at once)."""
    extents = path.get_extents()
    box = Rect(extents.x0, extents.y0, extents.x1, extents.y1)
    if clip_box is not None:
        box = Rect(
            max(box.x0, clip_box.x0),
            max(box.y0, clip_box.y0),
            min(box.x1, clip_box.x1),
            min(box.y1, clip_box.y1),
        )
    image = paint(canvas, gradient, box, zorder=zorder)
    if image is not None:
        image.set_clip_path(path, IdentityTransform())
