"""Finance snapshots through HTTP (financial-snapshot-api.txt): the document's paths, defaults and
every error it shows, the GET forms, the storage variant, the async dialect, and the candles the
worker is handed (compared with the stored candles on the normalized spec, not on pixels)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import time
import uuid

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from core.models import RenderJob
from devstack.stack import BIN, ROOT
from tests.support.receiver import Receiver

PATH = "/v3/coinglass/advanced-chart"
UTC = dt.UTC


@pytest.fixture(scope="module")
def demo(base_env, database):
    subprocess.run(
        [str(BIN / "chartfleet"), "market", "demo"], env=base_env, cwd=ROOT, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def key(make_key, demo) -> str:
    return make_key()[1]


def post(http, api_url, key, body=None, path=PATH, **kwargs):
    headers = {"x-api-key": key} if key else {}
    if body is not None:
        kwargs["json"] = body
    return http.post(f"{api_url}{path}", headers=headers, **kwargs)


def field_error(value, msg: str, path: str, location: str = "body") -> dict:
    """One entry of a 422's ``errors`` list."""
    return {"type": "field", "value": value, "msg": msg, "path": path, "location": location}


def job_spec(sessions, job_id: str) -> dict:
    with sessions() as s:
        job = s.get(RenderJob, uuid.UUID(job_id))
        assert job.dialect == "finance"
        return dict(job.spec)


def payload(spec: dict) -> dict:
    return dict(spec["extras"])["finance"]


def test_empty_body_renders_the_documented_defaults(api_url, http, key, sessions, settings):
    r = post(http, api_url, key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (800, 600)
    spec = job_spec(sessions, r.headers["X-Job-Id"])
    data = payload(spec)
    assert (spec["width"], spec["height"], spec["format"]) == (800, 600, "png")
    assert (data["interval"], data["theme"], data["timezone"], data["style"]) == (
        "1D",
        "light",
        "Etc/UTC",
        "candle",
    )
    assert data["symbol"] == {
        "name": "BTCUSDT",
        "exchange": "BINANCE",
        "description": "Bitcoin perpetual future",
    }
    assert settings.finance_default_symbol == "BINANCE:BTCUSDT"
    # The default window ends with the latest stored daily candle (2025-08-06) and fits the width.
    last = dt.datetime.fromtimestamp(data["candles"]["t"][-1], UTC)
    assert last == dt.datetime(2025, 8, 6, tzinfo=UTC)
    assert len(data["candles"]["t"]) - data["first_visible"] == (800 - 70) // 6
    assert data["studies"] == [] and data["watermark"] is None


def test_document_example_renders_a_jpeg_with_studies(api_url, http, key):
    body = {
        "symbol": "binance:btcusdt",
        "interval": "4h",
        "theme": "dark",
        "height": 800,
        "format": "jpeg",
        "watermark": "BTCUSDT",
        "watermarkSize": 64,
        "watermarkOpacity": 0.1,
        "studies": ["Volume (Overlay)", "RSI", {"name": "MACD", "input": {"fast": 8}}, "BB"],
    }
    r = post(http, api_url, key, body)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(r.content))
    assert image.size == (800, 800)
    assert image.convert("RGB").getpixel((5, 400))[0] < 60  # dark theme background


@pytest.mark.parametrize(
    ("key_value", "params"),
    [(None, {}), ("pk_live_not_a_real_key", {}), ("garbage", {})],
)
def test_missing_or_bad_key_is_403(api_url, http, demo, key_value, params):
    r = post(http, api_url, key_value, {})
    assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
    g = http.get(f"{api_url}{PATH}", params={**params, **({"key": key_value} if key_value else {})})
    assert g.status_code == 403 and g.json() == {"message": "Forbidden"}


def test_body_that_is_not_json_is_400(api_url, http, key):
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        r = http.post(
            f"{api_url}{PATH}", data=raw, headers={"x-api-key": key, "content-type": "application/json"}
        )
        assert (r.status_code, r.json()) == (400, {"message": "Invalid Request"})


def test_the_documents_422_example_exactly(api_url, http, key):
    r = post(http, api_url, key, {"interval": "14h"})
    assert r.status_code == 422
    assert r.json() == {
        "errors": [
            {
                "type": "field",
                "value": "14h",
                "msg": "must be supported",
                "path": "interval",
                "location": "body",
            }
        ]
    }


def test_every_bad_field_is_listed(api_url, http, key):
    body = {
        "interval": "3h",
        "width": 399,
        "height": 1921,
        "theme": "blue",
        "timezone": "Mars/Olympus",
        "format": "gif",
        "watermark": 7,
        "watermarkSize": 20,
        "watermarkOpacity": 0.05,
        "style": "renko",
        "studies": ["RSI", "Ichimoku Cloud"],
    }
    r = post(http, api_url, key, body)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [e["path"] for e in errors] == [
        "interval",
        "width",
        "height",
        "theme",
        "format",
        "style",
        "timezone",
        "watermark",
        "watermarkSize",
        "watermarkOpacity",
        "studies[1]",
    ]
    assert all(e["type"] == "field" and e["location"] == "body" and e["msg"] for e in errors)
    assert {e["path"]: e["value"] for e in errors}["width"] == 399
    study = errors[-1]
    assert study["value"] == "Ichimoku Cloud" and "Relative Strength Index" in study["supported"]


@pytest.mark.parametrize(
    "symbol", ["BINANCE:BTCUSDT.P", "BINANCE:BTCUSDT_241227", "COINBASE:BTCUSDT", "NOPE"]
)
def test_symbols_we_do_not_hold_are_invalid(api_url, http, key, symbol):
    r = post(http, api_url, key, {"symbol": symbol})
    assert (r.status_code, r.json()) == (422, {"message": "Invalid Symbol"})


def test_study_without_its_data_names_the_study_and_the_data(api_url, http, key):
    r = post(http, api_url, key, {"studies": ["Cumulative Volume Delta (CVD)"]})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["path"] == "studies[0]" and error["value"] == "Cumulative Volume Delta (CVD)"
    assert "taker buy volumes" in error["msg"]


def test_get_form_with_repeated_studies_and_key_in_the_query(api_url, http, key, sessions):
    params = [
        ("key", key),
        ("symbol", "BINANCE:BTCUSDT"),
        ("interval", "1h"),
        ("width", "600"),
        ("height", "400"),
        ("timezone", "Asia/Kathmandu"),
        ("studies", "MA"),
        ("studies", "RSI"),
        ("style", "hollow"),
    ]
    r = http.get(f"{api_url}{PATH}", params=params)
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (600, 400)
    data = payload(job_spec(sessions, r.headers["X-Job-Id"]))
    assert [s["name"] for s in data["studies"]] == ["Moving Average", "Relative Strength Index"]
    assert data["timezone"] == "Asia/Kathmandu" and data["style"] == "hollow"
    bad = http.get(f"{api_url}{PATH}", params={"key": key, "width": "wide"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        field_error("wide", "must be an integer between 400 and 2048", "width", "query")
    ]


def test_storage_variant_returns_a_public_record(api_url, http, key):
    r = post(http, api_url, key, {"interval": "1h", "theme": "dark"}, path=f"{PATH}/storage")
    assert r.status_code == 200, r.text
    record = r.json()
    assert set(record) == {"url", "size", "cors", "etag", "expireAt", "createdAt"}
    assert record["cors"] == "*" and record["url"].endswith(".png")
    created = dt.datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))
    expires = dt.datetime.fromisoformat(record["expireAt"].replace("Z", "+00:00"))
    assert expires > created
    path = record["url"].split("://", 1)[1].split("/", 1)[1]
    image = http.get(f"{api_url}/{path}")  # no key: the URL is public
    assert image.status_code == 200 and image.headers["Access-Control-Allow-Origin"] == "*"
    assert len(image.content) == record["size"] and image.content.startswith(b"\x89PNG")
    g = http.get(f"{api_url}{PATH}/storage", params={"key": key, "interval": "1h", "theme": "dark"})
    # Same chart, same image (a cache hit), recorded as this request's own job and URL.
    assert g.status_code == 200 and (g.json()["etag"], g.json()["size"]) == (record["etag"], record["size"])


def test_stored_image_disappears_after_expiry(api_url, http, key, sessions):
    record = post(http, api_url, key, {"interval": "15m"}, path=f"{PATH}/storage").json()
    job_id = record["url"].rsplit("/", 1)[1].split(".")[0]
    with sessions() as s, s.begin():
        s.get(RenderJob, uuid.UUID(job_id)).expires_at = dt.datetime.now(UTC) - dt.timedelta(seconds=1)
    path = record["url"].split("://", 1)[1].split("/", 1)[1]
    r = http.get(f"{api_url}/{path}")
    assert r.status_code == 404 and r.json() == {"message": "Not Found"}


def test_beat_expiry_deletes_the_stored_image_and_urls_follow_the_custom_domain(
    api_url, http, make_key, demo, sessions, settings, redis_client
):
    """The record's URL is on the account's custom domain when it has one; once ``expireAt`` has
    passed, beat's expiry task (``expire_objects``, run here as beat runs it) deletes the object."""
    from sqlalchemy import select

    from core.models import Account
    from core.services.expiry import expire_objects
    from core.storage import ObjectNotFound, build_store

    name, fresh = make_key()
    domain = f"charts-{uuid.uuid4().hex[:8]}.example.com"
    with sessions() as s, s.begin():
        s.scalar(select(Account).where(Account.name == name)).custom_domain = domain
    body = {"interval": "30m", "watermark": uuid.uuid4().hex[:8]}  # an image no other job shares
    record = post(http, api_url, fresh, body, path=f"{PATH}/storage").json()
    assert record["url"].startswith(f"https://{domain}{PATH}/storage/"), record
    job_id = record["url"].rsplit("/", 1)[1].split(".")[0]
    with sessions() as s, s.begin():
        job = s.get(RenderJob, uuid.UUID(job_id))
        job.expires_at = dt.datetime.now(UTC) - dt.timedelta(seconds=1)
        object_key = job.object_key
    store = build_store(settings)
    assert store.get(object_key).startswith(b"\x89PNG")
    assert expire_objects(sessions, store, redis_client, settings) >= 1
    with pytest.raises(ObjectNotFound):
        store.get(object_key)
    path = record["url"].split("://", 1)[1].split("/", 1)[1]
    assert http.get(f"{api_url}/{path}").status_code == 404


def test_async_job_with_the_finance_dialect(api_url, http, key):
    with Receiver() as receiver:  # the job's one-off webhook, as for any dialect
        r = http.post(
            f"{api_url}/api/v1/jobs",
            json={"dialect": "finance", "interval": "12h", "studies": ["EMA"], "webhookUrl": receiver.url},
            headers={"x-api-key": key},
        )
        assert r.status_code == 202, r.text
        (request,) = receiver.wait_for(1, timeout=40)
    event = json.loads(request.body)
    assert event["type"] == "render.succeeded" and event["data"]["id"] == r.json()["id"]
    assert event["data"]["dialect"] == "finance"
    url = r.json()["statusUrl"]
    deadline = time.monotonic() + 30
    while (body := http.get(url).json())["status"] not in ("succeeded", "failed", "dead"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert body["status"] == "succeeded" and body["dialect"] == "finance"
    bad = http.post(
        f"{api_url}/api/v1/jobs", json={"dialect": "finance", "interval": "14h"}, headers={"x-api-key": key}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "interval"


def test_study_catalogue_and_unknown_routes(api_url, http, demo):
    r = http.get(f"{api_url}/api/v1/finance/studies")
    assert r.status_code == 200
    names = {s["name"]: s for s in r.json()["studies"]}
    assert {"Moving Average", "MACD", "VWAP", "Volume (Overlay)"} <= set(names)
    assert names["Moving Average"]["aliases"] == ["MA", "SMA"]
    assert http.get(f"{api_url}/v3/coinglass/no-such-chart").status_code == 404


def _stored_columns(database_url: str, minutes: int, lo: dt.datetime, hi: dt.datetime, bin_sql: str | None):
    """Candles straight from market_candles: stored ones, or a SQL aggregation (``bin_sql``)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        symbol_id = conn.execute(
            text("SELECT symbol_id FROM market_symbol_aliases WHERE alias = 'BTCUSDT'")
        ).scalar()
        bucket = bin_sql or "bucket"
        rows = conn.execute(
            text(
                f"""SELECT {bucket} AS b, (array_agg(open ORDER BY bucket))[1], max(high), min(low),
                    (array_agg(close ORDER BY bucket DESC))[1], sum(volume)
                    FROM market_candles WHERE symbol_id = :s AND minutes = :m
                    AND bucket >= :lo AND bucket < :hi
                    GROUP BY 1 ORDER BY 1"""  # noqa: S608 - bucket is one of the test's own expressions
            ),
            {"s": symbol_id, "m": minutes, "lo": lo, "hi": hi},
        ).all()
    engine.dispose()
    return {
        "t": [int(r[0].timestamp()) for r in rows],
        "o": [float(r[1]) for r in rows],
        "h": [float(r[2]) for r in rows],
        "l": [float(r[3]) for r in rows],
        "c": [float(r[4]) for r in rows],
        "v": [float(r[5]) for r in rows],
    }


@pytest.mark.parametrize(
    ("interval", "minutes", "bin_sql", "lo", "hi"),
    [
        ("1h", 60, None, "2025-08-01T00:00:00Z", "2025-08-05T00:00:00Z"),
        # 6h from the stored hourly candles (the snapshot aggregates 2h ones): same candles.
        (
            "6h",
            60,
            "date_bin('6 hours', bucket, TIMESTAMPTZ 'epoch')",
            "2025-07-01T00:00:00Z",
            "2025-08-05T00:00:00Z",
        ),
        (
            "12h",
            60,
            "date_bin('12 hours', bucket, TIMESTAMPTZ 'epoch')",
            "2025-07-01T00:00:00Z",
            "2025-08-05T00:00:00Z",
        ),
        # Postgres' ISO weeks open on Monday, as exchanges' weekly candles do.
        (
            "1W",
            1440,
            "date_trunc('week', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
            "2024-01-01T00:00:00Z",
            "2025-07-28T00:00:00Z",
        ),
    ],
)
def test_candles_handed_to_the_renderer_are_the_stored_candles(
    api_url, http, key, sessions, database, interval, minutes, bin_sql, lo, hi
):
    r = post(http, api_url, key, {"interval": interval, "range": {"from": lo, "to": hi}, "studies": ["MA"]})
    assert r.status_code == 200, r.text
    data = payload(job_spec(sessions, r.headers["X-Job-Id"]))
    first = data["first_visible"]
    shown = {k: v[first:] for k, v in data["candles"].items() if k in "tohlcv"}
    # The demo's klines are OHLCV only: every order-flow column is unknown.
    assert {k: set(v) for k, v in data["candles"].items() if k not in "tohlcv"} == {
        k: {None} for k in ("tbv", "n", "tbc", "qv", "tbq")
    }
    expected = _stored_columns(
        database, minutes, dt.datetime.fromisoformat(lo), dt.datetime.fromisoformat(hi), bin_sql
    )
    assert shown == expected
    assert len(shown["t"]) > 10 and first > 0  # warm-up bars for the moving average precede the window


def test_chartjs_candlestick_through_the_render_route(api_url, http, sessions):
    points = [
        {"x": 1_754_006_400_000 + i * 3_600_000, "o": 100 + i, "h": 103 + i, "l": 99 + i, "c": 101 + i}
        for i in range(48)
    ]
    body = {
        "type": "candlestick",
        "width": 500,
        "height": 300,
        "data": {"datasets": [{"label": "X", "data": points}]},
    }
    r = http.post(f"{api_url}/api/v1/render", json=body)
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (500, 300)
    spec = job_spec_any(sessions, r.headers["X-Job-Id"])
    assert spec["type"] == "finance" and payload(spec)["interval"] == "1h"
    bad = http.post(f"{api_url}/api/v1/render", json={**body, "data": {"datasets": [{"data": [{"x": 1}]}]}})
    assert bad.status_code == 400 and bad.json()["field"] == "data.datasets[0].data[0].o"


def job_spec_any(sessions, job_id: str) -> dict:
    with sessions() as s:
        job = s.get(RenderJob, uuid.UUID(job_id))
        assert job.dialect == "chartjs"
        return dict(job.spec)


def test_rate_limit_is_429_with_its_headers(api_url, http, demo, database, base_env):
    engine = create_engine(database)
    plan = f"fin-{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:  # a plan of this test's own: the shared plans stay relaxed
        conn.execute(
            text(
                """INSERT INTO plans (name, display_name, monthly_quota, overage_cents_per_1000, rate_limit,
                   rate_window_seconds, max_width, max_height, formats, retention_days, webhooks_allowed,
                   price_cents, trial_days, sort_order)
                   SELECT :name, :name, monthly_quota, overage_cents_per_1000, 2, 900, max_width, max_height,
                   formats, retention_days, webhooks_allowed, price_cents, NULL, 99
                   FROM plans WHERE name = 'starter'"""
            ),
            {"name": plan},
        )
    engine.dispose()
    out = subprocess.run(
        [str(BIN / "chartfleet"), "keys", "create", "--account", f"acct-{plan}", "--plan", plan],
        env=base_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    tight = out.stdout.strip()
    statuses = [post(http, api_url, tight, {"interval": "4h"}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    limited = statuses[-1]
    assert limited.headers["X-RateLimit-Limit"] == "2" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json()["message"] == "Rate limit exceeded"
    assert statuses[0].headers["X-RateLimit-Remaining"] == "1"


def test_finance_renders_are_charged_and_recorded_for_the_account(api_url, http, make_key, demo, sessions):
    from sqlalchemy import select

    from core.models import Account, UsageCounter

    name, fresh = make_key()
    r = post(http, api_url, fresh, {"interval": "2h", "watermark": uuid.uuid4().hex[:8]})
    assert r.status_code == 200, r.text
    with sessions() as s:
        account_id = s.scalar(select(Account.id).where(Account.name == name))
        job = s.get(RenderJob, uuid.UUID(r.headers["X-Job-Id"]))
        assert job.account_id == account_id and job.api_key_id is not None and job.dialect == "finance"
        renders = s.scalar(select(UsageCounter.renders).where(UsageCounter.owner == f"account:{account_id}"))
    assert renders == 1  # the quota was charged once for the one render


def test_brand_kits_recolour_finance_charts(api_url, http, key):
    """``brandKitId`` (beyond the document) applies to finance charts as to every dialect: a preset
    changes the picture; an unknown kit is listed like any bad field."""
    body = {"interval": "1D", "width": 600, "height": 400}
    plain = post(http, api_url, key, body)
    kit = post(http, api_url, key, {**body, "brandKitId": "ember"})
    assert plain.status_code == kit.status_code == 200, kit.text
    assert kit.headers["ETag"] != plain.headers["ETag"] and kit.content != plain.content
    by_query = http.get(f"{api_url}{PATH}", params={"key": key, "interval": "1D", "brandKitId": "ember"})
    assert by_query.status_code == 200, by_query.text
    unknown = post(http, api_url, key, {**body, "brandKitId": "no-such-kit"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [field_error("no-such-kit", "must be supported", "brandKitId")]
