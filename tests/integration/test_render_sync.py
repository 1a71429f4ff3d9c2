"""Synchronous rendering through real HTTP: api (gunicorn) -> Redis -> Celery worker -> S3 -> Postgres."""

from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.models import RenderJob
from tests.support.polling import wait_for_job_row


def bar_spec(**overrides):
    spec = {
        "type": "bar",
        "width": 600,
        "height": 300,
        "data": {"labels": ["Q1", "Q2", "Q3"], "datasets": [{"label": "Revenue", "data": [12, 19, 7]}]},
        "options": {"plugins": {"title": {"display": True, "text": f"Sales {uuid.uuid4().hex[:8]}"}}},
    }
    spec.update(overrides)
    return spec


def test_post_render_returns_png_with_contract_headers(api_url, http):
    r = http.post(f"{api_url}/api/v1/render", json=bar_spec())
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Cache"] == "MISS"
    assert int(r.headers["X-Render-Time-Ms"]) >= 0
    assert len(r.headers["X-Request-Id"]) >= 16
    assert r.headers["ETag"].startswith('"') and len(r.headers["ETag"]) == 66
    assert Image.open(io.BytesIO(r.content)).size == (600, 300)


def test_device_pixel_ratio_scales_output(api_url, http):
    r = http.post(f"{api_url}/api/v1/render", json=bar_spec(devicePixelRatio=2, format="webp"))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(r.content)).size == (1200, 600)


def test_repeat_is_a_cache_hit_served_without_a_job_but_recorded(api_url, http, sessions):
    spec = bar_spec()
    first = http.post(f"{api_url}/api/v1/render", json=spec)
    second = http.post(f"{api_url}/api/v1/render", json=spec)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content
    assert first.headers["ETag"] == second.headers["ETag"]
    hit = wait_for_job_row(sessions, second.headers["X-Job-Id"])  # recorded by the hit log's flush
    assert hit.cache_hit and hit.status == "succeeded" and hit.attempts == 0 and hit.started_at is not None


def test_if_none_match_gives_304(api_url, http):
    spec = bar_spec()
    etag = http.post(f"{api_url}/api/v1/render", json=spec).headers["ETag"]
    r = http.post(f"{api_url}/api/v1/render", json=spec, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == etag


def test_return_url_gives_json_with_a_working_url(api_url, http):
    r = http.post(f"{api_url}/api/v1/render", json=bar_spec(returnUrl=True, format="svg"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "succeeded" and body["contentType"] == "image/svg+xml"
    assert body["expiresAt"] and body["size"] > 0 and body["etag"] == r.headers["ETag"].strip('"')
    image = http.get(body["url"])  # follows the redirect to the presigned S3 URL
    assert image.status_code == 200 and image.content.lstrip().startswith(b"<?xml")
    direct = http.get(body["directUrl"])
    assert direct.status_code == 200 and direct.content == image.content


def test_get_render_with_simple_parameters(api_url, http):
    r = http.get(
        f"{api_url}/api/v1/render",
        params={
            "type": "bar",
            "labels": "Q1,Q2,Q3,Q4",
            "data": "100,150,120,180",
            "title": f"t{uuid.uuid4().hex}",
            "format": "jpeg",
            "width": 600,
            "height": 300,
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(r.content)).size == (600, 300)


def test_get_render_with_base64url_spec_and_key(api_url, http, make_key, sessions):
    account, key = make_key()
    raw = json.dumps(bar_spec(type="line")).encode()
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    r = http.get(f"{api_url}/api/v1/render", params={"c": encoded, "key": key})
    assert r.status_code == 200, r.text
    with sessions() as s:
        job = s.get(RenderJob, uuid.UUID(r.headers["X-Job-Id"]))
    assert job.account_id is not None and job.owner.startswith("account:")


def test_anonymous_render_is_recorded_by_client_ip(api_url, http, sessions):
    r = http.post(f"{api_url}/api/v1/render", json=bar_spec())
    with sessions() as s:
        job = s.get(RenderJob, uuid.UUID(r.headers["X-Job-Id"]))
    assert job.account_id is None and job.client_ip == "127.0.0.1" and job.owner == "ip:127.0.0.1"


@pytest.mark.parametrize("how", ["bearer", "header", "key", "apiKey"])
def test_key_accepted_in_every_documented_place(api_url, http, make_key, how):
    _, key = make_key()
    kwargs = {
        "bearer": {"headers": {"Authorization": f"Bearer {key}"}},
        "header": {"headers": {"x-api-key": key}},
        "key": {"params": {"key": key}},
        "apiKey": {"params": {"apiKey": key}},
    }[how]
    assert http.post(f"{api_url}/api/v1/render", json=bar_spec(), **kwargs).status_code == 200


@pytest.mark.parametrize("key", ["pk_live_nope", "pk_live_" + "A" * 36, "garbage"])
def test_present_but_invalid_key_is_401(api_url, http, key):
    r = http.post(f"{api_url}/api/v1/render", json=bar_spec(), headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401 and r.json()["error"] == "Invalid API key"
    assert "X-Request-Id" in r.headers


def test_unknown_keys_are_listed_in_warnings_header(api_url, http):
    spec = bar_spec(options={"animation": {"duration": 0}, "responsive": False})
    r = http.post(f"{api_url}/api/v1/render", json=spec)
    assert r.status_code == 200
    warnings = r.headers["X-Chart-Warnings"]
    assert "options.animation" in warnings and "options.responsive" in warnings


def test_long_get_url_is_414(api_url, http):
    r = http.get(f"{api_url}/api/v1/render", params={"type": "bar", "data": ",".join(["1"] * 1200)})
    assert r.status_code == 414
    assert "POST" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (json.dumps(bar_spec(type="histogram")).encode(), "type"),
        (json.dumps(bar_spec(width=5000)).encode(), "width"),
        (json.dumps(bar_spec(height=20)).encode(), "height"),
        (json.dumps(bar_spec(format="bmp")).encode(), "format"),
        (json.dumps(bar_spec(devicePixelRatio=9)).encode(), "devicePixelRatio"),
        (
            json.dumps(
                {"type": "bar", "data": {"labels": ["a"], "datasets": [{"data": [1, 2, 3]}]}}
            ).encode(),
            "data.datasets[0].data",
        ),
        (
            json.dumps({"type": "line", "data": {"datasets": [{"data": [True]}]}}).encode(),
            "data.datasets[0].data[0]",
        ),
        (
            json.dumps({"type": "line", "data": {"datasets": [{"data": list(range(60_000))}]}}).encode(),
            "data.datasets",
        ),
        (
            json.dumps(
                bar_spec(
                    options={
                        "plugins": {"tooltip": {"callbacks": {"label": "function(ctx) { return ctx.raw }"}}}
                    }
                )
            ).encode(),
            "options.plugins.tooltip.callbacks.label",
        ),
    ],
    ids=[
        "malformed-json",
        "unknown-type",
        "too-wide",
        "too-short",
        "bad-format",
        "bad-dpr",
        "mismatched",
        "non-number",
        "too-many-points",
        "function",
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_url, http, sessions, body, field):
    before = _job_count(sessions)
    r = http.post(f"{api_url}/api/v1/render", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    payload = r.json()
    assert payload["field"].startswith(field), payload
    assert field.split(".")[0].split("[")[0] in payload["error"] or field in payload["error"]
    assert _job_count(sessions) == before  # nothing was recorded or queued


def _job_count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(RenderJob))
