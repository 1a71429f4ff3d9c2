"""The shipped Binance klines are the oracle: candles Chartfleet rolls up from a finer file equal the
exchange's own coarser file, field for field, for every complete bucket (SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.support.accounts import cli
from tests.support.market import DATA, alias_of, complete_buckets, kline_file, shipped

UTC = dt.UTC
WIDTH = {"1m": 1, "5m": 5, "15m": 15, "1h": 60, "4h": 240, "1d": 1440}


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _candles(http, base, account, symbol, interval, start, end) -> dict[dt.datetime, tuple]:
    r = http.get(
        f"{base}/api/v1/candles",
        params={"symbol": symbol, "interval": interval, "from": _iso(start), "to": _iso(end)},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    body = json.loads(r.text, parse_float=Decimal)
    assert body["count"] == len(body["data"])
    times = [c["time"] for c in body["data"]]
    assert times == sorted(times)
    return {
        dt.datetime.fromisoformat(c["time"].replace("Z", "+00:00")): tuple(
            Decimal(c[k]) for k in ("open", "high", "low", "close", "volume")
        )
        for c in body["data"]
    }


def _history(http, base, account, symbol, start, end, rows: bool) -> dict[dt.datetime, tuple]:
    r = http.get(
        f"{base}/api/v1/history{'/rows' if rows else ''}",
        params={
            "symbol": symbol,
            "resolution": "1m",
            "from": int(start.timestamp()),
            "to": int(end.timestamp()),
        },
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    body = json.loads(r.text, parse_float=Decimal)
    assert body["s"] == "ok"
    if rows:
        table = body["candles"]
    else:
        assert len({len(body[k]) for k in "tcohlv"}) == 1  # every array the same length
        table = list(zip(body["t"], body["o"], body["h"], body["l"], body["c"], body["v"], strict=True))
    assert [row[0] for row in table] == sorted(row[0] for row in table)
    return {dt.datetime.fromtimestamp(row[0], UTC): tuple(Decimal(v) for v in row[1:]) for row in table}


def _assert_reproduces(
    fine_width: str, coarse_width: str, got: dict, expected_count: int | None = None
) -> None:
    fine, coarse = shipped(kline_file(fine_width)), shipped(kline_file(coarse_width))
    buckets = complete_buckets(fine, WIDTH[fine_width], coarse, WIDTH[coarse_width])
    assert buckets, (fine_width, coarse_width)
    if expected_count is not None:
        assert len(buckets) == expected_count
    mismatches = [(b, coarse[b], got.get(b)) for b in buckets if got.get(b) != coarse[b]]
    assert not mismatches, f"{fine_width} -> {coarse_width}: {mismatches[:3]}"


def test_one_minute_klines_reproduce_the_coarser_files(
    market_api, market_env, market_account, new_symbol, http
):
    """The acceptance check: import the 1m file with the CLI (COPY), then /api/v1/candles at 5m,
    15m, 1h, 4h and /api/v1/history at the widths its window table reaches (5m, 1h) match the
    shipped files for every complete bucket (counts as in SOURCES.md)."""
    symbol = new_symbol()
    out = cli(market_env, "market", "import", str(DATA / kline_file("1m")), "--symbol", symbol.name)
    assert "1000 1m klines, 1000 written" in out
    fine = shipped(kline_file("1m"))
    first, last = min(fine), max(fine)
    start, end = first - dt.timedelta(hours=6), last + dt.timedelta(hours=6)
    for width, count in (("5m", 199), ("15m", 65), ("1h", 16), ("4h", 3)):
        got = _candles(http, market_api, market_account, alias_of(symbol).upper(), width, start, end)
        _assert_reproduces("1m", width, got, count)
    # /history: a window of 24 h < w <= 5 d is served at 5m, 30 d < w <= 90 d at 1h.
    five = _history(
        http, market_api, market_account, symbol.name, first, first + dt.timedelta(days=3), rows=False
    )
    _assert_reproduces("1m", "5m", five, 199)
    hourly = _history(
        http, market_api, market_account, symbol.name, first - dt.timedelta(days=50), last, rows=True
    )
    _assert_reproduces("1m", "1h", hourly, 16)
    # the 1-minute candles themselves come back unchanged, the in-progress last one included
    minutes = _candles(
        http, market_api, market_account, symbol.name, "1m", first, last + dt.timedelta(minutes=2)
    )
    assert minutes == shipped(kline_file("1m"), drop_last=False)


@pytest.mark.parametrize(
    ("fine_width", "expected"),
    [
        ("5m", {"15m": 332, "1h": 82, "4h": 20, "1d": 2}),
        ("15m", {"1h": 249, "4h": 62, "1d": 9}),
        ("1h", {"4h": 249, "1d": 41}),
        ("4h", {"1d": 166}),
    ],
)
def test_every_aggregation_check_of_sources_md(
    market_api, market_account, new_symbol, http, fine_width, expected
):
    """The rest of SOURCES.md's table, through POST /api/v1/candles/import (no synchronous roll-up:
    whatever beat has not rolled up yet is computed on the fly)."""
    symbol = new_symbol()
    rows = [
        {"time": _iso(t), "open": str(o), "high": str(h), "low": str(lo), "close": str(c), "volume": str(v)}
        for t, (o, h, lo, c, v) in shipped(kline_file(fine_width), drop_last=False).items()
    ]
    r = http.post(
        f"{market_api}/api/v1/candles/import",
        json={"symbol": symbol.name, "interval": fine_width, "candles": rows},
        headers=market_account.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["written"] == 1000
    fine = shipped(kline_file(fine_width))
    start, end = min(fine) - dt.timedelta(days=1), max(fine) + dt.timedelta(days=2)
    for coarse_width, count in expected.items():
        got = _candles(http, market_api, market_account, symbol.name, coarse_width, start, end)
        _assert_reproduces(fine_width, coarse_width, got, count)
