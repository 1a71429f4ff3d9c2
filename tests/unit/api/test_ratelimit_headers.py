"""The rate-limit decision and its headers: Remaining, Reset and Retry-After agree."""

from __future__ import annotations

import datetime as dt

from api.ratelimit import decide


def test_allowed_request_headers():
    d = decide(limit=100, count=1, ttl_ms=900_000, now=1_000_000.25)
    assert d.allowed and d.remaining == 99
    headers = d.headers()
    assert headers["X-RateLimit-Limit"] == "100" and headers["X-RateLimit-Remaining"] == "99"
    assert "Retry-After" not in headers
    reset = dt.datetime.strptime(headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert reset.timestamp() == 1_000_901  # the end of the window, rounded up to a whole second


def test_refused_request_headers_agree():
    now = 1_000_000.25
    d = decide(limit=100, count=101, ttl_ms=119_400, now=now)
    assert not d.allowed and d.remaining == 0
    headers = d.headers()
    reset = dt.datetime.strptime(headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert int(headers["Retry-After"]) == d.retry_after == 120
    assert abs(reset.timestamp() - (now + d.retry_after)) < 1


def test_retry_after_is_at_least_one_second():
    assert decide(limit=1, count=2, ttl_ms=0, now=10.0).retry_after == 1


def test_retry_after_never_exceeds_the_window_at_a_fractional_second():
    from api.ratelimit import decide

    decision = decide(limit=100, count=101, ttl_ms=900_000, now=1_700_000_000.3)
    assert decision.retry_after == 900
    assert decision.headers()["Retry-After"] == "900"
