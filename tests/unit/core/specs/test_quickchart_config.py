"""QuickChart configs and parameters (pure): JSON5 object literals read as data, code refused with
its path and the declarative option to use instead, parameter aliases, version defaults, templates."""

from __future__ import annotations

import json

import pytest

from core.specs.errors import SpecError
from core.specs.jsliteral import parse_config
from core.specs.qrcode import parse_qr, qr_options
from core.specs.quickchart import QuickChartRequest, apply_template, read_request, to_spec


def refused(text: str, field: str, *fragments: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_config(text, "chart")
    err = info.value
    assert err.field == field, (err.field, err.message)
    for fragment in fragments:
        assert fragment in err.message, err.message
    return err


def test_json5_literal_features():
    text = """{
      // a comment
      type: 'bar', /* another */ "data": {labels: ['a', "b", 'it\\'s',],
      datasets: [{label: 'x', data: [0x1F, .5, +2, -3e2, 1.,],},],},
    }"""
    assert parse_config(text, "chart") == {
        "type": "bar",
        "data": {"labels": ["a", "b", "it's"], "datasets": [{"label": "x", "data": [31, 0.5, 2, -300, 1.0]}]},
    }


def test_strict_json_takes_the_fast_path_and_gives_the_same_value():
    value = {"type": "line", "data": {"datasets": [{"data": list(range(1000))}]}}
    assert parse_config(json.dumps(value), "chart") == value


def test_keys_named_like_keywords_are_plain_keys():
    assert parse_config("{new: 1, Chart: 'x', Math: [true, null]}", "c") == {
        "new": 1,
        "Chart": "x",
        "Math": [True, None],
    }


def test_strings_that_hold_code_words_are_text():
    value = parse_config("{title: 'new Date(1), Chart.helpers, Math.PI', t: \"x: y, {z}\"}", "c")
    assert value == {"title": "new Date(1), Chart.helpers, Math.PI", "t": "x: y, {z}"}


@pytest.mark.parametrize(
    "text, field, fragments",
    [
        (
            "{options: {scales: {y: {ticks: {callback: function (v) { return v + ', ' + '}'; }}}}}}",
            "chart.options.scales.y.ticks.callback",
            ("functions are not allowed", "tickFormat"),
        ),
        (
            "{options: {plugins: {datalabels: {formatter: v => v.toFixed(2)}}}}",
            "chart.options.plugins.datalabels.formatter",
            ("applyToDataLabels",),
        ),
        (
            "{data: {datasets: [{backgroundColor: (ctx) => ctx.dataIndex ? 'red' : 'blue'}]}}",
            "chart.data.datasets[0].backgroundColor",
            ("one colour per data point",),
        ),
        ("{options: {onClick: function named(e) {}}}", "chart.options.onClick", ("events and animations",)),
        ("{a: async function () {}}", "chart.a", ("functions are not allowed",)),
        ("{a: [1, 2, new Date()]}", "chart.a[2]", ("`new Date()`", "ISO 8601")),
        ("{a: new Intl.NumberFormat('en')}", "chart.a", ("`new Intl.NumberFormat('en')`",)),
        ("{a: -Math.PI}", "chart.a", ("`Math.PI`", "never evaluates code")),
        ("{a: window.location}", "chart.a", ("`window.location`",)),
        ("{a: `template ${x}`}", "chart.a", ("JavaScript expression",)),
        ("{a: 'function (x) { return x; }'}", "chart.a", ("functions are not allowed",)),
    ],
)
def test_code_is_refused_at_its_path(text, field, fragments):
    assert refused(text, field, *fragments).code == "code_not_allowed"


@pytest.mark.parametrize("text", ["{a: Infinity}", "{a: [1, NaN]}", '{"a": -Infinity}'])
def test_non_finite_numbers_are_refused(text):
    with pytest.raises(SpecError, match="finite"):
        parse_config(text, "c")


@pytest.mark.parametrize("text", ["{a: 1", "{a: 1 2}", "", "{a: 'x' + 'y'}"])
def test_syntax_errors_name_the_parameter(text):
    refused(text, "chart", "neither JSON nor a JavaScript object literal")


def test_deep_nesting_is_refused():
    with pytest.raises(SpecError, match="nesting"):
        parse_config("{a:" * 100 + "1" + "}" * 100, "c")


def test_aliases_defaults_and_names_sent():
    req = read_request({"c": "{type:'bar', data:{datasets:[{data:[1]}]}}", "width": "320", "h": "200"})
    assert (req.width, req.height, req.device_pixel_ratio, req.format, req.version) == (320, 200, 2, "png", 2)
    assert req.background_color == "transparent"
    both = read_request({"c": "{}", "chart": "{}", "w": "300", "width": "400"})
    assert both.width == 300 and set(both.warnings) == {"chart", "width"}
    with pytest.raises(SpecError) as info:
        read_request({"chart": "{}", "h": "x"})
    assert info.value.field == "h"


@pytest.mark.parametrize(
    "value, major", [("2", 2), ("2.9.4", 2), ("3", 3), ("4.4.1", 4), (4, 4), ("v3.9", 3)]
)
def test_versions(value, major):
    assert read_request({"c": "{}", "v": value}).version == major


def test_version_2_defaults_curve_and_fill_lines_unless_told_otherwise():
    text = (
        "{type:'line', data:{datasets:[{data:[1,2]}, {data:[1,2], fill:false, tension:0},"
        " {type:'bar', data:[1]}]}}"
    )
    v2 = to_spec(read_request({"c": text})).spec.datasets
    v4 = to_spec(read_request({"c": text, "v": "4"})).spec.datasets
    assert (v2[0].tension, bool(v2[0].fill)) == (0.4, True)
    assert (v2[1].tension, v2[1].fill) == (0.0, False)
    assert v2[2].tension == 0.0 and v2[2].fill is False
    assert (v4[0].tension, v4[0].fill) == (0.0, False)
    elements = (
        "{type:'line', data:{datasets:[{data:[1,2]}]}, options:{elements:{line:{tension:0, fill:false}}}}"
    )
    plain = to_spec(read_request({"c": elements})).spec.datasets[0]
    assert (plain.tension, plain.fill) == (0.0, False)


def test_stored_requests_round_trip():
    req = read_request({"chart": {"type": "bar", "data": {"datasets": [{"data": [1]}]}}, "f": "svg", "v": 3})
    again = QuickChartRequest.from_stored(json.loads(json.dumps(req.stored())))
    assert to_spec(again).spec == to_spec(req).spec


def test_templates():
    config = {"type": "bar", "data": {"labels": ["a"], "datasets": [{"data": [1]}]}}
    out = apply_template(config, {"title": "T", "labels": "x, y", "data1": "3,,4.5", "label2": "two"}, 2)
    assert out["options"]["title"] == {"display": True, "text": "T"}
    assert out["data"]["labels"] == ["x", "y"]
    assert out["data"]["datasets"] == [{"data": [3, None, 4.5]}, {"label": "two"}]
    assert config["data"]["datasets"] == [{"data": [1]}]  # the stored chart is untouched
    v3 = apply_template(config, {"title": "T"}, 3)
    assert v3["options"]["plugins"]["title"]["text"] == "T"
    with pytest.raises(SpecError) as info:
        apply_template(config, {"backgroundColor1": "function () { return 1; }"}, 2)
    assert info.value.code == "code_not_allowed"


def test_qr_parameters():
    spec = parse_qr(
        {"text": "hi", "size": "200", "margin": "2", "ecLevel": "q", "dark": "f00", "light": "#00ff0080"}
    ).spec
    assert (spec.width, spec.height, spec.format, spec.type) == (200, 200, "png", "qr")
    assert qr_options(spec) == ("hi", "Q", 2, "#ff0000ff", "#00ff0080")
    default = parse_qr({"text": "hi"}).spec
    assert qr_options(default) == ("hi", "M", 4, "#000000ff", "#ffffffff") and default.width == 150
