"""Random junk never escapes as anything but SpecError, and whatever parses is a valid spec.

Seeded ``random`` (no hypothesis): the same cases run every time.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import random
import string

import pytest

from core.specs.chartjs import decode_base64url_spec, parse_chart, parse_query
from core.specs.errors import SpecError
from core.specs.model import ChartSpec

KEYS = [
    "type",
    "data",
    "labels",
    "datasets",
    "options",
    "plugins",
    "title",
    "subtitle",
    "legend",
    "scales",
    "scale",
    "xAxes",
    "yAxes",
    "x",
    "y",
    "r",
    "t",
    "id",
    "min",
    "max",
    "ticks",
    "grid",
    "gridLines",
    "scaleLabel",
    "labelString",
    "text",
    "display",
    "position",
    "stacked",
    "beginAtZero",
    "reverse",
    "color",
    "fontColor",
    "fontSize",
    "font",
    "size",
    "backgroundColor",
    "borderColor",
    "borderWidth",
    "fill",
    "tension",
    "lineTension",
    "pointRadius",
    "borderDash",
    "stack",
    "hidden",
    "xAxisID",
    "yAxisID",
    "indexAxis",
    "width",
    "height",
    "format",
    "devicePixelRatio",
    "chart",
    "axis",
    "customCanvasBackgroundColor",
    "label",
    "animation",
]
STRINGS = [
    "",
    "bar",
    "line",
    "pie",
    "doughnut",
    "radar",
    "polarArea",
    "scatter",
    "bubble",
    "horizontalBar",
    "time",
    "timeseries",
    "linear",
    "logarithmic",
    "category",
    "radialLinear",
    "origin",
    "start",
    "end",
    "-1",
    "+1",
    "0",
    "stack",
    "top",
    "bottom",
    "left",
    "right",
    "chartArea",
    "center",
    "x",
    "y",
    "r",
    "red",
    "#fff",
    "#12345678",
    "rgba(1,2,3,0.5)",
    "hsl(10, 20%, 30%)",
    "transparent",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "2024-13-45",
    "png",
    "jpg",
    "svg",
    "600",
    "1.5",
    "single",
    "auto",
    "$\\x$",
    "nan",
    "\x00",
    "é" * 3,
    "x" * 600,
]
NUMBERS = [
    0,
    1,
    -1,
    2,
    3,
    0.5,
    1.5,
    100,
    800,
    4000,
    5000,
    1e300,
    -1e300,
    10**30,
    math.nan,
    math.inf,
    -math.inf,
]


def junk(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice([None, True, False, rng.choice(NUMBERS), rng.choice(STRINGS), _random_text(rng)])
    if roll < 0.65:
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = KEYS if rng.random() < 0.8 else [_random_text(rng) for _ in range(3)]
    return {rng.choice(keys): junk(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 12)))


FIXTURES = [
    {
        "type": "bar",
        "data": {"labels": ["a", "b"], "datasets": [{"label": "s", "data": [1, 2]}]},
        "options": {
            "plugins": {"title": {"text": "t"}, "legend": {"position": "left"}},
            "scales": {"x": {"stacked": True}, "y": {"min": 0, "title": {"text": "y"}}},
        },
    },
    {
        "type": "line",
        "data": {
            "labels": ["2024-01-01", "2024-01-02"],
            "datasets": [
                {"data": [1, None], "fill": "-1", "borderDash": [2, 2]},
                {"type": "bar", "data": [2, 3], "backgroundColor": ["red", "blue"]},
            ],
        },
        "options": {
            "scales": {"xAxes": [{"type": "time", "ticks": {"min": "2024-01-01"}}], "yAxes": [{}]},
            "title": {"display": True, "text": "t", "fontSize": 12},
        },
    },
    {
        "type": "bubble",
        "data": {"datasets": [{"data": [{"x": 1, "y": 2, "r": 3}, [4, 5, 6]]}]},
        "options": {"scales": {"x": {"type": "linear"}}},
    },
    {
        "chart": {
            "type": "radar",
            "data": {"labels": ["a"], "datasets": [{"data": [1]}]},
            "options": {"scale": {"ticks": {"beginAtZero": True}}},
        },
        "width": 300,
        "backgroundColor": "white",
    },
]


def check_parse(payload) -> None:
    try:
        result = parse_chart(payload)
    except SpecError as err:
        assert isinstance(err.field, str) and err.message and err.status == 400
        return
    spec = result.spec
    assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec
    assert len(set(result.warnings)) == len(result.warnings)


@pytest.mark.parametrize("seed", range(4))
def test_random_junk_payloads(seed):
    rng = random.Random(seed)
    for _ in range(150):
        payload = junk(rng)
        if rng.random() < 0.5 and isinstance(payload, dict):
            payload["type"] = rng.choice(STRINGS[1:11])
        check_parse(payload)


def _mutate(rng: random.Random, value):
    """Replace one random subtree (or add one random key) somewhere inside ``value``."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        if rng.random() < 0.3:
            value[key] = junk(rng, 3)
        else:
            value[key] = _mutate(rng, value[key])
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        i = rng.randrange(len(value))
        value[i] = _mutate(rng, value[i]) if rng.random() < 0.7 else junk(rng, 3)
        return value
    if isinstance(value, dict):
        value[rng.choice(KEYS)] = junk(rng, 3)
        return value
    return junk(rng, 3)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_valid_specs(seed):
    rng = random.Random(1000 + seed)
    for fixture in FIXTURES:
        check_parse(copy.deepcopy(fixture))  # the fixtures themselves are valid
        for _ in range(60):
            payload = copy.deepcopy(fixture)
            for _ in range(rng.randint(1, 3)):
                payload = _mutate(rng, payload)
            check_parse(payload)


def test_fixtures_parse():
    for fixture in FIXTURES:
        parse_chart(copy.deepcopy(fixture))


def test_random_query_strings():
    rng = random.Random(7)
    params = [
        "type",
        "cht",
        "labels",
        "l",
        "data",
        "d",
        "title",
        "t",
        "width",
        "height",
        "format",
        "devicePixelRatio",
        "scale",
        "chart",
        "c",
        "key",
        "other",
    ]
    for _ in range(300):
        args = {}
        for _ in range(rng.randint(0, 6)):
            name = rng.choice(params)
            if name in ("chart", "c") and rng.random() < 0.7:
                raw = json.dumps(_mutate(rng, copy.deepcopy(rng.choice(FIXTURES))))
                value = base64.urlsafe_b64encode(raw.encode()).decode()
            elif name in ("data", "d"):
                value = ",".join(
                    str(rng.choice([*NUMBERS, "", "x", " 1 "])) for _ in range(rng.randint(0, 5))
                )
            else:
                value = rng.choice([*STRINGS, _random_text(rng)])
            args[name] = value
        try:
            spec = parse_query(args).spec
        except SpecError:
            continue
        assert ChartSpec.from_dict(json.loads(spec.canonical_json())) == spec


def test_random_base64_text():
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + "-_+/= \n%"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        try:
            assert isinstance(decode_base64url_spec(text), dict)
        except SpecError as err:
            assert err.field == "chart"
