"""GET /api/v1/streaming on the streaming service (gevent) and on the api (capped)."""

from __future__ import annotations

import time

import requests

from tests.support.market import StreamReader, alias_of


def _trade(symbol: str, trade_id: int, price: str) -> dict:
    return {
        "symbol": symbol,
        "id": trade_id,
        "time": time.time(),
        "price": price,
        "size": "0.25",
        "side": "buy",
    }


def _open_streams(stream_url: str) -> int:
    return requests.get(f"{stream_url}/healthz", timeout=5).json()["openStreams"]


def test_two_symbols_get_their_trades_only_and_heartbeats(
    stream_url, market_api, market_account, new_symbol, http
):
    a, b, c = new_symbol(), new_symbol(), new_symbol()
    reader = StreamReader(
        f"{stream_url}/api/v1/streaming?symbol={alias_of(a)},{b.name.lower()}", market_account.headers
    )
    assert reader.status == 200
    assert reader.headers["Transfer-Encoding"] == "chunked"
    reader.wait_for(lambda r: r.heartbeats())  # subscribed
    batch = [
        _trade(a.name, 1, "10.5"),
        _trade(c.name, 2, "99"),
        _trade(b.name, 3, "20.25"),
        _trade(a.name, 4, "11"),
    ]
    assert http.post(f"{market_api}/api/v1/trades", json={"trades": batch}, headers=market_account.headers).ok
    # resent trades are not new: they are not streamed again
    assert http.post(f"{market_api}/api/v1/trades", json={"trades": batch}, headers=market_account.headers).ok
    assert http.post(
        f"{market_api}/api/v1/trades",
        json={"trades": [_trade(c.name, 5, "98"), _trade(b.name, 6, "21")]},
        headers=market_account.headers,
    ).ok
    reader.wait_for(lambda r: len(r.trades()) >= 4)
    reader.wait_for(lambda r: len(r.heartbeats()) >= 3)  # ~10 s: the stream keeps its cadence
    trades = reader.trades()
    assert [(t["i"], t["p"]) for t in trades] == [
        (alias_of(a), 10.5),
        (b.name.lower(), 20.25),
        (alias_of(a), 11.0),
        (b.name.lower(), 21.0),
    ]
    assert {t["fid"] for t in trades} == {a.feed_id, b.feed_id}
    assert all(t["f"] == "t" and t["s"] == 1 and abs(t["t"] - time.time()) < 60 for t in trades)
    beats = reader.heartbeats()
    gaps = [later - earlier for earlier, later in zip(beats, beats[1:], strict=False)]
    assert gaps and max(gaps) <= 5.0 + 1.0  # every 5 s (one second of slack for a busy machine)
    assert all(isinstance(e["heartbeat"], int) for _, e in reader.snapshot() if "heartbeat" in e)
    assert _open_streams(stream_url) >= 1
    reader.close()
    deadline = time.monotonic() + 10
    while _open_streams(stream_url) > 0:  # an idle stream notices the hang-up within a second
        assert time.monotonic() < deadline, "the closed stream was not released"
        time.sleep(0.2)


def test_feed_ids_and_errors(stream_url, market_account, new_symbol, http):
    symbol = new_symbol()
    url = f"{stream_url}/api/v1/streaming"
    reader = StreamReader(
        f"{url}?feedId={symbol.feed_id.upper().replace('0X', '0x')}", market_account.headers
    )
    assert reader.status == 200
    reader.close()
    for params, status, message in [
        ({}, 400, "Parse error symbol: One of symbol or feedId must be provided"),
        ({"symbol": f"{symbol.name},NOPE-NOT-HERE"}, 404, "Not found- Could not find feedID for symbol"),
        ({"feedId": "0x" + "0" * 64}, 404, "Not found- Could not find feedID for symbol"),
    ]:
        r = http.get(url, params=params, headers=market_account.headers)
        assert (r.status_code, r.json()) == (status, {"s": "error", "errmsg": message})
    r = http.get(url, params={"symbol": symbol.name})
    assert (r.status_code, r.json()["errmsg"]) == (401, "Unauthorized - Authorization header is required")


def test_the_api_serves_a_few_streams_itself(market_api, market_account, new_symbol, http):
    """The api (gthread) streams too, up to CHARTFLEET_STREAM_API_LIMIT per process (1 here)."""
    symbol = new_symbol()
    url = f"{market_api}/api/v1/streaming?symbol={symbol.name}"
    reader = StreamReader(url, market_account.headers)
    try:
        assert reader.status == 200
        reader.wait_for(lambda r: r.heartbeats())
        second = http.get(url, headers=market_account.headers, timeout=10)
        assert second.status_code == 503 and second.headers["Retry-After"]
        assert http.get(f"{market_api}/healthz").status_code == 200  # ordinary requests still flow
        assert http.post(
            f"{market_api}/api/v1/trades",
            json={"trades": [_trade(symbol.name, 1, "5")]},
            headers=market_account.headers,
        ).ok
        reader.wait_for(lambda r: r.trades())
        assert reader.trades()[0]["p"] == 5.0
    finally:
        reader.close()
