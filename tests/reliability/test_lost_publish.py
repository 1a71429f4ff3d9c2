"""A publish lost after commit: the api commits each job with its outbox row, then its publish to
the broker fails (this api's broker URL points at a port nothing listens on, while the worker and
beat use the real one). Every client still gets its 202, and the outbox relay on beat publishes each
job exactly once: all succeed at the first attempt."""

from __future__ import annotations

import concurrent.futures
import time
import uuid

import requests
from sqlalchemy import func, select

from core.db import session_factory
from core.models import OutboxMessage, RenderJob
from devstack.s3server import free_port
from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together
from tests.reliability.report import record
from tests.reliability.traffic import stack_env, unique, wait_all_succeeded_once
from tests.support.accounts import bearer, new_key

JOBS = 30


def test_jobs_whose_publish_was_lost_are_relayed_once(base_env, private_env, log_dir):
    env = stack_env(base_env, private_env, "lostpub")
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    _, key = new_key(env, "render", "read", plan="pro")
    lost = {**env, "CHARTFLEET_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    (api, base), beat, worker = start_together(
        lambda: start_api(lost, log_dir, name="lostpub-api"),
        lambda: start_beat(env, log_dir, name="lostpub-beat"),
        lambda: start_worker(env, log_dir, name="lostpub-worker", concurrency=2),
    )
    try:
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda _: requests.post(
                        f"{base}/api/v1/jobs", json=unique(), headers=bearer(key), timeout=60
                    ),
                    range(JOBS),
                )
            )
        assert [a.status_code for a in answers] == [202] * JOBS, {a.text for a in answers}
        ids = [a.json()["id"] for a in answers]
        wait_all_succeeded_once(sessions, ids)
        relayed_after = time.monotonic() - started
        uuids = [uuid.UUID(i) for i in ids]
        with sessions() as s:
            attempts = s.scalars(select(RenderJob.attempts).where(RenderJob.id.in_(uuids))).all()
            published = s.execute(
                select(OutboxMessage.publish_count, func.count())
                .where(OutboxMessage.payload["job_id"].as_string().in_(ids))
                .group_by(OutboxMessage.publish_count)
            ).all()
        assert set(attempts) == {1}, "each job rendered once"
        assert dict(published) == {1: JOBS}, "one message per job, published once by the relay"
        assert "the relay will retry" in api.log()  # the fast path really failed
    finally:
        stop_together(worker, beat, api)
    record(
        "lost_publish",
        {
            "jobs_whose_publish_failed": JOBS,
            "seconds_until_all_succeeded": round(relayed_after, 1),
            "publishes_per_job": 1,
            "jobs_lost": 0,
        },
    )
