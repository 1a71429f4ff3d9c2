"""Background traffic for the outage scenarios: a few client threads send the load mix (cache hits,
unique sync renders, async jobs, polls of those jobs, management reads) while a dependency is cut,
and every answer is kept with its time, so a scenario can count statuses before, during and after
the cut and list the jobs that were accepted (each must then end exactly once)."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import random
import threading
import time
import uuid
from typing import Any

import requests

from tests.support.accounts import bearer

HOT = {"type": "bar", "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "hot", "data": [3, 1, 2]}]}}
# kind: weight in the mix
MIX = {"hit": 4, "sync": 2, "job": 2, "poll": 3, "read": 1}


def unique() -> dict[str, Any]:
    return {
        "type": "line",
        "width": 300,
        "height": 200,
        "data": {"labels": ["a", "b"], "datasets": [{"label": uuid.uuid4().hex, "data": [1, 2]}]},
    }


@dataclasses.dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic() when the answer arrived
    kind: str
    status: int  # 0: no HTTP answer at all (connection refused or reset, client timeout)
    seconds: float
    retry_after: bool
    body: str


class Traffic:
    """``with Traffic(base, key) as t:`` sends the mix from ``clients`` threads until the block ends."""

    def __init__(self, base: str, key: str, clients: int = 6, timeout: float = 45):
        self.base = base
        self.headers = bearer(key)
        self.clients = clients
        self.timeout = timeout
        self.answers: list[Answer] = []
        self.accepted: list[str] = []  # ids of the async jobs answered 202
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Traffic:
        warm = requests.post(f"{self.base}/api/v1/render", json=HOT, headers=self.headers, timeout=60)
        assert warm.status_code == 200, warm.text  # later "hit" requests are cache hits
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        kinds, weights = zip(*MIX.items(), strict=True)
        with requests.Session() as http:
            http.headers.update(self.headers)
            while not self._stop.is_set():
                kind = rng.choices(kinds, weights)[0]
                started = time.monotonic()
                try:
                    r = self._send(http, kind, rng)
                except requests.RequestException as exc:
                    self._keep(
                        Answer(time.monotonic(), kind, 0, time.monotonic() - started, False, repr(exc))
                    )
                    time.sleep(0.05)
                    continue
                if r is None:
                    continue
                if kind == "job" and r.status_code == 202:
                    with self._lock:
                        self.accepted.append(r.json()["id"])
                self._keep(
                    Answer(
                        time.monotonic(),
                        kind,
                        r.status_code,
                        time.monotonic() - started,
                        "Retry-After" in r.headers,
                        r.text[:300] if r.status_code >= 400 else "",
                    )
                )
                if r.status_code >= 500:
                    time.sleep(0.05)  # a client backing off a little, as Retry-After asks

    def _send(self, http: requests.Session, kind: str, rng: random.Random) -> requests.Response | None:
        url, t = self.base, self.timeout
        if kind == "hit":
            return http.post(f"{url}/api/v1/render", json=HOT, timeout=t)
        if kind == "sync":
            return http.post(f"{url}/api/v1/render", json=unique(), timeout=t)
        if kind == "job":
            return http.post(f"{url}/api/v1/jobs", json=unique(), timeout=t)
        if kind == "poll":
            with self._lock:
                job = rng.choice(self.accepted) if self.accepted else None
            return http.get(f"{url}/api/v1/jobs/{job}", timeout=t) if job else None
        return http.get(f"{url}/api/v1/renders?limit=5", timeout=t)

    def _keep(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def between(self, start: float, end: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if start <= a.at < end]


def by_status(answers: list[Answer]) -> dict[str, dict[str, int]]:
    """{kind: {status: count}} with statuses as strings (JSON keys)."""
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for a in answers:
        table[a.kind][str(a.status)] += 1
    return {kind: dict(sorted(counts.items())) for kind, counts in sorted(table.items())}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seconds_to_recover(answers: list[Answer], restored_at: float) -> float:
    """From ``restored_at`` to the last answer that was not a success (0 when none came after)."""
    failures = [a.at for a in answers if a.at >= restored_at and not 200 <= a.status < 300]
    return round(max(failures) - restored_at, 2) if failures else 0.0


def stack_env(base_env: dict[str, str], private_env, name: str, **extra: str) -> dict[str, str]:
    """The environment of a scenario's private stack: its own database, queues and Redis keys."""
    return {
        **private_env(name),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}{name}-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}{name}:",
        **extra,
    }


def wait_all_succeeded_once(sessions, ids: list[str], timeout: float = 120) -> None:
    """Every job of ``ids`` ends succeeded, and the stack's quota charges equal its rendered jobs
    (one charge each: none lost with a job, none doubled by a retry)."""
    from sqlalchemy import func, select

    from core.models import RenderJob, UsageCounter
    from tests.support.polling import wait_for

    uuids = [uuid.UUID(i) for i in ids]

    def statuses() -> dict[str, int]:
        with sessions() as s:
            rows = s.execute(
                select(RenderJob.status, func.count())
                .where(RenderJob.id.in_(uuids))
                .group_by(RenderJob.status)
            ).all()
        return dict(rows)

    try:
        wait_for(lambda: not {"queued", "running"} & set(statuses()), timeout, 0.5)
    except AssertionError as exc:
        raise AssertionError(f"accepted jobs still unfinished: {statuses()}") from exc
    assert statuses() == ({"succeeded": len(ids)} if ids else {}), statuses()
    with sessions() as s:
        rendered = s.scalar(select(func.count()).where(RenderJob.cache_hit.is_(False)))
        charged = s.scalar(select(func.coalesce(func.sum(UsageCounter.renders), 0)))
    assert charged == rendered, f"{charged} quota charges for {rendered} rendered jobs"


def latency_ms(answers: list[Answer]) -> dict[str, float]:
    seconds = [a.seconds for a in answers]
    return {
        "p50_ms": round(percentile(seconds, 0.5) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "max_ms": round(max(seconds, default=0) * 1000, 1),
    }


@dataclasses.dataclass(frozen=True)
class Outage:
    """The answers of a cut made under load, and when it began and ended (time.monotonic())."""

    traffic: Traffic
    cut_at: float
    restored_at: float

    def down(self, settled: float = 0.0) -> list[Answer]:
        """The answers while cut, from ``settled`` seconds after the cut."""
        return self.traffic.between(self.cut_at + settled, self.restored_at)

    def after(self) -> list[Answer]:
        return self.traffic.between(self.restored_at, float("inf"))

    def recovered(self, sessions, within: float) -> float:
        """Seconds from the restore to the last answer that was not a success (under ``within``),
        once every job accepted during the scenario has ended succeeded, charged once."""
        after = self.after()
        recovered = seconds_to_recover(after, self.restored_at)
        assert recovered < within, by_status(after)  # the last seconds are all successes
        wait_all_succeeded_once(sessions, self.traffic.accepted)
        return recovered


@contextlib.contextmanager
def running_stack(env: dict[str, str], log_dir, name: str):
    """The api, beat and a worker (concurrency 2) of a scenario on ``env``, stopped on leaving:
    ``(api, its base URL, [api, beat, worker])``."""
    from devstack.stack import start_api, start_beat, start_together, start_worker, stop_together

    (api, base), beat, worker = start_together(
        lambda: start_api(env, log_dir, name=f"{name}-api"),
        lambda: start_beat(env, log_dir, name=f"{name}-beat"),
        lambda: start_worker(env, log_dir, name=f"{name}-worker", concurrency=2),
    )
    try:
        yield api, base, [api, beat, worker]
    finally:
        stop_together(worker, beat, api)


def cut_under_load(
    base: str, key: str, proxy, *, before: float, cut: float, after: float, at_restore=None
) -> Outage:
    """The load mix on ``base`` for ``before`` seconds, then ``proxy`` cut for ``cut`` seconds
    (``at_restore()`` runs just before it is restored), then ``after`` seconds more. While it was cut,
    every answer was a success or a 503 with Retry-After: never another 5xx nor a dropped connection."""
    with Traffic(base, key) as traffic:
        time.sleep(before)
        cut_at = time.monotonic()
        proxy.cut()
        time.sleep(cut)
        restored_at = time.monotonic()
        if at_restore is not None:
            at_restore()
        proxy.restore()
        time.sleep(after)
    outage = Outage(traffic, cut_at, restored_at)
    wrong = [a for a in outage.down() if not (200 <= a.status < 300 or (a.status == 503 and a.retry_after))]
    assert not wrong, wrong[:5]
    return outage
