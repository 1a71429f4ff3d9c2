"""Metric series for the finance snapshots' metric studies: POST /api/v1/metrics (batch, errors by
index, idempotent), `chartfleet market import-metrics`, and snapshots drawing them per candle."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core.models import RenderJob
from tests.support.accounts import cli as chartfleet

UTC = dt.UTC
START = dt.datetime(2025, 8, 5, tzinfo=UTC)
CHART = "/v3/coinglass/advanced-chart"
WINDOW = {"from": "2025-08-05T00:00:00Z", "to": "2025-08-06T00:00:00Z"}


def cli(env, *args):
    return chartfleet(env, "market", *args)


@pytest.fixture(scope="module")
def demo(market_env):
    cli(market_env, "demo")


def hourly_rows(symbol: str, metric: str, first: int) -> list[dict]:
    """24 hourly points of ``metric`` from START, valued ``first``, ``first + 1``, ..."""
    return [
        {
            "symbol": symbol,
            "metric": metric,
            "time": (START + dt.timedelta(hours=h)).isoformat(),
            "value": first + h,
        }
        for h in range(24)
    ]


def chart(http, market_api, market_account, interval: str, studies: list[str], **more):
    """POST the advanced chart over WINDOW with ``studies``, as the market account."""
    return http.post(
        f"{market_api}{CHART}",
        json={"interval": interval, "range": WINDOW, "studies": studies, **more},
        headers={"x-api-key": market_account.key},
    )


def series_of(sessions, job_id):
    with sessions() as s:
        spec = s.get(RenderJob, uuid.UUID(job_id)).spec
    return dict(spec["extras"])["finance"]["studies"][0]["series"]


def test_push_is_batched_idempotent_and_reports_bad_rows(market_api, market_account, http, demo, sessions):
    rows = hourly_rows("btcusdt", "open_interest", first=1000)
    bad = [
        {"symbol": "NOPE", "metric": "open_interest", "time": START.isoformat(), "value": 1},
        {"symbol": "BTCUSDT", "metric": "Open Interest", "time": START.isoformat(), "value": 1},
        {"symbol": "BTCUSDT", "metric": "x", "time": START.isoformat(), "value": 1, "open": 1},
    ]
    r = http.post(
        f"{market_api}/api/v1/metrics", json={"metrics": rows + bad}, headers=market_account.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["stored"], body["rejected"]) == (27, 24, 3)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (24, "symbol"),
        (25, "metric"),
        (26, "value"),
    ]
    again = http.post(
        f"{market_api}/api/v1/metrics", json={"metrics": rows}, headers=market_account.headers
    ).json()
    assert (again["stored"], again["changed"]) == (24, 0)
    rows[5]["value"] = 5
    changed = http.post(
        f"{market_api}/api/v1/metrics", json={"metrics": rows}, headers=market_account.headers
    ).json()
    assert changed["changed"] == 1

    r = chart(http, market_api, market_account, "1h", ["Open Interest"])
    assert r.status_code == 200, r.text
    series = series_of(sessions, r.headers["X-Job-Id"])
    assert series["c"] == [float(row["value"]) for row in rows]
    # per 4h candle: the OHLC of the hourly values inside it
    r = chart(http, market_api, market_account, "4h", ["Open Interest (Candles)"])
    assert r.status_code == 200, r.text
    series = series_of(sessions, r.headers["X-Job-Id"])
    assert (
        series["o"][0] == 1000 and series["h"][1] == 1007 and series["l"][1] == 5 and series["c"][5] == 1023
    )


def test_a_study_without_its_metric_names_it(market_api, market_account, http, demo):
    r = chart(http, market_api, market_account, "1h", ["MA", "Predicted Funding Rates"])
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["path"] == "studies[1]" and "predicted_funding_rate" in error["msg"]


def test_only_market_writers_may_push(api_url, make_key, http, demo):
    _, key = make_key()
    r = http.post(
        f"{api_url}/api/v1/metrics",
        json={"metrics": [{"symbol": "BTCUSDT", "metric": "open_interest", "time": 0, "value": 1}]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 403


def test_cli_imports_metric_candles(market_env, market_api, market_account, http, demo, sessions, tmp_path):
    path = tmp_path / "funding.csv"
    lines = ["time,open,high,low,close"]
    for h in range(0, 24, 8):
        t = (START + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{t},0.0001,0.0003,-0.0002,0.0002")
    path.write_text("\n".join(lines) + "\n")
    out = cli(
        market_env, "import-metrics", str(path), "--symbol", "BINANCE:BTCUSDT", "--metric", "funding_rate"
    )
    assert "3 values" in out, out
    studies = ["Funding Rates (Candles)", "Funding Rates"]
    r = chart(http, market_api, market_account, "1h", studies, theme="dark")
    assert r.status_code == 200, r.text
    series = series_of(sessions, r.headers["X-Job-Id"])
    assert [i for i, v in enumerate(series["c"]) if v is not None] == [0, 8, 16]
    assert (series["o"][8], series["h"][8], series["l"][8], series["c"][8]) == (
        0.0001,
        0.0003,
        -0.0002,
        0.0002,
    )


def test_the_documents_vendor_studies_draw_their_pushed_series(
    market_api, market_account, http, demo, sessions
):
    """Every study of the snapshot document is accepted: vendor ones read the series named after
    them in snake case, and without one answer the 422 naming it."""
    rows = hourly_rows("BTCUSDT", "whale_index_2", first=50)
    pushed = http.post(f"{market_api}/api/v1/metrics", json={"metrics": rows}, headers=market_account.headers)
    assert pushed.status_code == 200 and pushed.json()["stored"] == 24, pushed.text
    r = chart(http, market_api, market_account, "1h", ["Whale Index 2"])
    assert r.status_code == 200, r.text
    assert series_of(sessions, r.headers["X-Job-Id"])["c"] == [float(row["value"]) for row in rows]
    missing = chart(http, market_api, market_account, "1h", ["Bid & Ask Delta"])
    assert missing.status_code == 422
    (error,) = missing.json()["errors"]
    assert error["path"] == "studies[0]" and "bid_ask_delta" in error["msg"]
