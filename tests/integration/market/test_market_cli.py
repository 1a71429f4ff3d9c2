"""`chartfleet market`: COPY imports of Binance dumps (klines, trades, aggregate trades), symbols, demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.db import get_engine
from core.services.market.candles import read_candles
from tests.support.accounts import cli as chartfleet
from tests.support.accounts import run_cli

UTC = dt.UTC
DAY = dt.datetime(2025, 2, 3, tzinfo=UTC)


def cli(env: dict[str, str], *args: str) -> str:
    return chartfleet(env, "market", *args)


def candles(database: str, symbol_id: int, minutes: int):
    with get_engine(database).connect() as conn:
        return read_candles(conn, symbol_id, minutes, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=2))


def test_binance_kline_dump_with_microseconds(market_env, new_symbol, tmp_path, database):
    symbol = new_symbol()
    start_us = int(DAY.timestamp() * 1_000_000)
    lines = [
        f"{start_us + i * 60_000_000},{100 + i},{101 + i},{99 + i},{100.5 + i},2.5,"
        f"{start_us + (i + 1) * 60_000_000 - 1},"
        f"250,{10 + i},1.25,125,0"
        for i in range(10)
    ]
    path = tmp_path / f"{symbol.name}-1m-2025-02-03.csv"
    path.write_text("\n".join(lines) + "\n")
    out = cli(market_env, "import", str(path))  # symbol and interval from the file name
    assert f"-> {symbol.name}: 10 1m klines, 10 written" in out
    five = candles(database, symbol.id, 5)
    assert [(c.bucket, c.open, c.close, c.volume, c.trade_count, c.taker_buy_volume) for c in five] == [
        (DAY, Decimal(100), Decimal("104.5"), Decimal("12.5"), 60, Decimal("6.25")),
        (DAY + dt.timedelta(minutes=5), Decimal(105), Decimal("109.5"), Decimal("12.5"), 85, Decimal("6.25")),
    ]
    # The dump's quote volume and taker buy quote volume are kept; it has no taker buy count.
    assert [(c.quote_volume, c.taker_buy_quote_volume, c.taker_buy_count) for c in five] == [
        (Decimal(1250), Decimal(625), None)
    ] * 2


def test_binance_trade_dumps_are_idempotent_and_order_free(market_env, new_symbol, tmp_path, database):
    symbol = new_symbol()
    start_ms = int(DAY.timestamp() * 1000)
    # id, price, qty, quote qty, time (ms), buyer is maker, best match -- out of order, a duplicate
    trades = [
        (i, Decimal(100 + (i * 37) % 11), Decimal(i) / 100, start_ms + ((i * 7919) % 600) * 1000, i % 2 == 0)
        for i in range(1, 301)
    ]
    rows = [f"{i},{p},{q},0,{t},{'True' if m else 'False'},True" for i, p, q, t, m in reversed(trades)]
    path = tmp_path / "trades.csv"
    path.write_text("\n".join(rows + rows[:5]) + "\n")
    out = cli(market_env, "import", str(path), "--symbol", symbol.name.lower())
    assert "305 trades, 300 new, 5 already stored" in out
    assert "0 new, 305 already stored" in cli(market_env, "import", str(path), "--symbol", symbol.name)
    ordered = sorted(trades, key=lambda t: (t[3], t[0]))
    (day,) = candles(database, symbol.id, 1440)
    assert (day.open, day.close, day.trade_count) == (ordered[0][1], ordered[-1][1], 300)
    assert day.high == max(t[1] for t in trades) and day.low == min(t[1] for t in trades)
    assert day.volume == sum(t[2] for t in trades)
    assert day.taker_buy_volume == sum(t[2] for t in trades if not t[4])  # the buyer took
    assert day.taker_buy_count == sum(1 for t in trades if not t[4])
    assert day.quote_volume == sum(t[1] * t[2] for t in trades)
    assert day.taker_buy_quote_volume == sum(t[1] * t[2] for t in trades if not t[4])


def test_aggregate_trades_with_a_header(market_env, new_symbol, tmp_path, database):
    symbol = new_symbol()
    start_ms = int(DAY.timestamp() * 1000)
    path = tmp_path / "agg.csv"
    path.write_text(
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n"
        f"7,10.5,1,70,72,{start_ms},false,true\n8,11,2,73,73,{start_ms + 61_000},true,true\n"
    )
    assert "2 trades, 2 new" in cli(market_env, "import", str(path), "--symbol", symbol.name)
    rows = [
        (
            c.open,
            c.trade_count,
            c.taker_buy_volume,
            c.taker_buy_count,
            c.quote_volume,
            c.taker_buy_quote_volume,
        )
        for c in candles(database, symbol.id, 1)
    ]
    assert rows == [
        (Decimal("10.5"), 1, Decimal(1), 1, Decimal("10.5"), Decimal("10.5")),
        (Decimal(11), 1, Decimal(0), 0, Decimal(22), Decimal(0)),
    ]


def test_symbols_are_defined_with_aliases(market_env):
    out = cli(
        market_env, "symbol", "cli_test_sym", "--base", "eth", "--quote", "usd", "--alias", "CLITESTETH"
    )
    name, feed_id = out.split()
    assert name == "CLI_TEST_SYM" and feed_id.startswith("0x") and len(feed_id) == 66
    assert cli(market_env, "symbol", "CLI_TEST_SYM", "--base", "ETH", "--quote", "USD").split()[1] == feed_id
    listing = cli(market_env, "symbols")
    assert f"CLI_TEST_SYM\tETH/USD\tcrypto\tCLITESTETH\t{feed_id}" in listing
    clash = run_cli(
        market_env, "market", "symbol", "other", "--base", "X", "--quote", "Y", "--alias", "clitesteth"
    )
    assert clash.returncode != 0 and "already names CLI_TEST_SYM" in clash.stderr


def test_demo_loads_the_shipped_data_idempotently(market_env):
    first = cli(market_env, "demo")
    assert "yahoo_BTC-USD_1d_2014-09-17_2024-04-21.csv -> BTC-USD: 3505 1440m klines, 3505 written" in first
    assert "binance-spot_BTCUSDT_1m_2025-08-05_2025-08-06.csv -> BTC_USDC_PERP: 1000 1m klines" in first
    assert "demo data loaded" in cli(market_env, "demo")
