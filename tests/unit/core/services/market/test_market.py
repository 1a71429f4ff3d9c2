"""Pure logic of market data: bucket arithmetic, the resolution tables, time parsing, row checks,
feed ids, CSV layout detection."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal

import pytest

from core.services.market import files
from core.services.market.intervals import (
    add_months,
    align_spans,
    ceil_bucket,
    floor_bucket,
    history_minutes,
    iso_millis,
    lookback_start,
    merge_spans,
    parse_time,
)
from core.services.market.klines import validate_klines
from core.services.market.rollup import chain
from core.services.market.symbols import SymbolInfo, feed_id_for
from core.services.market.trades import validate_trades
from devstack.stack import ROOT
from tests.support.market import DATA

UTC = dt.UTC
T = dt.datetime(2025, 8, 6, 13, 27, 45, tzinfo=UTC)


def test_buckets_are_utc_aligned():
    assert floor_bucket(T, 1) == T.replace(second=0)
    assert floor_bucket(T, 15) == T.replace(minute=15, second=0)
    assert floor_bucket(T, 240) == T.replace(hour=12, minute=0, second=0)
    assert floor_bucket(T, 1440) == T.replace(hour=0, minute=0, second=0)
    assert ceil_bucket(T, 60) == T.replace(hour=14, minute=0, second=0)
    assert ceil_bucket(T.replace(minute=0, second=0), 60) == T.replace(minute=0, second=0)


def test_roll_up_chain():
    assert chain(1) == [] and chain(5) == [5] and chain(60) == [5, 15, 30, 60]
    assert chain(1440) == [5, 15, 30, 60, 120, 240, 1440]


def test_spans_merge_and_align():
    a = dt.datetime(2025, 1, 1, 10, 3, tzinfo=UTC)
    m = dt.timedelta(minutes=1)
    assert merge_spans([(a + 5 * m, a + 9 * m), (a, a + 2 * m), (a + 2 * m, a + 3 * m)]) == [
        (a, a + 3 * m),
        (a + 5 * m, a + 9 * m),
    ]
    assert align_spans([(a, a + m), (a + 5 * m, a + 6 * m)], 15) == [(a - 3 * m, a + 12 * m)]


@pytest.mark.parametrize(
    ("window", "minutes"),
    [
        (dt.timedelta(hours=24), 1),
        (dt.timedelta(hours=24, seconds=1), 5),
        (dt.timedelta(days=5), 5),
        (dt.timedelta(days=5, seconds=1), 30),
        (dt.timedelta(days=30), 30),
        (dt.timedelta(days=31), 60),
        (dt.timedelta(days=90), 60),
        (dt.timedelta(days=91), 120),
        (dt.timedelta(days=181), 120),  # Jan 10 + 6 months = Jul 10
        (dt.timedelta(days=183), 1440),
    ],
)
def test_history_resolution_table(window, minutes):
    start = dt.datetime(2024, 1, 10, tzinfo=UTC)
    assert history_minutes(start, start + window) == minutes


def test_default_lookbacks_and_calendar_months():
    end = dt.datetime(2026, 3, 31, 14, 30, tzinfo=UTC)
    assert lookback_start("1m", end) == end - dt.timedelta(days=1)
    assert lookback_start("15m", end) == end - dt.timedelta(days=14)
    assert lookback_start("30m", end) == dt.datetime(2026, 2, 28, 14, 30, tzinfo=UTC)
    assert lookback_start("1d", end) == dt.datetime(2021, 3, 31, 14, 30, tzinfo=UTC)
    assert add_months(dt.datetime(2024, 2, 29, tzinfo=UTC), 12) == dt.datetime(2025, 2, 28, tzinfo=UTC)
    assert iso_millis(dt.datetime(2025, 12, 3, 14, 30, 0, 123999, tzinfo=UTC)) == "2025-12-03T14:30:00.123Z"


def test_times_parse_as_iso_or_unix_of_any_unit():
    expected = dt.datetime(2025, 8, 6, 13, 0, tzinfo=UTC)
    for value in (
        "2025-08-06T13:00:00Z",
        "2025-08-06 13:00:00",
        "2025-08-06T15:00:00+02:00",
        1754485200,
        "1754485200",
        1754485200000,
        1754485200000000,
        Decimal("1754485200.0"),
    ):
        assert parse_time(value) == expected, value
    assert parse_time("2025-08-06") == expected.replace(hour=0)
    assert parse_time(1754485200.25) == expected + dt.timedelta(milliseconds=250)
    for bad in ("", "soon", None, True, [1]):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_trade_rows_are_checked_one_by_one():
    symbol = SymbolInfo(1, "X", feed_id_for("X"), "B", "Q", "crypto")
    good = {"symbol": "x", "id": 1, "time": "2025-01-01T00:00:00Z", "price": "1.5", "size": 2, "side": "Buy"}
    batch = validate_trades(
        [
            good,
            {**good, "id": 2, "price": "1e400000"},
            {**good, "id": 3, "size": 0},
            {**good, "id": 4, "time": "2199-01-01"},
            {**good, "id": 5, "price": True},
            {**good, "id": -1},
            good,
            {**good, "time": "2025-01-01T00:00:01Z"},
            {**good, "id": "6", "side": "s"},
        ],
        {"X": symbol},
    )
    assert [(e["index"], e["field"]) for e in batch.errors] == [
        (1, "price"),
        (2, "size"),
        (3, "time"),
        (4, "price"),
        (5, "id"),
        (7, "id"),
    ]
    assert [(t.trade_id, t.side, t.price) for t in batch.trades] == [
        (1, "b", Decimal("1.5")),
        (6, "s", Decimal("1.5")),
    ]
    assert batch.repeated == 1


def test_kline_rows_are_checked():
    rows = [
        [1738540800000, "1", "2", "0.5", "1.5", "10", 0, "0", 7, "4", "0", "0"],
        {
            "time": "2025-02-03T00:01:00Z",
            "open": 1,
            "high": 2,
            "low": 0.5,
            "close": 1.5,
            "volume": 1,
            "taker_buy_volume": 2,
        },
        {
            "time": "2025-02-03T00:02:00Z",
            "open": 1,
            "high": 2,
            "low": 0.5,
            "close": 1.5,
            "volume": 1,
            "trade_count": -1,
        },
        {"time": "2025-02-03T00:03:00Z", "open": 3, "high": 2, "low": 0.5, "close": 1.5, "volume": 1},
        {"time": "2025-02-03T00:04:00Z", "open": 1, "high": 2, "low": 0.5, "close": 1.5},
    ]
    klines, errors = validate_klines(rows, 1)
    assert [(e["index"], e["field"]) for e in errors] == [
        (1, "taker_buy_volume"),
        (2, "trade_count"),
        (3, "high"),
        (4, "volume"),
    ]
    assert (klines[0].trade_count, klines[0].taker_buy_volume) == (7, Decimal(4))
    _, misaligned = validate_klines(rows[:1], 5)
    assert (
        misaligned == []
        and validate_klines([{**rows[1], "time": "2025-02-03T00:01:00Z"}], 5)[1][0]["field"] == "time"
    )


def test_kline_flow_fields_are_checked():
    """Binance arrays carry the quote volume and the taker buy quote volume; objects may also give
    the taker buy count. A taker share without its whole, or above it, is refused."""
    (kline,), _ = validate_klines(
        [[1738540800000, "1", "2", "0.5", "1.5", "10", 0, "15", 7, "4", "6", "0"]], 1
    )
    assert (kline.quote_volume, kline.taker_buy_quote_volume, kline.taker_buy_count) == (
        Decimal(15),
        Decimal(6),
        None,
    )
    base = {"time": "2025-02-03T00:00:00Z", "open": 1, "high": 2, "low": 0.5, "close": 1.5, "volume": 10}
    rows = [
        {**base, "trade_count": 7, "taker_buy_count": 3, "quote_volume": "15", "taker_buy_quote_volume": "6"},
        {**base, "trade_count": 7, "taker_buy_count": 8},
        {**base, "taker_buy_count": 1},
        {**base, "taker_buy_quote_volume": 1},
        {**base, "quote_volume": 1, "taker_buy_quote_volume": 2},
        {**base, "taker_buy_count": "x", "trade_count": 3},
    ]
    klines, errors = validate_klines(rows, 1)
    assert (klines[0].taker_buy_count, klines[0].quote_volume) == (3, Decimal(15))
    assert [(e["index"], e["field"]) for e in errors] == [
        (1, "taker_buy_count"),
        (2, "taker_buy_count"),
        (3, "taker_buy_quote_volume"),
        (4, "taker_buy_quote_volume"),
        (5, "taker_buy_count"),
    ]


def test_feed_ids_are_stable_and_match_the_seeded_symbols():
    spec = importlib.util.spec_from_file_location(
        "m0003", ROOT / "migrations" / "versions" / "0003_market_data.py"
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for name, *_ in migration.SEED_SYMBOLS:
        assert migration._feed_id(name) == feed_id_for(name) == feed_id_for(name.lower())
    assert (
        feed_id_for("BTC_USDC_PERP") == "0x54c60b048ff4e7f63109d32bd3203f322c4514b1625e02ae6990f19b8ca1ab0c"
    )


@pytest.mark.parametrize(
    ("name", "layout", "minutes"),
    [
        ("binance-spot_BTCUSDT_1m_2025-08-05_2025-08-06.csv", "ohlcv", 1),
        ("binance-spot_BTCUSDT_4h_2025-02-21_2025-08-06.csv", "ohlcv", 240),
        ("binance-spot_BTCUSDT_1d_2022-11-11_2025-08-06.csv", "ohlcv", 1440),
        ("yahoo_BTC-USD_1d_2014-09-17_2024-04-21.csv", "yahoo", 1440),
    ],
)
def test_shipped_layouts_are_detected(name, layout, minutes, tmp_path):
    found = files.detect(DATA / name)
    assert (found.layout.name, found.has_header, files.interval_of(DATA / name, found)) == (
        layout,
        True,
        minutes,
    )
    # without the width in its name, a file's width comes from the spacing of its rows
    renamed = tmp_path / "klines.csv"
    renamed.write_bytes((DATA / name).read_bytes())
    assert files.interval_of(renamed, files.detect(renamed)) == minutes


def test_headerless_layouts_by_column_count(tmp_path):
    for columns, layout in ((12, "binance-klines"), (7, "binance-trades"), (8, "binance-aggtrades")):
        path = tmp_path / f"x{columns}.csv"
        path.write_text(",".join(["1"] * columns) + "\n")
        assert files.detect(path).layout.name == layout
    odd = tmp_path / "odd.csv"
    odd.write_text("1,2,3\n")
    with pytest.raises(files.FileImportError, match="3 columns"):
        files.detect(odd)
