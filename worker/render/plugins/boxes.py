"""Text in an optional rounded box, the element every label-drawing plugin shares.

Coordinates are device pixels, y upwards; ``rotation`` is in degrees clockwise, as the plugins
(and canvas) count it.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.patches import FancyBboxPatch
from matplotlib.transforms import Affine2D

from .. import theme
from ..canvas import Canvas


@dataclass(frozen=True, slots=True)
class TextBox:
    lines: tuple[str, ...]
    size: float  # device px
    bold: bool
    color: theme.RGBA
    padding: tuple[float, float, float, float]  # device px: top, right, bottom, left
    background: theme.RGBA | None = None
    border: theme.RGBA | None = None
    border_width: float = 0.0  # device px
    radius: float = 0.0  # device px

    def size_px(self, canvas: Canvas) -> tuple[float, float]:
        """Width and height of the box, padding included."""
        width = max((canvas.measure(line, self.size, self.bold) for line in self.lines), default=0.0)
        height = self.size * theme.LINE_HEIGHT * len(self.lines)
        top, right, bottom, left = self.padding
        return width + left + right, height + top + bottom


def draw_text_box(
    canvas: Canvas, box: TextBox, cx: float, cy: float, rotation: float = 0.0, zorder: float = 8.0
) -> None:
    """Draw ``box`` centred on ``(cx, cy)``, rotated about its centre."""
    width, height = box.size_px(canvas)
    if box.background is not None or (box.border is not None and box.border_width > 0):
        radius = min(box.radius, width / 2, height / 2)
        patch = FancyBboxPatch(
            (cx - width / 2, cy - height / 2),
            width,
            height,
            boxstyle=f"round,pad=0,rounding_size={radius:.3f}" if radius > 0 else "square,pad=0",
            facecolor=box.background if box.background is not None else theme.TRANSPARENT,
            edgecolor=box.border if box.border is not None else theme.TRANSPARENT,
            linewidth=box.border_width,
        )
        patch.set_transform(Affine2D().rotate_deg_around(cx, cy, -rotation))
        patch.set_zorder(zorder)
        canvas.figure.add_artist(patch, clip=False)
    top, right, bottom, left = box.padding
    line_h = box.size * theme.LINE_HEIGHT
    # the text block's own centre, shifted by uneven padding, then rotated with the box
    dx, dy = (left - right) / 2, (bottom - top) / 2
    rot = Affine2D().rotate_deg_around(cx, cy, -rotation)
    n = len(box.lines)
    for i, line in enumerate(box.lines):
        ly = cy + dy + line_h * ((n - 1) / 2 - i)
        x, y = rot.transform((cx + dx, ly))
        canvas.text(
            x,
            y,
            line,
            size=box.size,
            color=box.color,
            bold=box.bold,
            rotation=-rotation,
            zorder=zorder + 0.01,
        )
