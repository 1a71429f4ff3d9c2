"""Quotas and rate limits on a stack of their own with the seeded plans: exact under concurrency,
the contract's 402 and 429 bodies and headers, anonymous clients counted per IP, X-Forwarded-For
believed only through trusted proxies, and a Redis outage that never becomes a 500."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import email.utils
import uuid

import pytest
import requests
from sqlalchemy import String, cast, func, select, update

from core.models import Account, OutboxMessage, RenderJob, UsageCounter
from core.queue import RENDER_TASK
from devstack.s3server import free_port
from devstack.stack import start_api
from tests.support.accounts import bearer, cli, new_key, unique_spec

QUOTA = 150
ANONYMOUS_QUOTA = 3
ANONYMOUS_RATE = 20
UPGRADE = "/app/usage-billing"


@pytest.fixture(scope="module")
def limits_env(base_env, private_env, redis_client):
    env = {
        **private_env("limits", seeded_plans=True),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}limits-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}limits:",
        # As if behind one reverse proxy: the client is the last X-Forwarded-For entry.
        "CHARTFLEET_TRUSTED_PROXIES": "1",
        # These tests are about the separately editable anonymous plan (the default is starter's terms).
        "CHARTFLEET_ANONYMOUS_PLAN": "anonymous",
    }
    # Plan terms changed the way an operator would (the trial plan keeps the seeded 100/15 min).
    cli(env, "plans", "set", "starter", "--monthly-quota", str(QUOTA), "--rate-limit", "100000")
    cli(
        env,
        "plans",
        "set",
        "anonymous",
        "--monthly-quota",
        str(ANONYMOUS_QUOTA),
        "--rate-limit",
        str(ANONYMOUS_RATE),
    )
    return env


@pytest.fixture(scope="module")
def limits_api(limits_env, log_dir):
    api, base = start_api(limits_env, log_dir, name="limits-api")
    yield base
    api.stop()


@pytest.fixture(scope="module")
def limits_db(limits_env):
    from core.db import session_factory

    return session_factory(limits_env["CHARTFLEET_DATABASE_URL"])


def _submit(api: str, spec: dict, headers: dict[str, str], timeout: float = 30) -> requests.Response:
    """``POST /api/v1/jobs`` with ``spec`` as the client ``headers`` say."""
    return requests.post(f"{api}/api/v1/jobs", json=spec, headers=headers, timeout=timeout)


def _all_at_once(calls, workers: int) -> list[requests.Response]:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_quota_is_exact_under_concurrency(limits_api, limits_env, limits_db):
    name, key = new_key(limits_env, "render", "read", plan="starter")

    def submit(spec: dict):
        return lambda: _submit(limits_api, spec, bearer(key), timeout=120)

    responses = _all_at_once([submit(unique_spec()) for _ in range(200)], workers=200)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(202) == QUOTA and statuses.count(402) == 200 - QUOTA, statuses
    for r in responses:
        if r.status_code == 402:
            assert r.json() == {
                "error": "Monthly render quota exceeded",
                "currentUsage": QUOTA,
                "limit": QUOTA,
                "plan": "starter",
            }
    with limits_db() as s:
        account_id = s.scalars(select(Account.id).where(Account.name == name)).one()
        used = s.scalars(
            select(UsageCounter.renders).where(UsageCounter.owner == f"account:{account_id}")
        ).one()
        jobs = s.scalar(select(func.count()).select_from(RenderJob).where(RenderJob.account_id == account_id))
        # Every charged job has its one render message, and a refused charge left none behind.
        messages = s.scalars(
            select(OutboxMessage.payload["job_id"].astext).where(OutboxMessage.task == RENDER_TASK)
        ).all()
        charged = set(s.scalars(select(cast(RenderJob.id, String)).where(RenderJob.account_id == account_id)))
        every_job = set(s.scalars(select(cast(RenderJob.id, String))))
    assert used == QUOTA and jobs == QUOTA
    assert sorted(m for m in messages if m in charged) == sorted(charged)
    assert set(messages) <= every_job  # no message of a job that was never written
    usage = requests.get(f"{limits_api}/api/v1/usage", headers=bearer(key), timeout=30).json()
    assert usage["used"] == QUOTA and usage["remaining"] == 0 and usage["hardLimit"] is True


def test_rate_limit_is_exact_under_concurrency(limits_api, limits_env):
    _, key = new_key(limits_env, "render", "read", plan="trial")  # seeded: 100 requests / 15 minutes

    def poll():
        return requests.get(f"{limits_api}/api/v1/jobs/{uuid.uuid4()}", headers=bearer(key), timeout=120)

    responses = _all_at_once([poll for _ in range(150)], workers=150)
    passed = [r for r in responses if r.status_code != 429]
    refused = [r for r in responses if r.status_code == 429]
    assert len(passed) == 100 and len(refused) == 50
    assert all(r.status_code == 404 for r in passed)
    # every passing request took its own slot: the atomic counter handed out 99..0 exactly once
    assert sorted(int(r.headers["X-RateLimit-Remaining"]) for r in passed) == list(range(100))
    for r in responses:
        assert r.headers["X-RateLimit-Limit"] == "100"
        dt.datetime.strptime(r.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%SZ")
    for r in refused:
        retry_after = int(r.headers["Retry-After"])
        assert r.json() == {"error": "Rate limit exceeded", "retryAfter": retry_after}
        assert r.headers["X-RateLimit-Remaining"] == "0"
        reset = dt.datetime.strptime(r.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.UTC
        )
        sent = email.utils.parsedate_to_datetime(r.headers["Date"])
        assert abs((reset - sent).total_seconds() - retry_after) <= 2
        assert 0 < retry_after <= 900


def test_trial_expired_gives_its_402(limits_api, limits_env, limits_db):
    name, key = new_key(limits_env, "render", plan="trial")
    assert _submit(limits_api, unique_spec(), bearer(key)).status_code == 202
    with limits_db() as s, s.begin():
        s.execute(
            update(Account)
            .where(Account.name == name)
            .values(trial_ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    r = _submit(limits_api, unique_spec(), bearer(key))
    assert r.status_code == 402
    assert r.json() == {
        "error": "Trial expired. Please upgrade to continue.",
        "plan": "expired",
        "upgradeUrl": UPGRADE,
    }
    cli(limits_env, "accounts", "set-plan", name, "starter")  # upgrading ends the trial
    assert _submit(limits_api, unique_spec(), bearer(key)).status_code == 202


def test_pdf_requires_pro(limits_api, limits_env):
    name, key = new_key(limits_env, "render", plan="starter")
    pdf = unique_spec(format="pdf")
    r = _submit(limits_api, pdf, bearer(key))
    assert r.status_code == 402
    assert r.json() == {"error": "PDF output requires the Pro plan", "plan": "starter", "upgradeUrl": UPGRADE}
    cli(limits_env, "accounts", "set-plan", name, "pro")
    assert _submit(limits_api, pdf, bearer(key)).status_code == 202


def _as_client(ip: str, spoofed: str = "") -> dict[str, str]:
    """Headers as our (single, trusted) proxy would forward them for a client at ``ip``: whatever
    the client claimed, then the address the proxy saw."""
    return {"X-Forwarded-For": f"{spoofed}, {ip}" if spoofed else ip}


def test_anonymous_clients_use_the_anonymous_plan_per_ip(limits_api):
    client, other = "198.51.100.10", "198.51.100.11"
    for _ in range(ANONYMOUS_QUOTA):
        r = _submit(limits_api, unique_spec(), _as_client(client))
        assert r.status_code == 202, r.text
    over = _submit(limits_api, unique_spec(), _as_client(client, "203.0.113.99"))
    assert over.status_code == 402
    assert over.json() == {
        "error": "Monthly render quota exceeded",
        "currentUsage": ANONYMOUS_QUOTA,
        "limit": ANONYMOUS_QUOTA,
        "plan": "anonymous",
    }
    assert _submit(limits_api, unique_spec(), _as_client(other)).status_code == 202
    too_big = _submit(limits_api, unique_spec(width=2500), _as_client("198.51.100.12"))
    assert (
        too_big.status_code == 400
        and too_big.json()["field"] == "width"
        and too_big.json()["plan"] == "anonymous"
    )
    pdf = _submit(limits_api, unique_spec(format="pdf"), _as_client("198.51.100.13"))
    assert pdf.status_code == 402 and pdf.json()["plan"] == "anonymous"
    hook = _submit(
        limits_api, unique_spec(webhookUrl="https://example.com/hook"), _as_client("198.51.100.14")
    )
    assert hook.status_code == 403 and hook.json()["field"] == "webhookUrl"


def _exhaust(base: str, headers) -> None:
    for i in range(ANONYMOUS_RATE):
        r = requests.get(f"{base}/api/v1/jobs/{uuid.uuid4()}", headers=headers(i), timeout=30)
        assert r.status_code == 404 and r.headers["X-RateLimit-Remaining"] == str(ANONYMOUS_RATE - i - 1)


def test_spoofed_forwarded_for_behind_a_proxy_does_not_reset_the_limit(limits_api):
    client = "198.51.100.20"
    _exhaust(limits_api, lambda i: _as_client(client, f"10.9.8.{i}"))
    for spoofed in ("10.0.0.1", "1.1.1.1, 2.2.2.2", ""):
        r = requests.get(
            f"{limits_api}/api/v1/jobs/{uuid.uuid4()}", headers=_as_client(client, spoofed), timeout=30
        )
        assert r.status_code == 429 and r.json()["retryAfter"] > 0


def test_spoofed_forwarded_for_without_a_proxy_is_ignored(limits_env, log_dir, base_env):
    env = {
        **limits_env,
        "CHARTFLEET_TRUSTED_PROXIES": "0",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}direct:",
    }
    api, base = start_api(env, log_dir, name="direct-api")
    try:
        _exhaust(base, lambda i: {"X-Forwarded-For": f"203.0.113.{i}"})
        r = requests.get(
            f"{base}/api/v1/jobs/{uuid.uuid4()}", headers={"X-Forwarded-For": "198.51.100.77"}, timeout=30
        )
        assert r.status_code == 429
    finally:
        api.stop()


@pytest.mark.parametrize("choice", ["allow", "deny"])
def test_redis_down_is_a_documented_choice_never_a_500(choice, limits_env, log_dir):
    _, key = new_key(limits_env, "read", plan="starter")
    env = {
        **limits_env,
        "CHARTFLEET_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "CHARTFLEET_RATE_LIMIT_ON_REDIS_ERROR": choice,
    }
    api, base = start_api(env, log_dir, name=f"no-redis-{choice}-api")
    try:
        usage = requests.get(f"{base}/api/v1/usage", headers=bearer(key), timeout=30)
        anonymous = requests.get(f"{base}/api/v1/jobs/{uuid.uuid4()}", timeout=30)
        if choice == "allow":
            assert usage.status_code == 200 and anonymous.status_code == 404
            assert (
                usage.headers["X-RateLimit-Limit"] == "100000"
                and "X-RateLimit-Remaining" not in usage.headers
            )
        else:
            for r in (usage, anonymous):
                assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0, r.text
    finally:
        api.stop()
