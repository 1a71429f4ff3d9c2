"""The leniency rules of docs/imagecharts-compat.md, one by one, at the parser: what each real-world
form becomes in the ``ChartSpec`` and which warning it leaves. (tests/integration/
test_chart_leniency.py checks the same classes through HTTP and in the pixels.)"""

from __future__ import annotations

import json

import pytest

from core.specs.errors import SpecError
from core.specs.imagecharts import ImageChartsStyle, parse_imagecharts
from core.specs.model import ChartSpec

BASE = {"cht": "lc", "chs": "300x200", "chd": "t:10,20,30,40"}


def parse(**params):
    result = parse_imagecharts({k: v for k, v in {**BASE, **params}.items() if v is not None})
    spec = result.spec
    assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec
    return spec, ImageChartsStyle.from_spec(spec), result.warnings


def test_chxs_font_size_zero_hides_labels_and_bad_parts_are_ignored():
    spec, style, warnings = parse(chxt="x,y", chxs="1,FF0000,0")
    assert not spec.axis("y").ticks_display and spec.axis("x").ticks_display and warnings == ()
    spec, style, warnings = parse(chxt="x,y", chxs="1,notacolour,13,0,zz,red,0000FF|0,s")
    y = style.axis("y")
    assert y.label_color is None and y.label_size == 13 and y.tick_color is None
    assert y.line_color == "#0000ffff" and y.show_line and y.show_ticks
    assert warnings == ("chxs[1]",)
    assert parse(chxt="y", chxs="0,FF0000,500")[1].axis("y").label_size == 100  # clamped
    assert parse(chxt="y", chxs="zz,FF0000")[2] == ("chxs",)  # no axis index: the group is ignored
    assert parse(chxt="y", chxs="0N*q9*,FF0000")[2] == ("chxs[0]",)  # a format we cannot read


def test_chma_negative_margins_and_leftovers():
    assert parse(chma="-10,0,0,-10")[1].margins == (-10, 0, 0, -10)
    style, warnings = parse(chma="-5000,x,20,30,40")[1:]
    assert style.margins == (-999, 0, 20, 30) and warnings == ("chma",)


def test_chm_lenient_fields():
    markers = parse(
        chm="o,FF0000,0,,9|s,FF0000,0,abc,9|d,FF0000,0,-1,big|x,FF0000,0,-3:-1,7,5|N,zz,0,1.7,8,-4|"
    )[1].markers
    assert [(m.start, m.end, m.step) for m in markers] == [(0, None, 1), (0, None, 1), (0, None, 1),
                                                           (-3, -1, 1), (1, 1, 1)]  # fmt: skip
    assert markers[2].size == 10 and markers[3].above and not markers[4].above
    assert markers[4].color == "#000000ff"
    assert parse(chm="o,FF0000,x,-1,9")[2] == ("chm[0]",)  # no series: not drawn, reported
    assert parse(chm="@o,FF0000,0,0.5:0.5,9")[2] == ("chm[0]",)  # x/y positions are not drawn
    assert parse(chm="o,FF0000,0,12")[1].markers[0].size == 12  # the short form: type,color,series,size
    line = parse(chm="D,FF0000,1,0,3")[1].markers[0]
    assert (line.kind, line.start, line.end) == ("line", 0, None)  # D lines: 0 means every point
    text = parse(chm="tA\\, B,FF0000,0,1,9")[1].markers[0]
    assert text.text == "A, B"


def test_chf_fills_we_cannot_draw_are_ignored():
    spec, _, warnings = parse(chf="bg,i,https://example.com/a.png|b0,lg,90,FF0000,0,zz,1|c,s,00FF00|")
    assert spec.background_color == "#00ff00ff" and warnings == ("chf[0]", "chf[1]")
    assert spec.datasets[0].border_color == "#ff0000ff"  # the gradient's one valid stop: a solid fill


def test_chof():
    assert parse(chof="1535403433426")[2] == ("chof",)
    assert parse(chof=".svg")[0].format == "png"
    qr = {"cht": "qr", "chl": "hi", "chd": None}
    assert parse(**qr, chof=".svg")[0].format == "svg"
    assert parse(**qr, chof="SVG")[0].format == "svg"
    assert parse(**qr, chof=".png")[0].format == "png"


def test_bubbles_in_image_charts_layout():
    spec = parse(cht="bb", chd="t:40,60,10,_,47,40,_,1|50,30,5,_,_")[0]
    first, second = spec.datasets
    assert [(p.x, p.y, p.r) for p in first.points] == [(40, 60, 10), (47, 40, 1)]
    assert [(p.x, p.y, p.r) for p in second.points] == [(50, 30, 5)]
    assert parse(cht="bb", chd="t:40,60,10,_,47,40,12,_,1")[2] == ("chd[0]",)  # a lone number
    out_of_range = parse(cht="bb", chd="t:40,60,10,_,-5,40,12")[0].datasets[0].points
    assert [(p.x, p.y) for p in out_of_range] == [(40, 60)]  # below the 0-100 text range: dropped
    auto = parse(cht="bb", chd="a:400,600,1e308")[0].datasets[0].points
    assert [(p.x, p.y, p.r) for p in auto] == [(400, 600, 100)]  # radius clamped
    triplets = parse(cht="bb", chd="t:10,20,30,40|50,60,70,80|5,6,7,8")[0].datasets[0].points
    assert [(p.x, p.y, p.r) for p in triplets][0] == (10, 50, 5)  # the older x|y|r layout


def test_compound_chart_hides_series_past_the_count():
    spec, style, _ = parse(cht="bvs", chd="t1:1,2,3|4,5,6", chdl="a|b", chm="D,FF0000,1,0,3")
    assert [d.hidden for d in spec.datasets] == [False, True] and spec.datasets[1].label == ""
    assert style.legend_skip_empty and style.markers[0].series == 1


@pytest.mark.parametrize(
    "params, values",
    [
        ({"cht": "BVS", "chd": "T:1,2"}, (1, 2)),
        ({"chd": "t:1,2|"}, (1, 2)),
        ({"chd": "t: 1 , 2 "}, (1, 2)),
        ({"chd": "t:1,null,NaN,undefined,_,-1"}, (1, None, None, None, None, None)),
        ({"chd": "t:"}, (None,)),
        ({"chd": "a:1e308,-1e308,5e-324"}, (1e300, -1e300, 0)),
        ({"chd": "s:AB|CD"}, (0, 1)),
        ({"chd": "t:1,2%7C3,4"}, (1, 2)),  # a URL encoded twice
    ],
)
def test_data_forms(params, values):
    assert parse(**params)[0].datasets[0].values == values


def test_chl_labels_the_points_of_bars_lines_and_bubbles():
    style = parse(cht="bvs", chd="t:1,2|3,4", chl="a|b||d")[1]
    assert style.point_labels == (("a", "b"), ("", "d"))
    assert parse(cht="bb", chd="t:1,2,3,_,4,5", chl="x|y")[1].point_labels == (("x", "y"),)
    # with chxt=x and no chxl, chl names the categories instead (as Image-Charts documents)
    spec, style, _ = parse(cht="bvs", chd="t:1,2", chxt="x", chl="a|b")
    assert spec.labels == ("a", "b") and style.point_labels == ()


def test_animation_with_only_an_easing():
    animation = parse(chan="easeOutBounce")[1].animation
    assert (animation.duration_ms, animation.easing) == (1200, "easeOutBounce")


def test_other_lenient_parameters():
    spec, style, warnings = parse(
        chco="FF0000,,|",
        chts="FF0000,huge,middle",
        chdl="a",
        chdlp="q",
        chdls="red,12",
        chg="20,abc",
        chls="thick,2",
        chds="0,100,7",
    )
    assert spec.datasets[0].border_color == "#ff0000ff"
    assert spec.title is None and style.legend_size == 12 and spec.legend.position == "bottom"
    assert spec.datasets[0].border_width == 2 and spec.datasets[0].border_dash == (2, 2)
    assert set(warnings) == {
        "chts.font_size",
        "chts.alignment",
        "chdlp",
        "chdls.color",
        "chg",
        "chls[0]",
        "chds",
    }
    assert parse(**{" chtt\n": "Hi"})[0].title.lines == ("Hi",)  # names broken over lines
    assert parse(CHTT="Hi")[0].title.lines == ("Hi",)  # and in capitals


def test_what_image_charts_refuses_stays_refused():
    for params, field in (
        ({"cht": "zz"}, "cht"),
        ({"chs": "wide"}, "chs"),
        ({"chd": "t:1,one"}, "chd"),
        ({"chd": "t:1e400"}, "chd"),
        ({"chd": "q:1"}, "chd"),
        ({"chco": "rouge"}, "chco"),
        ({"chan": "5"}, "chan"),
    ):
        with pytest.raises(SpecError) as err:
            parse(**params)
        assert err.value.field == field
