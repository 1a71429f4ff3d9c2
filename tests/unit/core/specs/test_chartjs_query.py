"""GET /api/v1/render: base64url specs and the simple query-parameter form."""

from __future__ import annotations

import base64
import json

import pytest

from core.specs.chartjs import decode_base64url_spec, parse_chart, parse_query
from core.specs.errors import SpecError
from core.specs.model import MAX_TEXT, ChartSpec, Dataset, Text

SPEC = {
    "type": "line",
    "width": 600,
    "height": 300,
    "data": {
        "labels": ["Jan", "Feb", "Mar"],
        "datasets": [{"label": "Revenue", "data": [12000, 15000, 18000]}],
    },
    "options": {"plugins": {"title": {"display": True, "text": "Ünïcode ✓ $"}}},
}


def b64url(obj, *, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(json.dumps(obj).encode()).decode()
    return text if pad else text.rstrip("=")


def refused(args, field: str, fragment: str = "") -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_query(args)
    assert info.value.field == field, (info.value.field, info.value.message)
    assert fragment.lower() in info.value.message.lower(), info.value.message
    return info.value


def check(spec: ChartSpec) -> ChartSpec:
    assert ChartSpec.from_dict(spec.to_dict()) == spec
    return spec


# --- base64url ----------------------------------------------------------------------------------


def test_decode_accepts_url_safe_standard_padded_and_unpadded():
    awkward = {"t": "??>>~~", "n": [1, 2, 3]}  # encodes to text with "-"/"_" (or "+"/"/") characters
    url_safe = b64url(awkward)
    standard = base64.b64encode(json.dumps(awkward).encode()).decode()
    assert "-" in url_safe or "_" in url_safe
    for text in (url_safe, b64url(awkward, pad=True), standard, standard.rstrip("="), f"  {url_safe}\n"):
        assert decode_base64url_spec(text) == awkward


def test_decode_undoes_plus_turned_into_space_by_query_decoding():
    awkward = {"t": ">>>>>>"}
    standard = base64.b64encode(json.dumps(awkward).encode()).decode()
    assert "+" in standard
    assert decode_base64url_spec(standard.replace("+", " ")) == awkward


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "base64"),
        ("!!!!", "base64"),
        ("abcde", "base64"),
        (base64.b64encode(b"\xff\xfe\x00").decode(), "UTF-8"),
        (base64.b64encode(b"{not json").decode(), "not valid JSON"),
        (base64.b64encode(b"[1, 2]").decode(), "JSON object"),
        (base64.b64encode(b'"text"').decode(), "JSON object"),
    ],
)
def test_decode_failures_name_chart(text, fragment):
    with pytest.raises(SpecError) as info:
        decode_base64url_spec(text)
    assert info.value.field == "chart" and fragment.lower() in info.value.message.lower()


def test_decode_refuses_non_text():
    with pytest.raises(SpecError) as info:
        decode_base64url_spec(None)  # type: ignore[arg-type]
    assert info.value.field == "chart"


@pytest.mark.parametrize("key", ["chart", "c"])
def test_base64_spec_equals_post(key):
    result = parse_query({key: b64url(SPEC), "key": "pk_live_x", "returnUrl": "true", "brandKitId": "linen"})
    assert result.spec == parse_chart(SPEC).spec
    assert result.warnings == ()
    check(result.spec)


def test_base64_spec_keeps_spec_warnings():
    spec = {**SPEC, "options": {"animation": False}}
    assert parse_query({"c": b64url(spec)}).warnings == ("options.animation",)


def test_query_output_settings_override_the_spec():
    spec = parse_query({"chart": b64url(SPEC), "width": "1000", "format": "jpg", "scale": "2"}).spec
    assert (spec.width, spec.height, spec.format, spec.device_pixel_ratio) == (1000, 300, "jpeg", 2)
    spec = parse_query({"chart": b64url(SPEC), "devicePixelRatio": "3", "scale": "2"}).spec
    assert spec.device_pixel_ratio == 3


def test_simple_parameters_next_to_a_base64_spec_are_warned():
    result = parse_query({"c": b64url(SPEC), "labels": "a,b", "foo": "1"})
    assert result.warnings == ("labels", "foo")


def test_bad_base64_names_the_parameter_used():
    refused({"chart": "%%%"}, "chart", "base64")
    refused({"c": "%%%"}, "c", "base64")


def test_both_chart_and_c():
    refused({"chart": b64url(SPEC), "c": b64url(SPEC)}, "c", "not both")


def test_errors_inside_a_base64_spec_name_the_spec_field():
    refused({"c": b64url({**SPEC, "width": 9000})}, "width", "between")
    refused({"c": b64url({**SPEC, "options": {"f": "x => x"}})}, "options.f", "functions are not allowed")


def test_bad_override():
    refused({"c": b64url(SPEC), "height": "tall"}, "height", "whole number")
    refused({"c": b64url(SPEC), "scale": "9"}, "scale", "between 1 and 4")


# --- simple parameters --------------------------------------------------------------------------


def test_simple_form_from_the_contract_example():
    result = parse_query(
        {
            "key": "pk_live_YOUR_KEY",
            "type": "bar",
            "labels": "Q1,Q2,Q3,Q4",
            "data": "100,150,120,180",
            "title": "Revenue",
            "format": "png",
            "width": "600",
            "height": "300",
        }
    )
    assert result.warnings == ()
    assert check(result.spec) == ChartSpec(
        type="bar",
        width=600,
        height=300,
        format="png",
        labels=("Q1", "Q2", "Q3", "Q4"),
        datasets=(Dataset(type="bar", values=(100.0, 150.0, 120.0, 180.0)),),
        title=Text(lines=("Revenue",)),
    )


def test_simple_form_short_aliases_are_equal():
    long = parse_query(
        {"type": "line", "labels": "a,b", "data": "1,2", "title": "T", "devicePixelRatio": "2"}
    )
    short = parse_query({"cht": "line", "l": "a,b", "d": "1,2", "t": "T", "scale": "2"})
    assert long.spec == short.spec and short.warnings == ()


def test_simple_form_alias_alongside_the_long_name_is_warned():
    result = parse_query({"data": "1", "d": "2"})
    assert result.spec.datasets[0].values == (1.0,) and result.warnings == ("d",)


@pytest.mark.parametrize("chart_type", ["line", "bar", "pie", "doughnut", "radar", "polarArea"])
def test_simple_form_types(chart_type):
    spec = parse_query({"type": chart_type, "data": "1,2"}).spec
    assert spec.type == chart_type and spec.datasets[0].type == chart_type


def test_simple_form_defaults():
    spec = check(parse_query({"data": "1, 2.5 ,-3e2"}).spec)
    assert spec.type == "bar" and spec.labels == () and spec.title is None
    assert spec.datasets[0].values == (1.0, 2.5, -300.0)
    assert (spec.width, spec.height, spec.format, spec.device_pixel_ratio) == (800, 400, "png", 1)


def test_simple_form_horizontal_bar():
    spec = parse_query({"type": "horizontalBar", "data": "1"}).spec
    assert spec.type == "bar" and spec.index_axis == "y"


def test_simple_form_gaps_and_literal_text():
    spec = parse_query({"labels": "a, b ,$c$", "data": "1,,null", "title": "50% of $"}).spec
    assert spec.labels == ("a", "b", "$c$")
    assert spec.datasets[0].values == (1.0, None, None)
    assert spec.title == Text(lines=("50% of $",))


def test_simple_form_unknown_parameters_are_warned_and_api_ones_are_not():
    result = parse_query(
        {
            "data": "1",
            "palette": "red",
            "apiKey": "k",
            "returnUrl": "1",
            "webhookUrl": "u",
            "idempotencyKey": "i",
            "zz": "",
        }
    )
    assert result.warnings == ("palette", "zz")


@pytest.mark.parametrize(
    ("args", "field", "fragment"),
    [
        ({"data": "1,abc,3"}, "data", "value 2 is not a number: 'abc'"),
        ({"d": "1,abc"}, "d", "not a number"),
        ({"data": "nan"}, "data", "not a number"),
        ({"data": "inf"}, "data", "not a number"),
        ({"data": "1_000"}, "data", "not a number"),
        ({"data": "1e999"}, "data", "not a number"),
        ({"labels": "a,b,c", "data": "1,2"}, "data", "has 2 values but there are 3 labels"),
        ({"labels": "a", "data": "1,2"}, "data", "has 2 values but there are 1 labels"),
        ({"labels": "a"}, "data", "required"),
        ({"data": "  "}, "data", "required"),
        ({"type": "histogram", "data": "1"}, "type", "unknown chart type"),
        ({"cht": "scatter", "data": "1"}, "cht", "full spec"),
        ({"data": "1", "width": "5000"}, "width", "between 100 and 4000"),
        ({"data": "1", "height": "abc"}, "height", "whole number"),
        ({"data": "1", "format": "bmp"}, "format", "unknown format"),
        ({"data": "1", "devicePixelRatio": "5"}, "devicePixelRatio", "between 1 and 4"),
        ({"data": "1", "scale": "0"}, "scale", "between 1 and 4"),
        ({"data": "1", "title": "x" * (MAX_TEXT + 1)}, "title", "longer than"),
        ({"labels": "x" * (MAX_TEXT + 1), "data": "1"}, "labels", "longer than"),
        ({"data": "1", "title": "function(){}"}, "title", "functions are not allowed"),
        ({"data": "1", "t": "a => b"}, "t", "functions are not allowed"),
        ({"data": "1", "labels": "javascript:alert(1)"}, "labels", "never executes code"),
    ],
)
def test_simple_form_refusals(args, field, fragment):
    refused(args, field, fragment)


def test_query_values_must_be_text():
    refused({"data": ["1", "2"]}, "data", "text")


def test_query_must_be_a_mapping():
    refused([("data", "1")], "", "mapping")
