"""The TradingView-style API (candlestick-udf-api.txt): authorize, symbol_info, history in both
formats with the window -> resolution table, and every documented 400/401/404 body."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from core.services.market.tokens import issue_token

UTC = dt.UTC
START = dt.datetime(2024, 1, 1, tzinfo=UTC)


def _authorize(http, base, login, password):
    return http.post(f"{base}/api/v1/authorize", data={"login": login, "password": password})


def _token(http, base, account) -> str:
    r = _authorize(http, base, str(account.id), account.key)
    assert r.status_code == 200, r.text
    return r.json()["d"]["access_token"]


def test_authorize_returns_a_token_with_its_expiry(market_api, market_account, http, settings):
    before = int(dt.datetime.now(UTC).timestamp())
    r = _authorize(http, market_api, str(market_account.id), market_account.key)
    assert r.status_code == 200
    body = r.json()
    assert body["s"] == "ok" and set(body) == {"s", "d"} and set(body["d"]) == {"access_token", "expiration"}
    assert (
        before + settings.market_token_ttl
        <= body["d"]["expiration"]
        <= before + settings.market_token_ttl + 5
    )
    # the account's name works as login too
    assert _authorize(http, market_api, market_account.name, market_account.key).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({}, 400, "Parse error - Login: missing required field, Password: missing required field"),
        ({"login": "x"}, 400, "Parse error - Password: missing required field"),
        ({"password": "x"}, 400, "Parse error - Login: missing required field"),
        (
            {"login": "no-such-account", "password": "pk_live_x"},
            404,
            "Not found - user not found for id no-such-account",
        ),
    ],
)
def test_authorize_errors(market_api, http, form, status, message):
    r = http.post(f"{market_api}/api/v1/authorize", data=form)
    assert (r.status_code, r.json()) == (status, {"s": "error", "errmsg": message})


def test_authorize_refuses_a_wrong_key(market_api, market_account, make_key, http):
    _, other_key = make_key()  # a valid key of another account
    for password in ("pk_live_wrong", other_key):
        r = _authorize(http, market_api, str(market_account.id), password)
        assert (r.status_code, r.json()) == (
            401,
            {"s": "error", "errmsg": "Unauthorized - Invalid credentials"},
        )


def test_tokens_and_keys_are_both_accepted_and_bad_credentials_get_401(
    market_api, market_account, http, settings, sessions, make_key
):
    url = f"{market_api}/api/v1/symbol_info"
    token = _token(http, market_api, market_account)
    for headers in (
        {"Authorization": f"Bearer {token}"},
        market_account.headers,
        {"X-Api-Key": market_account.key},
    ):
        assert http.get(url, headers=headers).status_code == 200
    expired, _ = issue_token(settings.secret_key, market_account.id, uuid.uuid4(), -60)
    forged, _ = issue_token("another secret", market_account.id, uuid.uuid4(), 60)
    cases = [
        ({}, "Unauthorized - Authorization header is required"),
        ({"Authorization": "Basic abc"}, "Unauthorized - Invalid authorization header format"),
        ({"Authorization": "Bearer"}, "Unauthorized - Invalid authorization header format"),
        (
            {"Authorization": f"Bearer {forged}"},
            "Unauthorized - token signature is invalid: signature is invalid",
        ),
        ({"Authorization": f"Bearer {expired}"}, "Unauthorized - token has invalid claims: token is expired"),
        ({"Authorization": "Bearer not.a.jwt"}, None),
        ({"Authorization": "Bearer pk_live_0000"}, "Unauthorized - Invalid API key"),
    ]
    for headers, message in cases:
        r = http.get(url, headers=headers)
        assert r.status_code == 401 and r.json()["s"] == "error", (headers, r.text)
        assert (
            r.json()["errmsg"] == message
            if message
            else r.json()["errmsg"].startswith("Unauthorized - token")
        )
    # revoking the key ends the tokens issued for it
    name, key = make_key()
    with sessions() as session:
        account_id = session.execute(text("SELECT id FROM accounts WHERE name = :n"), {"n": name}).scalar()
    revocable = _token(http, market_api, type(market_account)(name=name, id=account_id, key=key))
    assert http.get(url, headers={"Authorization": f"Bearer {revocable}"}).status_code == 200
    with sessions() as session, session.begin():
        session.execute(
            text("UPDATE api_keys SET revoked_at = now() WHERE account_id = :a"), {"a": account_id}
        )
    r = http.get(url, headers={"Authorization": f"Bearer {revocable}"})
    assert (r.status_code, r.json()["errmsg"]) == (401, "Unauthorized - token has been revoked")


def test_symbol_info_lists_symbols_in_columns(market_api, market_account, new_symbol, http):
    fx = new_symbol(base="eur", quote="usd", group=f"fx{uuid.uuid4().hex[:6]}")
    everything = http.get(f"{market_api}/api/v1/symbol_info", headers=market_account.headers).json()
    assert set(everything) == {"s", "symbol", "currency", "base-currency"}
    assert len(everything["symbol"]) == len(everything["currency"]) == len(everything["base-currency"])
    assert "BTC_USDC_PERP" in everything["symbol"] and fx.name in everything["symbol"]
    grouped = http.get(
        f"{market_api}/api/v1/symbol_info", params={"group": fx.group}, headers=market_account.headers
    ).json()
    assert grouped == {"s": "ok", "symbol": [fx.name], "currency": ["USD"], "base-currency": ["EUR"]}
    crypto = http.get(
        f"{market_api}/api/v1/symbol_info", params={"group": "crypto"}, headers=market_account.headers
    ).json()
    assert fx.name not in crypto["symbol"] and "BTC_USDC_PERP" in crypto["symbol"]


def test_history_resolution_follows_the_window(market_api, market_account, new_symbol, http):
    """One trade every 7 hours for a year: each window is served at its documented width, with one
    candle per width bucket holding trades, time-ascending, in both formats."""
    symbol = new_symbol()
    times = [START + dt.timedelta(hours=7 * i, minutes=i % 60) for i in range(1300)]
    trades = [
        {"symbol": symbol.name, "id": i, "time": t.isoformat(), "price": "10", "size": "1", "side": "buy"}
        for i, t in enumerate(times)
    ]
    r = http.post(f"{market_api}/api/v1/trades", json={"trades": trades}, headers=market_account.headers)
    assert r.status_code == 200 and r.json()["inserted"] == 1300, r.text
    day, epoch = dt.timedelta(days=1), dt.datetime(1970, 1, 1, tzinfo=UTC)
    for window, minutes in [
        (day, 1),
        (day + dt.timedelta(seconds=1), 5),
        (5 * day, 5),
        (10 * day, 30),
        (30 * day, 30),
        (60 * day, 60),
        (90 * day, 60),
        (120 * day, 120),
        (181 * day, 120),  # 6 calendar months from 2024-01-10
        (200 * day, 1440),
        (366 * day, 1440),
    ]:
        start = START + 9 * day
        end = start + window
        params = {
            "symbol": symbol.name,
            "resolution": "1m",
            "from": int(start.timestamp()),
            "to": int(end.timestamp()),
        }
        cols = http.get(f"{market_api}/api/v1/history", params=params, headers=market_account.headers).json()
        rows = http.get(
            f"{market_api}/api/v1/history/rows", params=params, headers=market_account.headers
        ).json()
        width = dt.timedelta(minutes=minutes)
        expected = sorted(
            {
                int((t - (t - epoch) % width).timestamp())
                for t in times
                if start <= t - (t - epoch) % width <= end
            }
        )
        assert cols["t"] == expected, (window, minutes)
        assert len({len(cols[k]) for k in "tcohlv"}) == 1
        assert [row[0] for row in rows["candles"]] == expected
        assert all(len(row) == 6 for row in rows["candles"])


def test_history_errors_and_empty_answers(market_api, market_account, new_symbol, http):
    symbol = new_symbol().name
    base = {"symbol": symbol, "resolution": "1m", "from": "1700000000", "to": "1700086400"}
    url = f"{market_api}/api/v1/history"
    assert http.get(url, params=base, headers=market_account.headers).json() == {
        "s": "ok",
        "t": [],
        "c": [],
        "o": [],
        "h": [],
        "l": [],
        "v": [],
    }
    assert http.get(f"{url}/rows", params=base, headers=market_account.headers).json() == {
        "s": "ok",
        "candles": [],
    }
    for name in ("symbol", "resolution", "from", "to"):
        for path in ("", "/rows"):
            r = http.get(
                f"{url}{path}",
                params={k: v for k, v in base.items() if k != name},
                headers=market_account.headers,
            )
            assert (r.status_code, r.json()) == (
                400,
                {"s": "error", "errmsg": f"Parse error {name}: missing required field"},
            )
    for path in ("", "/rows"):
        r = http.get(
            f"{url}{path}", params={**base, "symbol": "NOPE-NOT-HERE"}, headers=market_account.headers
        )
        assert (r.status_code, r.json()) == (
            404,
            {"s": "error", "errmsg": "Not found- Could not find feedID for symbol"},
        )
        assert http.get(f"{url}{path}", params=base).status_code == 401
    assert http.get(url, params={**base, "from": "soon"}, headers=market_account.headers).status_code == 400
    assert (
        http.get(url, params={**base, "to": "1600000000"}, headers=market_account.headers).status_code == 400
    )
