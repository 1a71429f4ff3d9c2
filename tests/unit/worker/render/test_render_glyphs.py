"""Rotated labels are rasterized with one ``set_text`` instead of two: the unrotated width comes
from the rotated layout (``typeset._unrotated_width``). The result must be exactly what the two-call
rasterization gave: same coverage array, same offsets, same width."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import get_font

from core.specs.model import Theme
from worker.render import theme, typeset

STRINGS = (
    [str(i) for i in range(0, 30)]
    + ["1,000", "12,500", "-0.25", "0.5", "1e-5", "2.5e+10", "-1,234.5", "100%", "$4.20", "(3)", "10:30"]
    + ["January", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    + ["Sales by month", "Store 1", "Person 2", "Eating", "Designing", "Quarterly Revenue", "mIxEd CaSe"]
    + ["AV", "To", "WAVE", "Yo", "Tofi AV", "office", "fi", "ffl", "LT", "P.", "r,", "Ty", "Wa", "y."]
    + ["a, b; c!", "x?", "[1]", "a/b", "'q'", '"Q"', " pad ", "trailing  ", "#", "_", "~", "T"]
    + ["Ωμέγα", "Жжж", "Ünïcödé", "naïve café"]
)
SIZES = (9.0, 10.0, 11.5, 12.0, 13.5, 16.0, 24.0, 36.0)
ANGLES = (50.0, -30.0, 70.0, 90.0)


def _reference(text: str, size: float, bold: bool, rotation: float):
    """The rasterization before this change: a second, unrotated ``set_text`` for the width."""
    font = get_font(typeset._font_path(bold))
    font.clear()
    font.set_size(size, 72.0)
    flags = get_hinting_flag()
    if rotation:
        font.set_text(text, 0.0, flags=flags)
        width = font.get_width_height()[0] / 64.0
    font.set_text(text, rotation, flags=flags)
    font.draw_glyphs_to_bitmap(antialiased=True)
    mask = np.array(font.get_image(), dtype=np.uint8)[::-1]
    if not rotation:
        width = font.get_width_height()[0] / 64.0
    xo = font.get_bitmap_offset()[0] / 64.0
    descent = font.get_descent() / 64.0
    return mask, xo, -descent - 1.0, width


def _kit(family: str) -> Theme:
    black = "#000000ff"
    white = "#ffffffff"
    return Theme(
        name="t", background=white, palette=(black,), text=black, axis=black, grid=black, font_family=family
    )


def _compare(sizes, angles) -> tuple[int, int]:
    """(cases compared, cases whose width came from the rotated layout alone)."""
    compared = shortcut = 0
    calls = []
    original = typeset._unrotated_width

    def spy(*args):
        found = original(*args)
        calls.append(found is not None)
        return found

    typeset._unrotated_width = spy
    try:
        for bold in (False, True):
            for size in sizes:
                font = get_font(typeset._font_path(bold))
                for text in STRINGS:
                    if any(font.get_char_index(ord(c), _fallback=False) == 0 for c in text):
                        continue  # (Lato has no Greek, ...): matplotlib's Last Resort font would draw it
                    for rotation in (0.0, *angles):
                        got = typeset._mask(text, size, bold, rotation)
                        want = _reference(text, size, bold, rotation)
                        assert got is not None
                        assert np.array_equal(got[0], want[0]), (text, size, bold, rotation)
                        assert got[1:] == want[1:], (text, size, bold, rotation, got[1:], want[1:])
                        compared += 1
    finally:
        typeset._unrotated_width = original
    shortcut = sum(calls)
    return compared, shortcut


def test_rotated_masks_match_the_two_call_rasterization() -> None:
    typeset.clear_glyph_cache()
    compared, shortcut = _compare(SIZES, ANGLES)
    assert compared == 2 * len(SIZES) * len(STRINGS) * (1 + len(ANGLES))
    # The single-call path must actually be taken for most rotated labels (not at 90 degrees).
    assert shortcut > 0.5 * 2 * len(SIZES) * len(STRINGS) * (len(ANGLES) - 1)


@pytest.mark.parametrize("family", ["Source Sans Pro", "Source Serif Pro", "Lato"])
def test_rotated_masks_match_for_brand_kit_fonts(family: str) -> None:
    typeset.clear_glyph_cache()
    with theme.use(_kit(family)):
        assert family.split()[0] in typeset._font_path(False)
        compared, shortcut = _compare((10.0, 12.0, 24.0), (50.0, -30.0))
    assert compared and shortcut


def test_mulfix_model_gives_the_rotated_advance() -> None:
    """``set_text`` at an angle reports FT_MulFix(unrotated advance, (FT_Fixed)(cos * 0x10000))."""
    font = get_font(typeset._font_path(False))
    flags = get_hinting_flag()
    for size in SIZES:
        font.set_size(size, 72.0)
        for text in STRINGS:
            font.set_text(text, 0.0, flags=flags)
            width = font.get_width_height()[0]
            for rotation in (*ANGLES, 135.0, -50.0, 89.0, 1.0):
                font.set_text(text, rotation, flags=flags)
                xx = int(math.cos(rotation * (2 * math.pi / 360.0)) * 0x10000)
                assert typeset._mulfix(width, xx) == font.get_width_height()[0], (text, size, rotation)


def test_text_cache_clear_keeps_glyph_advances() -> None:
    typeset.clear_glyph_cache()
    typeset.clear_text_cache()
    for text in STRINGS:
        typeset._mask(text, 12.0, False, 50.0)
    kept = dict(typeset._ADVANCES)
    assert kept
    typeset.clear_text_cache()
    assert typeset._ADVANCES == kept
    typeset.clear_glyph_cache()
    assert not typeset._ADVANCES


def test_glyph_advance_table_is_bounded() -> None:
    typeset.clear_glyph_cache()
    font = get_font(typeset._font_path(False))
    font.set_size(12.0, 72.0)
    for gid in range(1, typeset._ADVANCES_MAX + 50):
        typeset._glyph_advance(font, gid % 3000 + 1, 12.0 + gid // 3000, get_hinting_flag())
    assert len(typeset._ADVANCES) <= typeset._ADVANCES_MAX
    typeset.clear_glyph_cache()
