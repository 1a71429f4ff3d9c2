"""Image-Charts parameters to ChartSpec: required parameters, chart types and their fallbacks,
colours, fills, legends, axes, markers, animation, and the errors (parameter + stable code)."""

from __future__ import annotations

import json

import pytest

from core.specs.errors import SpecError
from core.specs.imagecharts import ImageChartsStyle, codes, parse_imagecharts
from core.specs.imagecharts.params import EASINGS
from core.specs.model import ChartSpec
from tests.support.imagecharts_examples import EXAMPLES

BASE = {"cht": "bvg", "chs": "300x200", "chd": "t:10,20,30"}


def parse(**params):
    result = parse_imagecharts({k: v for k, v in {**BASE, **params}.items() if v is not None})
    spec = result.spec
    assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec
    return spec, ImageChartsStyle.from_spec(spec), result.warnings


def error(**params) -> SpecError:
    with pytest.raises(SpecError) as err:
        parse_imagecharts({k: v for k, v in {**BASE, **params}.items() if v is not None})
    assert err.value.code in codes.ALL_CODES
    return err.value


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_document_example_parses_and_round_trips(name):
    spec = parse_imagecharts(EXAMPLES[name]).spec
    assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec
    assert spec.format == ("gif" if "chan" in EXAMPLES[name] else "png")


@pytest.mark.parametrize("name", ["cht", "chs", "chd"])
def test_required_parameters(name):
    err = error(**{name: None})
    assert err.field == name and err.code == codes.MISSING_PARAMETER and "required" in err.message


def test_parameters_in_any_order_and_unknown_ones_reported():
    spec, _, warnings = parse(zzz="1", icac="me", ichm="0" * 64, chof=".png", key="x")
    assert spec.type == "bar" and warnings == ("zzz",)


@pytest.mark.parametrize(
    "chs, code",
    [
        ("999x999", None),
        ("1x1", None),
        ("1000x10", codes.CHART_SIZE_TOO_LARGE),
        ("10x1000", codes.CHART_SIZE_TOO_LARGE),
        ("0x10", codes.INVALID_CHART_SIZE),
        ("700", codes.INVALID_CHART_SIZE),
        ("axb", codes.INVALID_CHART_SIZE),
    ],
)
def test_sizes(chs, code):
    if code is None:
        spec, _, _ = parse(chs=chs)
        assert f"{spec.width}x{spec.height}" == chs
    else:
        assert error(chs=chs).code == code


@pytest.mark.parametrize(
    "cht, kind, horizontal, stacked",
    [("bvs", "bar", False, True), ("bvo", "bar", False, True), ("bhs", "bar", True, True),
     ("bvg", "bar", False, False), ("bhg", "bar", True, False)],
)  # fmt: skip
def test_bar_types(cht, kind, horizontal, stacked):
    spec, _, _ = parse(cht=cht, chd="t:1,2|3,4")
    assert spec.type == kind and (spec.index_axis == "y") == horizontal
    assert spec.axis("x").stacked == stacked and spec.axis("y").stacked == stacked


@pytest.mark.parametrize("cht, kind", [("p", "pie"), ("p3", "pie"), ("pc", "pie"), ("pd", "doughnut")])
def test_pie_types(cht, kind):
    spec, _, _ = parse(cht=cht, chd="t:1,2|3,4")
    assert spec.type == kind and len(spec.datasets) == 2  # several series: concentric rings


def test_other_types():
    for cht, kind in (
        ("r", "radar"),
        ("rs", "radar"),
        ("pa", "polarArea"),
        ("s", "scatter"),
        ("bb", "bubble"),
    ):
        spec, _, _ = parse(cht=cht, chd="t:1,2,3|4,5,6|7,8,9")
        assert spec.type == kind, cht
    assert parse(cht="s", chd="t:1,2,3|4,5,6|7,8,9")[0].datasets[0].type == "bubble"  # third series: sizes
    spec, _, _ = parse(cht="s", chd="t:1,2,3|4,5,6")
    assert spec.type == "scatter"
    assert parse(cht="rs")[0].datasets[0].tension > 0 and parse(cht="r")[0].datasets[0].tension == 0


def test_unknown_type():
    err = error(cht="xyz")
    assert err.field == "cht" and err.code == codes.INVALID_CHART_TYPE


def test_lines_hide_points_and_honour_nda_and_sparklines():
    spec, _, _ = parse(cht="lc")
    assert spec.type == "line" and spec.datasets[0].point_radius == 0
    assert spec.axis("x").display and not spec.axis("x").ticks_display
    assert not parse(cht="lc:nda")[0].axis("y").display
    assert not parse(cht="ls")[0].axis("x").display
    assert parse(cht="ls", chxt="y")[0].axis("y").display


def test_lxy_pairs_and_evenly_spaced_series():
    spec, _, _ = parse(cht="lxy", chd="t:10,50|20,30|-1|5,10,22")
    first, second = spec.datasets
    assert [(p.x, p.y) for p in first.points] == [(10, 20), (50, 30)]
    assert [p.x for p in second.points] == [0, 50, 100] and spec.axis("x").type == "linear"
    assert parse(cht="lxy", chd="t:1|2|3")[2] == ("chd[2]",)  # an x series without its y: ignored
    assert [p.x for p in parse(cht="lxy", chd="t:5,7,9")[0].datasets[0].points] == [0, 1, 2]


def test_basic_text_axis_range_and_custom_scaling_axis():
    assert (parse()[0].axis("y").min, parse()[0].axis("y").max) == (0, 100)
    spec, _, _ = parse(chd="t:30,-60,50,140,80,-90", chds="-80,140")
    assert (spec.axis("y").min, spec.axis("y").max) == (-80, 140)
    auto = parse(chd="t:-5,30", chds="a")[0].axis("y")
    assert auto.min is None and auto.begin_at_zero
    assert parse(chd="s:A9")[0].axis("y").max == 61 and parse(chd="e:..")[0].axis("y").max == 4095


def test_series_with_different_ranges_share_the_first_series_axis():
    spec, style, _ = parse(chd="t:50|5", chds="0,100,0,10")
    assert spec.datasets[1].values == (50,)  # 5 of 0..10 drawn as 50 of 0..100
    offset, factor = style.display[1]
    assert offset + factor * 50 == pytest.approx(5)


def test_series_and_bar_colours_mixed_and_cycling():
    spec, _, _ = parse(chd="t:1,2,3|4,5,6|7,8,9", chco="000000,FF0000|00FF00|0000FF")
    colors = [d.background_color for d in spec.datasets]
    assert colors == ["#000000ff", ("#ff0000ff", "#00ff00ff", "#0000ffff"), "#000000ff"]
    assert parse(chco="FF000080")[0].datasets[0].background_color == "#ff000080"
    err = error(chco="GGGGGG")
    assert err.field == "chco" and err.code == codes.INVALID_COLOR


def test_default_palette_cycles():
    spec, _, _ = parse(chd="t:1|2|3|4|5|6")
    assert spec.datasets[0].background_color == spec.datasets[5].background_color == "#f56991ff"


def test_pie_colours():
    one = parse(cht="p", chd="t:1,2,3", chco="0000FF")[0].datasets[0].background_color
    assert one[0] == "#0000ffff" and len(set(one)) == 3  # gradations from darkest to lightest
    gradient = parse(cht="p", chd="t:1,2,3", chco="FFFF10,FF2027")[0].datasets[0].background_color
    assert gradient[0] == "#ffff10ff" and gradient[-1] == "#ff2027ff"
    slices = parse(cht="p", chd="t:1,2,3", chco="EA469E|03A9F4")[0].datasets[0].background_color
    assert slices == ("#ea469eff", "#03a9f4ff", "#ea469eff")
    rings = parse(cht="p", chd="s:eYY,ORVM", chco="FF8008|FFBF0C|11B11B,03A9F4|EA469E")[0].datasets
    assert rings[1].background_color == ("#03a9f4ff", "#ea469eff", "#03a9f4ff", "#ea469eff")
    negative = parse(cht="p", chd="t:5,-5", chds="a")[0].datasets[0].background_color
    assert negative[1] == "#00000000"


def test_pie_labels_split_over_series_and_skip():
    spec, style, _ = parse(cht="p", chd="t:1,2|3,4,5", chl="A||C|D", chdl="x|y")
    assert style.point_labels == (("A", ""), ("C", "D"))
    assert spec.labels == ("x", "y") and spec.legend.display


@pytest.mark.parametrize("name", ["chli", "chdil"])
def test_doughnut_inside_label_under_both_names(name):
    assert parse(cht="pd", **{name: "95K€"})[1].inside_label == "95K€"


def test_fills():
    spec, style, _ = parse(chf="bg,s,EFEFEF|c,s,000000")
    assert spec.background_color == "#efefefff"  # bg wins over c
    assert parse(chf="c,s,112233")[0].background_color == "#112233ff"  # c alone paints the background
    assert parse(chf="a,s,00000080")[1].opacity == pytest.approx(128 / 255)
    spec, style, _ = parse(chf="b0,lg,90,03a9f4,0,3f51b5,1", chco="FF0000")
    assert style.series_gradients[0][1].stops == (("#03a9f4ff", 0.0), ("#3f51b5ff", 1.0))
    assert spec.datasets[0].background_color == "#03a9f4ff"
    assert parse(chf="b0,ls,0,FFE7C6,.3,76A4FB,.1")[0].datasets[0].background_color == "#ffe7c6ff"
    _, style, _ = parse(cht="p", chf="ps0-1,lg,45,ffeb3b,0.2,f44336,1")
    assert [(k, j) for k, j, _ in style.slice_gradients] == [(0, 1)]
    assert parse(chf="bg,lg,0,FFE7C6,0,76A4FB,1")[1].background is not None
    # What cannot be drawn is ignored and reported, never refused (Image-Charts ignores it too)
    for bad in ("zz,s,000000", "bg,q,000000", "a,lg,0,FFFFFF,0,000000,1", "bg,s", "bg,s,nocolour"):
        spec, _, warnings = parse(chf=bad)
        assert spec.background_color is None and warnings == ("chf[0]",), bad
    assert parse(chf="bg,lg,0,FFFFFF")[0].background_color == "#ffffffff"  # one stop: a solid fill


def test_title_and_legend():
    spec, style, _ = parse(
        chtt="Site+visitors|by month", chts="FF0000,20,r", chdl="A", chdlp="t", chdls="9e9e9e,17"
    )
    assert spec.title.lines == ("Site+visitors by month",) and spec.title.color == "#ff0000ff"
    assert spec.title.font_size == 20 and style.title_align == "right"
    assert spec.legend.position == "top" and spec.legend.color == "#9e9e9eff" and style.legend_size == 17
    assert parse(chdlp="bs")[1].legend_skip_empty
    assert not parse()[0].legend.display


def test_margins_grid_and_line_styles():
    spec, style, _ = parse(cht="lc", chma="10,100,20", chg="20,0,1,5", chls="3,6,3")
    assert style.margins == (10, 100, 20, 0)
    assert spec.axis("x").grid_display and not spec.axis("y").grid_display
    assert style.axis("x").grid_dash == (1, 5)
    assert spec.datasets[0].border_width == 3 and spec.datasets[0].border_dash == (6, 3)
    assert parse(cht="lc", chls="4,2")[0].datasets[0].border_dash == (2, 2)


def test_axes():
    spec, style, _ = parse(
        cht="lc",
        chd="t:1,2,3,4,5",
        chxt="x,y",
        chxl="0:|Jan|Feb|Mar|Apr|May",
        chxr="1,-50,50,25",
        chxs="1N*f1z*,FF0000,14,0,t",
    )
    assert spec.labels == ("Jan", "Feb", "Mar", "Apr", "May")
    assert (spec.axis("y").min, spec.axis("y").max) == (-50, 50)
    y = style.axis("y")
    assert y.ticks == ((-50, "-50.0"), (-25, "-25.0"), (0, "0.0"), (25, "25.0"), (50, "50.0"))
    assert y.label_color == "#ff0000ff" and y.label_size == 14 and not y.show_line and y.show_ticks
    spread = parse(cht="lc", chd="t:1,2,3,4,5", chxt="x", chxl="0:|a|b|c")[1].axis("x")
    assert spread.relative and spread.ticks == ((0, "a"), (0.5, "b"), (1, "c"))
    placed = parse(cht="lc", chxt="x", chxl="0:|a|b", chxp="0,25,75")[1].axis("x")
    assert placed.ticks == ((0.25, "a"), (0.75, "b"))
    assert parse(chxt="y", chxr="0,100,0")[0].axis("y").reverse


def test_axis_settings_for_missing_axes_are_reported():
    _, _, warnings = parse(chxt="x", chxr="1,0,10")
    assert warnings == ("chxr[1]",)
    assert parse(chxt="x,q")[2] == ("chxt[1]",)
    assert parse(chxt="x", chxl="Jan|Feb")[2] == ("chxl",)


def test_line_fills_and_markers():
    spec, style, _ = parse(
        cht="lc",
        chd="t:1,2|3,4",
        chm="B,76A4FB,0,0,0|b,FF0000,0,1,0|N*f1*,000000,0,-1,11|o,FF0000,1,0:1:1,8|a,000000,0,0,5",
    )
    assert spec.datasets[0].fill == "1" and spec.datasets[0].background_color == "#ff0000ff"
    kinds = [m.kind for m in style.markers]
    assert kinds == ["value", "circle"]
    assert style.markers[0].number.decimals == 1 and style.markers[1].end == 1
    assert parse(cht="lc", chm="B,76A4FB,0,0,0")[0].datasets[0].fill == "start"
    _, _, warnings = parse(chm="N,000000")  # no series index: nothing to mark
    assert warnings == ("chm[0]",)


def test_animation():
    spec, style, _ = parse(chan="")
    assert spec.format == "gif" and style.animation.duration_ms == 1200
    assert parse(chan="1000,easeOutBack")[1].animation.easing == "easeOutBack"
    for easing in EASINGS:
        assert parse(chan=f"500,{easing}")[1].animation.easing == easing
    for bad in ("5", "1501", "100,easeoutback", "100,linear", "fast"):
        err = error(chan=bad)
        assert err.field == "chan" and err.code == codes.INVALID_ANIMATION


def test_output_format_follows_animation():
    assert parse(chof=".gif")[0].format == "png"
    assert parse(chof=".png", chan="")[0].format == "gif"
    spec, _, warnings = parse(chof=".jpg")
    assert spec.format == "png" and warnings == ("chof",)


def test_qr_codes():
    spec, style, _ = parse(cht="qr", chd=None, chl="https://example.com", chld="H|2")
    assert spec.type == "qr" and style.qr.level == "H" and style.qr.margin == 2
    assert error(cht="qr", chd=None).field == "chl"
    assert error(cht="qr", chl="x", chld="Z").field == "chld"
    assert error(cht="qr", chl="x" * 3000, chld="H").code == codes.LIMIT_EXCEEDED
    assert parse(cht="qr", chl="x", choe="Shift_JIS")[2] == ("choe",)  # encoded as UTF-8, reported


def test_retina_doubles_pixels():
    spec, _, _ = parse(icretina="1")
    assert (spec.pixel_width, spec.pixel_height) == (600, 400)
