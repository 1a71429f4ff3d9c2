"""The doughnutlabel plugin: lines of text stacked in the middle of a doughnut (or pie).

Lines without a font size take 24 px for the first line and 12 px for the others (CSS px); a line
wider than the hole is scaled down to fit it, as the plugin keeps its text inside the hole.
"""

from __future__ import annotations

from core.specs.plugins.model import CenterLine

from .. import theme
from ..canvas import Canvas

FIRST_SIZE = 24.0
OTHER_SIZE = 12.0


def draw(canvas: Canvas, lines: tuple[CenterLine, ...], cx: float, cy: float, hole: float) -> None:
    sizes = []
    for i, line in enumerate(lines):
        size = canvas.px(line.font.size or (FIRST_SIZE if i == 0 else OTHER_SIZE))
        if hole > 0:
            width = canvas.measure(line.text, size, line.font.bold)
            room = hole * 2 * 0.85
            if width > room > 0:
                size *= room / width
        sizes.append(size)
    heights = [s * theme.LINE_HEIGHT for s in sizes]
    y = cy + sum(heights) / 2
    for line, size, height in zip(lines, sizes, heights, strict=True):
        y -= height / 2
        canvas.text(
            cx, y, line.text, size=size, color=theme.text_color(line.color), bold=line.font.bold, zorder=8
        )
        y -= height / 2
