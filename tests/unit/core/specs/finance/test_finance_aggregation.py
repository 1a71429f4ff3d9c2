"""6h, 12h and 1W candles equal a direct aggregation of the shipped candles (exact decimals)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from core.services.market.snapshots import aggregate, floor_to
from tests.support.finance import shipped


def direct(candles, key):
    """Group by ``key`` (a calendar function, independent of our bucket arithmetic)."""
    groups = defaultdict(list)
    for c in candles:
        groups[key(c.bucket)].append(c)
    out = {}
    for k, g in groups.items():
        g.sort(key=lambda c: c.bucket)
        out[k] = (
            g[0].open,
            max(c.high for c in g),
            min(c.low for c in g),
            g[-1].close,
            sum((c.volume for c in g), Decimal(0)),
        )
    return out


def as_dict(candles, key):
    return {key(c.bucket): (c.open, c.high, c.low, c.close, c.volume) for c in candles}


@pytest.mark.parametrize("hours", [6, 12])
def test_intraday_aggregation_equals_calendar_grouping(hours):
    hourly = shipped("1h")

    def key(t):
        return (t.date(), t.hour // hours)

    ours = aggregate(hourly, hours * 60)
    assert as_dict(ours, key) == direct(hourly, key)
    assert all(c.bucket.hour % hours == 0 and c.bucket.minute == 0 for c in ours)


def test_12h_from_4h_equals_12h_from_1h_where_both_are_complete():
    from_4h = {c.bucket: c for c in aggregate(shipped("4h"), 720)}
    from_1h = aggregate(shipped("1h"), 720)[1:-1]  # the first and last 12h of the 1h file are partial
    assert len(from_1h) > 50
    for c in from_1h:
        assert from_4h[c.bucket] == c


def test_weeks_open_on_monday_and_equal_iso_week_grouping():
    daily = shipped("1D")

    def key(t):
        return t.isocalendar()[:2]

    ours = aggregate(daily, 7 * 1440)
    assert as_dict(ours, key) == direct(daily, key)
    assert all(c.bucket.weekday() == 0 and c.bucket.time() == dt.time(0) for c in ours)
    assert floor_to(dt.datetime(2025, 8, 6, 13, tzinfo=dt.UTC), 7 * 1440) == dt.datetime(
        2025, 8, 4, tzinfo=dt.UTC
    )


def test_counts_and_taker_volumes_only_when_every_child_has_them():
    a, b = shipped("1h")[2:4]  # 00:00 and 01:00: one 6h bucket
    assert floor_to(a.bucket, 360) == floor_to(b.bucket, 360)
    flows = ("trade_count", "taker_buy_volume", "taker_buy_count", "quote_volume", "taker_buy_quote_volume")
    a = dataclasses.replace(
        a, **dict(zip(flows, (3, Decimal("1.5"), 1, Decimal("30.25"), Decimal(10)), strict=True))
    )
    known = dataclasses.replace(
        b, **dict(zip(flows, (4, Decimal(2), 4, Decimal("0.75"), Decimal("0.5")), strict=True))
    )
    ((merged,), (partial,)) = aggregate([a, known], 360), aggregate([a, b], 360)
    assert tuple(getattr(merged, f) for f in flows) == (7, Decimal("3.5"), 5, Decimal(31), Decimal("10.5"))
    assert tuple(getattr(partial, f) for f in flows) == (None,) * 5
