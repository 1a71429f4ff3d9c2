"""Snapshot bodies: defaults, every bad field at once, the GET form, studies by name/alias/object,
and time-axis labels that follow the time zone (:30 and :45 offsets)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from core.specs.finance import FIELDS, SnapshotFieldErrors, parse_snapshot, query_to_body
from worker.render.finance.studies import utc_offsets
from worker.render.finance.timeaxis import labels


def parse(body, **kw):
    return parse_snapshot(body, default_symbol="BINANCE:BTCUSDT", **kw)


def errors(body, **kw):
    with pytest.raises(SnapshotFieldErrors) as exc:
        parse(body, **kw)
    return exc.value.errors


def test_defaults_are_the_documents():
    req = parse({})
    assert (req.symbol, req.interval, req.width, req.height) == ("BINANCE:BTCUSDT", "1D", 800, 600)
    assert (req.theme, req.timezone, req.format, req.studies) == ("light", "Etc/UTC", "png", ())
    assert (req.watermark, req.watermark_size, req.watermark_opacity, req.style) == (None, 16, 1.0, "candle")
    assert parse(None) == req


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("width", [400, 2048], [399, 2049, 800.0, "800", True]),
        ("height", [300, 1920], [299, 1921]),
        ("interval", ["1m", "6h", "12h", "1D", "1W", "1d"], ["14h", "1M", 60, "1w "]),
        ("watermarkSize", [16, 32, 64, 128], [15, 48, "64"]),
        ("watermarkOpacity", [0.1, 1, 1.0], [0.09, 1.01, "0.5"]),
        ("theme", ["light", "dark", "DARK"], ["blue", None]),
        ("format", ["png", "jpeg"], ["svg", "gif"]),
        ("timezone", ["Asia/Kathmandu", "Etc/UTC", "America/New_York"], ["Mars/Base", "utc+1"]),
        ("symbol", ["BTCUSDT", "BINANCE:BTCUSDT.P", "BINANCE:BTCUSDT_241227"], ["", "A:B:C", 5]),
    ],
)
def test_field_limits(field, good, bad):
    for value in good:
        parse({field: value})
    for value in bad:
        assert errors({field: value}) == [
            {
                "type": "field",
                "value": value,
                "msg": errors({field: value})[0]["msg"],
                "path": field,
                "location": "body",
            }
        ]


def test_studies_by_name_alias_and_object():
    req = parse(
        {
            "studies": [
                "sma",
                "Moving Average Exponential",
                {"name": "BB", "input": {"length": 30, "mult": 2.5}, "override": {"Upper.color": "red"}},
                {"name": "RSI", "override": {"color": "#00ff00", "linewidth": 2}},
            ]
        }
    )
    assert [s["name"] for s in req.studies] == [
        "Moving Average",
        "Moving Average Exponential",
        "Bollinger Bands",
        "Relative Strength Index",
    ]
    assert req.studies[0]["input"] == {"length": 9, "source": "close"}
    assert req.studies[2]["input"] == {"length": 30, "mult": 2.5, "source": "close"}
    assert req.studies[2]["override"] == {"Upper.color": "#ff0000ff"}
    assert req.studies[3]["override"] == {"Plot.color": "#00ff00ff", "Plot.linewidth": 2.0}


def test_bad_studies_are_each_listed_with_their_path():
    found = errors(
        {
            "studies": [
                "Ichimoku",
                {"name": "MA", "input": {"length": 0}},
                {"name": "MA", "input": {"colour": 1}},
                {"name": "MACD", "input": {"fast": 30}},
                {"name": "EMA", "override": {"Nope.color": "red"}},
            ]
        }
    )
    assert [e["path"] for e in found] == [
        "studies[0]",
        "studies[1].input.length",
        "studies[2].input.colour",
        "studies[3].input.fast",
        "studies[4].override.Nope.color",
    ]
    assert "Moving Average" in found[0]["supported"]


def test_get_form_converts_numbers_and_repeats_studies():
    args = MultiDict(
        [
            ("width", "640"),
            ("watermarkOpacity", "0.5"),
            ("studies", "MA"),
            ("studies", "RSI"),
            ("from", "2025-08-01"),
        ]
    )
    body = query_to_body(args)
    assert body == {
        "width": 640,
        "watermarkOpacity": 0.5,
        "studies": ["MA", "RSI"],
        "range": {"from": "2025-08-01", "to": None},
    }
    req = parse(body, location="query")
    assert req.range_from == dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
    assert errors(query_to_body(MultiDict([("height", "tall")])), location="query")[0]["location"] == "query"


@pytest.mark.parametrize(("zone", "offset"), [("Asia/Kolkata", 330), ("Asia/Kathmandu", 345), ("Etc/UTC", 0)])
def test_day_labels_follow_the_zone(zone, offset):
    start = int(dt.datetime(2025, 8, 1, tzinfo=dt.UTC).timestamp())
    t = np.arange(start, start + 72 * 3600, 3600)
    offsets = utc_offsets(t, zoneinfo.ZoneInfo(zone))
    assert set(offsets.tolist()) == {offset * 60}
    marks = labels(t, offsets, 60, 6.0)
    days = [(i, text) for i, text in marks if ":" not in text]
    assert days, marks
    for i, text in days:
        local = dt.datetime.fromtimestamp(int(t[i]), dt.UTC) + dt.timedelta(minutes=offset)
        before = local - dt.timedelta(hours=1)
        assert local.date() != before.date() and text == str(local.day)
    times = {text for _, text in marks if ":" in text}
    assert times and all(text.endswith(f":{offset % 60:02d}") for text in times)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from([*FIELDS, "other"]), json_values, max_size=6))
@settings(max_examples=300, deadline=None)
def test_any_json_body_is_parsed_or_refused_field_by_field(body):
    try:
        parse(body)
    except SnapshotFieldErrors as exc:
        assert exc.errors and all(e["type"] == "field" and e["path"] for e in exc.errors)
