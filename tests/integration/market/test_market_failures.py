"""The documented 500 bodies, from an api and a streaming service whose database is unreachable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.services.market.tokens import issue_token
from devstack.s3server import free_port
from devstack.stack import start_api
from tests.support.market import start_stream


@pytest.fixture(scope="module")
def broken_env(market_env: dict[str, str]) -> dict[str, str]:
    # nothing listens on this port: every query fails to connect
    return {
        **market_env,
        "CHARTFLEET_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nope",
    }


@pytest.fixture(scope="module")
def broken_api(broken_env: dict[str, str], log_dir: Path) -> Iterator[str]:
    proc, base = start_api(broken_env, log_dir, name="broken-api")
    yield base
    proc.stop()


@pytest.fixture(scope="module")
def broken_stream(broken_env: dict[str, str], log_dir: Path) -> Iterator[str]:
    proc, base = start_stream(broken_env, log_dir, name="broken-stream")
    yield base
    proc.stop()


def test_documented_500_bodies(broken_api, broken_stream, settings, http):
    # a well-signed token: authentication itself needs the database only to check the key
    token, _ = issue_token(settings.secret_key, uuid.uuid4(), uuid.uuid4(), 600)
    auth = {"Authorization": f"Bearer {token}"}
    candles = http.get(f"{broken_api}/api/v1/candles", params={"symbol": "BTCUSDT", "interval": "1h"})
    assert (candles.status_code, candles.json()) == (
        500,
        {"error": "Internal server error", "message": "Database connection failed"},
    )
    authorize = http.post(f"{broken_api}/api/v1/authorize", data={"login": "a", "password": "b"})
    assert (authorize.status_code, authorize.json()) == (
        500,
        {"s": "error", "errmsg": "Error - Failed to generate token"},
    )
    info = http.get(f"{broken_api}/api/v1/symbol_info", headers=auth)
    assert (info.status_code, info.json()) == (500, {"s": "error", "errmsg": "Error - Something went wrong"})
    params = {"symbol": "BTCUSDT", "resolution": "1m", "from": "1700000000", "to": "1700003600"}
    for path in ("history", "history/rows"):
        r = http.get(f"{broken_api}/api/v1/{path}", params=params, headers=auth)
        assert (r.status_code, r.json()) == (
            500,
            {"s": "error", "errmsg": "Something went wrong. Please try again later."},
        )
    for base in (broken_api, broken_stream):
        r = http.get(f"{base}/api/v1/streaming", params={"symbol": "BTCUSDT"}, headers=auth)
        assert (r.status_code, r.json()) == (
            500,
            {"s": "error", "errmsg": "Something went wrong. Please try again later."},
        )
