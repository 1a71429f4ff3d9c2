"""Redis restarted: a test-owned redis-server (broker, render cache, rate limits, events) dies with
100 jobs queued in it and comes back empty. The outbox in Postgres still holds every job's message:
the relay republishes them and every job succeeds, without restarting any Chartfleet process."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import uuid

import pytest
import redis
import requests
from sqlalchemy import func, select

from core.db import session_factory
from core.models import RenderJob
from devstack.s3server import free_port
from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together
from tests.reliability.report import record

JOBS = 100


class RedisServer:
    """A private, disposable redis-server on a free loopback port (never the shared one)."""

    def __init__(self, port: int, workdir):
        self.port = port
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is part of the machine (the shared Redis runs from it)"
        self.proc = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture()
def own_redis(tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.kill()


def test_jobs_queued_in_a_restarted_redis_all_succeed(base_env, private_env, log_dir, own_redis):
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    env = {
        **private_env("redisrestart"),
        "CHARTFLEET_REDIS_URL": url,
        "CHARTFLEET_BROKER_URL": url,
        "CHARTFLEET_QUEUE_PREFIX": "",
        "CHARTFLEET_REDIS_PREFIX": "",
    }
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    (api, base), beat = start_together(
        lambda: start_api(env, log_dir, name="redisrestart-api"),
        lambda: start_beat(env, log_dir, name="redisrestart-beat"),
    )
    worker = None
    try:
        ids = []
        for n in range(JOBS):
            body = {
                "type": "bar",
                "data": {"labels": ["a"], "datasets": [{"label": f"{n} {uuid.uuid4().hex}", "data": [n]}]},
            }
            answer = requests.post(f"{base}/api/v1/jobs", json=body, timeout=10)
            assert answer.status_code == 202, answer.text
            ids.append(uuid.UUID(answer.json()["id"]))
        queued = redis.Redis(port=own_redis.port).llen("render-batch")
        assert queued == JOBS, "every message waits in the broker"

        own_redis.kill()
        down = requests.get(f"{base}/readyz", timeout=10)
        assert down.status_code == 503, down.text
        restarted_at = time.monotonic()
        own_redis.start()  # empty: every queued message is gone
        worker = start_worker(env, log_dir, name="redisrestart-worker", concurrency=2)

        def unfinished() -> int:
            with sessions() as s:
                return s.scalar(
                    select(func.count()).where(RenderJob.id.in_(ids), RenderJob.status != "succeeded")
                )

        deadline = time.monotonic() + 180
        while unfinished():
            assert time.monotonic() < deadline, f"{unfinished()} jobs not recovered"
            time.sleep(0.5)
        recovered = time.monotonic() - restarted_at
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
        with sessions() as s:
            attempts = s.scalars(select(RenderJob.attempts).where(RenderJob.id.in_(ids))).all()
        assert set(attempts) == {1}, "each lost message rendered once"
    finally:
        stop_together(worker, beat, api)
    record(
        "redis_restart",
        {"jobs_queued_when_redis_died": JOBS, "seconds_until_all_succeeded": round(recovered, 1)},
    )
