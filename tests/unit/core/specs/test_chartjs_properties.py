"""Property tests (hypothesis) over the Chart.js parser and the renderer.

* Parser: any JSON value (keys drawn from the Chart.js vocabulary, extreme floats, any unicode
  including lone surrogates) either parses to a spec that survives storage (canonical JSON as UTF-8,
  ``from_dict`` round trip) or raises ``SpecError``: a 4xx naming a field, never anything else.
* Renderer: every spec the parser accepts renders to an image of the requested size.

Kept small (about 5 s): they run in ``make test``.
"""

from __future__ import annotations

import dataclasses
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.specs.chartjs import parse_chart, parse_query
from core.specs.errors import SpecError
from core.specs.model import ChartSpec
from worker.render import render_chart

VOCABULARY = [
    "type", "data", "labels", "datasets", "options", "plugins", "title", "legend", "scales", "scale",
    "xAxes", "yAxes", "x", "y", "r", "t", "min", "max", "ticks", "text", "display", "position",
    "stacked", "beginAtZero", "reverse", "label", "backgroundColor", "borderColor", "borderWidth",
    "fill", "tension", "lineTension", "pointRadius", "borderDash", "stack", "hidden", "xAxisID",
    "yAxisID", "indexAxis", "width", "height", "format", "devicePixelRatio", "chart", "id", "axis",
]  # fmt: skip
CHART_TYPES = ["line", "bar", "pie", "doughnut", "radar", "polarArea", "scatter", "bubble", "horizontalBar"]
SCALE_TYPES = ["linear", "logarithmic", "category", "time", "timeseries"]

EXTREME_FLOATS = [1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324, 1e300, -1e300, 1e-300, 0.0, -0.0]
floats = st.one_of(
    st.sampled_from(EXTREME_FLOATS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**20), 10**20),
)
numeric_text = st.one_of(
    floats.map(repr),
    st.sampled_from(["12", " 3.5 ", "1e308", "-1e400", "NaN", "Infinity", "", "0x10", "1_000"]),
)
dates = st.sampled_from(
    ["2024-01-05", "01/05/2024", "2024-01-05 10:30", "2024-01-05T10:30:00", "Jan 5, 2024", "0001-01-01",
     "9999-12-31T23:59:59", "1704412800000", "yesterday"]
)  # fmt: skip
strings = st.one_of(
    st.text(max_size=12),  # any unicode, lone surrogates included
    st.sampled_from(["\ud800", "a\udfffb", "\U0001f600", "$x$", "\n", "red", "#ff000080", "origin", "-1"]),
    numeric_text,
    dates,
)
scalars = st.one_of(st.none(), st.booleans(), floats, strings)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=6)), children, max_size=5),
    ),
    max_leaves=25,
)
value_item = st.one_of(
    st.none(),
    floats,
    numeric_text,
    st.lists(st.one_of(floats, numeric_text), min_size=2, max_size=2),  # floating bars / [x, y]
    st.fixed_dictionaries({"x": st.one_of(floats, strings), "y": st.one_of(floats, numeric_text)}),
    st.fixed_dictionaries(
        {"x": floats, "y": floats, "r": st.one_of(floats.map(abs), st.just(1e308), numeric_text)}
    ),
)
bound = st.one_of(floats, numeric_text, dates)


@st.composite
def axis(draw):
    out = {}
    for key, strategy in (
        ("type", st.sampled_from(SCALE_TYPES)),
        ("min", bound),
        ("max", bound),
        ("stacked", st.booleans()),
        ("beginAtZero", st.booleans()),
        ("reverse", st.booleans()),
    ):
        if draw(st.booleans()):
            out[key] = draw(strategy)
    return out


@st.composite
def chart_configs(draw):
    """Plausible Chart.js configs (2.x and 4.x layouts) with extreme values in every number slot."""
    n = draw(st.integers(0, 6))
    labels = draw(st.lists(st.one_of(strings, floats), min_size=n, max_size=n))
    datasets = []
    for _ in range(draw(st.integers(1, 3))):
        ds = {"data": draw(st.lists(value_item, max_size=n or 4))}
        if draw(st.booleans()):
            ds["label"] = draw(strings)
        if draw(st.booleans()):
            ds["fill"] = draw(st.sampled_from([True, False, "origin", "start", "end", "-1", "+1", 0, 5]))
        if draw(st.booleans()):
            ds["type"] = draw(st.sampled_from(["bar", "line", "scatter", "bubble"]))
        datasets.append(ds)
    if draw(st.booleans()):
        scales = {"xAxes": [draw(axis())], "yAxes": [draw(axis())]}
        options = {"scales": scales, "title": {"text": draw(strings)}}
    else:
        scales = {"x": draw(axis()), "y": draw(axis()), "r": draw(axis())}
        options = {"scales": scales, "plugins": {"title": {"text": draw(strings)}}}
    if draw(st.booleans()):
        options["indexAxis"] = "y"
    return {
        "type": draw(st.sampled_from(CHART_TYPES)),
        "width": 200,
        "height": 150,
        "data": {"labels": labels, "datasets": datasets},
        "options": options,
    }


def check_refusal(err: SpecError) -> None:
    assert 400 <= err.status < 500
    assert isinstance(err.field, str) and isinstance(err.message, str) and err.message
    assert "Traceback" not in err.message and "object at 0x" not in err.message


def check_storable(spec: ChartSpec) -> None:
    canonical = spec.canonical_json()
    canonical.encode("utf-8")
    assert ChartSpec.from_dict(json.loads(canonical)) == spec
    for ds in spec.datasets:
        for v in (*ds.values, *(p.y for p in ds.points)):
            assert v is None or math.isfinite(v)


def parse_or_refuse(payload) -> ChartSpec | None:
    try:
        result = parse_chart(payload)
    except SpecError as err:
        check_refusal(err)
        return None
    check_storable(result.spec)
    for path in result.warnings:
        path.encode("utf-8")  # sent back in a header
    return result.spec


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RENDERS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(json_values)
def test_any_json_parses_or_is_a_4xx(payload):
    parse_or_refuse(payload)
    if isinstance(payload, dict):
        parse_or_refuse({"type": "line", "data": {"datasets": [{"data": [1]}]}, "options": payload})


@FAST
@given(st.dictionaries(st.sampled_from(["type", "labels", "data", "title", "l", "d", "t", "width"]), strings))
def test_any_simple_query_parses_or_is_a_4xx(params):
    try:
        spec = parse_query(params).spec
    except SpecError as err:
        check_refusal(err)
    else:
        check_storable(spec)


@RENDERS
@given(chart_configs())
def test_every_accepted_config_renders(config):
    spec = parse_or_refuse(config)
    if spec is None:
        return
    image = render_chart(spec)
    assert image.data and (image.width, image.height) == (200, 150)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chart_configs(), st.sampled_from(["svg", "pdf", "jpeg"]))
def test_every_accepted_config_renders_in_vector_formats(config, fmt):
    spec = parse_or_refuse(config)
    if spec is None:
        return
    assert render_chart(dataclasses.replace(spec, format=fmt)).data
