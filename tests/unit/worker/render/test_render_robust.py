"""Floating bars, legends of unnamed datasets and extreme but valid input: always an image."""

from __future__ import annotations

import dataclasses
import io
import logging

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from PIL import Image

from core.specs.chartjs import parse_chart
from core.specs.model import Axis, ChartSpec, Dataset, Point, Text
from worker.render import _FAMILIES as FAMILIES
from worker.render import RenderError, render_chart, theme
from worker.render.canvas import Canvas


def bars(spec: ChartSpec) -> dict[int, list[np.ndarray]]:
    """Bar rectangles per dataset (its zorder slot), as (4, 2) corner arrays."""
    canvas = Canvas(spec, theme.WHITE)
    FAMILIES[spec.type](canvas, spec)
    n = len(spec.datasets)
    out: dict[int, list[np.ndarray]] = {}
    for c in canvas.figure.artists:
        if type(c) is PolyCollection and 3 <= c.get_zorder() < 4:
            order = n - round((c.get_zorder() - 3) * 1e3)
            out[order] = [np.array(p.vertices) for p in c.get_paths()]
    return out


def spec_of(body: dict) -> ChartSpec:
    return parse_chart(body).spec


# --- floating bars -------------------------------------------------------------------------------


@pytest.mark.parametrize("horizontal", [False, True])
def test_floating_bar_spans_from_start_to_end(horizontal):
    body = {
        "type": "bar",
        "data": {
            "labels": ["a"],
            "datasets": [{"data": [[2, 5]]}, {"data": [5]}, {"data": [2]}],
        },
        "options": {"indexAxis": "y" if horizontal else "x"},
    }
    got = bars(spec_of(body))
    along = 0 if horizontal else 1  # the value direction in pixels
    floating, five, two = (got[i][0][:, along] for i in range(3))
    assert floating.max() == pytest.approx(five.max(), abs=0.01)
    assert floating.min() == pytest.approx(two.max(), abs=0.01)
    assert five.min() == pytest.approx(two.min(), abs=0.01)  # ordinary bars still start at zero


def test_stacked_floating_bar_sits_on_the_stack_below():
    body = {
        "type": "bar",
        "data": {"labels": ["a"], "datasets": [{"data": [3]}, {"data": [[1, 2]]}]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }
    got = bars(spec_of(body))
    below, floating = got[0][0][:, 1], got[1][0][:, 1]
    zero, three = below.min(), below.max()
    per_unit = (three - zero) / 3
    assert floating.min() == pytest.approx(zero + 4 * per_unit, abs=0.01)
    assert floating.max() == pytest.approx(zero + 5 * per_unit, abs=0.01)


def test_floating_bar_crossing_zero_is_not_stacked():
    body = {
        "type": "bar",
        "data": {"labels": ["a"], "datasets": [{"data": [3]}, {"data": [[-1, 2]]}]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }
    got = bars(spec_of(body))
    below, floating = got[0][0][:, 1], got[1][0][:, 1]
    per_unit = (below.max() - below.min()) / 3
    assert floating.max() == pytest.approx(below.min() + 2 * per_unit, abs=0.01)
    assert floating.min() == pytest.approx(below.min() - per_unit, abs=0.01)


# --- legend --------------------------------------------------------------------------------------


def red_pixels(spec: ChartSpec) -> int:
    arr = np.asarray(Image.open(io.BytesIO(render_chart(spec).data)).convert("RGB"))
    return int((arr == np.array((255, 0, 0), dtype=np.uint8)).all(axis=-1).sum())


def test_no_legend_swatch_when_no_dataset_has_a_label():
    unnamed = ChartSpec(
        type="bar",
        labels=("a", "b"),
        datasets=(Dataset(type="bar", values=(5, 6), background_color="#ff0000ff", hidden=True),),
    )
    named = dataclasses.replace(unnamed, datasets=(dataclasses.replace(unnamed.datasets[0], label="s"),))
    assert red_pixels(unnamed) == 0  # hidden, so only a legend swatch could be red
    assert red_pixels(named) > 0


# --- extremes ------------------------------------------------------------------------------------

EXTREME_BODIES = {
    "bar 1e308": {"type": "bar", "data": {"labels": ["a", "b"], "datasets": [{"data": [1e308, -1e308]}]}},
    "line tiny": {"type": "line", "data": {"labels": ["a", "b"], "datasets": [{"data": [5e-324, 0]}]}},
    "bounds 1e308": {
        "type": "line",
        "data": {"labels": ["a"], "datasets": [{"data": [1]}]},
        "options": {"scales": {"y": {"min": -1e308, "max": 1e308}}},
    },
    "2x bounds 1e308": {
        "type": "line",
        "data": {"labels": ["a"], "datasets": [{"data": [1]}]},
        "options": {"scales": {"yAxes": [{"ticks": {"min": -1e308, "max": 1e308}}]}},
    },
    "span 1e300": {
        "type": "scatter",
        "data": {"datasets": [{"data": [{"x": -1e300, "y": 1e300}, {"x": 1e300, "y": -1e300}]}]},
    },
    "bubble radius": {"type": "bubble", "data": {"datasets": [{"data": [{"x": 1, "y": 1, "r": 1e308}]}]}},
    "log zero and negative": {
        "type": "line",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [0, -5]}]},
        "options": {"scales": {"y": {"type": "logarithmic", "min": 0}}},
    },
    "log 5e-324 to 1e308": {
        "type": "line",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [5e-324, 1e308]}]},
        "options": {"scales": {"y": {"type": "logarithmic"}}},
    },
    "min > max": {
        "type": "bar",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [1, 5]}]},
        "options": {"scales": {"y": {"min": 10, "max": 0}}},
    },
    "all null": {"type": "line", "data": {"labels": ["a", "b"], "datasets": [{"data": [None, None]}]}},
    "all zero pie": {"type": "pie", "data": {"labels": ["a", "b"], "datasets": [{"data": [0, 0]}]}},
    "negative pie": {"type": "doughnut", "data": {"labels": ["a", "b"], "datasets": [{"data": [-1, 3]}]}},
    "huge pie": {"type": "pie", "data": {"labels": ["a", "b"], "datasets": [{"data": [1e308, 1e308]}]}},
    "polar extremes": {
        "type": "polarArea",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [-1, 1e308]}]},
    },
    "radar extremes": {
        "type": "radar",
        "data": {"labels": ["a", "b", "c"], "datasets": [{"data": [-1e308, 1e308, 0]}]},
    },
    "stacked 1e308": {
        "type": "bar",
        "data": {"labels": ["a"], "datasets": [{"data": [1e308]}, {"data": [1e308]}]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    },
    "linear x bars": {
        "type": "bar",
        "data": {"datasets": [{"data": [{"x": 1e308, "y": 1}, {"x": -1e308, "y": 2}]}]},
        "options": {"scales": {"x": {"type": "linear"}}},
    },
    "value far outside user bounds": {
        "type": "line",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [1e300, -1e300], "fill": True}]},
        "options": {"scales": {"y": {"min": 0, "max": 1}}},
    },
    "time axis spanning years 1 to 9999": {
        "type": "line",
        "data": {"datasets": [{"data": [{"x": "0001-01-01", "y": 1}, {"x": "9999-12-31", "y": 2}]}]},
        "options": {"scales": {"x": {"type": "time"}}},
    },
    "surrogates": {
        "type": "bar",
        "data": {"labels": ["\ud800"], "datasets": [{"label": "\udfff", "data": [1]}]},
        "options": {"plugins": {"title": {"text": "\ud800"}}},
    },
}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("name", sorted(EXTREME_BODIES))
def test_extreme_but_valid_specs_render(name, fmt):
    spec = dataclasses.replace(spec_of(EXTREME_BODIES[name]), width=300, height=200, format=fmt)
    image = render_chart(spec)
    assert image.data and (image.width, image.height) == (300, 200)


def test_renderer_copes_without_the_parser_clamps():
    """Specs built by other dialects (or stored before the clamps) reach the renderer directly."""
    specs = [
        ChartSpec(type="bar", labels=("a", "b"), datasets=(Dataset(type="bar", values=(1e308, -1e308)),)),
        ChartSpec(
            type="line",
            labels=("a",),
            datasets=(Dataset(type="line", values=(1.0,)),),
            scales=(("y", Axis(min=-1.7e308, max=1.7e308)),),
        ),
        ChartSpec(type="bubble", datasets=(Dataset(type="bubble", points=(Point(1.0, 1.0, 1e308),)),)),
        ChartSpec(
            type="line",
            labels=("a", "b"),
            datasets=(Dataset(type="line", values=(5e-324, 1.7e308)),),
            scales=(("y", Axis(type="logarithmic")),),
        ),
        ChartSpec(
            type="bar",
            labels=("\ud800",),
            title=Text(("\udc00",)),
            datasets=(Dataset(type="bar", label="\ud800x", values=(1.0,)),),
        ),
        ChartSpec(type="pie", labels=("a", "b"), datasets=(Dataset(type="pie", values=(1.7e308, 1.7e308)),)),
    ]
    for spec in specs:
        assert render_chart(dataclasses.replace(spec, width=300, height=200)).data


def test_render_errors_carry_no_internals(caplog):
    spec = ChartSpec(
        type="bar",
        labels=("a",),
        datasets=(
            Dataset(
                type="bar",
                values=(1.0,),
            ),
        ),
    )
    broken = dataclasses.replace(spec, background_color="not a colour")
    with caplog.at_level(logging.WARNING, logger="worker.render"), pytest.raises(RenderError) as info:
        render_chart(broken)
    assert info.value.message == "cannot draw this bar chart"
    assert caplog.records and caplog.records[0].exc_info  # the details are logged for operators


# --- found by the property tests ------------------------------------------------------------------

REGRESSIONS = {
    # a user min of 0 alone (the commonest bound there is) crashed the tick formatter
    "y min 0": {
        "type": "line",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [1, 5]}]},
        "options": {"scales": {"y": {"min": 0}}},
    },
    # a subnormal span: its power of ten underflowed to 0
    "subnormal span": {
        "type": "line",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [5e-324, 1e-323]}]},
    },
    # a logarithmic axis with min == max had no range at all
    "log min == max": {
        "type": "bubble",
        "data": {"datasets": [{"data": [{"x": 5, "y": 5, "r": 2}]}]},
        "options": {"scales": {"x": {"type": "logarithmic", "min": 1e7, "max": 1e7}}},
    },
    # numbers on a horizontal chart's time axis are not dates: pinned into the calendar
    "horizontal time axis with numbers": {
        "type": "bar",
        "data": {"datasets": [{"data": [{"x": 1, "y": -5e16}, {"x": 2, "y": 1e300}]}]},
        "options": {"indexAxis": "y", "scales": {"y": {"type": "time"}}},
    },
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_property_test_findings_render(name):
    spec = dataclasses.replace(spec_of(REGRESSIONS[name]), width=300, height=200)
    assert render_chart(spec).data


def test_2x_bar_value_axis_fits_the_data_and_4x_starts_at_zero():
    data = {"labels": ["a", "b", "c"], "datasets": [{"label": "s", "data": [50, 60, 70]}]}
    v2 = dataclasses.replace(spec_of({"type": "bar", "data": data, "options": {"scales": {"yAxes": [{}]}}}))
    v4 = spec_of({"type": "bar", "data": data})
    lowest = {name: min(q[:, 1].min() for q in bars(spec)[0]) for name, spec in (("v2", v2), ("v4", v4))}
    tops = {name: [q[:, 1].max() for q in bars(spec)[0]] for name, spec in (("v2", v2), ("v4", v4))}
    # 2.9: the axis starts near the smallest value, so bars differ in height far more than 50:70
    span2 = [t - lowest["v2"] for t in tops["v2"]]
    span4 = [t - lowest["v4"] for t in tops["v4"]]
    assert span4[0] / span4[2] == pytest.approx(50 / 70, rel=0.02)
    assert span2[0] / span2[2] < 0.5
