"""Brand kit logos: PNG or SVG uploads checked and normalized to a PNG the renderer can draw.

An SVG is parsed without entity expansion (defusedxml), must be an ``<svg>`` root with no scripts,
event handlers or external references, and is rasterized with resvg (which never fetches
anything). Both kinds end up as an RGBA PNG of at most ``RASTER_SIDE`` pixels on its long side.
"""

from __future__ import annotations

import io
import re

import resvg_py
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from core.specs.errors import SpecError

MAX_LOGO_BYTES = 256 * 1024
MAX_LOGO_SIDE = 4000  # pixels of an uploaded PNG
RASTER_SIDE = 1024  # long side of the stored PNG
CONTENT_TYPES = ("image/png", "image/svg+xml")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_EXTERNAL = re.compile(r"^\s*(https?:|file:|//|ftp:)", re.I)


def normalize_logo(data: bytes, content_type: str, field: str = "logo") -> bytes:
    """The upload as a PNG to store; raises ``SpecError`` naming ``field`` when it is refused."""
    if len(data) == 0:
        raise SpecError(field, "is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise SpecError(field, f"is {len(data)} bytes; at most {MAX_LOGO_BYTES // 1024} KB", status=413)
    kind = content_type.split(";")[0].strip().lower()
    if kind == "image/png":
        return _png(data, field)
    if kind == "image/svg+xml":
        return _svg(data, field)
    raise SpecError(field, "must be sent as image/png or image/svg+xml", status=415)


def _png(data: bytes, field: str) -> bytes:
    if not data.startswith(_PNG_MAGIC):
        raise SpecError(field, "is not a PNG image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise SpecError(field, "is not a PNG image")
            if max(probe.size) > MAX_LOGO_SIDE:
                raise SpecError(
                    field, f"is {probe.size[0]}x{probe.size[1]} px; at most {MAX_LOGO_SIDE} px a side"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGBA")
            image.thumbnail((RASTER_SIDE, RASTER_SIDE))
            return _encode(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise SpecError(field, f"is not a valid PNG image ({exc.__class__.__name__})") from None


def _svg(data: bytes, field: str) -> bytes:
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as exc:
        raise SpecError(field, f"is not a well-formed SVG document ({exc.__class__.__name__})") from None
    if root.tag != f"{_SVG_NS}svg":
        raise SpecError(field, "is not an SVG document (the root element must be <svg>)")
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] in ("script", "foreignObject"):
            raise SpecError(field, "may not contain scripts or foreign objects")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on"):
                raise SpecError(field, "may not contain event handlers")
            if local == "href" and _EXTERNAL.match(value):
                raise SpecError(field, "may not reference external resources")
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), skip_system_fonts=True))
        with Image.open(io.BytesIO(png)) as image:
            image = image.convert("RGBA")
            scale = RASTER_SIDE / max(image.size)
            if scale > 1:  # draw small viewBoxes again at full resolution rather than upscaling
                w, h = (round(side * scale) for side in image.size)
                png = bytes(
                    resvg_py.svg_to_bytes(
                        svg_string=data.decode("utf-8"), width=w, height=h, skip_system_fonts=True
                    )
                )
                image = Image.open(io.BytesIO(png)).convert("RGBA")
            image.thumbnail((RASTER_SIDE, RASTER_SIDE))
            return _encode(image)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise SpecError(field, f"could not be drawn: {exc}") from None


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
