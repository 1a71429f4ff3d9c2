"""Workers die: 300 jobs in flight while pool children and whole workers are SIGKILLed at random
moments. Every job ends succeeded exactly once: one stored object, one quota charge, one webhook
message per subscribed endpoint."""

from __future__ import annotations

import concurrent.futures
import os
import random
import signal
import threading
import time
import uuid

import psutil
import requests
from sqlalchemy import func, select

from core.db import session_factory
from core.models import RenderJob, UsageCounter, WebhookMessage
from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together
from tests.reliability.report import record
from tests.support.accounts import bearer, new_key
from tests.support.receiver import Receiver

JOBS = 300


def spec(n: int) -> dict:
    return {
        "type": "line",
        "width": 320,
        "height": 200,
        "data": {
            "labels": ["a", "b", "c"],
            "datasets": [{"label": f"chaos {n} {uuid.uuid4().hex}", "data": [n, 2, 3]}],
        },
    }


def test_jobs_survive_killed_workers_exactly_once(base_env, private_env, log_dir):
    env = {
        **private_env("chaos"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}chaos-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}chaos:",
        "CHARTFLEET_FAULT_RENDER_DELAY": "0.1",  # renders long enough to be killed in the middle
        "CHARTFLEET_MAX_ATTEMPTS": "50",  # kills are not the job's fault: none may be dead-lettered
        "CHARTFLEET_DEAD_WORKER_AFTER": "2",
        "CHARTFLEET_STUCK_AFTER": "6",
    }
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    account, key = new_key(env, "render", "read", "manage", plan="pro")
    (api, base), beat, *workers = start_together(
        lambda: start_api(env, log_dir, name="chaos-api"),
        lambda: start_beat(env, log_dir, name="chaos-beat"),
        lambda: start_worker(env, log_dir, name="chaos-worker-0", concurrency=2),
        lambda: start_worker(env, log_dir, name="chaos-worker-1", concurrency=2),
    )
    stop = threading.Event()
    kills = {"children": 0, "workers": 0}

    def chaos() -> None:
        rng = random.Random(7)
        generation = 2
        while not stop.wait(rng.uniform(0.4, 1.2)):
            victim = rng.randrange(len(workers))
            if rng.random() < 0.15:  # the whole worker, main process and children, without warning
                workers[victim].stop(signal.SIGKILL)
                kills["workers"] += 1
                workers[victim] = start_worker(env, log_dir, name=f"chaos-worker-{generation}", concurrency=2)
                generation += 1
                continue
            try:
                children = psutil.Process(workers[victim].proc.pid).children()
            except psutil.NoSuchProcess:
                continue
            if children:
                os.kill(rng.choice(children).pid, signal.SIGKILL)
                kills["children"] += 1

    with Receiver() as receiver:
        hook = requests.post(
            f"{base}/api/v1/webhooks", json={"url": receiver.url}, headers=bearer(key), timeout=10
        )
        assert hook.status_code == 201, hook.text
        started = time.monotonic()
        killer = threading.Thread(target=chaos, daemon=True)
        killer.start()
        try:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(
                    pool.map(
                        lambda n: requests.post(
                            f"{base}/api/v1/jobs", json=spec(n), headers=bearer(key), timeout=30
                        ),
                        range(JOBS),
                    )
                )
            assert all(a.status_code == 202 for a in answers), {a.status_code for a in answers}
            ids = [uuid.UUID(a.json()["id"]) for a in answers]

            def unfinished() -> int:
                with sessions() as s:
                    return s.scalar(
                        select(func.count()).where(
                            RenderJob.id.in_(ids), RenderJob.status.in_(("queued", "running"))
                        )
                    )

            deadline = time.monotonic() + 420
            while unfinished():
                assert time.monotonic() < deadline, f"{unfinished()} jobs still unfinished"
                time.sleep(0.5)
                if time.monotonic() - started > 30:
                    stop.set()  # then let the survivors finish
            terminal_after = time.monotonic() - started
        finally:
            stop.set()
            killer.join()
        with sessions() as s:
            jobs = s.scalars(select(RenderJob).where(RenderJob.id.in_(ids))).all()
            usage = s.scalar(
                select(func.sum(UsageCounter.renders)).where(UsageCounter.owner.like("account:%"))
            )
            messages = s.execute(
                select(WebhookMessage.job_id, func.count())
                .where(WebhookMessage.job_id.in_(ids))
                .group_by(WebhookMessage.job_id)
            ).all()
        assert {j.status for j in jobs} == {"succeeded"}
        assert usage == JOBS, "one quota charge per job"
        assert len({j.object_key for j in jobs}) == JOBS and all(j.size for j in jobs)
        assert sorted(n for _, n in messages) == [1] * JOBS, "one webhook message per job and endpoint"
        receiver.wait_for(JOBS, timeout=120)
        delivered = {r.headers["webhook-id"] for r in receiver.requests}
        assert len(delivered) == JOBS
        attempts = sum(j.attempts for j in jobs)
        stop_together(*workers)
    stop_together(beat, api)
    record(
        "workers_die",
        {
            "jobs": JOBS,
            "children_killed": kills["children"],
            "workers_killed": kills["workers"],
            "seconds_until_all_terminal": round(terminal_after, 1),
            "attempts": attempts,
            "succeeded_exactly_once": True,
            "account": account,
        },
    )
