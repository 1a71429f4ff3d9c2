"""Crash recovery and delivery guarantees, with real processes killed for real."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import threading
import time
import uuid

import pytest
import redis
import requests

from core.db import transaction
from core.models import OutboxMessage, RenderJob
from core.services import events, jobs
from core.services.keys import Principal
from core.specs.chartjs import parse_chart
from core.storage import build_store, object_key
from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together
from tests.support.polling import wait_for

pytestmark = pytest.mark.slow


def spec(**overrides):
    body = {
        "type": "bar",
        "width": 300,
        "height": 200,
        "data": {"labels": ["x", "y"], "datasets": [{"label": uuid.uuid4().hex, "data": [1, 2]}]},
    }
    body.update(overrides)
    return body


def load(sessions, job_id):
    with sessions() as s:
        return s.get(RenderJob, uuid.UUID(str(job_id)))


class EventCounter:
    """Counts completion events of one job on Redis pub/sub (the sync waiters' channel)."""

    def __init__(self, settings, job_id):
        self.client = redis.Redis.from_url(settings.redis_url)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(events.job_channel(settings.redis_prefix, job_id))
        self.statuses: list[str] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            m = self.pubsub.get_message(timeout=0.2)
            if m:
                self.statuses.append(json.loads(m["data"])["status"])

    def close(self):
        time.sleep(1.0)  # let any duplicate announcement arrive
        self._stop = True
        self.thread.join()
        self.pubsub.close()
        self.client.close()


@pytest.fixture(scope="module")
def crash_stack(base_env, private_env, redis_client, log_dir):
    """A separate api + beat with their own database and queues; workers are started by each test."""
    env = {
        **private_env("crash"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}crash-",
        "CHARTFLEET_FAULT_RENDER_DELAY": "2.5",
        "CHARTFLEET_MAX_ATTEMPTS": "3",
        "CHARTFLEET_SYNC_TIMEOUT": "3",
    }
    (api, base), beat = start_together(
        lambda: start_api(env, log_dir, name="crash-api"),
        lambda: start_beat(env, log_dir, name="crash-beat"),
    )
    from core.db import session_factory

    yield env, base, session_factory(env["CHARTFLEET_DATABASE_URL"])
    stop_together(beat, api)


def test_worker_child_killed_mid_render_job_succeeds_exactly_once(crash_stack, log_dir, settings):
    env, base, sessions = crash_stack
    worker = start_worker(env, log_dir, name="crash-worker")
    try:
        job_id = requests.post(f"{base}/api/v1/jobs", json=spec(), timeout=10).json()["id"]
        counter = EventCounter(settings, job_id)
        running = wait_for(lambda: (j := load(sessions, job_id)).status == "running" and j)
        child_pid = int(running.worker.rsplit(":", 1)[1])
        assert child_pid != worker.proc.pid
        os.kill(child_pid, signal.SIGKILL)
        done = wait_for(lambda: (j := load(sessions, job_id)).status == "succeeded" and j, timeout=90)
        counter.close()
        assert done.attempts == 2, "the killed attempt and the one that finished"
        assert counter.statuses == ["succeeded"]
        assert int(done.worker.rsplit(":", 1)[1]) != child_pid
        stored = build_store(settings.replace(s3_bucket=settings.s3_bucket)).stat(done.object_key)
        assert stored is not None and stored.size == done.size
        assert done.object_key == object_key(done.cache_key, "png")
    finally:
        worker.stop()


def test_whole_worker_killed_sweeper_requeues_to_another_worker(crash_stack, log_dir):
    env, base, sessions = crash_stack
    doomed = start_worker(env, log_dir, name="doomed-worker", concurrency=1)
    job_id = requests.post(f"{base}/api/v1/jobs", json=spec(), timeout=10).json()["id"]
    wait_for(lambda: load(sessions, job_id).status == "running")
    doomed.stop(signal.SIGKILL)  # main process and its child, no chance to requeue anything
    # The rescuer also runs the sweeper: it requeues a running job whose lock nobody holds 2 s after
    # its start (the default, 10 s, would only make this test wait).
    fast_sweep = {**env, "CHARTFLEET_FAULT_RENDER_DELAY": "0", "CHARTFLEET_DEAD_WORKER_AFTER": "2"}
    rescuer = start_worker(fast_sweep, log_dir, name="rescuer")
    try:
        done = wait_for(lambda: (j := load(sessions, job_id)).status == "succeeded" and j, timeout=90)
        assert done.attempts == 2
    finally:
        rescuer.stop()


def test_poison_job_is_marked_dead_after_max_attempts(crash_stack, log_dir):
    """A job that kills its worker process every time (as a segfault or the OOM killer would) is
    retried up to CHARTFLEET_MAX_ATTEMPTS (3 here) and then marked dead instead of looping forever."""
    env, base, sessions = crash_stack
    worker = start_worker(env, log_dir, name="poison-worker")
    try:
        job_id = requests.post(f"{base}/api/v1/jobs", json=spec(), timeout=10).json()["id"]
        for attempt in (1, 2, 3):
            running = wait_for(
                lambda n=attempt: (j := load(sessions, job_id)).status == "running" and j.attempts == n and j
            )
            os.kill(int(running.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        dead = wait_for(lambda: (j := load(sessions, job_id)).status == "dead" and j, timeout=60)
        assert dead.attempts == 3 and "gave up" in dead.error
        body = requests.get(f"{base}/api/v1/jobs/{job_id}", timeout=10).json()
        assert body["status"] == "dead" and body["error"] == dead.error
        image = requests.get(f"{base}/api/v1/jobs/{job_id}/image", timeout=10)
        assert image.status_code == 409 and image.json()["status"] == "dead"
    finally:
        worker.stop()


def test_committed_job_whose_publish_was_lost_is_relayed(api_url, settings, sessions):
    """The api died between commit and publish: the outbox relay on beat delivers the job."""
    parsed = parse_chart(spec())
    req = jobs.RenderRequest(spec=parsed.spec, dialect="chartjs", principal=Principal(client_ip="10.0.0.1"))
    with transaction(sessions) as session:
        job, message, _ = jobs.create_job(session, req)
    assert message is not None  # never dispatched: only the relay can deliver it
    done = wait_for(lambda: (j := load(sessions, job.id)).status == "succeeded" and j, timeout=60)
    assert done.attempts == 1
    with sessions() as s:
        relayed = s.get(OutboxMessage, message.id)
    assert relayed.publish_count == 1 and relayed.consumed_at is not None


def test_orphaned_running_job_is_requeued_once(api_url, settings, sessions):
    """A job left ``running`` by a dead worker (no lock held) goes back to the queue exactly once:
    ``started_at`` is reset, one new outbox message is written however often the sweeper runs
    before a worker takes it, and the job then succeeds."""
    from sqlalchemy import func, select, update

    from core.db import utcnow

    parsed = parse_chart(spec(title={"display": True, "text": uuid.uuid4().hex}))
    req = jobs.RenderRequest(spec=parsed.spec, dialect="chartjs", principal=Principal(client_ip="10.0.0.9"))
    with transaction(sessions) as session:
        job, message, _ = jobs.create_job(session, req)
        # As a worker that claimed the job and then died would leave it.
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message.id).values(consumed_at=utcnow())
        )
        session.execute(
            update(RenderJob)
            .where(RenderJob.id == job.id)
            .values(
                status="running", attempts=1, started_at=utcnow() - dt.timedelta(minutes=5), worker="gone"
            )
        )

    def messages() -> int:
        with sessions() as s:
            return s.scalar(
                select(func.count()).where(OutboxMessage.payload["job_id"].as_string() == str(job.id))
            )

    first = jobs.sweep_stuck_jobs(sessions, None, settings, render_queue_depth=0)
    requeued = load(sessions, job.id)
    jobs.sweep_stuck_jobs(sessions, None, settings, render_queue_depth=0)
    assert first["requeued"] >= 1 or requeued.status != "running"
    assert requeued.started_at is None or requeued.status != "queued"
    assert messages() == 2, "the original message and exactly one requeue"
    done = wait_for(lambda: (j := load(sessions, job.id)).status == "succeeded" and j, timeout=60)
    assert done.attempts == 2 and messages() == 2


def test_redelivered_message_changes_nothing(api_url, http, settings, sessions):
    """A duplicate publish of a finished job: no second render, no second transition."""
    from core.queue import make_celery, queue_name

    body = http.post(f"{api_url}/api/v1/jobs", json=spec()).json()
    done = wait_for(lambda: (j := load(sessions, body["id"])).status == "succeeded" and j)
    counter = EventCounter(settings, body["id"])
    make_celery(settings).send_task(
        "chartfleet.render", kwargs={"job_id": body["id"]}, queue=queue_name(settings, "render")
    )
    counter.close()
    time.sleep(1)
    again = load(sessions, body["id"])
    assert (again.attempts, again.finished_at, again.status) == (1, done.finished_at, "succeeded")
    assert counter.statuses == []


def test_render_that_cannot_finish_is_a_422_never_a_500(crash_stack, log_dir):
    """A render the worker gives up on (here: past its soft time limit) is the chart's failure: the
    sync answer is a 422 with the job id and the reason, never a 5xx."""
    env, base, sessions = crash_stack  # renders take 2.5 s here (fault hook)
    worker = start_worker({**env, "CHARTFLEET_RENDER_SOFT_LIMIT": "1"}, log_dir, name="slow-worker")
    try:
        r = requests.post(f"{base}/api/v1/render", json=spec(), timeout=60)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "render_failed" and body["status"] == "failed" and body["jobId"]
        assert "time limit" in body["error"]
        assert load(sessions, body["jobId"]).status == "failed"
    finally:
        worker.stop()


def test_sync_render_timeout_is_504_with_job_id(crash_stack, log_dir):
    env, base, _ = crash_stack  # no worker consumes these queues right now
    r = requests.post(
        f"{base}/api/v1/render", json=spec(), timeout=60, headers={"X-Request-Id": "timeout-test"}
    )
    # CHARTFLEET_SYNC_TIMEOUT is 3 s in this stack
    assert r.status_code == 504, r.text
    body = r.json()
    assert body["jobId"] and body["statusUrl"].endswith(body["jobId"]) and body["status"] == "queued"


def test_fast_path_message_is_consumed_and_never_relayed(api_url, http, sessions):
    from sqlalchemy import select

    body = http.post(f"{api_url}/api/v1/jobs", json=spec()).json()
    wait_for(lambda: load(sessions, body["id"]).status == "succeeded")
    time.sleep(2.5)  # several relay runs past the 1 s grace period
    with sessions() as s:
        row = s.scalars(
            select(OutboxMessage).where(OutboxMessage.payload["job_id"].astext == body["id"])
        ).one()
    assert row.consumed_at is not None and row.publish_count == 0 and row.published_at is None


def test_storage_outage_is_retried_without_spending_attempts(base_env, private_env, redis_client, log_dir):
    """S3 is down when the job runs: the job goes back to queued with the reason, keeps its attempt
    budget, waits in Postgres (not in a worker's memory) and succeeds once the store is back (moto
    started on the port that was dead). Meanwhile sync renders answer 503 at once, never 504."""
    from core.db import session_factory
    from devstack.s3server import free_port, moto_s3_server

    port = free_port()
    env = {
        **private_env("outage"),
        "CHARTFLEET_S3_ENDPOINT": f"http://127.0.0.1:{port}",
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}outage-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}outage:",
        "CHARTFLEET_MAX_ATTEMPTS": "2",
        "CHARTFLEET_STORAGE_RETRY_AFTER": "1",
        # A job sent back to Postgres by the outage is swept onto the queue again 2 s after it was
        # queued, not 6: the three outages below come sooner, and none may spend an attempt.
        "CHARTFLEET_STUCK_AFTER": "2",
        "CHARTFLEET_SYNC_TIMEOUT": "20",
    }
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    (api, base), worker, beat = start_together(
        lambda: start_api(env, log_dir, name="outage-api"),
        lambda: start_worker(env, log_dir, name="outage-worker", concurrency=1),
        lambda: start_beat(env, log_dir, name="outage-beat"),
    )
    try:
        job_id = requests.post(f"{base}/api/v1/jobs", json=spec(), timeout=10).json()["id"]
        waiting = wait_for(
            lambda: (j := load(sessions, job_id)).error and "storage unavailable" in j.error and j, timeout=30
        )
        assert waiting.status in ("queued", "running") and waiting.attempts <= 1
        sync = requests.post(f"{base}/api/v1/render", json=spec(title={"text": "sync"}), timeout=30)
        assert sync.status_code == 503 and int(sync.headers["Retry-After"]) >= 1, sync.text
        # Three outages, more than MAX_ATTEMPTS: none of them spent an attempt.
        wait_for(lambda: worker.log().count("back to the queue until storage answers") >= 3, timeout=60)
        with moto_s3_server(port=port):
            done = wait_for(lambda: (j := load(sessions, job_id)).status == "succeeded" and j, timeout=60)
            assert done.attempts == 1 and done.error is None
            image = requests.get(f"{base}/api/v1/jobs/{job_id}/image", timeout=10)
            assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
            again = wait_for(
                lambda: (
                    (r := requests.post(f"{base}/api/v1/render", json=spec(), timeout=30)).status_code == 200
                    and r
                ),
                timeout=30,
            )
            assert again.content[:4] == b"\x89PNG"
    finally:
        stop_together(beat, worker, api)
