"""Every way a Chart.js-style spec is refused: a SpecError naming the exact field."""

from __future__ import annotations

import json
import math

import pytest

from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.model import MAX_DATASETS, MAX_LABELS, MAX_POINTS, MAX_TEXT
from core.specs.safety import CODE_MESSAGE, MAX_DEPTH


def bar(**overrides) -> dict:
    payload = {
        "type": "bar",
        "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "s", "data": [1, 2, 3]}]},
    }
    payload.update(overrides)
    return payload


def dataset(**fields) -> dict:
    return bar(data={"labels": ["a", "b", "c"], "datasets": [{"data": [1, 2, 3], **fields}]})


def refused(payload, field: str, fragment: str = "") -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_chart(payload)
    err = info.value
    assert err.field == field, (err.field, err.message)
    assert err.status == 400
    assert fragment.lower() in err.message.lower(), err.message
    assert str(err).startswith(f"{field}: ") if field else True
    return err


# --- code is never accepted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            bar(
                options={"plugins": {"tooltip": {"callbacks": {"label": "function(ctx) { return ctx.raw }"}}}}
            ),
            "options.plugins.tooltip.callbacks.label",
        ),
        (
            bar(options={"scales": {"y": {"ticks": {"callback": "function (v) {return '$' + v}"}}}}),
            "options.scales.y.ticks.callback",
        ),
        (
            bar(options={"scales": {"y": {"ticks": {"callback": "new Function('v', 'return v')"}}}}),
            "options.scales.y.ticks.callback",
        ),
        (
            bar(options={"scales": {"y": {"ticks": {"callback": "(v) => v + '%'"}}}}),
            "options.scales.y.ticks.callback",
        ),
        (bar(options={"onClick": "v=>alert(1)"}), "options.onClick"),
        (bar(data={"labels": ["a", "javascript:alert(1)"], "datasets": [{"data": [1]}]}), "data.labels[1]"),
        (
            bar(data={"labels": ["a"], "datasets": [{"data": [1], "label": "  JavaScript:void(0)"}]}),
            "data.datasets[0].label",
        ),
        (bar(options={"plugins": {"function(){}": 1}}), "options.plugins.function(){}"),
        (bar(options={"a=>b": 1}), "options.a=>b"),
        (
            bar(options={"plugins": {"tooltip": {"callbacks": {"label": {"__function__": "return 1"}}}}}),
            "options.plugins.tooltip.callbacks.label",
        ),
        (bar(options={"x": {"$func": "x"}}), "options.x"),
        (bar(options={"x": {"args": ["v"], "body": "return v"}}), "options.x"),
        (bar(options={"x": {"type": "Function", "source": "..."}}), "options.x"),
        (bar(unknownTopLevel=["ok", {"deep": ["function(){}"]}]), "unknownTopLevel[1].deep[0]"),
        ({"chart": '{"type": "bar", "options": {"f": "function(x){}"}}'}, "chart"),
        ({"chart": {"type": "bar", "options": {"f": "x => x"}}}, "chart.options.f"),
    ],
)
def test_code_is_refused_where_it_was_found(payload, field):
    err = refused(payload, field)
    assert err.message == CODE_MESSAGE


def test_code_in_a_json_string_chart_is_refused_at_its_decoded_path():
    chart = json.dumps({"type": "bar", "options": {"f": "function(x){}"}}).replace(
        "function(", "function\\u0028"
    )
    refused({"chart": chart}, "chart.options.f", "functions are not allowed")


def test_code_check_runs_before_anything_else():
    # A bad width would be reported first if parsing started before the code check.
    refused(bar(width=1, options={"f": "() => 1"}), "options.f", "never executes code")


def test_javascript_object_literal_chart_is_not_json():
    refused({"chart": "{type: 'bar', data: {datasets: [{data: [1]}]}}"}, "chart", "not valid JSON")


def test_nesting_too_deep():
    deep: object = 1
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    refused(bar(options={"deep": deep}), "", "nesting too deep")


def test_nesting_at_the_cap_is_fine():
    deep: object = 1
    for _ in range(MAX_DEPTH - 3):
        deep = {"k": deep}
    parse_chart(bar(options={"deep": deep}))


def test_hostile_nesting_does_not_recurse():
    deep: object = []
    for _ in range(100_000):
        deep = [deep]
    refused(bar(options={"deep": deep}), "", "nesting too deep")


def test_text_that_merely_mentions_functions_is_fine():
    spec = parse_chart(
        bar(options={"plugins": {"title": {"text": "functions (and >= comparisons) are fine"}}})
    ).spec
    assert spec.title is not None


# --- output settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"width": 5000}, "width", "between 100 and 4000"),
        ({"width": 99}, "width", "between 100 and 4000"),
        ({"height": 20}, "height", "between 100 and 4000"),
        ({"height": 4001}, "height", "between 100 and 4000"),
        ({"width": 600.5}, "width", "whole number"),
        ({"width": "600px"}, "width", "whole number"),
        ({"width": True}, "width", "whole number"),
        ({"width": [600]}, "width", "whole number"),
        ({"devicePixelRatio": 5}, "devicePixelRatio", "between 1 and 4"),
        ({"devicePixelRatio": 0.5}, "devicePixelRatio", "between 1 and 4"),
        ({"devicePixelRatio": "two"}, "devicePixelRatio", "number"),
        ({"devicePixelRatio": True}, "devicePixelRatio", "number"),
        ({"devicePixelRatio": math.nan}, "devicePixelRatio", "number"),
        ({"format": "bmp"}, "format", "unknown format"),
        ({"format": "bmp"}, "format", "expected one of png, jpeg, svg, webp, pdf"),
        ({"format": 3}, "format", "string"),
        ({"backgroundColor": "blurple"}, "backgroundColor", "not a valid CSS colour"),
    ],
)
def test_bad_output_settings(overrides, field, fragment):
    refused(bar(**overrides), field, fragment)


def test_bad_output_setting_inside_nested_chart_names_its_path():
    refused({"chart": bar(width=1)}, "chart.width", "between")


# --- types --------------------------------------------------------------------------------------


def test_unknown_type():
    err = refused(bar(type="histogram"), "type", "unknown chart type 'histogram'")
    assert "line, bar, pie, doughnut, radar, polarArea, scatter, bubble" in err.message


@pytest.mark.parametrize("value", [None, 3, ["bar"]])
def test_missing_or_non_string_type(value):
    refused(bar(type=value), "type")


def test_unknown_type_in_nested_chart():
    refused({"chart": bar(type="pyramid")}, "chart.type", "unknown chart type")


@pytest.mark.parametrize(
    ("chart_type", "dataset_type"),
    [
        ("bar", "pie"),
        ("bar", "scatter"),
        ("pie", "bar"),
        ("radar", "line"),
        ("doughnut", "pie"),
        ("line", "radar"),
    ],
)
def test_dataset_type_not_drawable_on_the_chart(chart_type, dataset_type):
    payload = bar(type=chart_type, data={"datasets": [{"data": [1]}, {"type": dataset_type, "data": [1]}]})
    refused(payload, "data.datasets[1].type", "cannot be drawn")


def test_unknown_dataset_type():
    refused(dataset(type="area"), "data.datasets[0].type", "unknown chart type")


# --- data ---------------------------------------------------------------------------------------


def test_more_values_than_labels():
    payload = bar(
        data={"labels": ["a", "b", "c"], "datasets": [{"data": [1, 2, 3]}, {"data": [1, 2, 3, 4, 5]}]}
    )
    refused(payload, "data.datasets[1].data", "has 5 values but there are 3 labels")


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        (["x"], "data.datasets[0].data[0]", "must be a number or null, got a string"),
        ([1, 2, "3"], "data.datasets[0].data[2]", "got a string"),
        ([1, True], "data.datasets[0].data[1]", "got a boolean"),
        ([1, math.nan], "data.datasets[0].data[1]", "NaN"),
        ([math.inf], "data.datasets[0].data[0]", "finite"),
        ([-math.inf], "data.datasets[0].data[0]", "finite"),
        ([10**400], "data.datasets[0].data[0]", "too large"),
        ([1, {"x": 1, "y": 2}], "data.datasets[0].data[1]", "got an object"),
        ([1, [1, 2]], "data.datasets[0].data[1]", "got a list"),
    ],
)
def test_non_numbers_in_data(values, field, fragment):
    refused(bar(data={"datasets": [{"data": values}]}), field, fragment)


def test_data_must_be_a_list():
    refused(dataset(data="1,2,3"), "data.datasets[0].data", "must be a list")


def test_points_on_a_pie_chart():
    refused(
        bar(type="pie", data={"datasets": [{"data": [None, {"x": 1, "y": 2}]}]}),
        "data.datasets[0].data[1]",
        "pie",
    )


@pytest.mark.parametrize(
    ("point", "field", "fragment"),
    [
        ({"x": 1}, "data.datasets[0].data[1]", "both 'x' and 'y'"),
        ({"y": 1}, "data.datasets[0].data[1]", "both 'x' and 'y'"),
        ({"x": "a", "y": 1}, "data.datasets[0].data[1].x", "must be a number"),
        ({"x": 1, "y": "1"}, "data.datasets[0].data[1].y", "got a string"),
        ({"x": 1, "y": math.nan}, "data.datasets[0].data[1].y", "NaN"),
        ([1, 2, 3, 4], "data.datasets[0].data[1]", "{x, y} point"),
        (5, "data.datasets[0].data[1]", "{x, y} point"),
        ({"x": 1, "y": 1, "r": -2}, "data.datasets[0].data[1].r", "at least 0"),
    ],
)
def test_bad_points(point, field, fragment):
    refused({"type": "bubble", "data": {"datasets": [{"data": [{"x": 0, "y": 0}, point]}]}}, field, fragment)


def test_scatter_needs_points():
    refused(
        {"type": "scatter", "data": {"datasets": [{"data": [1, 2]}]}}, "data.datasets[0].data[0]", "{x, y}"
    )


def test_bad_date_on_a_time_axis():
    payload = {
        "type": "line",
        "data": {"datasets": [{"data": [{"x": "2024-01-01", "y": 1}, {"x": "yesterday", "y": 2}]}]},
        "options": {"scales": {"x": {"type": "time"}}},
    }
    refused(payload, "data.datasets[0].data[1].x", "not an ISO-8601 date")


def test_label_that_is_not_a_date_on_a_time_axis():
    payload = bar(
        data={"labels": ["2024-01-01", "Feb"], "datasets": [{"data": [1]}]},
        options={"scales": {"x": {"type": "time"}}},
    )
    refused(payload, "data.labels[1]", "ISO-8601")


def test_empty_datasets():
    refused(bar(data={"labels": ["a"], "datasets": []}), "data.datasets", "at least one dataset")


def test_missing_datasets_and_missing_data():
    refused(bar(data={"labels": ["a"]}), "data.datasets", "required")
    refused({"type": "bar"}, "data", "required")


def test_dataset_must_be_an_object():
    refused(bar(data={"datasets": [{"data": [1]}, [1, 2]]}), "data.datasets[1]", "must be an object")


# --- limits -------------------------------------------------------------------------------------


def test_too_many_points_in_total():
    half = MAX_POINTS // 2
    payload = bar(data={"datasets": [{"data": [1] * half}, {"data": [1] * half}, {"data": [1]}]})
    refused(payload, "data.datasets[2].data", f"more than {MAX_POINTS}")


def test_too_many_points_in_one_dataset():
    refused(
        {"type": "line", "data": {"datasets": [{"data": list(range(60_000))}]}},
        "data.datasets[0].data",
        "points",
    )


def test_exactly_max_points_is_fine():
    parse_chart({"type": "line", "data": {"datasets": [{"data": [1] * MAX_POINTS}]}})


def test_too_many_datasets():
    refused(
        bar(data={"datasets": [{"data": [1]}] * (MAX_DATASETS + 1)}),
        "data.datasets",
        f"at most {MAX_DATASETS}",
    )


def test_too_many_labels():
    refused(
        bar(data={"labels": ["a"] * (MAX_LABELS + 1), "datasets": [{"data": [1]}]}), "data.labels", "at most"
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (bar(data={"labels": ["a", "x" * (MAX_TEXT + 1)], "datasets": [{"data": [1]}]}), "data.labels[1]"),
        (dataset(label="x" * (MAX_TEXT + 1)), "data.datasets[0].label"),
        (
            bar(options={"plugins": {"title": {"text": ["ok", "x" * (MAX_TEXT + 1)]}}}),
            "options.plugins.title.text[1]",
        ),
        (bar(options={"title": {"text": "x" * (MAX_TEXT + 1)}}), "options.title.text"),
        (
            bar(options={"scales": {"y": {"title": {"text": "x" * (MAX_TEXT + 1)}}}}),
            "options.scales.y.title.text",
        ),
    ],
)
def test_text_longer_than_the_limit(payload, field):
    refused(payload, field, f"longer than {MAX_TEXT}")


def test_text_at_the_limit_is_fine():
    parse_chart(dataset(label="x" * MAX_TEXT))


# --- dataset fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"backgroundColor": "not-a-colour"}, "data.datasets[0].backgroundColor", "not a valid CSS colour"),
        (
            {"backgroundColor": ["red", "#12"]},
            "data.datasets[0].backgroundColor[1]",
            "not a valid CSS colour",
        ),
        ({"borderColor": "rgb(300, 0, 0)"}, "data.datasets[0].borderColor", "not a valid CSS colour"),
        ({"borderColor": {"r": 1}}, "data.datasets[0].borderColor", "CSS colour string"),
        ({"borderWidth": -1}, "data.datasets[0].borderWidth", "at least 0"),
        ({"borderWidth": "2"}, "data.datasets[0].borderWidth", "number"),
        ({"tension": 1.5}, "data.datasets[0].tension", "at most 1"),
        ({"lineTension": -0.1}, "data.datasets[0].lineTension", "at least 0"),
        ({"pointRadius": 1000}, "data.datasets[0].pointRadius", "at most"),
        ({"borderDash": [5, "a"]}, "data.datasets[0].borderDash[1]", "number"),
        ({"borderDash": 5}, "data.datasets[0].borderDash", "list"),
        ({"hidden": "yes"}, "data.datasets[0].hidden", "true or false"),
        ({"fill": "sideways"}, "data.datasets[0].fill", "unknown fill"),
        ({"fill": 1.5}, "data.datasets[0].fill", "dataset index"),
        ({"fill": [1]}, "data.datasets[0].fill", "must be"),
        ({"label": {"text": "x"}}, "data.datasets[0].label", "must be a string"),
        ({"stack": True}, "data.datasets[0].stack", "must be a string"),
        ({"yAxisID": ["y"]}, "data.datasets[0].yAxisID", "must be a string"),
    ],
)
def test_bad_dataset_fields(fields, field, fragment):
    refused(dataset(**fields), field, fragment)


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field", "fragment"),
    [
        ("fast", "options", "must be an object"),
        (
            {"scales": {"y": {"min": "low"}, "x": {}}, "indexAxis": "z"},
            "options.indexAxis",
            "unknown value 'z'",
        ),
        ({"scales": {"y": {"type": "radial"}}}, "options.scales.y.type", "expected one of"),
        ({"scales": {"y": {"type": "linear", "min": "low"}}}, "options.scales.y.min", "must be a number"),
        ({"scales": {"y": {"min": 10, "max": 1}}}, "options.scales.y.min", "must not be greater than max"),
        ({"scales": {"y": {"type": "logarithmic", "min": 0}}}, "options.scales.y.min", "greater than 0"),
        ({"scales": {"y": {"max": math.inf}}}, "options.scales.y.max", "finite"),
        ({"scales": {"y": {"stacked": "yes"}}}, "options.scales.y.stacked", "true or false"),
        ({"scales": {"y": {"position": "middle"}}}, "options.scales.y.position", "unknown value"),
        ({"scales": {"x": {"type": "time", "min": "soon"}}}, "options.scales.x.min", "ISO-8601"),
        ({"scales": {"yAxes": {"stacked": True}}}, "options.scales.yAxes", "must be a list"),
        (
            {"scales": {"yAxes": [{"ticks": {"max": "x"}, "type": "linear"}]}},
            "options.scales.yAxes[0].ticks.max",
            "number",
        ),
        ({"scales": {"yAxes": [{"id": "a"}, {"id": "a"}]}}, "options.scales.yAxes[1]", "declared twice"),
        (
            {"scales": {"yAxes": [{"gridLines": {"display": 0}}]}},
            "options.scales.yAxes[0].gridLines.display",
            "true",
        ),
        (
            {"scales": {"x": {"title": {"text": 5, "display": "yes"}}}},
            "options.scales.x.title.display",
            "true",
        ),
        ({"plugins": {"title": {"text": "t", "color": "nope"}}}, "options.plugins.title.color", "colour"),
        (
            {"plugins": {"title": {"text": "t", "font": {"size": 0}}}},
            "options.plugins.title.font.size",
            "at least 1",
        ),
        (
            {"plugins": {"title": {"text": "t", "position": "middle"}}},
            "options.plugins.title.position",
            "unknown",
        ),
        ({"plugins": {"title": {"text": {"a": 1}}}}, "options.plugins.title.text", "must be a string"),
        ({"title": {"text": "t", "fontSize": "big"}}, "options.title.fontSize", "number"),
        ({"plugins": {"legend": {"position": "middle"}}}, "options.plugins.legend.position", "chartArea"),
        ({"legend": {"display": "no"}}, "options.legend.display", "true or false"),
        ({"legend": {"labels": {"fontColor": "#ggg"}}}, "options.legend.labels.fontColor", "colour"),
        (
            {"plugins": {"customCanvasBackgroundColor": {"color": 1}}},
            "options.plugins.customCanvasBackgroundColor.color",
            "colour",
        ),
        ({"plugins": "none"}, "options.plugins", "must be an object"),
    ],
)
def test_bad_options(options, field, fragment):
    refused(bar(options=options), field, fragment)


# --- shape --------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [None, [], "chart", 3, True])
def test_payload_must_be_an_object(payload):
    refused(payload, "", "JSON object")


def test_chart_and_top_level_chart_keys_together():
    refused({"chart": bar(), "type": "bar"}, "type", "not both")


@pytest.mark.parametrize("chart", [[1], 3, "[1, 2]", "null"])
def test_nested_chart_must_be_an_object(chart):
    refused({"chart": chart}, "chart", "JSON object")


def test_pixel_budget_is_enforced_on_the_ratio():
    from core.specs.chartjs import parse_chart
    from core.specs.errors import SpecError

    body = {
        "type": "bar",
        "width": 4000,
        "height": 4000,
        "devicePixelRatio": 4,
        "data": {"datasets": [{"data": [1]}]},
    }
    with pytest.raises(SpecError) as err:
        parse_chart(body)
    assert err.value.field == "devicePixelRatio" and "50,000,000" in err.value.message
    body["devicePixelRatio"] = 1
    assert parse_chart(body).spec.pixel_width == 4000
