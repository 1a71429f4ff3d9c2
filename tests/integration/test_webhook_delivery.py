"""The delivery machinery against a real receiver, on private databases: the retry schedule with an
injected clock (no sleeping for minutes), Retry-After, disabling after days of failures, DNS
rebinding, and a webhooks worker killed mid-delivery."""

from __future__ import annotations

import datetime as dt
import random
import signal
import uuid

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from core.config import Settings
from core.db import session_factory, utcnow
from core.models import Account, AuditLog, WebhookAttempt, WebhookEndpoint, WebhookMessage
from core.queue import make_celery
from core.services import audit, outbox
from core.services.webhooks import deliveries, endpoints
from core.services.webhooks.addresses import AddressPolicy
from devstack.stack import start_beat, start_webhooks_worker, start_worker
from tests.support.accounts import new_key
from tests.support.receiver import Receiver
from worker.tasks.webhooks import deliver_message


class Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def quiet(private_env):
    """A private database that no worker or beat watches: only the test moves messages."""
    env = private_env("webhooks_clock")
    name, _ = new_key(env, "manage")
    settings = Settings.from_env(env)
    sessions = session_factory(settings.database_url)
    with sessions() as session:
        account_id = session.scalars(select(Account.id).where(Account.name == name)).one()
    return settings, sessions, account_id


def endpoint_for(sessions, settings, account_id, url):
    with sessions() as session, session.begin():
        row, secret = endpoints.create_endpoint(
            session,
            account_id,
            url=url,
            events=["render.succeeded"],
            description="",
            enabled=True,
            secret_key=settings.secret_key,
            actor=audit.Actor.system("test"),
        )
        return row.id, secret


def queue_test(sessions, endpoint_id, now) -> uuid.UUID:
    with sessions() as session, session.begin():
        message_id, _ = deliveries.enqueue_test(session, session.get(WebhookEndpoint, endpoint_id), now)
    return message_id


def due(sessions, settings, now) -> list[uuid.UUID]:
    with sessions() as session, session.begin():
        return deliveries.due_messages(session, settings, now, queue_idle=True)


def test_down_then_up_is_delivered_once_on_schedule(quiet):
    settings, sessions, account_id = quiet
    answers = [
        (503, {}, b"down"),
        (429, {"Retry-After": "3600"}, b"slow down"),
        (503, {}, b""),
        (200, {}, b""),
    ]
    clock = Clock(utcnow())
    rng = random.Random(7)
    with Receiver(answers) as receiver:
        endpoint_id, secret = endpoint_for(sessions, settings, account_id, receiver.url)
        mid = queue_test(sessions, endpoint_id, clock())
        start = clock()

        def attempt():
            return deliver_message(settings, str(mid), clock=clock, rng=rng)

        assert attempt() == "pending"  # 1st, immediately: 503
        with sessions() as session:
            first_retry = session.get(WebhookMessage, mid).next_attempt_at
        assert 4.5 <= (first_retry - start).total_seconds() <= 5.5  # 5 s with jitter
        clock.advance(4.4)
        assert mid not in due(sessions, settings, clock()) and attempt() == "not-due"
        clock.now = first_retry
        assert mid in due(sessions, settings, clock())
        assert attempt() == "pending"  # 2nd: 429 with Retry-After one hour (the schedule says 5 min)
        with sessions() as session:
            second_retry = session.get(WebhookMessage, mid).next_attempt_at
        assert 3599 <= (second_retry - clock()).total_seconds() <= 3601
        clock.advance(330)
        assert attempt() == "not-due"
        clock.now = second_retry
        assert attempt() == "pending"  # 3rd: 503; next in 30 min
        with sessions() as session:
            third_retry = session.get(WebhookMessage, mid).next_attempt_at
        assert 1620 <= (third_retry - clock()).total_seconds() <= 1980
        clock.now = third_retry
        assert attempt() == "delivered"
        clock.advance(36000)
        assert attempt() == "delivered" and mid not in due(sessions, settings, clock())
        assert len(receiver.requests) == 4
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {deliveries.webhook_id(mid)}
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    last = receiver.requests[-1]
    # Signed at the injected time, so verify it as of then.
    Webhook(secret).sign(last.headers["webhook-id"], clock.now, last.body.decode())  # secret is usable
    with sessions() as session:
        codes = session.scalars(
            select(WebhookAttempt.status_code)
            .where(WebhookAttempt.message_id == mid)
            .order_by(WebhookAttempt.id)
        ).all()
    assert codes == [503, 429, 503, 200]


def test_schedule_is_eight_attempts_then_failed():
    assert deliveries.SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    rng = random.Random(1)
    for n, base in enumerate(deliveries.SCHEDULE):
        delay = deliveries.next_delay(n, rng)
        assert base * 0.9 <= delay <= base * 1.1
    assert deliveries.next_delay(8, rng) is None


def test_an_endpoint_failing_for_five_days_is_disabled_and_audited(quiet):
    settings, sessions, account_id = quiet
    clock = Clock(utcnow())
    with Receiver([(500, {}, b"broken")]) as receiver:
        endpoint_id, _ = endpoint_for(sessions, settings, account_id, receiver.url)
        first = queue_test(sessions, endpoint_id, clock())
        assert deliver_message(settings, str(first), clock=clock) == "pending"
        clock.advance(4 * 86400)
        later = queue_test(sessions, endpoint_id, clock())
        assert deliver_message(settings, str(later), clock=clock) == "pending"
        with sessions() as session:
            assert session.get(WebhookEndpoint, endpoint_id).enabled
        clock.advance(86400)
        last = queue_test(sessions, endpoint_id, clock())
        deliver_message(settings, str(last), clock=clock)
    with sessions() as session:
        row = session.get(WebhookEndpoint, endpoint_id)
        assert not row.enabled and "5 days" in row.disabled_reason
        action = session.scalars(
            select(AuditLog.action).where(
                AuditLog.target_id == str(endpoint_id), AuditLog.action == "webhook.disabled"
            )
        ).all()
        assert action == ["webhook.disabled"]
    # A disabled endpoint gets nothing more.
    assert (
        deliver_message(settings, str(first), clock=lambda: clock.now + dt.timedelta(days=1))
        == "endpoint-disabled"
    )


def test_dns_rebinding_gets_no_connection_to_the_private_address(quiet):
    settings, sessions, account_id = quiet
    strict = settings.replace(webhook_allowlist="")
    clock = Clock(utcnow())
    with Receiver() as receiver:
        url = f"http://rebind.example:{receiver.server.server_port}/hook"
        answers = iter([["93.184.216.34"], ["127.0.0.2"]])
        AddressPolicy(strict).check(url, lambda host, port: next(answers))  # registration: public
        endpoint_id, _ = endpoint_for(sessions, settings, account_id, url)
        mid = queue_test(sessions, endpoint_id, clock())
        status = deliver_message(strict, str(mid), clock=clock, resolve=lambda host, port: next(answers))
        assert status == "pending" and receiver.connections == 0 and receiver.requests == []
    with sessions() as session:
        (attempt,) = session.scalars(select(WebhookAttempt).where(WebhookAttempt.message_id == mid)).all()
    assert (
        attempt.status_code is None
        and "refused destination" in attempt.error
        and "127.0.0.2" in attempt.error
    )


def test_the_connection_goes_to_the_checked_address(quiet):
    settings, sessions, account_id = quiet
    clock = Clock(utcnow())
    calls = []

    def resolve(host, port):
        calls.append(host)
        return ["127.0.0.2"] if len(calls) == 1 else ["10.0.0.1"]  # a second lookup would go elsewhere

    with Receiver() as receiver:
        url = f"http://pinned.example:{receiver.server.server_port}/hook"
        endpoint_id, _ = endpoint_for(sessions, settings, account_id, url)
        mid = queue_test(sessions, endpoint_id, clock())
        assert deliver_message(settings, str(mid), clock=clock, resolve=resolve) == "delivered"
        (request,) = receiver.requests
    assert calls == ["pinned.example"]
    assert request.headers["host"] == f"pinned.example:{receiver.server.server_port}"


def test_a_worker_killed_mid_delivery_still_delivers(private_env, log_dir):
    env = private_env("webhooks_kill")
    # Its own queues too: the shared stack's webhooks worker must not take this test's messages.
    env["CHARTFLEET_QUEUE_PREFIX"] += "kill-"
    name, _ = new_key(env, "manage")
    settings = Settings.from_env(env)
    sessions = session_factory(settings.database_url)
    with sessions() as session:
        account_id = session.scalars(select(Account.id).where(Account.name == name)).one()
    celery = make_celery(settings)
    beat = start_beat(env, log_dir, name="kill-beat")
    doomed = start_webhooks_worker(env, log_dir, name="doomed-webhooks")
    rescuer = None
    try:
        with Receiver() as receiver:
            endpoint_id, secret = endpoint_for(sessions, settings, account_id, receiver.url)
            receiver.hold()  # the first attempt hangs inside the receiver
            with sessions() as session, session.begin():
                mid, message = deliveries.enqueue_test(
                    session, session.get(WebhookEndpoint, endpoint_id), utcnow()
                )
            outbox.dispatch(celery, settings, message)
            receiver.wait_for(1)
            doomed.stop(signal.SIGKILL)
            receiver.release()
            # Consumes maintenance too, where beat's scan runs (the render worker's job in production).
            rescuer = start_worker(
                env, log_dir, "rescuer-webhooks", 4, queues=("webhooks", "maintenance"), pool="threads"
            )
            requests = receiver.wait_for(2, timeout=60)
        assert {r.headers["webhook-id"] for r in requests} == {deliveries.webhook_id(mid)}  # de-duplicable
        for request in requests:
            assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
        with sessions() as session:
            assert session.get(WebhookMessage, mid).status == "delivered"
    finally:
        for proc in (rescuer, doomed, beat):
            if proc is not None:
                proc.stop()
        celery.close()
