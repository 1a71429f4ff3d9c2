"""What real Chart.js configs send and Chart.js draws: numeric strings, date layouts, floating bars,
the element defaults of the config's Chart.js version, and extreme but valid numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.specs.chartjs import parse_chart, parse_query
from core.specs.errors import SpecError
from core.specs.model import Point


def line(data, **chart):
    return {"type": "line", "data": {"labels": ["a", "b", "c"], "datasets": [{"data": data}]}, **chart}


def ts(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


# --- numeric strings -----------------------------------------------------------------------------


def test_numeric_strings_draw_as_numbers():
    result = parse_chart(line(["12", " 3.5 ", "-1e3"]))
    assert result.spec.datasets[0].values == (12.0, 3.5, -1000.0)
    assert result.warnings == ()


def test_text_that_is_not_a_number_is_a_reported_gap():
    result = parse_chart(line([1, "n/a", "NaN"]))
    assert result.spec.datasets[0].values == (1.0, None, None)
    assert result.warnings == ("data.datasets[0].data[1]", "data.datasets[0].data[2]")


def test_points_with_string_numbers():
    body = {
        "type": "bubble",
        "data": {"datasets": [{"data": [{"x": "1.5", "y": "2", "r": "4"}, ["3", "4"]]}]},
    }
    assert parse_chart(body).spec.datasets[0].points == (Point(1.5, 2.0, 4.0), Point(3.0, 4.0, None))


def test_string_x_on_a_category_axis_stays_a_label():
    body = {"type": "line", "data": {"datasets": [{"data": [{"x": "Mon", "y": "5"}]}]}}
    assert parse_chart(body).spec.datasets[0].points == (Point("Mon", 5.0),)


def test_numeric_string_axis_bounds():
    spec = parse_chart(line([1, 2, 3], options={"scales": {"y": {"min": "0", "max": "10"}}})).spec
    assert (spec.axis("y").min, spec.axis("y").max) == (0.0, 10.0)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-03-05", ts(2024, 3, 5)),
        ("2024-03-05T14:30:00", ts(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30", ts(2024, 3, 5, 14, 30)),
        ("2024-03-05T14:30:00.250Z", ts(2024, 3, 5, 14, 30, 0, 250000)),
        ("2024-03-05T14:30:00+02:00", ts(2024, 3, 5, 12, 30)),
        ("03/05/2024", ts(2024, 3, 5)),
        ("3/5/2024", ts(2024, 3, 5)),
        ("03/05/2024 14:30", ts(2024, 3, 5, 14, 30)),
        ("03/05/2024 2:30 PM", ts(2024, 3, 5, 14, 30)),
        ("2024/03/05", ts(2024, 3, 5)),
        ("Mar 5, 2024", ts(2024, 3, 5)),
        ("March 5, 2024", ts(2024, 3, 5)),
        ("5 Mar 2024", ts(2024, 3, 5)),
        ("2024-03", ts(2024, 3, 1)),
        ("1709647200000", ts(2024, 3, 5, 14)),
        (1709647200000, ts(2024, 3, 5, 14)),
    ],
)
def test_date_layouts_on_a_time_axis(given, expected):
    body = {
        "type": "line",
        "data": {"datasets": [{"data": [{"x": given, "y": 1}]}]},
        "options": {"scales": {"x": {"type": "time"}}},
    }
    assert parse_chart(body).spec.datasets[0].points[0].x == pytest.approx(expected)


def test_date_labels_on_a_2x_time_axis():
    body = {
        "type": "line",
        "data": {"labels": ["01/02/2024", "01/03/2024"], "datasets": [{"data": ["1", "2"]}]},
        "options": {"scales": {"xAxes": [{"type": "time"}]}},
    }
    spec = parse_chart(body).spec
    assert spec.label_times == (ts(2024, 1, 2), ts(2024, 1, 3))
    assert spec.labels == ("01/02/2024", "01/03/2024")


@pytest.mark.parametrize("given", [1e308, -1e308, "99999-01-01", 1e17])
def test_dates_no_calendar_can_label_are_a_400(given):
    body = {
        "type": "line",
        "data": {"datasets": [{"data": [{"x": given, "y": 1}]}]},
        "options": {"scales": {"x": {"type": "time"}}},
    }
    with pytest.raises(SpecError) as info:
        parse_chart(body)
    assert info.value.field == "data.datasets[0].data[0].x" and info.value.status == 400


# --- floating bars -------------------------------------------------------------------------------


def test_floating_bars_keep_start_and_end():
    data = {"labels": ["a", "b", "c"], "datasets": [{"data": [[1, 5], [-2, "3"], 4]}]}
    body = {"type": "bar", "data": data}
    ds = parse_chart(body).spec.datasets[0]
    assert ds.starts == (1.0, -2.0, None) and ds.values == (5.0, 3.0, 4.0) and ds.points == ()


def test_floating_bars_horizontal_and_in_the_2x_layout():
    body = {
        "type": "horizontalBar",
        "data": {"labels": ["a"], "datasets": [{"data": [[10, 20]]}]},
        "options": {"scales": {"xAxes": [{"stacked": True}], "yAxes": [{"stacked": True}]}},
    }
    spec = parse_chart(body).spec
    assert spec.index_axis == "y" and spec.datasets[0].starts == (10.0,)


def test_a_floating_bar_needs_two_ends():
    body = {"type": "bar", "data": {"labels": ["a"], "datasets": [{"data": [[1, 2, 3]]}]}}
    with pytest.raises(SpecError) as info:
        parse_chart(body)
    assert info.value.field == "data.datasets[0].data[0]" and "[start, end]" in info.value.message


def test_pairs_on_a_line_dataset_are_still_points():
    body = {"type": "line", "data": {"datasets": [{"data": [[1, 2]]}]}}
    assert parse_chart(body).spec.datasets[0].points == (Point(1.0, 2.0),)


# --- defaults of the config's Chart.js version ---------------------------------------------------


def test_2x_layout_gets_chartjs_29_line_defaults():
    v2 = parse_chart(line([1, 2, 3], options={"scales": {"yAxes": [{"ticks": {"beginAtZero": True}}]}})).spec
    v4 = parse_chart(line([1, 2, 3], options={"scales": {"y": {"beginAtZero": True}}})).spec
    assert (v2.datasets[0].tension, v2.datasets[0].fill) == (0.4, "origin")
    assert (v4.datasets[0].tension, v4.datasets[0].fill) == (0.0, False)


def test_radar_is_filled_in_both_versions():
    # checked against Chart.js itself (scripts/compare_chartjs.py): 2.9 fill: true, 4.x fill: "start"
    radar = {"type": "radar", "data": {"labels": ["a", "b", "c"], "datasets": [{"data": [1, 2, 3]}]}}
    assert parse_chart(radar).spec.datasets[0].fill is True
    v2 = parse_chart({**radar, "options": {"legend": {"display": True}}}).spec
    assert v2.datasets[0].fill is True and v2.datasets[0].tension == 0.0
    radar["data"]["datasets"][0]["fill"] = False
    assert parse_chart(radar).spec.datasets[0].fill is False


def test_explicit_settings_win_over_version_defaults():
    body = line([1, 2, 3], options={"scales": {"xAxes": [{}]}})
    body["data"]["datasets"][0].update(fill=False, lineTension=0)
    ds = parse_chart(body).spec.datasets[0]
    assert (ds.tension, ds.fill) == (0.0, False)


# --- extreme but valid numbers -------------------------------------------------------------------


def test_huge_values_are_clamped_with_a_warning():
    result = parse_chart(line([1e308, -1e308, 5e-324]))
    assert result.spec.datasets[0].values == (1e300, -1e300, 5e-324)
    assert result.warnings == ("data.datasets[0].data[0]", "data.datasets[0].data[1]")


def test_huge_axis_bounds_are_clamped_and_swapped_when_reversed():
    result = parse_chart(line([1, 2, 3], options={"scales": {"y": {"min": 1e308, "max": -1e308}}}))
    axis = result.spec.axis("y")
    assert (axis.min, axis.max) == (-1e300, 1e300)
    assert set(result.warnings) == {"options.scales.y.min", "options.scales.y.max"}


def test_min_greater_than_max_is_swapped():
    result = parse_chart(line([1, 2, 3], options={"scales": {"y": {"min": 10, "max": 0}}}))
    assert (result.spec.axis("y").min, result.spec.axis("y").max) == (0.0, 10.0)
    assert result.warnings == ("options.scales.y.min",)


def test_non_positive_log_bounds_fall_back_to_the_data():
    body = line([0, -1, 100], options={"scales": {"y": {"type": "logarithmic", "min": 0, "max": -5}}})
    result = parse_chart(body)
    assert (result.spec.axis("y").min, result.spec.axis("y").max) == (None, None)
    assert result.warnings == ("options.scales.y.min", "options.scales.y.max")


def test_huge_bubble_radius_is_clamped():
    body = {"type": "bubble", "data": {"datasets": [{"data": [{"x": 1, "y": 1, "r": 1e308}]}]}}
    result = parse_chart(body)
    assert result.spec.datasets[0].points[0].r == 4000.0
    assert result.warnings == ("data.datasets[0].data[0].r",)


def test_huge_points_go_through_the_reporting_path():
    body = {"type": "scatter", "data": {"datasets": [{"data": [{"x": 1e308, "y": -1e301}]}]}}
    result = parse_chart(body)
    assert result.spec.datasets[0].points == (Point(1e300, -1e300),)
    assert result.warnings == ("data.datasets[0].data[0].x", "data.datasets[0].data[0].y")


def test_simple_query_values_are_clamped():
    spec = parse_query({"data": "1e308,-1e308"}).spec
    assert spec.datasets[0].values == (1e300, -1e300)


# --- text that no font can draw ------------------------------------------------------------------


def test_lone_surrogates_become_replacement_characters():
    body = {
        "type": "bar",
        "data": {"labels": ["\ud800", "ok\udfffok"], "datasets": [{"label": "\udbff", "data": [1, 2]}]},
        "options": {"plugins": {"title": {"text": "T\ud800"}}},
    }
    spec = parse_chart(body).spec
    assert spec.labels == ("\ufffd", "ok\ufffdok")
    assert spec.datasets[0].label == "\ufffd"
    assert spec.title.lines == ("T\ufffd",)
    spec.canonical_json().encode("utf-8")  # storable and hashable as UTF-8


def test_surrogate_pairs_are_kept():
    body = {"type": "bar", "data": {"labels": ["\U0001f600"], "datasets": [{"data": [1]}]}}
    assert parse_chart(body).spec.labels == ("\U0001f600",)


def test_2x_bar_charts_do_not_pull_zero_into_the_value_axis():
    v2 = parse_chart(
        {"type": "bar", "data": {"datasets": [{"data": [10, 20]}]}, "options": {"legend": {}}}
    ).spec
    v4 = parse_chart({"type": "bar", "data": {"datasets": [{"data": [10, 20]}]}}).spec
    assert v2.axis("y").bars_from_zero is False and v2.axis("x").bars_from_zero is False
    assert v4.axis("y").bars_from_zero is True and v4.scales == ()
    horizontal = parse_chart({"type": "horizontalBar", "data": {"datasets": [{"data": [10, 20]}]}}).spec
    assert horizontal.axis("x").bars_from_zero is False
    line = parse_chart({"type": "line", "data": {"datasets": [{"data": [1]}]}, "options": {"legend": {}}})
    assert line.spec.scales == ()  # only bar charts differ here


def test_nul_and_surrogates_in_keys_and_text_are_replaced_everywhere():
    # warnings are stored as jsonb, which refuses "\\u0000" and unpaired surrogates
    body = {
        "type": "bar",
        "data": {"labels": ["a\x00b"], "datasets": [{"data": [1], "st\x00ck": 1}], "\ud90d": 1},
        "options": {"\x00": [], "scales": {"y\ud800": {"min": 0}}},
    }
    result = parse_chart(body)
    assert result.spec.labels == ("a\ufffdb",)
    assert set(result.warnings) == {"data.datasets[0].st\ufffdck", "data.\ufffd", "options.\ufffd"}
    assert [axis_id for axis_id, _ in result.spec.scales] == ["y\ufffd"]
    assert "\x00" not in result.spec.canonical_json().encode().decode("unicode_escape")
