"""Turn a drawn figure into bytes: PNG, JPEG, WebP, GIF (Agg + Pillow), SVG, PDF; animated GIF from frames.

Sizes: raster images are exactly the figure's pixel size (checked, and padded/cropped if
matplotlib ever rounds differently). SVG's root element says ``width="<W>px" height="<H>px"`` with
``viewBox="0 0 <W> <H>"``, W x H being the spec's pixel size (matplotlib writes ``pt``; we
rewrite the unit so browsers show the SVG at the same size as the PNG). PDF pages are W x H
points. SVG keeps text as ``<text>`` (``svg.fonttype: none``); PDF text is real text in embedded
Type 3 fonts (searchable for Latin-1 characters, glyph drawings beyond that).

Output is deterministic: no dates in SVG/PDF metadata, fixed SVG id salt. The SVG/PDF settings
go through ``rc_context``, which is process-global: fine for prefork workers, not for threads
rendering vector output concurrently.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from PIL import Image
from zlib_ng import zlib_ng

# PNG: every row "Up"-filtered (minus the row above: charts are mostly flat colour, so rows repeat)
# with numpy, then deflated by zlib-ng at level 2. Pillow's encoder (stdlib zlib, all five filters
# tried on every row) took about 20 ms at 800x400, twice the drawing; this takes 1-2 ms for files
# 5-15 % smaller than Pillow's at level 3. Level 1 (zlib-ng's "quick") is 20 % larger.
PNG_COMPRESS_LEVEL = 2
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_FILTER_UP = 2
JPEG_QUALITY = 90
# Lossless WebP: charts are flat colours and text, which lossless method 0 codes to about PNG's
# size in a few milliseconds, pixel-exact (lossy WebP is 4:2:0 only: coloured fringes on text,
# and method 4 took three times longer).
WEBP_LOSSLESS_EFFORT = 50

_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "chartfleet", "svg.image_inline": True}
# Type 3 fonts (matplotlib's default): Type 42 needs a fontTools subset per document, ~100 ms.
_PDF_RC = {"pdf.fonttype": 3, "pdf.compression": 6}
_SVG_SIZE = re.compile(rb'<svg([^>]*?) width="([0-9.]+)pt" height="([0-9.]+)pt"')


def rasterize(figure: Figure, width: int, height: int) -> np.ndarray:
    """Draw with Agg; an (height, width, 4) uint8 RGBA array of exactly the requested size."""
    agg = FigureCanvasAgg(figure)
    agg.draw()
    rgba = np.asarray(agg.buffer_rgba())
    if rgba.shape[0] != height or rgba.shape[1] != width:  # defensive: never seen at 72 dpi
        fixed = np.zeros((height, width, 4), dtype=np.uint8)
        fixed[...] = (np.array(figure.get_facecolor()) * 255).round().astype(np.uint8)
        h, w = min(height, rgba.shape[0]), min(width, rgba.shape[1])
        fixed[:h, :w] = rgba[:h, :w]
        rgba = fixed
    return rgba


def _image(rgba: np.ndarray, opaque: bool) -> Image.Image:
    h, w = rgba.shape[:2]
    img = Image.frombuffer("RGBA", (w, h), np.ascontiguousarray(rgba), "raw", "RGBA", 0, 1)
    return img.convert("RGB") if opaque else img


def _flatten(img: Image.Image) -> Image.Image:
    """RGB over white (JPEG has no alpha)."""
    if img.mode == "RGB":
        return img
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(tag)))


def encode_png(rgba: np.ndarray, opaque: bool) -> bytes:
    """8-bit truecolour PNG (RGB when ``opaque``, else RGBA), non-interlaced, pixel-exact."""
    h, w = rgba.shape[:2]
    channels = 3 if opaque else 4
    pixels = np.empty((h, w, channels), dtype=np.uint8)
    for c in range(channels):  # plane by plane: numpy's loop over 3-byte pixels is 20 times slower
        pixels[:, :, c] = rgba[:, :, c]
    rows = pixels.reshape(h, w * channels)
    raw = np.empty((h, w * channels + 1), dtype=np.uint8)
    raw[:, 0] = _PNG_FILTER_UP
    raw[0, 0] = 0  # the first row has no row above: unfiltered
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])  # uint8 arithmetic wraps modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib_ng.compress(raw, PNG_COMPRESS_LEVEL)),
            _png_chunk(b"IEND", b""),
        )
    )


def encode_jpeg(rgba: np.ndarray, opaque: bool) -> bytes:
    out = io.BytesIO()
    # 4:4:4 chroma keeps thin coloured lines and small text crisp
    _flatten(_image(rgba, opaque)).save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


def encode_webp(rgba: np.ndarray, opaque: bool) -> bytes:
    out = io.BytesIO()
    _image(rgba, opaque).save(out, format="WEBP", lossless=True, quality=WEBP_LOSSLESS_EFFORT, method=0)
    return out.getvalue()


def encode_svg(figure: Figure, width: int, height: int) -> bytes:
    out = io.BytesIO()
    with mpl.rc_context(_SVG_RC):
        FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None})
    data = out.getvalue()
    return _SVG_SIZE.sub(
        lambda m: b'<svg%s width="%dpx" height="%dpx"' % (m.group(1), width, height), data, count=1
    )


def encode_pdf(figure: Figure) -> bytes:
    out = io.BytesIO()
    with mpl.rc_context(_PDF_RC):
        FigureCanvasPdf(figure).print_pdf(
            out, metadata={"CreationDate": None, "Creator": "Chartfleet", "Producer": "Chartfleet"}
        )
    return out.getvalue()


def encode(figure: Figure, fmt: str, width: int, height: int, opaque: bool) -> bytes:
    """``opaque``: the background is fully opaque, so raster output can drop the alpha channel."""
    if fmt == "svg":
        return encode_svg(figure, width, height)
    if fmt == "pdf":
        return encode_pdf(figure)
    rgba = rasterize(figure, width, height)
    if fmt == "png":
        return encode_png(rgba, opaque)
    if fmt == "jpeg":
        return encode_jpeg(rgba, opaque)
    if fmt == "webp":
        return encode_webp(rgba, opaque)
    if fmt == "gif":
        return encode_gif([rgba], 0, loop=None)
    raise ValueError(f"unknown format {fmt!r}")


def encode_gif(
    frames: Sequence[Image.Image | np.ndarray],
    durations_ms: int | Sequence[int],
    loop: int | None = 0,
    shared_palette: bool = False,
) -> bytes:
    """An animated GIF from RGBA frames (PIL images or (h, w, 3|4) uint8 arrays).

    Frames are flattened onto white and quantized to an adaptive 256-colour palette each, or, with
    ``shared_palette``, all to the last frame's palette without dithering (an animation that builds
    up to its last frame keeps steady colours, and one palette is much cheaper than one per frame).
    ``durations_ms`` is one duration for all frames or one per frame; ``loop=0`` loops forever and
    ``loop=None`` plays once.
    """
    if not frames:
        raise ValueError("no frames")
    flat = []
    for f in frames:
        img = f if isinstance(f, Image.Image) else Image.fromarray(np.ascontiguousarray(f))
        if img.mode not in ("RGB", "RGBA"):
            img = img.convert("RGBA")
        flat.append(_flatten(img))
    if shared_palette:
        reference = flat[-1].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        images = [img.quantize(palette=reference, dither=Image.Dither.NONE) for img in flat[:-1]] + [
            reference
        ]
    else:
        images = [img.quantize(colors=256, method=Image.Quantize.MEDIANCUT) for img in flat]
    if isinstance(durations_ms, int):
        durations: int | list[int] = durations_ms
    else:
        durations = [int(d) for d in durations_ms]
        if len(durations) != len(images):
            raise ValueError("one duration per frame")
    out = io.BytesIO()
    extra = {"loop": loop} if loop is not None else {}
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        disposal=1,
        optimize=False,
        **extra,
    )
    return out.getvalue()
