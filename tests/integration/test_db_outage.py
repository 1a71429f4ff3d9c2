"""A Postgres outage (issue 16, defect 3), made by cutting a test-owned TCP proxy between an api and
the shared Postgres (which is never stopped): every request that needs the database is a 503 with
Retry-After and a JSON body, the log has one line when it goes down and one when it is back (no
traceback per request), /readyz names the failing check without hosts, ports or driver text, and
the api recovers by itself when the proxy is restored."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
from sqlalchemy.engine import make_url

from devstack.stack import start_api
from tests.support.accounts import bearer, new_key, unique_spec
from tests.support.tcpproxy import TcpProxy


@pytest.fixture()
def proxied(base_env, database, log_dir):
    url = make_url(base_env["CHARTFLEET_DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    env = {
        **base_env,
        "CHARTFLEET_DATABASE_URL": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        ),
    }
    api, base = start_api(env, log_dir, name=f"db-outage-api-{uuid.uuid4().hex[:6]}")
    yield proxy, api, base
    api.stop()
    proxy.close()


def test_postgres_outage_is_503_with_one_log_line_per_change(proxied, base_env):
    proxy, api, base = proxied
    _, key = new_key(base_env, "render", "read")
    assert requests.get(f"{base}/api/v1/usage", headers=bearer(key), timeout=30).status_code == 200
    assert requests.get(f"{base}/readyz", timeout=30).status_code == 200
    proxy.cut()
    calls = [
        lambda: requests.get(f"{base}/api/v1/usage", headers=bearer(key), timeout=30),
        lambda: requests.post(f"{base}/api/v1/render", json=unique_spec(), timeout=30),
        lambda: requests.post(f"{base}/api/v1/jobs", json=unique_spec(), headers=bearer(key), timeout=30),
        lambda: requests.get(f"{base}/api/v1/jobs/{uuid.uuid4()}", timeout=30),
        lambda: requests.get(f"{base}/api/v1/renders?key={key}", timeout=30),
        lambda: requests.get(f"{base}/chart?cht=p&chd=t:1,2&chs=100x100", timeout=30),
        lambda: requests.get(f"{base}/login", timeout=30),
    ]
    for _ in range(5):
        for call in calls:
            r = call()
            assert r.status_code == 503, (r.request.method, r.request.url, r.status_code, r.text[:300])
            assert 0 < int(r.headers["Retry-After"]) <= 30 and r.headers.get("X-Request-Id")
            assert r.json()["error"] == "The database is unavailable; retry shortly", r.text
            assert r.json()["code"] == "database_unavailable"
    ready = requests.get(f"{base}/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json()["failing"] == ["postgres"]
    assert ready.json()["checks"] == {"postgres": "unavailable", "redis": "ok", "storage": "ok"}
    for internal in (str(proxy.port), "127.0.0.1", "psycopg", "Operational", "connection"):
        assert internal not in ready.text, ready.text
    proxy.restore()
    deadline = time.monotonic() + 30
    while True:
        r = requests.get(f"{base}/api/v1/usage", headers=bearer(key), timeout=30)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert r.status_code == 200, r.text
    assert requests.get(f"{base}/readyz", timeout=30).status_code == 200
    time.sleep(0.5)  # let the access log catch up
    log = api.log()
    assert log.count("database unreachable") == 1, log[-3000:]
    assert log.count("database reachable again") == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


def test_a_sync_render_waiting_in_one_process_ends_503_when_its_worker_meets_the_outage(
    base_env, database, log_dir, redis_client
):
    """The api process holding the waiting request never queries Postgres while it waits: the
    worker that cannot record the job's outcome announces the outage (Redis), and the wait ends
    with the outage's 503 instead of the sync timeout. An announcement while Postgres answers
    (stale) costs the waiter one query and nothing else."""
    from core.services import events
    from devstack.stack import start_together, start_worker, stop_together

    url = make_url(base_env["CHARTFLEET_DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    env = {
        **base_env,
        "CHARTFLEET_DATABASE_URL": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        ),
        # Its own queues and channels: only this test's worker takes the job, only its waiter hears.
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}held-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}held-",
        "CHARTFLEET_SYNC_TIMEOUT": "60",
        "CHARTFLEET_FAULT_RENDER_DELAY": "4",  # the worker holds the claimed job while we cut
    }
    (api, base), worker = start_together(
        lambda: start_api(env, log_dir, name=f"held-api-{uuid.uuid4().hex[:6]}"),
        lambda: start_worker(env, log_dir, name="held-worker", concurrency=1),
    )
    answer: dict[str, requests.Response] = {}
    try:
        spec = unique_spec()
        waiting = threading.Thread(
            target=lambda: answer.update(r=requests.post(f"{base}/api/v1/render", json=spec, timeout=90))
        )
        waiting.start()
        time.sleep(1.0)  # submitted, claimed, the worker sleeping in its fault hook
        events.announce_database_down(redis_client, env["CHARTFLEET_REDIS_PREFIX"])  # stale
        waiting.join(1.0)
        assert waiting.is_alive(), answer["r"].text  # still waiting: Postgres answered the check
        proxy.cut()
        waiting.join(30)  # the sync timeout is 60 s: only the worker's announcement ends it sooner
        assert not waiting.is_alive()
        r = answer["r"]
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "database_unavailable" and r.headers["Retry-After"]
    finally:
        proxy.restore()
        stop_together(worker, api)
        proxy.close()
