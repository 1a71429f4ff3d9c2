"""Rate limits: a fixed window per API key (per dashboard member, or per client IP when anonymous),
sized by the plan (default 100 requests per 15 minutes), counted in Redis by one Lua script so
every api process shares the count and no two requests can both take the last slot.

The window starts with a bucket's first request and lasts the plan's ``rate_window_seconds``;
``X-RateLimit-Reset`` is its end and a 429's ``Retry-After`` the seconds until then.

When Redis cannot be reached, CHARTFLEET_RATE_LIMIT_ON_REDIS_ERROR decides: ``allow`` (default)
serves the request unlimited, with ``X-RateLimit-Limit`` only (the count is unknown); ``deny``
answers 503 with ``Retry-After``. Either way never a 500. After a failure the process does not
ask Redis again for a couple of seconds, so an outage does not add a timeout to every request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import math
import threading
import time

import redis
from flask import Flask, current_app

from api.errors import ApiError
from api.extensions import services
from core.services.keys import Principal, network_of
from core.services.quotas import terms_for

log = logging.getLogger(__name__)
EXTENSION = "chartfleet.ratelimiter"
BACKOFF_SECONDS = 2.0
WARN_EVERY_SECONDS = 30.0

# KEYS[1] = the bucket's counter; ARGV[1] = window in ms. Returns {count, ms until the window ends}.
# INCR and PEXPIRE run as one unit: concurrent requests each get a distinct count.
WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclasses.dataclass(frozen=True)
class Decision:
    limit: int
    count: int
    reset_epoch: int  # whole seconds, the end of the window
    now: float
    ttl_ms: int = 0  # what is left of the window, as Redis reported it

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def retry_after(self) -> int:
        # From the window's own remaining time: rounding the reset instant up first and then the
        # difference again could announce one second more than the window lasts.
        return max(1, math.ceil(self.ttl_ms / 1000))

    def headers(self) -> dict[str, str]:
        reset = dt.datetime.fromtimestamp(self.reset_epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset,
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


def decide(limit: int, count: int, ttl_ms: int, now: float) -> Decision:
    ttl_ms = max(ttl_ms, 0)
    return Decision(
        limit=limit, count=count, reset_epoch=math.ceil(now + ttl_ms / 1000), now=now, ttl_ms=ttl_ms
    )


class RateLimiter:
    """The shared counters. ``hit`` returns None when Redis is unavailable."""

    def __init__(self, client: redis.Redis, prefix: str):
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(WINDOW_SCRIPT)
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._warned_at = 0.0

    def hit(self, bucket: str, limit: int, window_seconds: int) -> Decision | None:
        now = time.time()
        if now < self._skip_until:
            return None
        try:
            count, ttl_ms = self._script(keys=[f"{self._prefix}rl:{bucket}"], args=[window_seconds * 1000])
        except redis.RedisError:
            with self._lock:
                self._skip_until = time.time() + BACKOFF_SECONDS
                if now - self._warned_at > WARN_EVERY_SECONDS:
                    self._warned_at = now
                    log.warning("rate limiting unavailable (Redis error)", exc_info=True)
            return None
        return decide(limit, int(count), int(ttl_ms), now)

    def peek(self, bucket: str, limit: int, window_seconds: int) -> Decision | None:
        """The bucket's count without counting (0 when it has no window); None when Redis is down."""
        now = time.time()
        if now < self._skip_until:
            return None
        key = f"{self._prefix}rl:{bucket}"
        try:
            count, ttl_ms = self._client.pipeline(transaction=False).get(key).pttl(key).execute()
        except redis.RedisError:
            with self._lock:
                self._skip_until = time.time() + BACKOFF_SECONDS
            return None
        if count is None or ttl_ms is None or int(ttl_ms) < 0:
            return decide(limit, 0, window_seconds * 1000, now)
        return decide(limit, int(count), int(ttl_ms), now)


def init_app(app: Flask) -> None:
    svc = app.extensions["chartfleet"]
    app.extensions[EXTENSION] = RateLimiter(svc.redis, svc.settings.redis_prefix)


def check_rate_limit(principal: Principal) -> dict[str, str]:
    """Count one request of ``principal``; return the X-RateLimit-* headers, or raise ApiError(429)
    (or 503 when Redis is down and the deployment chose ``deny``)."""
    settings = services().settings
    terms = principal.plan
    if terms is None:  # a principal built without plan terms (e.g. from a signed URL): look them up
        with services().sessions() as session:
            terms = terms_for(session, principal)
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    decision = limiter.hit(principal.rate_bucket, terms.rate_limit, terms.rate_window_seconds)
    if decision is None:
        if settings.rate_limit_on_redis_error == "deny":
            raise ApiError(
                503, "Rate limiting is unavailable; retry shortly", headers={"Retry-After": str(5)}
            )
        return {"X-RateLimit-Limit": str(terms.rate_limit)}
    headers = decision.headers()
    if not decision.allowed:
        raise ApiError(429, "Rate limit exceeded", headers=headers, retryAfter=decision.retry_after)
    return headers


# --- Authentication limits -------------------------------------------------------------------
# Separate from the plan's request budget, so spending that budget never locks anyone out of
# logging in, and guessing credentials is limited even where the budget is generous:
# - per client address (IPv6: its /64): failed authentications of any kind (bad API keys, bad
#   signatures, failed log-ins and authorizes) and every sign-up attempt;
# - per account name (a log-in email or an authorize login, hashed): failed log-ins/authorizes.
# Log-in, sign-up and authorize check both before looking at the password (so a locked-out
# guesser learns nothing); a bad key or signature is counted and answered 401/403 until the
# address is over its limit, then 429. Valid keys never look at these counters.

AUTH_ERROR = "Rate limit exceeded"


def _auth_buckets(client_ip: str, account_name: str | None) -> list[tuple[str, int]]:
    settings = services().settings
    buckets = [(f"auth:ip:{network_of(client_ip)}", settings.auth_limit_per_address)]
    name = (account_name or "").strip().lower()
    if name:
        digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]
        buckets.append((f"auth:name:{digest}", settings.auth_limit_per_account))
    return buckets


def _auth_refusal(decision: Decision, scope: str) -> ApiError:
    detail = (
        "Too many failed attempts for this account name; retry later"
        if scope == "account"
        else "Too many failed authentication attempts from this address; retry later"
    )
    return ApiError(
        429,
        AUTH_ERROR,
        headers={"Retry-After": str(decision.retry_after)},
        retryAfter=decision.retry_after,
        limit="authentication",
        detail=detail,
    )


def _unavailable() -> ApiError | None:
    if services().settings.rate_limit_on_redis_error == "deny":
        return ApiError(503, "Rate limiting is unavailable; retry shortly", headers={"Retry-After": "5"})
    return None


def guard_auth(client_ip: str, account_name: str | None = None) -> None:
    """Before a log-in, sign-up or authorize: 429 when the address or the name is locked out."""
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    window = services().settings.auth_window_seconds
    for bucket, limit in _auth_buckets(client_ip, account_name):
        decision = limiter.peek(bucket, limit, window)
        if decision is None:
            refusal = _unavailable()
            if refusal is not None:
                raise refusal
            continue
        if decision.count >= limit:
            raise _auth_refusal(
                decide(limit, decision.count + 1, decision.ttl_ms, decision.now), _scope(bucket)
            )


def count_auth_failure(client_ip: str, account_name: str | None = None) -> ApiError | None:
    """Count one failed authentication (or sign-up); returns the 429 to answer instead when this
    attempt went over a limit, else None (answer the 401/403 the failure deserves)."""
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    window = services().settings.auth_window_seconds
    refusal = None
    for bucket, limit in _auth_buckets(client_ip, account_name):
        decision = limiter.hit(bucket, limit, window)
        if decision is not None and not decision.allowed and refusal is None:
            refusal = _auth_refusal(decision, _scope(bucket))
    return refusal


def _scope(bucket: str) -> str:
    return "account" if bucket.startswith("auth:name:") else "address"
