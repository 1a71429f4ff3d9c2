"""Chart.js leniency and hostile-but-valid input through real HTTP (api -> worker -> S3): what
Chart.js draws renders, extremes never give a 5xx, and error bodies carry no internals."""

from __future__ import annotations

import io
import json
import uuid
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image


def chart(data, *, kind="bar", labels=("a", "b", "c"), options=None, **extra):
    spec = {
        "type": kind,
        "width": 300,
        "height": 200,
        "data": {"labels": list(labels), "datasets": [{"label": "s", "data": data}]},
        "options": {"plugins": {"title": {"text": f"t {uuid.uuid4().hex[:8]}"}}, **(options or {})},
    }
    spec.update(extra)
    return spec


def post(http, api_url, spec):
    return http.post(f"{api_url}/api/v1/render", json=spec)


def warnings_of(response) -> list[str]:
    header = response.headers.get("X-Chart-Warnings", "")
    return [unquote(part) for part in header.split(", ") if part]


def assert_png(response, size=(300, 200)):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == size


def test_lone_surrogate_in_labels_renders(api_url, http):
    # json= escapes non-ASCII, so the body carries the JSON escape "\ud800" exactly as a client would
    spec = chart([1, 2, 3], labels=("\ud800", "b\udfff", "c"))
    spec["data"]["datasets"][0]["label"] = "\udbff"
    spec["options"]["plugins"]["title"]["text"] = "\ud800 title"
    assert_png(post(http, api_url, spec))


@pytest.mark.parametrize("key", ["\ud800odd", "\x00odd"])
def test_unstorable_characters_in_an_ignored_key_are_reported_readably(api_url, http, key):
    # the warnings are stored as jsonb, which refuses NUL and unpaired surrogates (found by schemathesis)
    spec = chart([1, 2, 3])
    spec["options"][key] = 1
    spec["data"]["labels"][0] = "a\x00b"
    r = post(http, api_url, spec)
    assert_png(r)
    assert "options.\ufffdodd" in warnings_of(r)


@pytest.mark.parametrize(
    ("spec", "warned"),
    [
        (chart([1e308, -1e308, 5e-324]), {"data.datasets[0].data[0]", "data.datasets[0].data[1]"}),
        (chart([1, 2, 3], kind="line", options={"scales": {"y": {"min": -1e308, "max": 1e308}}}), None),
        (chart([1, 2, 3], options={"scales": {"yAxes": [{"ticks": {"min": -1e308, "max": 1e308}}]}}), None),
        (chart([1, 2, 3], options={"scales": {"y": {"min": 10, "max": 0}}}), {"options.scales.y.min"}),
        (chart([0, -1, 5], kind="line", options={"scales": {"y": {"type": "logarithmic", "min": 0}}}), None),
        (chart([None, None, None], kind="line"), set()),
        (chart([0, 0, 0], kind="pie"), set()),
        (chart([-1, 2, 3], kind="pie"), set()),
        (chart([1e308, 1e308, 1], kind="doughnut"), None),
        (chart([-1e308, 1e308, 0], kind="radar"), None),
        (chart([1, 2, 3], kind="line", options={"scales": {"y": {"min": 0}}}), set()),
    ],
)
def test_extreme_but_valid_input_renders(api_url, http, spec, warned):
    r = post(http, api_url, spec)
    assert_png(r)
    if warned is not None:
        assert set(warnings_of(r)) == warned


def test_huge_axis_spans_and_bubble_radii(api_url, http):
    spec = chart([{"x": -1e300, "y": 1e300, "r": 1e308}, {"x": 1e300, "y": -1e300, "r": 3}], kind="bubble")
    r = post(http, api_url, spec)
    assert_png(r)
    assert warnings_of(r) == ["data.datasets[0].data[0].r"]


def test_simple_query_form_with_extremes(api_url, http):
    r = http.get(f"{api_url}/api/v1/render", params={"data": "1e308,-1e308,2", "width": 300, "height": 200})
    assert_png(r)


def test_simple_query_form_draws_no_empty_legend_swatch(api_url, http):
    # the tallest bar is on the left: a centred legend swatch would be the only colour top-centre
    r = http.get(f"{api_url}/api/v1/render", params={"data": "5,3,2", "labels": "a,b,c"})
    assert r.status_code == 200, r.text
    image = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB")).astype(int)
    top_centre = image[:40, 300:500]
    coloured = (np.ptp(top_centre, axis=-1) > 10).sum()  # grey grid and text have r == g == b
    assert coloured == 0
    with_label = http.post(
        f"{api_url}/api/v1/render",
        json={
            "type": "bar",
            "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "s", "data": [5, 3, 2]}]},
        },
    )
    image = np.asarray(Image.open(io.BytesIO(with_label.content)).convert("RGB")).astype(int)
    assert (np.ptp(image[:40, 300:500], axis=-1) > 10).sum() > 0  # a named dataset keeps its swatch


def test_numeric_strings_draw_exactly_as_numbers(api_url, http):
    title = {"plugins": {"title": {"text": f"same {uuid.uuid4().hex[:8]}"}}}
    as_numbers = chart([12, 19.5, -3], options=title)
    as_text = chart(["12", "19.5", " -3 "], options=title)
    a, b = post(http, api_url, as_numbers), post(http, api_url, as_text)
    assert_png(a)
    assert_png(b)
    assert a.headers["ETag"] == b.headers["ETag"]  # the same chart, hence the same cache entry
    assert b.headers["X-Cache"] == "HIT"


def test_date_strings_on_a_time_axis(api_url, http):
    spec = chart(
        [
            {"x": "01/05/2024", "y": "1"},
            {"x": "2024-01-06 10:30", "y": 2},
            {"x": "2024-01-07T00:00:00", "y": 3},
        ],
        kind="line",
        labels=(),
        options={"scales": {"x": {"type": "time"}}},
    )
    assert_png(post(http, api_url, spec))


@pytest.mark.parametrize("layout", ["vertical", "stacked", "horizontal", "2x horizontalBar"])
def test_floating_bars(api_url, http, layout):
    spec = chart([[1, 5], [-2, 3], [2, 4]])
    spec["data"]["datasets"].append({"label": "t", "data": [[0, 1], 2, [1, 3]]})
    if layout == "stacked":
        spec["options"]["scales"] = {"x": {"stacked": True}, "y": {"stacked": True}}
    elif layout == "horizontal":
        spec["options"]["indexAxis"] = "y"
    elif layout == "2x horizontalBar":
        spec["type"] = "horizontalBar"
        spec["options"]["scales"] = {"xAxes": [{"stacked": True}], "yAxes": [{"stacked": True}]}
    r = post(http, api_url, spec)
    assert_png(r)
    assert warnings_of(r) == []


def test_refusals_name_the_field_and_carry_no_internals(api_url, http):
    spec = chart([{"x": 1e308, "y": 1}], kind="line", labels=(), options={"scales": {"x": {"type": "time"}}})
    r = post(http, api_url, spec)
    assert r.status_code == 400, r.text
    body = r.json()
    assert "data.datasets[0].data[0].x" in json.dumps(body)
    text = r.text
    for internal in ("Traceback", "FT2Font", "object at 0x", "matplotlib", "numpy", 'File "'):
        assert internal not in text
