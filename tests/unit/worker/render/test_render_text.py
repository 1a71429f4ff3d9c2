"""Text from specs is literal: dollars are dollars, never mathtext or TeX, on every text element."""

from __future__ import annotations

import dataclasses
import re

import matplotlib as mpl
import pytest

from core.specs.model import Axis, ChartSpec, Dataset, Legend, Text
from worker.render import render_chart
from worker.render.typeset import Label

from .charts import pie, raster_size, svg_texts

MATHY = "$x_1^2$ costs $5 and \\$6 {a} %s"


def dollar_bar(fmt: str = "svg") -> ChartSpec:
    return ChartSpec(
        type="bar",
        format=fmt,
        labels=("$5 and $6", "$\\alpha$", "plain"),
        title=Text(("$5 and $6",)),
        subtitle=Text((MATHY,)),
        scales=(("x", Axis(title="Price in $")), ("y", Axis(title="$y$ axis"))),
        datasets=(Dataset(type="bar", label="Revenue $USD$", values=(1, 2, 3)),),
    )


def test_title_with_dollars_is_literal_text_in_svg() -> None:
    texts = svg_texts(render_chart(dollar_bar()).data)
    assert "$5 and $6" in texts
    assert MATHY in texts
    assert any("$5" in t for t in texts)


def test_every_text_element_stays_literal() -> None:
    texts = svg_texts(render_chart(dollar_bar()).data)
    for expected in ("$\\alpha$", "Price in $", "$y$ axis", "Revenue $USD$"):
        assert expected in texts


def test_pie_legend_labels_are_literal() -> None:
    spec = dataclasses.replace(pie(), format="svg", labels=("$1$", "$2", "3$", "a_b^c", "{x}", "%d"))
    texts = svg_texts(render_chart(spec).data)
    for label in spec.labels:
        assert label in texts


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "svg", "pdf"])
def test_mathtext_like_strings_render_in_every_format(fmt: str) -> None:
    # A mathtext parse of "$x_1^2$ costs $5 ..." would raise; pytest turns warnings into errors.
    render_chart(dollar_bar(fmt))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_global_usetex_and_parse_math_settings_are_ignored(fmt: str) -> None:
    # With usetex the string would go to a LaTeX binary (absent here) and fail.
    with mpl.rc_context({"text.usetex": True, "text.parse_math": True}):
        img = render_chart(dollar_bar(fmt))
    assert img.data
    if fmt == "svg":
        assert "$5 and $6" in svg_texts(img.data)


def test_rotated_and_multiline_text_are_literal() -> None:
    labels = tuple(f"${i} very long category label" for i in range(40))
    spec = ChartSpec(
        type="bar",
        format="svg",
        labels=labels,
        title=Text(("first $line", "second $line")),
        legend=Legend(position="right"),
        datasets=(Dataset(type="bar", label="$", values=tuple(range(40))),),
    )
    texts = svg_texts(render_chart(spec).data)
    assert "first $line" in texts and "second $line" in texts
    assert any(t.startswith("$0 very long") for t in texts)


def test_characters_missing_from_the_font_do_not_fail_or_warn() -> None:
    spec = ChartSpec(
        type="pie",
        labels=("日本語", "emoji 🎉", "עברית", "Ελληνικά", "é̃"),
        title=Text(("价格 $5",)),
        datasets=(Dataset(type="pie", values=(1, 2, 3, 4, 5)),),
    )
    for fmt in ("png", "svg", "pdf"):
        render_chart(dataclasses.replace(spec, format=fmt))


def test_label_is_never_mathtext_or_tex() -> None:
    label = Label(0, 0, "$x$", size=12, color=(0, 0, 0, 1))
    text = label._as_text(False)
    assert text.get_usetex() is False
    assert text._parse_math is False


def test_raster_text_has_the_canvas_size() -> None:
    img = render_chart(dollar_bar("png"))
    assert raster_size(img.data, "png") == (800, 400)


def ink_box(rgba) -> tuple[int, int, int, int]:
    import numpy as np

    ink = np.asarray(rgba)[..., 0] < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1])


@pytest.mark.parametrize("rotation", [0, 50, 90])
@pytest.mark.parametrize("ha", ["left", "center", "right"])
@pytest.mark.parametrize("va", ["top", "center", "bottom"])
def test_cached_raster_text_lands_where_matplotlib_text_would(
    monkeypatch: pytest.MonkeyPatch, rotation: float, ha: str, va: str
) -> None:
    from worker.render import theme, typeset
    from worker.render.canvas import Canvas
    from worker.render.encoders import rasterize

    def draw():
        canvas = Canvas(ChartSpec(type="bar", width=240, height=160), theme.WHITE)
        canvas.text(
            120.3, 80.6, "Quarterly $ Wg", size=13, color=(0, 0, 0, 1), ha=ha, va=va, rotation=rotation
        )
        return rasterize(canvas.figure, 240, 160)

    fast = ink_box(draw())
    monkeypatch.setattr(typeset, "sprite", lambda *args: None)
    slow = ink_box(draw())
    assert all(abs(a - b) <= 2 for a, b in zip(fast, slow, strict=True)), (fast, slow)


def test_sprite_cache_is_bounded_in_bytes() -> None:
    import numpy as np

    from worker.render.typeset import _SpriteCache

    cache = _SpriteCache(max_bytes=40_000)
    for i in range(100):
        cache.put(("k", i), (np.zeros((10, 25, 4), dtype=np.uint8), 0.0, 0.0, 1.0))  # 1,000 bytes each
    assert cache._bytes <= 40_000
    assert cache.get(("k", 0)) is False
    assert cache.get(("k", 99)) is not False
    cache.put(("huge",), (np.zeros((100, 100, 4), dtype=np.uint8), 0.0, 0.0, 1.0))
    assert cache.get(("huge",)) is False  # too big to keep at all
    cache.put(("none",), None)
    assert cache.get(("none",)) is None


def test_sprite_cache_stays_bounded_by_labels_without_pixels() -> None:
    """Labels that take the Text path are cached as None; a stream of never-seen ones must evict."""
    from worker.render.typeset import _ENTRY_BYTES, _SpriteCache

    cache = _SpriteCache(max_bytes=100 * (_ENTRY_BYTES + 10))
    for i in range(10_000):
        cache.put((f"\u5317\u4eac {i:05d}", 12.0, False, (0, 0, 0, 1), 0.0, None), None)
    assert len(cache._items) <= 100
    assert cache._bytes <= cache.max_bytes
    assert cache.get(("\u5317\u4eac 09999", 12.0, False, (0, 0, 0, 1), 0.0, None)) is None
    assert cache.get(("\u5317\u4eac 00000", 12.0, False, (0, 0, 0, 1), 0.0, None)) is False


def test_pdf_text_is_searchable_and_literal() -> None:
    from .test_render_encoders import pdf_streams

    pdf = render_chart(dollar_bar("pdf")).data
    content = b"".join(pdf_streams(pdf))
    shown = []  # each text-showing array "[ (a) 0.5 (b) ] TJ" joined into its string
    for array in re.findall(rb"\[(.*?)\]\s*TJ", content, flags=re.S):
        pieces = re.findall(rb"\(((?:\\.|[^\\)])*)\)", array)
        shown.append(b"".join(re.sub(rb"\\(.)", rb"\1", p) for p in pieces).decode("latin-1"))
    assert "$5 and $6" in shown
    assert MATHY in shown
