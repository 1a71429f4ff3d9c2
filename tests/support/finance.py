"""Finance test helpers: the shipped Binance klines as candles, and specs built from them without a
database (the same ``build_spec`` the api uses)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from core.services.market import DEMO_DATA_DIR
from core.services.market.candles import Candle
from core.services.market.snapshots import columns, precision_of
from core.specs.finance import build_spec, parse_snapshot
from core.specs.model import ChartSpec

FILES = {
    "1m": "binance-spot_BTCUSDT_1m_2025-08-05_2025-08-06.csv",
    "5m": "binance-spot_BTCUSDT_5m_2025-08-03_2025-08-06.csv",
    "15m": "binance-spot_BTCUSDT_15m_2025-07-27_2025-08-06.csv",
    "1h": "binance-spot_BTCUSDT_1h_2025-06-25_2025-08-06.csv",
    "4h": "binance-spot_BTCUSDT_4h_2025-02-21_2025-08-06.csv",
    "1D": "binance-spot_BTCUSDT_1d_2022-11-11_2025-08-06.csv",
}


def shipped(interval: str) -> list[Candle]:
    """The closed candles of a shipped file (its last row is an unfinished candle: dropped)."""
    with open(DEMO_DATA_DIR / FILES[interval], newline="") as f:
        rows = list(csv.DictReader(f))[:-1]
    out = []
    for r in rows:
        t = dt.datetime.fromisoformat(r["Date"]).replace(tzinfo=dt.UTC)
        values = [Decimal(r[k]) for k in ("Open", "High", "Low", "Close", "Volume")]
        out.append(Candle(t, *values, None, None))
    return out


def spec_from_file(body: dict, source: str, bars: int = 120, warmup: int = 200, candles=None) -> ChartSpec:
    """A finance spec of ``body`` over the last ``bars`` candles of the ``source`` file, as the api
    would build it (then through JSON, as the worker receives it)."""
    req = parse_snapshot(body, default_symbol="BINANCE:BTCUSDT")
    series = (candles if candles is not None else shipped(source))[-(bars + warmup) :]
    first = max(0, len(series) - bars)
    spec = build_spec(
        req,
        symbol={"name": "BTCUSDT", "exchange": "BINANCE", "description": ""},
        candles=columns(series),
        first_visible=first,
        precision=precision_of(series[first:]),
    )
    return ChartSpec.from_dict(spec.to_dict())
