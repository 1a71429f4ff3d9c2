"""The worker side of Image-Charts: exact sizes and formats, the GIF animation, QR codes that
match segno's matrix, transparency, gradients, margins, markers and the watermark."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
import segno
from PIL import Image, ImageSequence

from core.specs.imagecharts import parse_imagecharts
from core.specs.imagecharts.params import EASINGS as DOCUMENTED_EASINGS
from core.specs.imagecharts.style import WATERMARK_KEY, Animation
from tests.support.imagecharts_examples import EXAMPLES, expected
from worker.render import render_chart
from worker.render.imagecharts.easing import EASINGS, FRAME_MS, schedule


def render(**params) -> Image.Image:
    spec = parse_imagecharts(params).spec
    return Image.open(io.BytesIO(render_chart(spec).data))


def pixels(**params) -> np.ndarray:
    return np.asarray(render(**params).convert("RGBA"))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_document_example_renders_at_its_size_and_format(name):
    image = render(**EXAMPLES[name])
    size, fmt = expected(EXAMPLES[name])
    assert (image.size, image.format) == (size, fmt)


def test_easings_are_exactly_the_documented_ones():
    assert set(EASINGS) == set(DOCUMENTED_EASINGS) and len(EASINGS) == 30
    for name, ease in EASINGS.items():
        assert ease(0.0) == pytest.approx(0.0, abs=1e-9), name
        assert ease(1.0) == pytest.approx(1.0, abs=1e-9), name


def test_animation_schedule_follows_the_duration():
    progress, delays = schedule(Animation(1200, "easeOutQuart"))
    assert len(progress) == 1200 // FRAME_MS + 1 and sum(delays[:-1]) == 1200
    assert progress[0] == 0 and progress[-1] == 1
    assert schedule(Animation(10, "easeInQuad")) == ([1.0], [1000])


def test_animated_gif_grows_in_and_plays_once():
    image = render(cht="bvg", chs="300x150", chd="t:10,40,60", chan="400,easeOutBack")
    frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]
    assert image.format == "GIF" and len(frames) == 400 // FRAME_MS + 1
    assert "loop" not in image.info  # plays once, as Image-Charts' GIFs do
    ink = [int((f < 250).any(axis=2).sum()) for f in frames]
    assert ink[0] < ink[len(ink) // 2] and ink[0] < ink[-1]
    static = np.asarray(render(cht="bvg", chs="300x150", chd="t:10,40,60").convert("RGB"))
    assert np.abs(frames[-1].astype(int) - static.astype(int)).mean() < 3  # ends on the static chart


@pytest.mark.parametrize("level, margin", [("L", 4), ("H", 1), ("M", 0)])
def test_qr_code_modules_match_segno(level, margin):
    text = "https://chartfleet.example/chart?cht=qr"
    gray = np.asarray(render(cht="qr", chs="250x200", chl=text, chld=f"{level}|{margin}").convert("L"))
    matrix = np.array(
        [
            list(r)
            for r in segno.make(text, error=level.lower(), micro=False, boost_error=False).matrix_iter(
                border=margin
            )
        ]
    )
    n = matrix.shape[0]
    module = 200 // n
    x0, y0 = round((250 - module * n) / 2), round((200 - module * n) / 2)
    centres = gray[y0 + module // 2 :: module, x0 + module // 2 :: module][:n, :n]
    assert ((centres < 128) == matrix.astype(bool)).all()


def test_whole_chart_transparency():
    alpha = pixels(cht="bvg", chs="120x80", chd="t:50", chf="a,s,00000080")[..., 3]
    assert alpha.max() == 128 and alpha.min() == 128


def test_background_gradient_runs_left_to_right():
    rgba = pixels(cht="bvg", chs="200x100", chd="t:0", chf="bg,lg,0,FF0000,0,0000FF,1")
    left, right = rgba[50, 2], rgba[50, 197]
    assert left[0] > 230 and left[2] < 25 and right[2] > 230 and right[0] < 25


def test_bar_gradient_is_clipped_to_the_bars():
    rgba = pixels(cht="bvg", chs="200x200", chd="t:100", chf="b0,lg,90,00FF00,0,0000FF,1", chma="0,0,0,0")
    column = rgba[:, 100]
    bar = column[(column[:, :3] != 255).any(axis=1)]
    assert bar[-1][1] > bar[0][1] and bar[0][2] > bar[-1][2]  # green at the bottom, blue at the top
    assert (rgba[:, 1, :3] >= 200).all()  # nothing painted beside the bar


def test_margins_leave_the_border_empty():
    rgba = pixels(cht="bvg", chs="200x120", chd="t:100", chxt="x,y", chma="40,30,20,10")
    assert (rgba[:, :40, :3] == 255).all() and (rgba[:20, :, :3] == 255).all()
    assert not (rgba[:, 40:170, :3] == 255).all()


def test_title_alignment():
    rgba = pixels(cht="bvg", chs="300x120", chd="t:0", chtt="Right", chts="FF0000,14,r")
    red = (rgba[..., 0] > 200) & (rgba[..., 1] < 80)
    assert red[:, 200:].sum() > 20 and red[:, :150].sum() == 0


def test_value_markers_print_above_the_bars():
    plain = pixels(cht="bvg", chs="200x150", chd="t:50")
    marked = pixels(cht="bvg", chs="200x150", chd="t:50", chm="N*f0*,FF0000,0,-1,12")
    changed = np.argwhere((plain != marked).any(axis=2))
    assert len(changed) and changed[:, 0].max() < 80  # text above the bar top (y grows downwards)


def test_watermark_marks_the_bottom_right_corner():
    spec = parse_imagecharts({"cht": "bvg", "chs": "300x150", "chd": "t:0"}).spec
    plain = np.asarray(Image.open(io.BytesIO(render_chart(spec).data)).convert("RGB"))
    marked_spec = dataclasses.replace(spec, extras=(*spec.extras, (WATERMARK_KEY, "Chartfleet")))
    marked = np.asarray(Image.open(io.BytesIO(render_chart(marked_spec).data)).convert("RGB"))
    changed = np.argwhere((plain != marked).any(axis=2))
    assert len(changed) and changed[:, 0].min() > 100 and changed[:, 1].min() > 200


def test_retina_renders_twice_the_pixels():
    assert render(cht="p", chs="100x80", chd="t:1,2", icretina="1").size == (200, 160)


@pytest.mark.parametrize(
    "params",
    [
        {"cht": "r", "chd": "t:10,20,30,40|40,30,20,10", "chm": "B,FF000080,0,0,0", "chxt": "x,y"},
        {"cht": "rs", "chd": "t:10,20,30,40", "chxl": "0:|a|b|c|d", "chxt": "x"},
        {"cht": "pa", "chd": "t:10,20,30", "chl": "a|b|c", "chan": "80"},
        {"cht": "s", "chd": "t:10,20,30|40,50,60|1,50,100", "chxt": "x,y"},
        {"cht": "bb", "chd": "t:10,20|40,50|5,10|60,70|20,30|8,3", "chdl": "one|two"},
        {"cht": "lxy", "chd": "t:10,50|20,30", "chm": "o,FF0000,0,-1,8|N,000000,0,-1,10"},
        {"cht": "bhs", "chd": "t:10,20|30,40", "chxt": "x,y", "chxs": "0N*p*,FF0000,12|1,0000FF,10,0,_"},
        {"cht": "lc", "chd": "t:10,20,30", "chxt": "x,y", "chxr": "0,0,10,2|1,0,40", "chg": "1,1,2,2"},
    ],
)
def test_more_chart_types_render(params):
    image = render(chs="240x160", **params)
    assert image.size == (240, 160)
