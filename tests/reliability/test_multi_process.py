"""Two api processes and two workers on one host behave as one service (issue 16, scaling out): a
job submitted to api A is polled and fetched on api B and rendered by whichever worker is free (both
take work); a chart rendered through A is a cache hit on B; one rate limit is counted across both
apis; a key revoked on A is refused on B at once."""

from __future__ import annotations

import concurrent.futures
import itertools
import uuid

import requests
from sqlalchemy import select

from core.db import session_factory
from core.models import RenderJob
from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together
from tests.reliability.report import record
from tests.reliability.traffic import stack_env, unique
from tests.support.accounts import bearer, cli, new_key
from tests.support.polling import wait_for

JOBS, RATE = 24, 40


def test_two_apis_and_two_workers_are_one_service(base_env, private_env, log_dir):
    env = stack_env(base_env, private_env, "multi")
    cli(env, "plans", "set", "starter", "--rate-limit", str(RATE))
    sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
    _, key = new_key(env, "render", "read", "manage", plan="pro")
    _, limited = new_key(env, "read", plan="starter")
    (api_a, a), (api_b, b), *workers, beat = start_together(
        lambda: start_api(env, log_dir, name="multi-api-a"),
        lambda: start_api(env, log_dir, name="multi-api-b"),
        lambda: start_worker(env, log_dir, name="multi-worker-a", concurrency=1),
        lambda: start_worker(env, log_dir, name="multi-worker-b", concurrency=1),
        lambda: start_beat(env, log_dir, name="multi-beat"),
    )
    auth = bearer(key)
    try:
        # Jobs: submitted on A, followed and fetched on B.
        ids = []
        for _ in range(JOBS):
            r = requests.post(f"{a}/api/v1/jobs", json=unique(), headers=auth, timeout=30)
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        for job in ids:
            wait_for(
                lambda job=job: (
                    requests.get(f"{b}/api/v1/jobs/{job}", headers=auth, timeout=30).json()["status"]
                    == "succeeded"
                ),
                timeout=120,
                what=f"job {job} seen succeeded on api B",
            )
            image = requests.get(f"{b}/api/v1/jobs/{job}/image", headers=auth, timeout=30)
            assert image.status_code == 200 and image.content[:4] == b"\x89PNG", image.status_code
        with sessions() as s:
            by = s.scalars(
                select(RenderJob.worker).where(RenderJob.id.in_([uuid.UUID(i) for i in ids]))
            ).all()
        assert len({w.split("@")[0] for w in by}) == 2, f"both workers took work: {set(by)}"

        # One render cache: rendered through A, a hit on B.
        spec = unique()
        first = requests.post(f"{a}/api/v1/render", json=spec, headers=auth, timeout=60)
        again = requests.post(f"{b}/api/v1/render", json=spec, headers=auth, timeout=60)
        assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("MISS", "HIT")
        assert first.content == again.content

        # One rate limit across both apis, exact under concurrency.
        bases = itertools.cycle((a, b))
        urls = [f"{next(bases)}/api/v1/usage" for _ in range(RATE + 20)]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda u: requests.get(u, headers=bearer(limited), timeout=60), urls))
        passed = [r for r in answers if r.status_code == 200]
        assert len(passed) == RATE and sum(r.status_code == 429 for r in answers) == 20
        assert sorted(int(r.headers["X-RateLimit-Remaining"]) for r in passed) == list(range(RATE))

        # A key revoked through A is refused on B at once (no per-process key cache outlives it).
        made = requests.post(f"{a}/api/v1/api-keys", json={"name": "short-lived"}, headers=auth, timeout=30)
        assert made.status_code == 201, made.text
        short = made.json()
        assert requests.get(f"{b}/api/v1/stats", headers=bearer(short["key"]), timeout=30).status_code == 200
        revoked = requests.delete(f"{a}/api/v1/api-keys/{short['id']}", headers=auth, timeout=30)
        assert revoked.status_code == 200
        assert requests.get(f"{b}/api/v1/stats", headers=bearer(short["key"]), timeout=30).status_code == 401
    finally:
        stop_together(beat, *workers, api_b, api_a)
    record(
        "multi_process",
        {
            "apis": 2,
            "workers": 2,
            "jobs_submitted_on_a_and_seen_on_b": JOBS,
            "jobs_per_worker": sorted(sum(w == x for w in by) for x in set(by)),
            "rate_limit": RATE,
            "requests_passed_across_both_apis": len(passed),
            "revoked_key_refused_on_other_api": True,
        },
    )
