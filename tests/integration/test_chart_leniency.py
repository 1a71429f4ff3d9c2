"""Image-Charts leniency through real HTTP (issue 12, part 1; issue 16, defect 2): ``GET /chart``
renders what Image-Charts renders, ignores what it cannot draw and says so in ``X-Chart-Warnings``,
and never answers 5xx for extreme numbers. Each class of real-world URL that used to be refused has
its own examples here; where the rule is about what is drawn, the pixels are checked too.
"""

from __future__ import annotations

import io
import uuid

import numpy as np
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from PIL import Image

from tests.support.imagecharts_strategies import extreme_request

BAR = {"cht": "bvs", "chs": "300x150", "chd": "t:10,40,60,80", "chco": "0000FF"}
LINE = {"cht": "lc", "chs": "300x150", "chd": "t:10,90,40,70,20", "chco": "0000FF"}


def get(http, api_url, params: dict[str, str]):
    r = http.get(f"{api_url}/chart", params=params)
    assert r.status_code == 200, (params, r.status_code, r.text[:300])
    return r


def warnings_of(response) -> list[str]:
    header = response.headers.get("X-Chart-Warnings", "")
    return [w.strip() for w in header.split(",") if w.strip()]


def pixels(response) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGBA"))


def red_pixels(rgba: np.ndarray) -> int:
    r, g, b = rgba[..., 0].astype(int), rgba[..., 1].astype(int), rgba[..., 2].astype(int)
    return int(((r > 180) & (g < 90) & (b < 90)).sum())


def fresh(params: dict[str, str]) -> dict[str, str]:
    """The same chart with a title nobody else uses: never a cache hit from another test."""
    return {**params, "chtt": uuid.uuid4().hex[:6]}


# chxs ----------------------------------------------------------------------------------------------


def test_chxs_font_size_zero_hides_the_labels(api_url, http):
    base = fresh({**LINE, "chxt": "y"})
    shown = pixels(get(http, api_url, {**base, "chxs": "0,FF0000,14"}))
    hidden = get(http, api_url, {**base, "chxs": "0,FF0000,0"})
    assert red_pixels(shown) > 50  # the red labels are drawn...
    assert red_pixels(pixels(hidden)) == 0  # ...and with size 0 there are none
    assert warnings_of(hidden) == []


def test_chxs_unknown_style_tokens_and_malformed_colours_are_ignored(api_url, http):
    base = fresh({**LINE, "chxt": "y"})
    unknown_token = get(http, api_url, {**base, "chxs": "0,FF0000,14,0,zz"})
    assert warnings_of(unknown_token) == ["chxs[0]"]
    assert red_pixels(pixels(unknown_token)) > 50  # the parts understood still apply
    bad_colour = get(http, api_url, {**base, "chxs": "0,crimson,14,0,lt,nothex"})
    assert warnings_of(bad_colour) == ["chxs[0]"]
    assert red_pixels(pixels(bad_colour)) == 0  # default label colour
    # skip-labels flag, alignment -1 and a transparent colour, as progress bars write them
    r = get(http, api_url, {**base, "chxs": "0,FFFFFF00,0,-1,_,FFFFFF00,FFFFFF00|0,s"})
    assert warnings_of(r) == []


# chma ----------------------------------------------------------------------------------------------


def test_negative_margins_draw_a_progress_bar_to_the_edges(api_url, http):
    bar = {"cht": "bhs", "chs": "300x40", "chd": "a:70|30", "chco": "0000FF,DDDDDD", "chf": "bg,s,FFFFFF"}
    padded = pixels(get(http, api_url, {**bar, "chma": "0,0,0,0"}))
    r = get(http, api_url, {**bar, "chma": "-10,0,0,-10"})
    flush = pixels(r)
    assert warnings_of(r) == []
    middle = flush.shape[0] // 2
    assert tuple(flush[middle, 0, :3]) == (0, 0, 255)  # the bar starts at the image's left edge
    assert tuple(padded[middle, 0, :3]) == (255, 255, 255)  # with no margin there is padding
    # out-of-range and non-numeric margins are clamped or ignored, never refused
    r = get(http, api_url, {**bar, "chma": "-5000,x,0,0,9|20,20"})
    assert warnings_of(r) == ["chma"]


# chm -----------------------------------------------------------------------------------------------


def test_markers_with_empty_which_points_mark_every_point(api_url, http):
    base = fresh(LINE)
    empty = get(http, api_url, {**base, "chm": "o,FF0000,0,,9"})
    every = get(http, api_url, {**base, "chm": "o,FF0000,0,-1,9"})
    assert warnings_of(empty) == [] and empty.content == every.content
    assert red_pixels(pixels(empty)) > 5 * 30  # five red dots


def test_markers_with_non_numbers_are_lenient(api_url, http):
    base = fresh(LINE)
    every = get(http, api_url, {**base, "chm": "o,FF0000,0,-1,10"})
    which = get(http, api_url, {**base, "chm": "o,FF0000,0,every,10"})
    assert warnings_of(which) == ["chm[0]"] and which.content == every.content  # all points
    size = get(http, api_url, {**base, "chm": "o,FF0000,0,-1,big"})
    assert warnings_of(size) == ["chm[0]"] and size.content == every.content  # default size 10
    series = get(http, api_url, {**base, "chm": "o,FF0000,first,-1,10"})
    assert warnings_of(series) == ["chm[0]"] and red_pixels(pixels(series)) == 0  # nothing to mark


def test_marker_z_order_is_clamped(api_url, http):
    base = fresh({**BAR, "chm": "N,FF0000,0,-1,12"})
    for high, low in (("1", "-1"),):
        top = get(http, api_url, {**base, "chm": f"N,FF0000,0,-1,12,{high}"})
        above = get(http, api_url, {**base, "chm": "N,FF0000,0,-1,12,7.5"})
        bottom = get(http, api_url, {**base, "chm": f"N,FF0000,0,-1,12,{low}"})
        below = get(http, api_url, {**base, "chm": "N,FF0000,0,-1,12,-40"})
        assert above.content == top.content and below.content == bottom.content
        assert warnings_of(above) == warnings_of(below) == []


def test_marker_ranges_count_back_from_the_end_and_dline_zero_means_all(api_url, http):
    base = fresh(LINE)
    last_two = get(http, api_url, {**base, "chm": "s,FF0000,0,-2:-1,10"})
    explicit = get(http, api_url, {**base, "chm": "s,FF0000,0,3:4,10"})
    assert last_two.content == explicit.content and warnings_of(last_two) == []
    compound = {"cht": "bvs", "chs": "300x150", "chd": "t1:10,40,60|30,20,50", "chco": "0000FF"}
    r = get(http, api_url, fresh({**compound, "chm": "D,FF0000,1,0,3,1"}))
    assert warnings_of(r) == [] and red_pixels(pixels(r)) > 100  # the hidden series, as a red line


# chf -----------------------------------------------------------------------------------------------


def test_fills_we_cannot_draw_are_ignored_with_a_warning(api_url, http):
    base = fresh(BAR)
    plain = get(http, api_url, base)
    for chf in ("bg,i,https://example.com/background.png", "bg,ri,1,2", "zz,s,FF0000", "bg,s,rouge", "bg,s"):
        r = get(http, api_url, {**base, "chf": chf})
        assert warnings_of(r) == ["chf[0]"] and r.content == plain.content, chf
    # the fills it understands still apply next to the ignored one
    r = get(http, api_url, {**base, "chf": "bg,i,https://example.com/a.png|bg,s,FF0000|"})
    assert warnings_of(r) == ["chf[0]"] and tuple(pixels(r)[2, 2, :3]) == (255, 0, 0)


# chof ----------------------------------------------------------------------------------------------


def test_chof_cache_busters_are_ignored_and_svg_is_honoured_for_qr_codes(api_url, http):
    base = fresh(BAR)
    plain = get(http, api_url, base)
    busted = get(http, api_url, {**base, "chof": "1535403433426"})
    assert busted.headers["Content-Type"] == "image/png" and busted.content == plain.content
    assert warnings_of(busted) == ["chof"]
    assert warnings_of(get(http, api_url, {**base, "chof": ".PNG"})) == []
    chart_svg = get(http, api_url, {**base, "chof": ".svg"})  # charts are PNG whatever chof says
    assert chart_svg.headers["Content-Type"] == "image/png" and warnings_of(chart_svg) == ["chof"]
    qr = {"cht": "qr", "chs": "150x150", "chl": f"hello {uuid.uuid4().hex}", "choe": "UTF-8"}
    svg = get(http, api_url, {**qr, "chof": ".svg"})
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and warnings_of(svg) == []
    assert b'width="150px" height="150px"' in svg.content and b"<path" in svg.content
    assert b"<image" not in svg.content  # modules are vector shapes, not an embedded bitmap
    assert 'filename="chart.svg"' in svg.headers["Content-Disposition"]
    png = get(http, api_url, {**qr, "chof": ".png"})
    assert png.headers["Content-Type"] == "image/png"


# bubble charts -------------------------------------------------------------------------------------


def coloured(rgba: np.ndarray, rgb: tuple[int, int, int]) -> int:
    return int((np.abs(rgba[..., :3].astype(int) - rgb).sum(axis=2) < 30).sum())


@pytest.mark.parametrize(
    "chd",
    [
        "t:40,60,10,_,47,40,12,_,10,10,20",  # x,y,r bubbles separated by _
        "a:400,600,10,_,470,400,12,_,100,100,20",  # the automatic-scaling form
        "t:40,60,10,_,47,40,12,_,10,10,20,_",  # a trailing separator
        "t:40,60,10,_,47,40,_,10,10,20",  # a bubble without its radius (1 px)
        "t:40,60,10",  # a single bubble
    ],
)
def test_bubble_charts_in_every_documented_layout(api_url, http, chd):
    r = get(
        http, api_url, fresh({"cht": "bb", "chs": "300x200", "chd": chd, "chco": "0000FF", "chxt": "x,y"})
    )
    assert warnings_of(r) == []
    assert coloured(pixels(r), (0, 0, 255)) > 300


def test_bubble_series_radius_and_colours(api_url, http):
    base = fresh({"cht": "bb", "chs": "300x200", "chco": "0000FF,FF0000"})
    two = pixels(get(http, api_url, {**base, "chd": "t:30,30,20,_,60,60,10|70,20,25"}))
    assert coloured(two, (0, 0, 255)) > 1000 and coloured(two, (255, 0, 0)) > 1500  # one colour per series
    small = pixels(get(http, api_url, {**base, "chd": "t:50,50"}))  # no radius: 1 px
    big = pixels(get(http, api_url, {**base, "chd": "t:50,50,40"}))
    assert coloured(small, (0, 0, 255)) < 30 < 4000 < coloured(big, (0, 0, 255))
    huge = get(http, api_url, {**base, "chd": "a:1,2,1e308,_,3,4,-1e308"})  # radii clamped
    assert huge.headers["Content-Type"] == "image/png"


def test_chl_labels_are_drawn_at_bars_and_bubbles(api_url, http):
    for params in (BAR, {"cht": "bb", "chs": "300x150", "chd": "t:20,20,30,_,60,60,30"}):
        base = fresh(params)
        plain = pixels(get(http, api_url, base))
        labelled = get(http, api_url, {**base, "chl": "WWW|MMM||"})
        assert warnings_of(labelled) == []
        dark = (pixels(labelled)[..., :3].max(axis=2) < 110).sum() - (plain[..., :3].max(axis=2) < 110).sum()
        assert dark > 20  # the label text


# other real-world forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"cht": "BVS", "chd": "T:10,20,30"},  # upper case type and format
        {"cht": "bvs", "chd": "t:10,20,30|"},  # a trailing series separator
        {"cht": "bvs", "chd": "t: 10, 20 ,30 "},  # spaces around values
        {"cht": "lc", "chd": "t:10,_,30,-1,50"},  # missing values, Google style
        {"cht": "lc", "chd": "t:10,null,30,NaN,undefined"},  # what templates print for missing numbers
        {"cht": "bvs", "chd": "t:"},  # no values at all: an empty chart
        {"cht": "bvs", "chd": "t:1,2|3,4", "chco": "FF0000,"},  # a trailing colour separator
        {"cht": "bvg", "chd": "t:1,2|3,4|5,6", "chco": "FF0000"},  # fewer colours than series
        {"cht": "p", "chd": "t:1,2,3", "chl": "a|b|c|d|e"},  # more labels than slices
        {"cht": "p", "chd": "t:1,2,3", "chl": "a"},  # fewer labels than slices
        {"cht": "bvs", "chd": "t:1,2,3", "chxt": "x,y", "chl": "a"},  # fewer category labels
        {"cht": "bvs", "chd": "s:AZ|az|09"},  # simple encoding with | between series
        {"cht": "lc", "chd": "t:1,2,3", "chxt": "x,y", "chxl": "0:|Jan|Feb|Mar|"},  # trailing pipe
        {"cht": "lc", "chd": "t:1,2,3", "chxr": "1,0,100,0"},  # a zero step: nice ticks
        {"cht": "lc", "chd": "t:1,2,3", "chds": "A"},  # automatic scaling in upper case
        {"cht": "lxy", "chd": "t:10,20,30"},  # one series: evenly spaced
        {"cht": "s", "chd": "t:10,20,30"},  # y values only
        {"cht": "lc", "chd": "t:1,2,3", "chg": "20", "chls": "thick", "chts": "FF0000,huge,middle"},
        {"cht": "lc", "chd": "t:1,2,3", "chdl": "one", "chdlp": "q", "chdls": "red,12"},
    ],
)
def test_real_world_forms_render(api_url, http, params):
    r = get(http, api_url, fresh({"chs": "200x120", **params}))
    assert r.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (200, 120)


def test_parameter_names_with_whitespace_from_urls_broken_over_lines(api_url, http):
    query = "cht=bvs%0A&%0Achs=200x120&%20chd=t:1,2,3%0A&chtt=" + uuid.uuid4().hex[:6]
    r = http.get(f"{api_url}/chart?{query}")
    assert r.status_code == 200, r.text


def test_what_image_charts_refuses_is_still_refused(api_url, http):
    for params, field in (
        ({"cht": "nope", "chs": "200x100", "chd": "t:1"}, "cht"),
        ({"cht": "bvs", "chs": "huge", "chd": "t:1"}, "chs"),
        ({"cht": "bvs", "chs": "200x100", "chd": "t:1,one"}, "chd"),
        ({"cht": "bvs", "chs": "200x100", "chd": "t:1e999"}, "chd"),
        ({"cht": "bvs", "chs": "200x100", "chd": "t:1", "chan": "99999"}, "chan"),
    ):
        r = http.get(f"{api_url}/chart", params=params)
        assert r.status_code == 400 and r.json()["field"] == field, (params, r.text)


# extreme numbers (issue 16, defect 2) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"cht": "lc", "chd": "a:1e308,-1e308"},
        {"cht": "bvs", "chd": "a:1e308,-1e308"},
        {"cht": "bvs", "chd": "t:1,2,3", "chds": "-1e308,1e308"},
        {"cht": "lc", "chd": "t:1,2,3", "chds": "-1e308,1e308", "chxt": "x,y", "chxr": "1,-1e308,1e308"},
        {"cht": "bvs", "chd": "a:1e308,1e308|1e308,1e308"},  # stacked sums stay finite
        {"cht": "lc", "chd": "a:5e-324,1e-320,0"},  # subnormal numbers
        {"cht": "p", "chd": "a:1e308,1e308,-5"},
        {"cht": "r", "chd": "a:1e308,-1e308,1", "chxt": "y"},
        {"cht": "lxy", "chd": "a:1e308,-1e308|1,2", "chm": "N*e2*,000000,0,-1,10"},
    ],
)
def test_extreme_numbers_render(api_url, http, params):
    r = get(http, api_url, fresh({"chs": "200x120", **params}))
    assert r.headers["Content-Type"] == "image/png"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(extreme_request())
def test_random_extreme_requests_are_never_a_server_error(api_url, params):
    r = requests.get(f"{api_url}/chart", params=params, timeout=60)
    assert r.status_code in (200, 400), (params, r.status_code, r.text[:300])
    if r.status_code == 400:
        assert r.headers["X-Ic-Error-Code"].startswith("IC_") and r.json()["field"]
    else:
        assert r.headers["Content-Type"] in ("image/png", "image/gif")


def test_pie_of_huge_values_draws_their_shares(api_url, http):
    """``cht=p&chd=a:1e308,1e308``: the total overflowed (a 500); the pie shows two halves."""
    r = http.get(f"{api_url}/chart", params={"cht": "p", "chs": "200x200", "chd": "a:1e308,1e308"})
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG", r.text
