"""POST /api/v1/trades and /api/v1/candles/import: idempotency, per-row errors, who may write, and
beat keeping the roll-ups current."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import text

from core.db import get_engine

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 1, 11, 59, 30, tzinfo=UTC)


def _trades(symbol: str, n: int, start_id: int = 1) -> list[dict]:
    return [
        {
            "symbol": symbol,
            "id": start_id + i,
            "time": (T0 + dt.timedelta(seconds=7 * i)).isoformat(),
            "price": f"{100 + i % 7}.{i:02d}",
            "size": "0.5",
            "side": "buy" if i % 3 else "sell",
        }
        for i in range(n)
    ]


def _one_minute(http, base, account, symbol):
    r = http.get(
        f"{base}/api/v1/candles",
        params={
            "symbol": symbol,
            "interval": "1m",
            "from": "2025-03-01T11:00:00Z",
            "to": "2025-03-01T13:00:00Z",
        },
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_resending_a_batch_changes_nothing(market_api, market_account, new_symbol, http):
    symbol = new_symbol().name
    batch = {"trades": _trades(symbol, 20)}
    first = http.post(f"{market_api}/api/v1/trades", json=batch, headers=market_account.headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 20, "inserted": 20, "duplicates": 0, "rejected": 0, "errors": []}
    candles = _one_minute(http, market_api, market_account, symbol)
    assert sum(c["trade_count"] for c in candles) == 20
    again = http.post(f"{market_api}/api/v1/trades", json=batch, headers=market_account.headers)
    assert again.json()["inserted"] == 0 and again.json()["duplicates"] == 20
    # a batch repeating a trade it already holds counts the repeat as a duplicate too
    overlap = {"trades": _trades(symbol, 25)[15:] + _trades(symbol, 25)[20:21]}
    third = http.post(f"{market_api}/api/v1/trades", json=overlap, headers=market_account.headers).json()
    assert (third["inserted"], third["duplicates"]) == (5, 6)
    after = _one_minute(http, market_api, market_account, symbol)
    assert sum(c["trade_count"] for c in after) == 25
    assert after[: len(candles) - 1] == candles[: len(candles) - 1]


def test_bad_rows_are_reported_by_index_and_good_rows_kept(market_api, market_account, new_symbol, http):
    symbol = new_symbol().name
    good = _trades(symbol, 3)
    rows = [
        good[0],
        {**good[1], "price": "-3"},
        good[1],
        {**good[2], "symbol": "NO-SUCH-SYMBOL"},
        {**good[2], "side": "maybe"},
        {**good[2], "time": "yesterday"},
        {**good[2], "id": "x"},
        {**good[0], "time": (T0 + dt.timedelta(hours=1)).isoformat()},  # same id, another time
        "not an object",
        good[2],
    ]
    r = http.post(f"{market_api}/api/v1/trades", json={"trades": rows}, headers=market_account.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["inserted"], body["rejected"]) == (10, 3, 7)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "price"),
        (3, "symbol"),
        (4, "side"),
        (5, "time"),
        (6, "id"),
        (7, "id"),
        (8, ""),
    ]
    only_bad = http.post(
        f"{market_api}/api/v1/trades", json={"trades": rows[1:2]}, headers=market_account.headers
    )
    assert only_bad.status_code == 400
    assert only_bad.json()["error"] == "No valid trades in the request"
    assert only_bad.json()["errors"][0]["index"] == 0
    for body in ({"trades": []}, {"nothing": 1}, []):
        assert (
            http.post(f"{market_api}/api/v1/trades", json=body, headers=market_account.headers).status_code
            == 400
        )
    malformed = http.post(
        f"{market_api}/api/v1/trades",
        data=b"{",
        headers={**market_account.headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400 and malformed.json()["field"] == "body"


def test_only_listed_accounts_may_write(api_url, market_api, market_account, new_symbol, http):
    batch = {"trades": _trades(new_symbol().name, 1)}
    anonymous = http.post(f"{market_api}/api/v1/trades", json=batch)
    assert anonymous.status_code == 401
    # the shared stack runs with the default CHARTFLEET_MARKET_WRITERS (nobody)
    refused = http.post(f"{api_url}/api/v1/trades", json=batch, headers=market_account.headers)
    assert refused.status_code == 403 and refused.json()["error"] == "This account may not write market data"
    refused = http.post(
        f"{api_url}/api/v1/candles/import",
        json={"symbol": "BTCUSDT", "interval": "1m", "candles": [[0, "1", "1", "1", "1", "1"]]},
        headers=market_account.headers,
    )
    assert refused.status_code == 403


def test_kline_import_validation_and_idempotency(market_api, market_account, new_symbol, http):
    symbol = new_symbol().name
    url = f"{market_api}/api/v1/candles/import"
    # Binance's kline arrays (open time in ms ... trade count, taker-buy volume) and objects mix
    binance = [1740830400000, "10", "12", "9", "11", "3.5", 1740830459999, "38", 42, "1.25", "13", "0"]
    rows = [
        binance,
        {
            "time": "2025-03-01T12:01:00Z",
            "open": 11,
            "high": 11.5,
            "low": 10.5,
            "close": 11.25,
            "volume": "2",
        },
        {"time": "2025-03-01T12:02:30Z", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1},
        {"time": "2025-03-01T12:03:00Z", "open": 1, "high": 0.5, "low": 1, "close": 1, "volume": 1},
    ]
    body = {"symbol": symbol, "interval": "1m", "candles": rows}
    r = http.post(url, json=body, headers=market_account.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["written"], r.json()["rejected"]) == (2, 2)
    assert [(e["index"], e["field"]) for e in r.json()["errors"]] == [(2, "time"), (3, "high")]
    first = _one_minute(http, market_api, market_account, symbol)
    assert first[0] == {
        "time": "2025-03-01T12:00:00.000Z",
        "open": 10.0,
        "high": 12.0,
        "low": 9.0,
        "close": 11.0,
        "volume": 3.5,
        "trade_count": 42,
    }
    assert first[1]["trade_count"] is None  # unknown for klines without one
    assert http.post(url, json=body, headers=market_account.headers).json()["written"] == 2
    assert _one_minute(http, market_api, market_account, symbol) == first
    for bad, status in (
        ({**body, "interval": "3m"}, 400),
        ({**body, "symbol": ""}, 400),
        ({**body, "symbol": "NO-SUCH-SYMBOL"}, 404),
        ({**body, "candles": rows[2:]}, 400),
    ):
        assert http.post(url, json=bad, headers=market_account.headers).status_code == status


def test_beat_keeps_the_rollups_current(market_api, market_account, new_symbol, http, database):
    """The shared stack's beat (every CHARTFLEET_MARKET_ROLLUP_INTERVAL s) rolls new trades up into
    stored candles of every width, and they equal what queries computed on the fly before."""
    symbol = new_symbol()
    assert (
        http.post(
            f"{market_api}/api/v1/trades",
            json={"trades": _trades(symbol.name, 30)},
            headers=market_account.headers,
        ).json()["inserted"]
        == 30
    )
    params = {
        "symbol": symbol.name,
        "interval": "15m",
        "from": "2025-03-01T00:00:00Z",
        "to": "2025-03-02T00:00:00Z",
    }
    before = http.get(f"{market_api}/api/v1/candles", params=params, headers=market_account.headers).json()
    engine = get_engine(database)
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            pending = conn.execute(
                text("SELECT count(*) FROM market_rollup_dirty WHERE symbol_id = :s"), {"s": symbol.id}
            ).scalar()
            widths = conn.execute(
                text(
                    "SELECT array_agg(DISTINCT minutes ORDER BY minutes) FROM market_candles"
                    " WHERE symbol_id = :s"
                ),
                {"s": symbol.id},
            ).scalar()
        if pending == 0:
            break
        assert time.monotonic() < deadline, "beat did not roll up within 30 s"
        time.sleep(0.5)
    assert widths == [1, 5, 15, 30, 60, 120, 240, 1440]
    after = http.get(f"{market_api}/api/v1/candles", params=params, headers=market_account.headers).json()
    assert after == before and after["count"] == 2  # 11:45 and 12:00
