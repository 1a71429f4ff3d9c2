"""Hostile and unusual requests through the real stack (issue 16, defects 1, 6, 7 and 8): JSON bodies
nested past the parser's recursion limit or with numbers past Python's digit limit, chunked bodies
over the size limit, request lines past gunicorn's limit, API keys in the query string of
schema-checked routes, and GIF output from the JSON render API."""

from __future__ import annotations

import io
import json

import pytest
import requests
from PIL import Image

from tests.support.accounts import bearer, new_key, unique_spec

DEEP = 1_000
HUGE_INT = "9" * 5_000


@pytest.fixture(scope="module")
def manager(base_env, database):
    return new_key(base_env, "render", "read", "manage")[1]


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def _json_routes(api_url: str, key: str) -> list[tuple[str, str, dict[str, str]]]:
    """Every kind of JSON body route: renders (anonymous), jobs, and management with a key."""
    return [
        ("POST", f"{api_url}/api/v1/render", {}),
        ("POST", f"{api_url}/api/v1/jobs", {}),
        ("POST", f"{api_url}/api/v1/api-keys", bearer(key)),
        ("POST", f"{api_url}/api/v1/webhooks", bearer(key)),
        ("PUT", f"{api_url}/api/v1/settings/custom-domain", bearer(key)),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_deep(DEEP), "nesting_too_deep"),
        (b"[" * 100_000 + b"]" * 100_000, "nesting_too_deep"),
        (b"[" * 50_000, "nesting_too_deep"),  # unbalanced: still not the parser's RecursionError
        (_deep(33), "nesting_too_deep"),  # one past the documented depth of 32
        (('{"type": "bar", "width": ' + HUGE_INT + "}").encode(), "number_too_long"),
        (('{"data": [-' + HUGE_INT + "]}").encode(), "number_too_long"),
    ],
    ids=["deep-1000", "deep-100000", "unbalanced-50000", "deep-33", "huge-int", "huge-negative-int"],
)
def test_hostile_json_is_a_400_on_every_json_route(api_url, http, manager, body, code):
    for method, url, headers in _json_routes(api_url, manager):
        r = http.request(method, url, data=body, headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 400, (url, r.status_code, r.text[:300])
        assert r.json()["code"] == code and r.json()["field"] == "body", (url, r.text[:300])


def test_depth_32_is_still_parsed(api_url, http, manager):
    """32 levels are within the documented limit: the body parses and the schema judges it."""
    body = b'{"name": "k", "extra": ' + _deep(30) + b"}"  # 32 levels in all
    r = http.post(
        f"{api_url}/api/v1/api-keys",
        data=body,
        headers={**bearer(manager), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["field"] == "extra", r.text[:300]


def _chunks(total: int, size: int = 256 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b" " * n
        sent += n


def test_chunked_body_over_the_limit_is_413(api_url):
    spec = b'{"type": "bar", "data": {"labels": ["a"], "datasets": [{"data": [1]}]}}'

    def body():
        yield spec
        yield from _chunks(5 * 1024 * 1024)  # valid JSON (trailing spaces), 5 MiB in all

    r = requests.post(
        f"{api_url}/api/v1/render", data=body(), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert r.status_code == 413, r.text[:300]
    assert r.json()["field"] == "body" and r.json()["maxBytes"] == 4 * 1024 * 1024
    assert r.headers.get("X-Request-Id")


def test_chunked_body_within_the_limit_renders(api_url):
    import json

    spec = json.dumps(unique_spec()).encode()

    def body():
        yield spec[:10]
        yield spec[10:]

    r = requests.post(
        f"{api_url}/api/v1/render", data=body(), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", r.text[:300]


@pytest.mark.parametrize("length", [9_000, 20_000])
def test_request_line_past_gunicorn_limit_is_json_414(api_url, length):
    r = requests.get(f"{api_url}/api/v1/render?type=bar&data=" + "1," * (length // 2), timeout=30)
    assert r.status_code == 414
    assert r.headers["Content-Type"] == "application/json"
    assert "POST" in r.json()["error"] and r.headers.get("X-Request-Id")


def test_url_between_the_api_limit_and_gunicorns_is_the_apps_json_414(api_url):
    r = requests.get(f"{api_url}/api/v1/render?type=bar&data=" + "1," * 2500, timeout=30)
    assert r.status_code == 414 and r.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("param", ["key", "apiKey"])
def test_key_in_the_query_string_of_schema_checked_routes(api_url, http, manager, param):
    for path in ("/api/v1/renders?limit=5", "/api/v1/audit-logs?limit=5"):
        r = http.get(f"{api_url}{path}&{param}={manager}")
        assert r.status_code == 200, (path, r.text[:300])
        assert "data" in r.json()
    # the key still authenticates: a wrong one is refused, not ignored
    wrong = http.get(f"{api_url}/api/v1/renders?{param}=pk_live_nope")
    assert wrong.status_code == 401, wrong.text
    # and other unknown parameters are still refused by the schema
    unknown = http.get(f"{api_url}/api/v1/renders?{param}={manager}&bogus=1")
    assert unknown.status_code == 400 and unknown.json()["field"] == "bogus", unknown.text


def test_gif_renders_from_the_json_api(api_url, http):
    r = http.post(f"{api_url}/api/v1/render", json=unique_spec(format="gif", width=320, height=200))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == "image/gif"
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "GIF" and image.size == (320, 200)
    get = http.get(f"{api_url}/api/v1/render?type=line&labels=a,b,c&data=1,3,2&format=gif")
    assert get.status_code == 200 and get.headers["Content-Type"] == "image/gif", get.text[:300]


def test_every_format_a_plan_lists_renders(api_url, http, manager, sessions):
    from sqlalchemy import select

    from core.models import Plan

    with sessions() as session:
        formats = {f for listed in session.scalars(select(Plan.formats)) for f in listed}
    assert "gif" in formats
    for fmt in sorted(formats):
        r = http.post(f"{api_url}/api/v1/render", json=unique_spec(format=fmt), headers=bearer(manager))
        assert r.status_code == 200, (fmt, r.text[:300])


@pytest.mark.parametrize("name", ["bad\u0000key", "lone\ud800surrogate"])
def test_unknown_keys_postgres_cannot_store_are_still_a_warning(api_url, http, name):
    """Ignored keys are echoed in the job's warnings (JSONB): a NUL or a lone surrogate in a key's
    name once made that insert fail with a 500."""
    spec = unique_spec()
    spec["options"] = {name: 1}
    body = json.dumps(spec).encode()  # ensure_ascii keeps the escapes as the client sent them
    r = http.post(f"{api_url}/api/v1/render", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert "X-Chart-Warnings" in r.headers


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("TRACE", "/api/v1/usage", {"GET"}), ("PATCH", "/api/v1/render", {"GET", "POST"})],
)
def test_an_undeclared_method_is_a_json_405_with_allow(api_url, method, path, allowed):
    r = requests.request(method, f"{api_url}{path}", timeout=30)
    assert r.status_code == 405 and r.json()["error"], r.text
    assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}, r.headers
