"""Brand-kit logos: what is refused (with the status and the field) and what is stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.specs.errors import SpecError
from core.specs.logos import MAX_LOGO_BYTES, RASTER_SIDE, normalize_logo

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 20">'
    b'<rect width="60" height="20" fill="red"/></svg>'
)


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="PNG")
    return out.getvalue()


def _refused(data: bytes, content_type: str) -> SpecError:
    with pytest.raises(SpecError) as err:
        normalize_logo(data, content_type)
    assert err.value.field == "logo"
    return err.value


def test_valid_logos_become_bounded_rgba_pngs() -> None:
    for data, kind in ((_png((2000, 500)), "image/png"), (SVG, "image/svg+xml; charset=utf-8")):
        with Image.open(io.BytesIO(normalize_logo(data, kind))) as image:
            assert (
                image.format == "PNG"
                and image.mode == "RGBA"
                and RASTER_SIDE - 1 <= max(image.size) <= RASTER_SIDE
            )


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"", "image/png", 400),
        (b"GIF89a....", "image/gif", 415),
        (b"not a picture", "image/png", 400),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png", 400),  # the magic bytes and nothing valid
        (_png((4001, 10)), "image/png", 400),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "image/png", 413),
        (SVG.replace(b"<rect", b"<script>alert(1)</script><rect"), "image/svg+xml", 400),
        (SVG.replace(b"<rect", b'<rect onload="alert(1)"'), "image/svg+xml", 400),
        (SVG.replace(b"<rect", b'<image href="https://evil.example/x.png"/><rect'), "image/svg+xml", 400),
        (SVG.replace(b"<rect", b"<foreignObject/><rect"), "image/svg+xml", 400),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>' + SVG, "image/svg+xml", 400),
        (b"<html><body/></html>", "image/svg+xml", 400),
    ],
)
def test_refusals_name_the_logo(data: bytes, content_type: str, status: int) -> None:
    assert _refused(data, content_type).status == status
