"""Chart.js ``candlestick``/``ohlc`` charts (chartjs-chart-financial's data shape) become finance
specs drawn by the candlestick renderer."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.finance import payload_of
from worker.render import render_chart

DAY_MS = 86_400_000


def points(n=30):
    out = []
    for i in range(n):
        o = 100 + i
        out.append(
            {
                "x": 1_700_006_400_000 + i * DAY_MS,
                "o": o,
                "h": o + 3,
                "l": o - 2,
                "c": o + (1 if i % 3 else -1),
            }
        )
    return out


@pytest.mark.parametrize(("kind", "style"), [("candlestick", "candle"), ("ohlc", "ohlc")])
def test_financial_types_become_finance_specs(kind, style):
    data = points()
    shuffled = data[::-1]
    result = parse_chart(
        {
            "type": kind,
            "width": 640,
            "height": 360,
            "data": {"datasets": [{"label": "ACME", "data": shuffled}]},
        }
    )
    assert result.warnings == ()
    spec = result.spec
    payload = payload_of(spec)
    assert spec.type == "finance" and (spec.width, spec.height) == (640, 360)
    assert payload["style"] == style and payload["interval"] == "1D" and payload["symbol"]["name"] == "ACME"
    assert payload["candles"]["t"] == [p["x"] // 1000 for p in data]  # sorted by time
    assert payload["candles"]["c"] == [float(p["c"]) for p in data]
    image = Image.open(io.BytesIO(render_chart(spec).data))
    assert image.size == (640, 360)


def test_iso_times_t_key_and_colours():
    data = [{"t": f"2025-08-0{i + 1}T00:00:00Z", "o": 1, "h": 2, "l": 0.5, "c": 1.5} for i in range(5)]
    spec = parse_chart(
        {
            "type": "candlestick",
            "data": {"datasets": [{"data": data, "color": {"up": "blue", "down": "orange"}}]},
        }
    ).spec
    payload = payload_of(spec)
    assert payload["colors"] == {"up": "#0000ffff", "down": "#ffa500ff"}
    assert len(render_chart(spec).data) > 1000


@pytest.mark.parametrize(
    ("point", "path"),
    [
        ({"x": 0, "o": 1, "h": 2, "l": 0}, "data.datasets[0].data[1].c"),
        ({"x": "yesterday", "o": 1, "h": 2, "l": 0, "c": 1}, "data.datasets[0].data[1].x"),
        ({"x": 0, "o": 1, "h": 0.5, "l": 0, "c": 1}, "data.datasets[0].data[1]"),
        (5, "data.datasets[0].data[1]"),
    ],
)
def test_bad_points_name_their_path(point, path):
    good = {"x": 0, "o": 1, "h": 2, "l": 0, "c": 1}
    with pytest.raises(SpecError) as exc:
        parse_chart({"type": "candlestick", "data": {"datasets": [{"data": [good, point]}]}})
    assert exc.value.field == path
