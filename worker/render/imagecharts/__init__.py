"""Drawing Image-Charts specs: every frame goes through the shared matplotlib renderers, with the
dialect's extras (margins, gradients, markers, pie labels, QR codes, watermark, transparency).

``render(spec, style)`` returns the encoded image: a PNG, or, when ``style.animation`` is set, a GIF
whose frames show the chart growing in with the requested duration and easing (played once).
"""

from __future__ import annotations

import numpy as np

from core.specs.imagecharts.style import ImageChartsStyle, watermark_of
from core.specs.model import ChartSpec

from .. import encoders, radar, radial, theme
from ..canvas import Canvas
from ..layout import FrameOptions
from . import cartesian, easing, gradient, markers, pie, qr

WATERMARK_SIZE = 10.0  # CSS px
WATERMARK_COLOR = (0.4, 0.4, 0.4, 0.6)


# Animation cost: a GIF draws the chart once per frame, so big charts get fewer (longer) frames.
# Units are about a microsecond of drawing on the reference machine (a dense 50,000-point line
# takes ~3 s at 999x999, a pie slice ~0.2 ms); the budget keeps a GIF's render near 8 s, well
# inside the render time limit.
FRAME_BUDGET = 8_000_000
FRAME_BASE_COST = 10_000
LABEL_COST = 100
_POINT_COST = {"pie": 300, "doughnut": 300, "polarArea": 300, "line": 60, "radar": 60, "bar": 25}


def render(spec: ChartSpec, style: ImageChartsStyle) -> bytes:
    if style.animation is None:
        rgba = draw_frame(spec, style, 1.0)
        return encoders.encode_png(rgba, opaque=bool(rgba[..., 3].min() == 255))
    progress, delays = easing.schedule(style.animation, max_steps=FRAME_BUDGET // frame_cost(spec, style))
    frames = [draw_frame(spec, style, p) for p in progress]
    return encoders.encode_gif(frames, delays, loop=None, shared_palette=True)


def frame_cost(spec: ChartSpec, style: ImageChartsStyle) -> int:
    """How much drawing one frame of ``spec`` takes, in the units of ``FRAME_BUDGET``."""
    points = sum((len(ds.values) + len(ds.points)) * _POINT_COST.get(ds.type, 10) for ds in spec.datasets)
    labels = sum(min(len(group), pie.MAX_LABELS) for group in style.point_labels)
    labels += markers.MAX_LABELS * sum(m.kind in ("value", "text") for m in style.markers)
    scale = max(1.0, spec.pixel_width * spec.pixel_height / 1_000_000)  # retina images: 4 x the pixels
    return round((FRAME_BASE_COST + points + LABEL_COST * labels) * scale)


def draw_frame(spec: ChartSpec, style: ImageChartsStyle, progress: float) -> np.ndarray:
    """One frame as an (height, width, 4) RGBA array; ``progress`` 1 is the finished chart."""
    background = theme.rgba(spec.background_color) if spec.background_color else theme.background()
    canvas = Canvas(spec, background)
    if style.background is not None:
        gradient.paint(canvas, style.background, canvas.bounds, zorder=-10)
    left, right, top, bottom = (canvas.px(m) for m in style.margins)
    frame = FrameOptions(
        region=canvas.bounds.inset(left, bottom, right, top),
        title_align=style.title_align,
        legend_size=style.legend_size,
        legend_skip_empty=style.legend_skip_empty,
    )
    if spec.type == "qr" and style.qr is not None:
        qr.render(canvas, style.qr)
    elif spec.type in ("pie", "doughnut"):
        pie.render(canvas, spec, style, frame, progress)
    elif spec.type == "polarArea":
        radial.render(canvas, spec, frame, progress)
    elif spec.type == "radar":
        radar.render(canvas, spec, frame, progress)
    else:
        cartesian.render(canvas, spec, style, frame, progress)
    mark = watermark_of(spec)
    if mark:
        size = min(canvas.px(WATERMARK_SIZE), canvas.height / 4)
        pad = canvas.px(3)
        canvas.text(
            canvas.width - pad,
            pad,
            mark,
            size=size,
            color=WATERMARK_COLOR,
            ha="right",
            va="bottom",
            zorder=50,
        )
    rgba = encoders.rasterize(canvas.figure, canvas.width, canvas.height)
    if style.opacity < 1.0:
        rgba = rgba.copy()
        rgba[..., 3] = np.round(rgba[..., 3] * max(0.0, style.opacity)).astype(np.uint8)
    return rgba
