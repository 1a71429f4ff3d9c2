"""GET /api/v1/candles (candles-endpoint.txt): aliases, default windows, the range rule, 400s."""

from __future__ import annotations

import datetime as dt

import pytest

from core.services.market.intervals import add_months

UTC = dt.UTC


def _get(http, base, account, **params):
    return http.get(f"{base}/api/v1/candles", params=params, headers=account.headers)


def test_aliases_resolve_case_insensitively(market_api, market_account, http):
    for name in ("BTCUSDT", "btcusdt", "BTC_USDC_PERP", "btc_usdc_perp"):
        body = _get(http, market_api, market_account, symbol=name, interval="1h").json()
        assert body["symbol"] == name and body["dbSymbol"] == "BTC_USDC_PERP"
    unknown = _get(http, market_api, market_account, symbol="dogeusdt", interval="1h")
    assert unknown.status_code == 200 and unknown.json()["count"] == 0 and unknown.json()["data"] == []


@pytest.mark.parametrize(
    ("interval", "back"),
    [
        ("1m", dt.timedelta(days=1)),
        ("5m", dt.timedelta(days=7)),
        ("15m", dt.timedelta(days=14)),
        ("30m", 1),
        ("1h", 3),
        ("4h", 12),
        ("1d", 60),
    ],
)
def test_default_windows(market_api, market_account, http, interval, back):
    before = dt.datetime.now(UTC)
    body = _get(http, market_api, market_account, symbol="ETHUSDT", interval=interval).json()
    after = dt.datetime.now(UTC)
    end = dt.datetime.fromisoformat(body["to"].replace("Z", "+00:00"))
    start = dt.datetime.fromisoformat(body["from"].replace("Z", "+00:00"))
    assert before - dt.timedelta(seconds=1) <= end <= after
    assert start == (end - back if isinstance(back, dt.timedelta) else add_months(end, -back))
    assert body["from"].endswith("Z") and len(body["from"]) == len("2025-12-03T14:30:00.000Z")
    assert body["interval"] == interval and body["count"] == len(body["data"])


def test_window_holds_the_candles_overlapping_it(market_api, market_account, new_symbol, http):
    symbol = new_symbol().name
    trades = [
        {
            "symbol": symbol,
            "id": i,
            "time": f"2025-05-05T10:{m:02d}:30Z",
            "price": str(100 + i),
            "size": "1",
            "side": "sell",
        }
        for i, m in enumerate([0, 4, 5, 9, 10, 14, 15])
    ]
    assert http.post(
        f"{market_api}/api/v1/trades", json={"trades": trades}, headers=market_account.headers
    ).ok
    body = _get(
        http,
        market_api,
        market_account,
        symbol=symbol,
        interval="5m",
        **{"from": "2025-05-05T10:07:00Z", "to": "2025-05-05T10:15:00Z"},
    ).json()
    # [10:07, 10:15) overlaps the 10:05 and 10:10 buckets, not 10:15
    assert [c["time"] for c in body["data"]] == ["2025-05-05T10:05:00.000Z", "2025-05-05T10:10:00.000Z"]
    assert body["data"][0] == {
        "time": "2025-05-05T10:05:00.000Z",
        "open": 102.0,
        "high": 103.0,
        "low": 102.0,
        "close": 103.0,
        "volume": 2.0,
        "trade_count": 2,
    }
    assert body["from"] == "2025-05-05T10:07:00.000Z" and body["to"] == "2025-05-05T10:15:00.000Z"
    unix = _get(
        http,
        market_api,
        market_account,
        symbol=symbol,
        interval="5m",
        **{"from": "1746439620", "to": "1746440100"},
    )
    assert unix.json()["data"] == body["data"]


def test_documented_400_bodies(market_api, market_account, http):
    missing = {"error": "Missing required query parameters: symbol and interval"}
    for params in ({}, {"symbol": "BTCUSDT"}, {"interval": "1h"}, {"symbol": "", "interval": "1h"}):
        r = _get(http, market_api, market_account, **params)
        assert (r.status_code, r.json()) == (400, missing)
    for interval in ("2h", "1w", "60"):
        r = _get(http, market_api, market_account, symbol="BTCUSDT", interval=interval)
        assert (r.status_code, r.json()) == (
            400,
            {
                "error": "Invalid interval value",
                "allowedIntervals": ["1m", "5m", "15m", "30m", "1h", "4h", "1d"],
            },
        )
    for extra in ({"from": "tuesday"}, {"to": "x"}, {"from": "2025-02-01", "to": "2025-01-01"}):
        assert (
            _get(http, market_api, market_account, symbol="BTCUSDT", interval="1h", **extra).status_code
            == 400
        )
    too_many = _get(
        http,
        market_api,
        market_account,
        symbol="BTCUSDT",
        interval="1m",
        **{"from": "2000-01-01", "to": "2025-01-01"},
    )
    assert too_many.status_code == 400 and too_many.json()["maxCandles"] == 50000
