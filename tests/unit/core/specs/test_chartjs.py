"""The Chart.js-style dialect: accepted shapes, both option layouts, warnings, round trips."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from core.specs.chartjs import ParseResult, parse_chart
from core.specs.model import Axis, ChartSpec, Dataset, Legend, Point, Text


def same_but_version_defaults(v2: ChartSpec, v4: ChartSpec) -> bool:
    """Equal once the element defaults that differ between Chart.js 2.9 and 4.x are set aside
    (tension, fill, bars from zero: tested on their own in test_chartjs_leniency)."""

    def neutral(spec: ChartSpec) -> ChartSpec:
        scales = tuple(
            (k, dataclasses.replace(a, bars_from_zero=True))
            for k, a in spec.scales
            if dataclasses.replace(a, bars_from_zero=True) != Axis()
        )
        datasets = tuple(dataclasses.replace(ds, tension=0.0, fill=False) for ds in spec.datasets)
        return dataclasses.replace(spec, scales=scales, datasets=datasets)

    return neutral(v2) == neutral(v4)


def parse(payload: dict) -> ParseResult:
    """Parse and check the invariants every spec must keep (exact JSON round trip, no NaN)."""
    result = parse_chart(copy.deepcopy(payload))
    spec = result.spec
    assert ChartSpec.from_dict(spec.to_dict()) == spec
    assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec
    return result


def spec_of(payload: dict) -> ChartSpec:
    return parse(payload).spec


def bar(**overrides) -> dict:
    payload = {
        "type": "bar",
        "data": {"labels": ["Q1", "Q2", "Q3"], "datasets": [{"label": "Revenue", "data": [12, 19, 7]}]},
    }
    payload.update(overrides)
    return payload


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


# --- every chart type -------------------------------------------------------------------------

CATEGORY_TYPES = ["line", "bar", "pie", "doughnut", "radar", "polarArea"]


@pytest.mark.parametrize("chart_type", CATEGORY_TYPES)
def test_each_category_type_parses(chart_type):
    spec = spec_of(bar(type=chart_type))
    assert spec.type == chart_type
    assert spec.labels == ("Q1", "Q2", "Q3")
    filled = chart_type == "radar"  # Chart.js fills radar datasets by default
    expected = Dataset(type=chart_type, label="Revenue", values=(12.0, 19.0, 7.0), fill=filled)
    assert spec.datasets == (expected,)
    assert (spec.width, spec.height, spec.format, spec.device_pixel_ratio) == (800, 400, "png", 1)
    assert spec.index_axis == "x" and spec.title is None and spec.legend == Legend()


@pytest.mark.parametrize(
    ("given", "expected"), [("PolarArea", "polarArea"), ("LINE", "line"), (" pie ", "pie")]
)
def test_type_names_are_case_insensitive(given, expected):
    assert spec_of(bar(type=given)).type == expected


def test_scatter_points():
    spec = spec_of(
        {
            "type": "scatter",
            "data": {
                "datasets": [{"label": "s", "data": [{"x": 1, "y": 2}, {"x": -3.5, "y": None}, [4, 5], None]}]
            },
        }
    )
    (ds,) = spec.datasets
    assert ds.type == "scatter" and ds.values == ()
    assert ds.points == (Point(1.0, 2.0), Point(-3.5, None), Point(4.0, 5.0), Point(None, None))


def test_bubble_points_keep_radius():
    spec = spec_of(
        {"type": "bubble", "data": {"datasets": [{"data": [{"x": 1, "y": 2, "r": 5}, {"x": 2, "y": 3}]}]}}
    )
    assert spec.datasets[0].points == (Point(1.0, 2.0, 5.0), Point(2.0, 3.0, None))


def test_radius_on_a_scatter_point_is_ignored_with_a_warning():
    result = parse({"type": "scatter", "data": {"datasets": [{"data": [{"x": 1, "y": 2, "r": 5}]}]}})
    assert result.spec.datasets[0].points == (Point(1.0, 2.0),)
    assert result.warnings == ("data.datasets[0].data[*].r",)


def test_object_data_on_a_line_chart_becomes_points():
    spec = spec_of(
        {"type": "line", "data": {"datasets": [{"data": [{"x": "Jan", "y": 1}, {"x": 2, "y": 3}]}]}}
    )
    assert spec.datasets[0].points == (Point("Jan", 1.0), Point(2.0, 3.0))


def test_values_are_floats_and_nulls_are_kept():
    spec = spec_of(bar(data={"labels": ["a", "b", "c"], "datasets": [{"data": [1, None, 2.5]}]}))
    values = spec.datasets[0].values
    assert values == (1.0, None, 2.5) and all(isinstance(v, float) for v in values if v is not None)


def test_fewer_values_than_labels_is_kept_as_given():
    assert spec_of(bar(data={"labels": ["a", "b", "c"], "datasets": [{"data": [1]}]})).datasets[0].values == (
        1.0,
    )


def test_no_labels_leaves_labels_empty():
    spec = spec_of({"type": "line", "data": {"datasets": [{"data": [1, 2, 3, 4]}]}})
    assert spec.labels == () and spec.datasets[0].values == (1.0, 2.0, 3.0, 4.0)


def test_labels_numbers_and_multiline_and_null():
    spec = spec_of(bar(data={"labels": [2020, 1.5, ["two", "lines"], None], "datasets": [{"data": [1]}]}))
    assert spec.labels == ("2020", "1.5", "two\nlines", "")


def test_text_is_kept_literally():
    spec = spec_of(
        bar(
            data={
                "labels": ["$x^2$", "100%", "<b>"],
                "datasets": [{"label": "$revenue$", "data": [1, 2, 3]}],
            },
            options={"plugins": {"title": {"text": "Cost in $ \\alpha"}}},
        )
    )
    assert spec.labels == ("$x^2$", "100%", "<b>")
    assert spec.datasets[0].label == "$revenue$"
    assert spec.title == Text(lines=("Cost in $ \\alpha",))


def test_missing_dataset_data_is_an_empty_dataset():
    spec = spec_of({"type": "line", "data": {"datasets": [{"label": "empty"}]}})
    assert spec.datasets[0].values == () and spec.datasets[0].points == ()


# --- output settings ----------------------------------------------------------------------------


def test_output_settings():
    spec = spec_of(bar(width="600", height=300.0, format="JPG", devicePixelRatio=2.0))
    assert (spec.width, spec.height, spec.format, spec.device_pixel_ratio) == (600, 300, "jpeg", 2)
    assert isinstance(spec.device_pixel_ratio, int)
    assert spec_of(bar(devicePixelRatio=1.5)).device_pixel_ratio == 1.5
    assert spec_of(bar(width=100, height=4000)).pixel_height == 4000


@pytest.mark.parametrize("fmt", ["png", "jpeg", "svg", "webp", "pdf"])
def test_every_format(fmt):
    assert spec_of(bar(format=fmt)).format == fmt


def test_null_output_settings_mean_defaults():
    spec = spec_of(bar(width=None, format=None))
    assert (spec.width, spec.format) == (800, "png")


def test_request_level_keys_are_silent():
    result = parse(
        bar(
            returnUrl=True,
            brandKitId="obsidian",
            webhookUrl="https://x",
            key="k",
            apiKey="k",
            idempotencyKey="i",
        )
    )
    assert result.warnings == ()
    assert result.spec == spec_of(bar())


# --- nested (QuickChart-style) form -------------------------------------------------------------


def test_nested_chart_form_equals_flat_form():
    chart = {"type": "bar", "data": bar()["data"], "options": {"plugins": {"title": {"text": "T"}}}}
    flat = spec_of({**chart, "width": 500, "height": 250, "format": "svg", "backgroundColor": "white"})
    nested = spec_of(
        {"chart": chart, "width": 500, "height": 250, "format": "svg", "backgroundColor": "white"}
    )
    as_text = spec_of(
        {
            "chart": json.dumps(chart),
            "width": "500",
            "height": 250,
            "format": "svg",
            "backgroundColor": "#fff",
        }
    )
    assert flat == nested == as_text
    assert flat.background_color == "#ffffffff"


def test_nested_output_settings_inside_chart_are_fallbacks():
    chart = {**bar(), "width": 300, "height": 200}
    spec = spec_of({"chart": chart, "width": 500})
    assert (spec.width, spec.height) == (500, 200)


def test_nested_unknown_keys_are_warned_with_their_path():
    result = parse({"chart": {**bar(), "version": 4}, "version": "4", "encoding": "url"})
    assert result.warnings == ("chart.version", "version", "encoding")


# --- horizontal bars, stacking, mixed charts ----------------------------------------------------


def test_horizontal_bar_v2_equals_index_axis_y():
    v2 = spec_of(bar(type="horizontalBar"))
    v3 = spec_of(bar(options={"indexAxis": "y"}))
    assert same_but_version_defaults(v2, v3)
    assert v2.type == "bar" and v2.index_axis == "y" and v2.datasets[0].type == "bar"


def test_index_axis_is_ignored_on_radial_charts():
    assert spec_of(bar(type="pie", options={"indexAxis": "y"})).index_axis == "x"


STACKED_DATA = {
    "labels": ["a", "b"],
    "datasets": [
        {"label": "one", "data": [1, 2], "stack": "s"},
        {"label": "two", "data": [3, 4], "stack": "s"},
    ],
}


def test_stacked_bars_in_both_layouts_are_equal():
    v3 = spec_of(bar(data=STACKED_DATA, options={"scales": {"x": {"stacked": True}, "y": {"stacked": True}}}))
    v2 = spec_of(
        bar(
            data=STACKED_DATA,
            options={"scales": {"xAxes": [{"stacked": True}], "yAxes": [{"stacked": True}]}},
        )
    )
    assert same_but_version_defaults(v2, v3)
    assert v3.axis("x").stacked and v3.axis("y").stacked
    assert [d.stack for d in v3.datasets] == ["s", "s"]


def test_mixed_bar_and_line():
    spec = spec_of(
        bar(
            data={
                "labels": ["a", "b"],
                "datasets": [{"data": [1, 2]}, {"type": "line", "data": [2, 3], "yAxisID": "y1"}],
            },
            options={"scales": {"y": {}, "y1": {"position": "right"}}},
        )
    )
    assert [d.type for d in spec.datasets] == ["bar", "line"]
    assert [d.y_axis_id for d in spec.datasets] == ["y", "y1"]
    assert spec.axis("y1").position == "right"


def test_scatter_dataset_on_a_line_chart():
    spec = spec_of(
        {
            "type": "line",
            "data": {
                "labels": ["1", "2"],
                "datasets": [{"data": [1, 2]}, {"type": "scatter", "data": [{"x": 1, "y": 1}]}],
            },
        }
    )
    assert [d.type for d in spec.datasets] == ["line", "scatter"]
    assert spec.datasets[1].points == (Point(1.0, 1.0),)


# --- datasets -----------------------------------------------------------------------------------


def test_dataset_fields():
    spec = spec_of(
        {
            "type": "line",
            "data": {
                "labels": ["a", "b", "c"],
                "datasets": [
                    {
                        "label": "L",
                        "data": [1, 2, 3],
                        "backgroundColor": ["red", "#0f0", "rgba(0,0,255,0.5)"],
                        "borderColor": "hsl(0, 100%, 50%)",
                        "borderWidth": 2,
                        "fill": "origin",
                        "tension": 0.4,
                        "pointRadius": 0,
                        "borderDash": [5, 2.5],
                        "stack": 1,
                        "hidden": True,
                        "xAxisID": "x",
                        "yAxisID": "right",
                    }
                ],
            },
        }
    )
    assert spec.datasets[0] == Dataset(
        type="line",
        label="L",
        values=(1.0, 2.0, 3.0),
        background_color=("#ff0000ff", "#00ff00ff", "#0000ff80"),
        border_color="#ff0000ff",
        border_width=2.0,
        fill="origin",
        tension=0.4,
        point_radius=0.0,
        border_dash=(5.0, 2.5),
        stack="1",
        hidden=True,
        y_axis_id="right",
        x_axis_id="x",
    )


def test_line_tension_v2_equals_tension():
    v2 = spec_of({"type": "line", "data": {"datasets": [{"data": [1], "lineTension": 0.3}]}})
    v3 = spec_of({"type": "line", "data": {"datasets": [{"data": [1], "tension": 0.3}]}})
    assert v2 == v3 and v2.datasets[0].tension == 0.3


@pytest.mark.parametrize(
    ("fill", "index", "expected"),
    [
        (False, 1, False),
        (True, 1, True),
        ("origin", 1, "origin"),
        ("start", 1, "start"),
        ("end", 1, "end"),
        ("zero", 1, "origin"),
        ("bottom", 1, "start"),
        ("top", 1, "end"),
        ("-1", 1, "-1"),
        ("+1", 1, "+1"),
        ("0", 1, "0"),
        (0, 1, "0"),
        (2, 1, "2"),
        (2.0, 1, "2"),
    ],
)
def test_fill_is_normalized(fill, index, expected):
    datasets = [{"data": [1]}, {"data": [2]}, {"data": [3]}]
    datasets[index]["fill"] = fill
    result = parse({"type": "line", "data": {"datasets": datasets}})
    assert result.spec.datasets[index].fill == expected
    assert result.warnings == ()


@pytest.mark.parametrize("fill", ["-1", 0, "+3", 7, "stack", "shape", {"value": 25}, {"target": "origin"}])
def test_fill_targets_that_cannot_be_drawn_are_warned_and_off(fill):
    result = parse({"type": "line", "data": {"datasets": [{"data": [1], "fill": fill}, {"data": [2]}]}})
    assert result.spec.datasets[0].fill is False
    assert result.warnings == ("data.datasets[0].fill",)


def test_default_axis_ids_follow_the_first_declared_axis():
    spec = spec_of(
        bar(options={"scales": {"xAxes": [{"id": "x-axis-0"}], "yAxes": [{"id": "left"}, {"id": "right"}]}})
    )
    assert (spec.datasets[0].x_axis_id, spec.datasets[0].y_axis_id) == ("x-axis-0", "left")
    assert [axis_id for axis_id, _ in spec.scales] == ["left", "right", "x-axis-0"]


def test_v2_axes_without_ids_are_numbered():
    spec = spec_of(bar(options={"scales": {"yAxes": [{}, {"position": "right"}]}}))
    assert [axis_id for axis_id, _ in spec.scales if axis_id != "x"] == ["y", "y1"]
    assert spec.axis("y1").position == "right"


def test_per_point_forms_that_are_not_implemented_are_warned():
    result = parse(
        bar(
            data={"labels": ["a"], "datasets": [{"data": [1], "borderWidth": {"top": 1}, "pointRadius": [1]}]}
        )
    )
    assert result.spec.datasets[0].border_width is None and result.spec.datasets[0].point_radius is None
    assert result.warnings == ("data.datasets[0].borderWidth", "data.datasets[0].pointRadius")


def test_colour_list_longer_than_data_is_fine():
    spec = spec_of(
        bar(data={"labels": ["a"], "datasets": [{"data": [1], "backgroundColor": ["red", "blue", "lime"]}]})
    )
    assert len(spec.datasets[0].background_color) == 3


def test_empty_colour_list_means_default():
    assert (
        spec_of(bar(data={"datasets": [{"data": [1], "backgroundColor": []}]})).datasets[0].background_color
        is None
    )


# --- titles, legend, background: both layouts ---------------------------------------------------


def test_title_and_legend_v2_equal_v3():
    v3 = spec_of(
        bar(
            options={
                "plugins": {
                    "title": {
                        "display": True,
                        "text": ["Line 1", "Line 2"],
                        "color": "#333",
                        "font": {"size": 18},
                        "position": "bottom",
                    },
                    "legend": {"display": True, "position": "right", "labels": {"color": "navy"}},
                }
            }
        )
    )
    v2 = spec_of(
        bar(
            options={
                "title": {
                    "display": True,
                    "text": "Line 1\nLine 2",
                    "fontColor": "#333333",
                    "fontSize": 18,
                    "position": "bottom",
                },
                "legend": {"display": True, "position": "right", "labels": {"fontColor": "rgb(0, 0, 128)"}},
            }
        )
    )
    assert same_but_version_defaults(v2, v3)
    assert v3.title == Text(lines=("Line 1", "Line 2"), color="#333333ff", font_size=18.0, position="bottom")
    assert v3.legend == Legend(display=True, position="right", color="#000080ff")


def test_subtitle():
    spec = spec_of(bar(options={"plugins": {"subtitle": {"display": True, "text": "sub", "color": "gray"}}}))
    assert spec.subtitle == Text(lines=("sub",), color="#808080ff")


@pytest.mark.parametrize(
    "title",
    [
        {"display": False, "text": "hidden"},
        {"display": True},
        {"text": ""},
        {"text": []},
        {"display": True, "text": None},
    ],
)
def test_title_not_displayed_is_none(title):
    assert spec_of(bar(options={"plugins": {"title": title}})).title is None


def test_title_without_display_is_shown_when_it_has_text():
    assert spec_of(bar(options={"title": {"text": "T"}})).title == Text(lines=("T",))


def test_legend_hidden_and_chart_area():
    assert spec_of(bar(options={"plugins": {"legend": {"display": False}}})).legend == Legend(display=False)
    assert spec_of(bar(options={"legend": {"position": "chartArea"}})).legend.position == "chartArea"


def test_v3_title_wins_over_v2_title_and_the_v2_one_is_warned():
    result = parse(bar(options={"title": {"text": "old"}, "plugins": {"title": {"text": "new"}}}))
    assert result.spec.title == Text(lines=("new",))
    assert result.warnings == ("options.title",)


def test_canvas_background_from_either_place():
    top = spec_of(bar(backgroundColor="transparent"))
    plugin = spec_of(bar(options={"plugins": {"customCanvasBackgroundColor": {"color": "rgba(0,0,0,0)"}}}))
    assert top.background_color == plugin.background_color == "#00000000"
    both = spec_of(
        bar(backgroundColor="white", options={"plugins": {"customCanvasBackgroundColor": {"color": "red"}}})
    )
    assert both.background_color == "#ffffffff"


# --- scales: both layouts -----------------------------------------------------------------------


def test_scales_v2_equal_v3():
    v3 = spec_of(
        bar(
            options={
                "scales": {
                    "x": {
                        "display": True,
                        "title": {"display": True, "text": "Quarter"},
                        "grid": {"display": False},
                    },
                    "y": {
                        "type": "logarithmic",
                        "min": 1,
                        "max": 1000,
                        "beginAtZero": True,
                        "reverse": True,
                        "position": "right",
                        "ticks": {"display": False},
                    },
                }
            }
        )
    )
    v2 = spec_of(
        bar(
            options={
                "scales": {
                    "xAxes": [
                        {
                            "display": True,
                            "scaleLabel": {"display": True, "labelString": "Quarter"},
                            "gridLines": {"display": False},
                        }
                    ],
                    "yAxes": [
                        {
                            "type": "logarithmic",
                            "position": "right",
                            "ticks": {
                                "min": 1,
                                "max": 1000,
                                "beginAtZero": True,
                                "reverse": True,
                                "display": False,
                            },
                        }
                    ],
                }
            }
        )
    )
    assert same_but_version_defaults(v2, v3)
    assert v3.scales == (
        ("x", Axis(title="Quarter", grid_display=False)),
        (
            "y",
            Axis(
                type="logarithmic",
                min=1.0,
                max=1000.0,
                begin_at_zero=True,
                reverse=True,
                position="right",
                ticks_display=False,
            ),
        ),
    )


def test_scales_are_sorted_by_id():
    spec = spec_of(bar(options={"scales": {"y1": {}, "y": {}, "x": {}}}))
    assert [axis_id for axis_id, _ in spec.scales] == ["x", "y", "y1"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("time", "time"),
        ("timeseries", "time"),
        ("logarithmic", "logarithmic"),
        ("linear", "linear"),
        ("category", "category"),
    ],
)
def test_scale_type_aliases(given, expected):
    assert spec_of(bar(options={"scales": {"y": {"type": given}}})).axis("y").type == expected


def test_radial_scale_both_layouts():
    v3 = spec_of(
        bar(type="radar", options={"scales": {"r": {"min": 0, "max": 10, "ticks": {"display": False}}}})
    )
    v2 = spec_of(bar(type="radar", options={"scale": {"ticks": {"min": 0, "max": 10, "display": False}}}))
    assert v2.axis("r") == v3.axis("r") == Axis(min=0.0, max=10.0, ticks_display=False)
    # both Chart.js 2.9 and 4.x fill radar datasets by default
    assert v2.datasets[0].fill is True and v3.datasets[0].fill is True


def test_stacked_single_and_display_auto_mean_on():
    spec = spec_of(bar(options={"scales": {"y": {"stacked": "single", "display": "auto"}}}))
    assert spec.axis("y").stacked and spec.axis("y").display


def test_axis_min_wins_over_ticks_min():
    assert spec_of(bar(options={"scales": {"y": {"min": 5, "ticks": {"min": 1}}}})).axis("y").min == 5.0


def test_category_axis_bounds_by_label_name_are_warned():
    result = parse(bar(options={"scales": {"x": {"min": "Q2"}}}))
    assert result.spec.axis("x").min is None
    assert result.warnings == ("options.scales.x.min",)


# --- time scale ---------------------------------------------------------------------------------


def test_time_scale_points_from_iso_strings_and_epoch_ms():
    spec = spec_of(
        {
            "type": "line",
            "data": {
                "datasets": [
                    {
                        "data": [
                            {"x": "2024-01-05", "y": 1},
                            {"x": "2024-01-05T10:00:00Z", "y": 2},
                            {"x": "2024-01-05T12:00:00+02:00", "y": 3},
                            {"x": 1704067200000, "y": 4},
                            {"t": "2024-02", "y": 5},
                        ]
                    }
                ]
            },
            "options": {"scales": {"x": {"type": "time", "min": "2024-01-01", "max": 1735689600000}}},
        }
    )
    xs = [p.x for p in spec.datasets[0].points]
    assert xs == [
        epoch(2024, 1, 5),
        epoch(2024, 1, 5, 10),
        epoch(2024, 1, 5, 10),
        epoch(2024, 1, 1),
        epoch(2024, 2, 1),
    ]
    assert spec.axis("x").min == epoch(2024, 1, 1) and spec.axis("x").max == epoch(2025, 1, 1)


def test_time_scale_labels_are_converted_and_kept():
    payload = {
        "type": "bar",
        "data": {
            "labels": ["2024-01-01", "2024-01-02T00:00:00Z", 1704240000000],
            "datasets": [{"data": [1, 2, 3]}],
        },
        "options": {"scales": {"x": {"type": "time"}}},
    }
    spec = spec_of(payload)
    assert spec.labels == ("2024-01-01", "2024-01-02T00:00:00Z", "1704240000000")
    assert spec.label_times == (epoch(2024, 1, 1), epoch(2024, 1, 2), epoch(2024, 1, 3))
    v2 = copy.deepcopy(payload)
    v2["options"] = {"scales": {"xAxes": [{"type": "time"}]}}
    assert same_but_version_defaults(spec_of(v2), spec)


def test_without_a_time_scale_labels_are_plain_text():
    spec = spec_of(bar(data={"labels": ["2024-01-01"], "datasets": [{"data": [1]}]}))
    assert spec.label_times == ()


# --- warnings -----------------------------------------------------------------------------------


def test_warnings_list_ignored_keys_in_order_without_duplicates():
    result = parse(
        {
            "type": "line",
            "version": "3",
            "data": {
                "labels": ["a"],
                "xLabels": ["b"],
                "datasets": [
                    {"data": [1], "cubicInterpolationMode": "monotone", "steppedLine": True},
                    {"data": [2], "steppedLine": True, "pointStyle": "star"},
                ],
            },
            "options": {
                "animation": {"duration": 0},
                "responsive": False,
                "maintainAspectRatio": False,
                "interaction": {"mode": "index"},
                "hover": {},
                "events": [],
                "layout": {"padding": 10},
                "plugins": {
                    "tooltip": {"enabled": False},
                    "zoom": {},
                    "title": {"text": "t", "align": "start", "font": {"weight": "bold"}},
                },
                "scales": {
                    "y": {
                        "ticks": {"stepSize": 1, "callback": "formatMoney"},
                        "grid": {"color": "red"},
                        "suggestedMax": 10,
                    }
                },
            },
        }
    )
    assert result.warnings == (
        "version",
        "options.animation",
        "options.responsive",
        "options.maintainAspectRatio",
        "options.interaction",
        "options.hover",
        "options.events",
        "options.layout",
        "options.plugins.tooltip",
        "options.plugins.zoom",
        "options.plugins.title.align",
        "options.plugins.title.font.weight",
        "options.scales.y.suggestedMax",
        "options.scales.y.ticks.stepSize",
        "options.scales.y.ticks.callback",
        "options.scales.y.grid.color",
        "data.xLabels",
        "data.datasets[0].cubicInterpolationMode",
        "data.datasets[0].steppedLine",
        "data.datasets[1].steppedLine",
        "data.datasets[1].pointStyle",
    )


def test_unknown_point_keys_are_warned_once_per_dataset():
    result = parse(
        {"type": "scatter", "data": {"datasets": [{"data": [{"x": 1, "y": 1, "label": "a"}] * 100}]}}
    )
    assert result.warnings == ("data.datasets[0].data[*].label",)


def test_same_input_gives_the_same_cache_key():
    assert spec_of(bar()).cache_key() == spec_of(bar(width=800.0, devicePixelRatio="1")).cache_key()


def test_warnings_are_capped():
    result = parse(bar(options={f"unknown{i}": i for i in range(500)}))
    assert len(result.warnings) == 100 and result.warnings[0] == "options.unknown0"


def test_v3_grid_wins_over_v2_grid_lines():
    result = parse(
        bar(options={"scales": {"y": {"grid": {"display": False}, "gridLines": {"display": True}}}})
    )
    assert result.spec.axis("y").grid_display is False
    assert result.warnings == ("options.scales.y.gridLines",)


@pytest.mark.parametrize(
    ("axis", "expected_y"),
    [
        ({"amount": {}}, "amount"),
        ({"revenue": {}}, "y"),
        ({"right": {"position": "right"}}, "right"),
        ({"yb": {}}, "yb"),
        ({"top": {"position": "top"}}, "y"),
        ({"other": {"axis": "x"}}, "y"),
    ],
)
def test_direction_of_custom_axis_ids(axis, expected_y):
    spec = spec_of(bar(options={"scales": axis}))
    assert spec.datasets[0].y_axis_id == expected_y


def test_fast_to_dict_matches_dataclasses_asdict_for_every_shape():
    import dataclasses

    from core.specs.model import _jsonable

    bodies = [
        {
            "type": "bubble",
            "data": {"datasets": [{"data": [{"x": 1, "y": 2, "r": 3}, None]}]},
            "options": {"plugins": {"title": {"text": "t"}}, "scales": {"y": {"min": 0}}},
        },
        {"type": "bar", "data": {"labels": ["a"], "datasets": [{"data": [1], "backgroundColor": ["red"]}]}},
        {"type": "bar", "data": {"labels": ["a", "b"], "datasets": [{"data": [[1, 2], 3]}]}},
        {"type": "horizontalBar", "data": {"datasets": [{"data": [1]}]}, "options": {"scales": {"y": {}}}},
    ]
    for body in bodies:
        spec = parse_chart(body).spec
        expected = _jsonable(dataclasses.asdict(spec))
        for optional in ("theme", "card"):  # omitted when None, so older specs keep their hashes
            assert expected.pop(optional) is None
        for ds in expected["datasets"]:
            if not ds["starts"]:
                del ds["starts"]  # left out unless used, so older specs keep their hashes
        # Points are stored as [x, y, r] rows, as asdict leaves the named tuples (made lists).
        for _, axis in expected["scales"]:
            if axis["bars_from_zero"]:
                del axis["bars_from_zero"]
        assert spec.to_dict() == expected
        assert ChartSpec.from_dict(spec.to_dict()) == spec
        # Specs stored before the rows kept each point as an object: they still read back.
        older = spec.to_dict()
        for ds in older["datasets"]:
            ds["points"] = [{"x": x, "y": y, "r": r} for x, y, r in ds["points"]]
        assert ChartSpec.from_dict(older) == spec
