"""Webhooks over real HTTP: the api, the render worker, the webhooks worker (threads) and beat of
the shared stack, and a real receiver on 127.0.0.2 (allowlisted for the tests). Deliveries are
verified with the reference ``standardwebhooks`` package, not with our own code."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from sqlalchemy import select
from standardwebhooks import Webhook

from core.models import AuditLog, WebhookEndpoint, WebhookMessage
from tests.support.accounts import bearer, new_key, unique_spec
from tests.support.receiver import Receiver


@pytest.fixture(scope="module")
def manager(base_env, database):
    return new_key(base_env, "render", "read", "manage")


def subscribe(http, api_url, key, url, **extra):
    response = http.post(f"{api_url}/api/v1/webhooks", json={"url": url, **extra}, headers=bearer(key))
    assert response.status_code == 201, response.text
    return response.json()


def verify(secret: str, request) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def wait_message(sessions, predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            rows = session.scalars(select(WebhookMessage)).all()
            found = [r for r in rows if predicate(r)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "no matching webhook message"
        time.sleep(0.1)


def test_render_delivers_one_signed_webhook_and_a_retry_keeps_its_id(api_url, http, manager, sessions):
    _, key = manager
    with Receiver([(500, {}, b"try later"), (200, {}, b"thanks")]) as receiver:
        hook = subscribe(http, api_url, key, receiver.url, events=["render.succeeded"])
        assert (
            hook["secret"].startswith("whsec_")
            and "secret"
            not in http.get(f"{api_url}/api/v1/webhooks/{hook['id']}", headers=bearer(key)).json()
        )
        render = http.post(
            f"{api_url}/api/v1/render",
            json=unique_spec(),
            headers={**bearer(key), "Accept": "application/json"},
        )
        assert render.status_code == 200, render.text
        first, retry = receiver.wait_for(2, timeout=40)
        time.sleep(1)
        assert len(receiver.requests) == 2  # delivered exactly once after the retry
    event = verify(hook["secret"], first)
    assert verify(hook["secret"], retry) == event
    assert event["type"] == "render.succeeded" and event["data"]["status"] == "succeeded"
    assert event["data"]["imageUrl"].endswith(f"/api/v1/jobs/{event['data']['id']}/image")
    assert {"etag", "size", "format", "dialect", "imageExpiresAt", "error"} <= set(event["data"])
    assert len(first.body) < 2000  # never the image
    assert first.headers["webhook-id"] == retry.headers["webhook-id"]
    assert int(retry.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    assert retry.at - first.at >= 4.4  # the 5 s retry, with at most 10% jitter

    deliveries = http.get(f"{api_url}/api/v1/webhooks/{hook['id']}/deliveries", headers=bearer(key)).json()
    (delivery,) = deliveries["data"]
    assert delivery["status"] == "delivered" and delivery["webhookId"] == first.headers["webhook-id"]
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 200]
    assert delivery["attempts"][0]["response"] == "try later" and delivery["attempts"][0]["latencyMs"] >= 0
    counts = http.get(f"{api_url}/api/v1/webhooks/{hook['id']}", headers=bearer(key)).json()["counts"]
    assert counts == {"sent": 1, "failed": 0, "pending": 0}


def test_async_job_calls_its_one_off_webhook_url(api_url, http, manager):
    _, key = manager
    with Receiver() as receiver:
        bad = unique_spec(type="line", data={"datasets": [{"data": [1, 2]}]}, width=300)
        job = http.post(
            f"{api_url}/api/v1/jobs", json={**bad, "webhookUrl": receiver.url}, headers=bearer(key)
        )
        assert job.status_code == 202, job.text
        (request,) = receiver.wait_for(1)
    secret = http.get(f"{api_url}/api/v1/webhooks/one-off-secret", headers=bearer(key)).json()["secret"]
    event = verify(secret, request)
    assert event["data"]["id"] == job.json()["id"]
    assert event["type"] in ("render.succeeded", "render.failed")


BLOCKED = [
    "http://127.0.0.1/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[::1]/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "ftp://example.com/hook",
    "http://example.com:22/hook",
]


@pytest.mark.parametrize("url", BLOCKED)
def test_every_blocked_address_class_is_refused_at_registration(api_url, http, manager, url):
    _, key = manager
    response = http.post(f"{api_url}/api/v1/webhooks", json={"url": url}, headers=bearer(key))
    assert response.status_code == 400 and response.json()["field"] == "url", response.text
    job = http.post(f"{api_url}/api/v1/jobs", json={**unique_spec(), "webhookUrl": url}, headers=bearer(key))
    assert job.status_code == 400 and job.json()["field"] == "webhookUrl", job.text


def test_410_disables_the_endpoint_with_an_audit_entry(api_url, http, manager, sessions):
    _, key = manager
    with Receiver([(410, {}, b"gone")]) as receiver:
        hook = subscribe(http, api_url, key, receiver.url)
        assert (
            http.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=bearer(key)).status_code == 202
        )
        receiver.wait_for(1)
        wait_message(sessions, lambda m: m.endpoint_id == uuid.UUID(hook["id"]) and m.status == "failed")
    view = http.get(f"{api_url}/api/v1/webhooks/{hook['id']}", headers=bearer(key)).json()
    assert view["enabled"] is False and "410" in view["disabledReason"]
    with sessions() as session:
        actions = session.scalars(select(AuditLog.action).where(AuditLog.target_id == hook["id"])).all()
    assert "webhook.created" in actions and "webhook.disabled" in actions


def test_redirect_is_not_followed_and_abort_message_stops_retries(api_url, http, manager, sessions):
    _, key = manager
    answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")]
    with Receiver(answers) as redirecting:
        hook = subscribe(http, api_url, key, redirecting.url)
        http.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=bearer(key))
        redirecting.wait_for(1)
        message = wait_message(sessions, lambda m: m.endpoint_id == uuid.UUID(hook["id"]) and m.attempts >= 1)
    assert message.status == "pending" and "redirects are not followed" in message.last_error
    http.delete(f"{api_url}/api/v1/webhooks/{hook['id']}", headers=bearer(key))

    with Receiver([(500, {"webhook-delivery": "abort-message"}, b"no")]) as aborting:
        hook = subscribe(http, api_url, key, aborting.url)
        http.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=bearer(key))
        aborting.wait_for(1)
        message = wait_message(sessions, lambda m: m.endpoint_id == uuid.UUID(hook["id"]) and m.attempts >= 1)
        assert message.status == "aborted" and message.next_attempt_at is None


def test_test_event_redelivery_and_secret_rotation(api_url, http, manager, sessions):
    _, key = manager
    with Receiver() as receiver:
        hook = subscribe(http, api_url, key, receiver.url, description="ops")
        queued = http.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=bearer(key)).json()
        (first,) = receiver.wait_for(1)
        assert verify(hook["secret"], first)["type"] == "webhook.test"
        assert first.headers["webhook-id"] == queued["webhookId"]
        wait_message(sessions, lambda m: m.id == uuid.UUID(queued["deliveryId"]) and m.status == "delivered")

        redo = http.post(
            f"{api_url}/api/v1/webhooks/{hook['id']}/deliveries/{queued['deliveryId']}/redeliver",
            headers=bearer(key),
        )
        assert redo.status_code == 202
        second = receiver.wait_for(2)[1]
        assert second.headers["webhook-id"] == first.headers["webhook-id"]

        rotated = http.post(
            f"{api_url}/api/v1/webhooks/{hook['id']}/rotate-secret",
            json={"graceSeconds": 3600},
            headers=bearer(key),
        ).json()
        http.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=bearer(key))
        third = receiver.wait_for(3)[2]
        assert len(third.headers["webhook-signature"].split(" ")) == 2
        assert verify(rotated["secret"], third) == verify(hook["secret"], third)

        changed = http.put(
            f"{api_url}/api/v1/webhooks/{hook['id']}", json={"events": ["render.failed"]}, headers=bearer(key)
        )
        assert changed.status_code == 200 and changed.json()["events"] == ["render.failed"]
    with sessions() as session:
        actions = session.scalars(select(AuditLog.action).where(AuditLog.target_id == hook["id"])).all()
        row = session.get(WebhookEndpoint, uuid.UUID(hook["id"]))
    assert {"webhook.created", "webhook.secret_rotated", "webhook.updated"} <= set(actions)
    assert hook["secret"] not in json.dumps([row.secret, row.previous_secret])  # encrypted at rest


def test_dashboard_flags_a_disabled_endpoint(api_url, sessions):
    from tests.integration.test_dashboard import META, sign_up

    with requests.Session() as browser, Receiver([(410, {}, b"")]) as receiver:
        sign_up(api_url, browser, f"hooks-{uuid.uuid4().hex[:8]}@example.com")
        token = META.search(browser.get(f"{api_url}/app").text).group(1)
        csrf = {"X-CSRF-Token": token}
        created = browser.post(f"{api_url}/api/v1/webhooks", json={"url": receiver.url}, headers=csrf)
        assert created.status_code == 201, created.text
        hook = created.json()
        assert browser.post(f"{api_url}/api/v1/webhooks/{hook['id']}/test", headers=csrf).status_code == 202
        receiver.wait_for(1)
        wait_message(sessions, lambda m: m.endpoint_id == uuid.UUID(hook["id"]) and m.status == "failed")
        page = browser.get(f"{api_url}/app").text
    assert 'id="webhook-disabled"' in page and receiver.url in page and "410" in page


def test_plans_without_webhooks_are_refused_403(private_env):
    from sqlalchemy import create_engine, text

    from api.app import create_app
    from core.config import Settings

    env = private_env("webhooks_plan")
    engine = create_engine(env["CHARTFLEET_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE plans SET webhooks_allowed = false WHERE name = 'starter'"))
    engine.dispose()
    _, key = new_key(env, "render", "manage", plan="starter")
    client = create_app(Settings.from_env(env)).test_client()
    refused = client.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=bearer(key))
    assert refused.status_code == 403 and refused.get_json()["plan"] == "starter"
    job = client.post(
        "/api/v1/jobs", json={**unique_spec(), "webhookUrl": "https://93.184.216.34/h"}, headers=bearer(key)
    )
    assert job.status_code == 403


def test_a_cache_hit_is_announced_like_a_render(api_url, http, manager):
    """A repeat served from storage is a finished render too: subscribers hear about it."""
    _, key = manager
    spec = unique_spec()
    with Receiver([(200, {}, b"ok")] * 4) as receiver:
        hook = subscribe(http, api_url, key, receiver.url, events=["render.succeeded"])
        first = http.post(f"{api_url}/api/v1/render", json=spec, headers=bearer(key))
        again = http.post(f"{api_url}/api/v1/render", json=spec, headers=bearer(key))
        assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("MISS", "HIT")
        received = receiver.wait_for(2, timeout=30)
    ids = {verify(hook["secret"], r)["data"]["id"] for r in received}
    assert ids == {first.headers["X-Job-Id"], again.headers["X-Job-Id"]}
