"""Encoders: formats, colour modes, backgrounds, determinism, and the GIF helper."""

from __future__ import annotations

import dataclasses
import io
import re
import zlib

import numpy as np
import pytest
from PIL import Image

from core.specs.model import Axis
from worker.render import render_chart
from worker.render.encoders import encode_gif, encode_png

from .charts import bar, pie


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_png_on_the_default_white_background_is_opaque_rgb() -> None:
    img = decode(render_chart(bar()).data)
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (255, 255, 255)


@pytest.mark.parametrize("opaque", [True, False])
def test_png_is_pixel_exact_whatever_the_content(opaque: bool) -> None:
    # Noise, flat bands and a gradient: every byte value in every filter difference (wrapping
    # modulo 256), an image not 4-aligned in width, with and without the alpha channel.
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    rgba[10:20] = (200, 10, 30, 128)
    rgba[25:, :, 0] = np.arange(53, dtype=np.uint8) * 5
    if opaque:
        rgba[..., 3] = 255
    img = decode(encode_png(rgba, opaque))
    assert img.mode == ("RGB" if opaque else "RGBA") and img.size == (53, 37)
    assert np.array_equal(np.asarray(img), rgba[..., :3] if opaque else rgba)


def test_jpeg_is_rgb_and_flattens_a_transparent_background_onto_white() -> None:
    spec = dataclasses.replace(pie(), format="jpeg", background_color="#00000000")
    img = decode(render_chart(spec).data)
    assert img.mode == "RGB"
    r, g, b = img.getpixel((2, img.height - 2))
    assert min(r, g, b) > 245


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_background_keeps_alpha(fmt: str) -> None:
    spec = dataclasses.replace(pie(), format=fmt, background_color="#00000000")
    img = decode(render_chart(spec).data)
    assert img.mode == "RGBA"
    assert img.getpixel((1, img.height - 2))[3] == 0  # corner: no chart, fully transparent
    assert img.getpixel((img.width // 2, img.height // 2))[3] == 255  # the pie itself


def test_background_colour_is_painted() -> None:
    spec = dataclasses.replace(bar(), background_color="#102030ff")
    img = decode(render_chart(spec).data)
    assert img.getpixel((0, 0)) == (0x10, 0x20, 0x30)


def test_svg_and_pdf_paint_the_background_white_by_default() -> None:
    svg = render_chart(dataclasses.replace(bar(), format="svg")).data
    assert b"#ffffff" in svg
    pdf = render_chart(dataclasses.replace(bar(), format="pdf")).data
    content = b"".join(pdf_streams(pdf))
    assert b"1 1 1 rg" in content or b"1 g" in content


def pdf_streams(pdf: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "svg", "pdf"])
def test_output_is_deterministic(fmt: str) -> None:
    spec = dataclasses.replace(bar(), format=fmt)
    assert render_chart(spec).data == render_chart(spec).data


def test_svg_keeps_text_as_text_and_has_no_date() -> None:
    svg = render_chart(dataclasses.replace(bar(), format="svg")).data
    assert b"<text" in svg
    assert b"<dc:date>" not in svg


def test_encode_gif_from_frames() -> None:
    red = np.zeros((20, 30, 4), dtype=np.uint8)
    red[..., 0] = 255
    red[..., 3] = 255
    blue = Image.new("RGBA", (30, 20), (0, 0, 255, 255))
    data = encode_gif([red, blue, red], [100, 200, 300])
    img = Image.open(io.BytesIO(data))
    assert img.format == "GIF"
    assert img.size == (30, 20)
    assert img.n_frames == 3
    durations = []
    colors = []
    for i in range(img.n_frames):
        img.seek(i)
        durations.append(img.info["duration"])
        colors.append(img.convert("RGB").getpixel((5, 5)))
    assert durations == [100, 200, 300]
    assert colors == [(255, 0, 0), (0, 0, 255), (255, 0, 0)]
    assert img.info.get("loop") == 0


def test_encode_gif_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        encode_gif([], 100)
    with pytest.raises(ValueError):
        encode_gif([Image.new("RGB", (2, 2))], [1, 2])


def test_frames_from_rendered_charts_make_an_animation() -> None:
    frames = []
    for k in range(3):
        spec = dataclasses.replace(bar(), width=200, height=100, scales=(("y", Axis(min=0, max=100)),))
        spec = dataclasses.replace(
            spec,
            datasets=tuple(
                dataclasses.replace(ds, values=tuple(v * (k + 1) / 3 for v in ds.values))
                for ds in spec.datasets
            ),
        )
        frames.append(decode(render_chart(spec).data))
    img = Image.open(io.BytesIO(encode_gif(frames, 80)))
    assert (img.size, img.n_frames) == ((200, 100), 3)
