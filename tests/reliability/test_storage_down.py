"""Storage unavailable for 10 s under load: the stack's S3 endpoint is a test-owned moto server
reached through a TCP proxy, and the proxy refuses every connection while clients keep sending the
load mix. Once the store is known down, renders answer 503 with Retry-After at once (never held for
the sync timeout, never a 504), async jobs are accepted and wait in Postgres, polls and management
reads keep working; after the store comes back, renders succeed again within seconds (the backlog
of waiting jobs does not starve them) and every accepted job ends succeeded, charged once."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from core.db import session_factory
from core.models import RenderJob
from devstack.s3server import moto_s3_server
from tests.reliability.report import record
from tests.reliability.traffic import by_status, cut_under_load, latency_ms, running_stack, stack_env
from tests.support.accounts import new_key
from tests.support.tcpproxy import TcpProxy

BEFORE, CUT, AFTER = 3, 10, 7
KNOWN_DOWN_AFTER = 3  # seconds: the first failed write marks the store down for everyone


def unfinished(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).where(RenderJob.status.in_(("queued", "running"))))


def test_storage_down_under_load_fails_fast_then_drains(base_env, private_env, log_dir):
    with moto_s3_server() as endpoint:
        port = int(endpoint.rsplit(":", 1)[1])
        proxy = TcpProxy("127.0.0.1", port).start()
        env = stack_env(
            base_env,
            private_env,
            "s3cut",
            CHARTFLEET_WEB_PROCESSES="2",
            CHARTFLEET_S3_ENDPOINT=f"http://127.0.0.1:{proxy.port}",
            CHARTFLEET_STORAGE_RETRY_AFTER="2",
        )
        sessions = session_factory(env["CHARTFLEET_DATABASE_URL"])
        account, key = new_key(env, "render", "read", plan="pro")
        try:
            with running_stack(env, log_dir, "s3cut") as (_api, base, processes):
                waiting: list[int] = []
                outage = cut_under_load(
                    base, key, proxy, before=BEFORE, cut=CUT, after=AFTER,
                    at_restore=lambda: waiting.append(unfinished(sessions)),
                )  # fmt: skip
                down, after, traffic = outage.down(), outage.after(), outage.traffic
                known_down = outage.down(settled=KNOWN_DOWN_AFTER)
                refused = [a for a in known_down if a.status == 503]
                assert len(refused) > 10, by_status(known_down)  # the outage was felt
                # Fail fast: a render refused while the store is known down is never held for the
                # sync timeout (20 s here). A generous bound, far from the 30 s hold of defect 4.
                assert max(a.seconds for a in refused) < 5, latency_ms(refused)
                assert {a.kind for a in known_down if a.status == 200} >= {"poll", "read"}
                recovered = outage.recovered(sessions, within=AFTER - 3)
                drained = time.monotonic() - outage.restored_at
                assert [p.proc.poll() for p in processes] == [None] * 3, "no process died or was restarted"
        finally:
            proxy.close()
    record(
        "storage_down",
        {
            "account": account,
            "seconds_down": CUT,
            "requests_while_down": by_status(down),
            "latency_of_503_while_known_down": latency_ms(refused),
            "requests_after_restore": by_status(after),
            "seconds_to_recover": recovered,
            "jobs_accepted": len(traffic.accepted),
            "jobs_waiting_at_restore": waiting[0],
            "seconds_until_all_accepted_jobs_succeeded": round(drained, 1),
            "jobs_lost": 0,
            "processes_restarted": 0,
        },
    )
