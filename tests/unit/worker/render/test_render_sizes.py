"""Every chart type in every format comes out at exactly the requested pixel size."""

from __future__ import annotations

import pytest

from worker.render import RenderedImage, render_chart

from .charts import KINDS, pdf_media_box, raster_size, sized, svg_size

FORMATS = ("png", "jpeg", "webp", "svg", "pdf")
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
# (width, height, devicePixelRatio)
SIZES = [(800, 400, 1), (400, 300, 2), (333, 127, 1), (4000, 100, 1), (211, 157, 1.5)]


def check_size(img: RenderedImage, fmt: str, w: int, h: int) -> None:
    assert (img.width, img.height) == (w, h)
    assert img.content_type == CONTENT_TYPES[fmt]
    if fmt in ("png", "jpeg", "webp"):
        assert raster_size(img.data, fmt) == (w, h)
    elif fmt == "svg":
        sw, sh, view = svg_size(img.data)
        assert (sw, sh) == (w, h)
        assert view == (0.0, 0.0, float(w), float(h))
    else:
        assert img.data.startswith(b"%PDF-")
        assert pdf_media_box(img.data) == (0.0, 0.0, float(w), float(h))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_type_in_every_format_has_the_exact_size(kind: str, fmt: str) -> None:
    spec = sized(KINDS[kind](), format=fmt)
    check_size(render_chart(spec), fmt, 800, 400)


@pytest.mark.parametrize("size", SIZES[1:], ids=lambda s: f"{s[0]}x{s[1]}@{s[2]}")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pixel_ratio_and_odd_sizes(kind: str, fmt: str, size: tuple[int, int, float]) -> None:
    width, height, dpr = size
    spec = sized(KINDS[kind](), format=fmt, width=width, height=height, device_pixel_ratio=dpr)
    check_size(render_chart(spec), fmt, spec.pixel_width, spec.pixel_height)


@pytest.mark.parametrize("dpr", [1, 1.25, 2, 3, 4])
def test_pixel_ratio_scales_the_raster(dpr: float) -> None:
    spec = sized(KINDS["bar"](), width=301, height=173, device_pixel_ratio=dpr)
    img = render_chart(spec)
    assert raster_size(img.data, "png") == (round(301 * dpr), round(173 * dpr))


def test_figure_size_is_exact_for_every_pixel_count() -> None:
    from worker.render.canvas import DPI, figure_size_inches

    for pixels in range(1, 16001):
        assert figure_size_inches(pixels) * DPI == pixels
