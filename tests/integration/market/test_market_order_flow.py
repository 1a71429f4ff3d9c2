"""The finance snapshots' order-flow studies come from our own trades: taker buy/sell volume, count
and value, their deltas and the CVD. Trades go in through POST /api/v1/trades; the chart goes out
through POST /v3/coinglass/advanced-chart; the per-bar columns of the spec handed to the worker (and
the study values the worker computes from them) must equal a direct SQL aggregation of the stored
trades, at stored widths and at the 6h/12h/1W widths the snapshot aggregates itself."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import numpy as np
import pytest
import requests
from sqlalchemy import create_engine, text

from core.models import RenderJob
from core.services.market.symbols import define_symbol
from core.specs.finance_studies import BY_NAME
from tests.support.accounts import cli as chartfleet
from worker.render.finance import bars_of, study_values

UTC = dt.UTC
CHART = "/v3/coinglass/advanced-chart"
START = dt.datetime(2025, 2, 26, 5, 13, 7, tzinfo=UTC)  # a Wednesday: weeks are cut on Mondays
DAYS = 23
FLOW_STUDIES = [
    "CVD",
    "Cumulative Volume Delta (CVD Candles)",
    "Taker Buy/Sell Volume",
    "Net Delta",
    "Taker Buy/Sell Count",
    "Taker Buy/Sell Count (Delta)",
    "Taker Buy/Sell Value",
    "Taker Buy/Sell Value (Delta)",
]
BINS = {
    "1h": "date_bin('1 hour', time, TIMESTAMPTZ 'epoch')",
    "4h": "date_bin('4 hours', time, TIMESTAMPTZ 'epoch')",
    "6h": "date_bin('6 hours', time, TIMESTAMPTZ 'epoch')",
    "12h": "date_bin('12 hours', time, TIMESTAMPTZ 'epoch')",
    # Postgres' ISO weeks open on Monday, as exchanges' weekly candles do.
    "1W": "date_trunc('week', time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
}


def _trades(symbol: str) -> list[dict]:
    """A trade every 23 minutes over DAYS days, with bursts of several trades in one minute;
    decimal prices and sizes, buyers and sellers mixed."""
    rows = []
    for i in range(DAYS * 1440 // 23):
        for j in range(4 if i % 10 == 0 else 1):
            rows.append(
                {
                    "symbol": symbol,
                    "id": i * 10 + j,
                    "time": (START + dt.timedelta(minutes=23 * i, seconds=3 * j)).isoformat(),
                    "price": f"{100 + (i * 37 + j) % 50}.{(i * 7 + j) % 100:02d}",
                    "size": f"0.{(i * 13 + j * 5) % 997 + 1:03d}",
                    "side": "buy" if (i * 7 + j) % 5 < 2 else "sell",
                }
            )
    return rows


@pytest.fixture(scope="module")
def traded(market_api, market_account, sessions):
    """A fresh symbol holding the trades of ``_trades`` (each test reads it, none writes)."""
    name = f"FLOW{uuid.uuid4().hex[:8].upper()}"
    with sessions() as session, session.begin():
        symbol = define_symbol(session, name, base_currency="BTC", quote_currency="USDT", group="crypto")
    rows = _trades(name)
    r = requests.post(
        f"{market_api}/api/v1/trades", json={"trades": rows}, headers=market_account.headers, timeout=60
    )
    assert r.status_code == 200 and r.json()["inserted"] == len(rows), r.text
    return symbol


@pytest.fixture(scope="module")
def demo(market_env):
    chartfleet(market_env, "market", "demo")


def chart(http, market_api, market_account, body: dict):
    return http.post(f"{market_api}{CHART}", json=body, headers=market_account.headers)


def spec_payload(sessions, job_id: str) -> dict:
    with sessions() as s:
        spec = s.get(RenderJob, uuid.UUID(job_id)).spec
    return dict(spec["extras"])["finance"]


def _from_trades(database: str, symbol_id: int, interval: str) -> dict[str, list]:
    """Per bar, straight from market_trades: trade count, taker buy count, quote volume, taker buy
    quote volume, taker buy volume and volume (exact decimal sums, then floats as the spec holds)."""
    engine = create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                f"""SELECT {BINS[interval]} AS b, count(*), count(*) FILTER (WHERE side = 'b'),
                    sum(price * size), coalesce(sum(price * size) FILTER (WHERE side = 'b'), 0),
                    coalesce(sum(size) FILTER (WHERE side = 'b'), 0), sum(size)
                    FROM market_trades WHERE symbol_id = :s GROUP BY 1 ORDER BY 1"""  # noqa: S608 - the test's own bins
            ),
            {"s": symbol_id},
        ).all()
    engine.dispose()
    keys = ("t", "n", "tbc", "qv", "tbq", "tbv", "v")
    out: dict[str, list] = {k: [] for k in keys}
    for row in rows:
        out["t"].append(int(row[0].timestamp()))
        for key, value in zip(keys[1:], row[1:], strict=True):
            out[key].append(float(value) if isinstance(value, Decimal) else value)
    return out


@pytest.mark.parametrize("interval", ["1h", "4h", "6h", "12h", "1W"])
def test_order_flow_columns_and_studies_equal_an_aggregation_of_the_trades(
    market_api, market_account, http, sessions, database, traded, interval
):
    expected = _from_trades(database, traded.id, interval)
    body = {
        "symbol": traded.name,
        "interval": interval,
        "range": {"from": "2025-02-24T00:00:00Z", "to": "2025-03-24T00:00:00Z"},
        "studies": FLOW_STUDIES,
    }
    r = chart(http, market_api, market_account, body)
    assert r.status_code == 200, r.text
    payload = spec_payload(sessions, r.headers["X-Job-Id"])
    first = payload["first_visible"]
    shown = {k: payload["candles"][k][first:] for k in expected}
    assert shown == expected
    assert len(shown["t"]) >= {"1h": 500, "4h": 130, "6h": 90, "12h": 45, "1W": 4}[interval]

    # The worker's study values over those columns: buys, sells (the rest), deltas, the CVD.
    n, tbc, qv, tbq, tbv, v = (
        np.array(expected[k], dtype=float) for k in ("n", "tbc", "qv", "tbq", "tbv", "v")
    )
    plots = dict(zip(FLOW_STUDIES, (p for _, p in study_values(payload, bars_of(payload))), strict=True))
    np.testing.assert_allclose(plots["CVD"]["CVD"], np.cumsum(2 * tbv - v), rtol=1e-12)
    np.testing.assert_allclose(
        plots["Cumulative Volume Delta (CVD Candles)"]["Open"],
        np.cumsum(2 * tbv - v) - (2 * tbv - v),
        rtol=1e-12,
        atol=1e-9,
    )
    np.testing.assert_allclose(plots["Taker Buy/Sell Volume"]["Sell"], v - tbv, rtol=1e-12)
    np.testing.assert_allclose(plots["Net Delta"]["Delta"], 2 * tbv - v, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(plots["Taker Buy/Sell Count"]["Buy"], tbc)
    np.testing.assert_array_equal(plots["Taker Buy/Sell Count"]["Sell"], n - tbc)
    np.testing.assert_array_equal(plots["Taker Buy/Sell Count (Delta)"]["Delta"], 2 * tbc - n)
    np.testing.assert_array_equal(plots["Taker Buy/Sell Value"]["Buy"], tbq)
    np.testing.assert_allclose(plots["Taker Buy/Sell Value"]["Sell"], qv - tbq, rtol=1e-12)
    np.testing.assert_allclose(plots["Taker Buy/Sell Value (Delta)"]["Delta"], 2 * tbq - qv, rtol=1e-12)
    assert r.content.startswith(b"\x89PNG")


def test_order_flow_studies_without_their_data_are_422_naming_study_and_data(
    market_api, market_account, http, demo
):
    """The demo's klines carry OHLCV only: each order-flow study names what it lacks."""
    window = {"from": "2025-08-01T00:00:00Z", "to": "2025-08-05T00:00:00Z"}
    for study, missing in [
        ("Taker Buy/Sell Count", "trade counts"),
        ("Taker Buy/Sell Count (Delta)", "trade counts"),
        ("Taker Buy/Sell Value", "quote volumes"),
        ("Taker Buy/Sell Value (Delta)", "quote volumes"),
        ("Net Delta", "taker buy volumes"),
    ]:
        r = chart(
            http, market_api, market_account, {"interval": "1h", "range": window, "studies": ["MA", study]}
        )
        assert r.status_code == 422, (study, r.text)
        (error,) = r.json()["errors"]
        assert (error["path"], error["value"]) == ("studies[1]", BY_NAME[study.upper()].name)
        assert error["msg"].startswith(f"needs {missing}, which ")
        assert error["msg"].endswith(" has not stored for this window")


def test_binance_klines_give_values_but_not_counts(market_api, market_account, http, sessions, new_symbol):
    """Binance's kline arrays carry the quote volume and the taker buy quote volume (so the value
    studies draw from them) but no taker buy count (so the count studies are a 422)."""
    symbol = new_symbol()
    t0 = int(dt.datetime(2025, 4, 1, tzinfo=UTC).timestamp() * 1000)
    klines = [
        [
            t0 + h * 3_600_000,
            "10",
            "12",
            "9",
            "11",
            "5.5",
            t0 + (h + 1) * 3_600_000 - 1,
            f"{55 + h}.5",
            40 + h,
            "2.25",
            f"{20 + h}.25",
            "0",
        ]
        for h in range(6)
    ]
    r = http.post(
        f"{market_api}/api/v1/candles/import",
        json={"symbol": symbol.name, "interval": "1h", "candles": klines},
        headers=market_account.headers,
    )
    assert r.status_code == 200, r.text
    window = {"from": "2025-04-01T00:00:00Z", "to": "2025-04-01T06:00:00Z"}
    body = {
        "symbol": symbol.name,
        "interval": "1h",
        "range": window,
        "studies": ["Taker Buy/Sell Value (Delta)"],
    }
    r = chart(http, market_api, market_account, body)
    assert r.status_code == 200, r.text
    candles = spec_payload(sessions, r.headers["X-Job-Id"])["candles"]
    assert candles["qv"] == [55.5 + h for h in range(6)] and candles["tbq"] == [20.25 + h for h in range(6)]
    assert candles["n"] == [40 + h for h in range(6)] and candles["tbc"] == [None] * 6
    r = chart(http, market_api, market_account, {**body, "studies": ["Taker Buy/Sell Count"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["msg"].startswith("needs taker buy trade counts")
