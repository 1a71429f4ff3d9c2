"""Snapshot symbols through HTTP: ``EXCHANGE:NAME`` matches the symbol's exchange (any case) or a
whole alias; ``.P`` and ``_YYMMDD`` suffixes are part of the name and resolve only to a symbol that
exists under that name."""

from __future__ import annotations

import datetime as dt
import uuid

from core.services.market.symbols import define_symbol, set_exchange

CHART = "/v3/coinglass/advanced-chart"


def test_exchange_prefix_aliases_and_suffixes(market_api, market_account, http, sessions):
    tag = uuid.uuid4().hex[:8].upper()
    perp, future = f"S{tag}.P", f"S{tag}_251226"
    with sessions() as session, session.begin():
        define_symbol(session, perp, base_currency="BTC", quote_currency="USDT", aliases=[f"okx:s{tag}-swap"])
        set_exchange(session, perp, "BYBIT")
        define_symbol(session, future, base_currency="BTC", quote_currency="USDT")
        set_exchange(session, future, "BINANCE")
    t0 = int(dt.datetime(2025, 4, 1, tzinfo=dt.UTC).timestamp() * 1000)
    for name in (perp, future):
        klines = [[t0 + h * 3_600_000, "10", "12", "9", "11", "5"] for h in range(40)]
        r = http.post(
            f"{market_api}/api/v1/candles/import",
            json={"symbol": name, "interval": "1h", "candles": klines},
            headers=market_account.headers,
        )
        assert r.status_code == 200, r.text

    def status(symbol: str) -> int:
        body = {"symbol": symbol, "interval": "1h", "width": 400, "height": 300}
        r = http.post(f"{market_api}{CHART}", json=body, headers=market_account.headers)
        assert r.status_code == 200 or r.json() == {"message": "Invalid Symbol"}, r.text
        return r.status_code

    assert status(f"bybit:s{tag.lower()}.p") == 200  # the exchange, any case
    assert status(f"OKX:S{tag}-SWAP") == 200  # a whole alias
    assert status(f"BINANCE:S{tag}_251226") == 200
    assert status(f"BINANCE:S{tag}.P") == 422  # another exchange's perpetual
    assert status(f"BYBIT:S{tag}") == 422  # no spot symbol: the suffix is part of the name
    assert status(f"BINANCE:S{tag}_250926") == 422  # another expiry
