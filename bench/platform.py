"""Platform benchmark: sustained async-job throughput through HTTP + queue + worker + storage.

Starts a real api (gunicorn), a Celery worker with 2 processes and uses the real Postgres/Redis of
this machine (a private database and Redis prefix), then submits jobs over HTTP as fast as a small
client pool can, and waits for all of them. The baseline is the in-process engine loop
(``parse_chart`` + ``render_chart``) over the same specs in the same run.

    python -m bench.platform [--jobs 200] [--clients 8] [--storage local|s3]

Prints JSON and writes ``var/bench/platform.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, select

from bench.common import drop_database, forget_redis, percentile, stack_env

ROOT = Path(__file__).resolve().parent.parent


def suite() -> list[dict]:
    """The engine benchmark's chart mix as Chart.js-style request bodies (PNG, 800x400)."""
    rng = random.Random(7)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return [
        {
            "type": "bar",
            "data": {
                "labels": months,
                "datasets": [
                    {"label": f"s{i}", "data": [rng.randint(5, 50) for _ in months]} for i in range(3)
                ],
            },
        },
        {
            "type": "line",
            "data": {
                "labels": [str(i) for i in range(1000)],
                "datasets": [
                    {
                        "label": "walk",
                        "data": [round(rng.gauss(0, 1), 3) for _ in range(1000)],
                        "pointRadius": 0,
                    }
                ],
            },
        },
        {
            "type": "pie",
            "data": {
                "labels": list("ABCDEF"),
                "datasets": [{"data": [rng.randint(1, 30) for _ in range(6)]}],
            },
        },
        {
            "type": "radar",
            "data": {
                "labels": [f"axis {i}" for i in range(8)],
                "datasets": [
                    {"label": f"r{i}", "data": [rng.randint(1, 10) for _ in range(8)]} for i in range(2)
                ],
            },
        },
        {
            "type": "scatter",
            "data": {
                "datasets": [
                    {
                        "label": "cloud",
                        "data": [
                            {"x": round(rng.gauss(0, 1), 4), "y": round(rng.gauss(0, 1), 4)}
                            for _ in range(5000)
                        ],
                    }
                ]
            },
        },
    ]


def unique(body: dict, n: int) -> dict:
    """Same drawing cost, different cache key: a distinct title per job."""
    out = json.loads(json.dumps(body))
    out.setdefault("options", {})["plugins"] = {"title": {"display": True, "text": f"job {n}"}}
    return out


def engine_loop(bodies: list[dict]) -> float:
    from core.specs.chartjs import parse_chart
    from worker.render import render_chart

    for body in bodies[:5]:  # warm-up: fonts, caches
        render_chart(parse_chart(body).spec)
    started = time.perf_counter()
    for body in bodies:
        render_chart(parse_chart(body).spec)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--storage", choices=["local", "s3"], default="local")
    args = parser.parse_args()

    from devstack.s3server import moto_s3_server
    from devstack.stack import BIN, start_api, start_worker

    run = f"bench{os.getpid()}"
    db_name = f"chartfleet_{run}"
    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    base = suite()
    bodies = [unique(base[i % len(base)], i) for i in range(args.jobs)]

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        env = stack_env(run, admin_url, db_name, args.storage, tmp)
        if args.storage == "s3":
            env["CHARTFLEET_S3_ENDPOINT"] = stack.enter_context(moto_s3_server())
        import subprocess

        subprocess.run(
            [str(BIN / "chartfleet"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        # The benchmark client is one anonymous IP: lift the seeded anonymous limits (100 requests
        # per 15 minutes, 1,000 renders a month) so it measures throughput, not the rate limiter.
        env["CHARTFLEET_ANONYMOUS_PLAN"] = "anonymous"  # the plan edited here, not starter's terms
        subprocess.run(
            [str(BIN / "chartfleet"), "plans", "set", "anonymous"]
            + ["--rate-limit", "100000000", "--monthly-quota", "100000000"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        stack.callback(forget_redis, env["CHARTFLEET_REDIS_URL"], run)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        stack.callback(lambda: drop_database(admin, db_name))
        logs = Path(tmp) / "logs"
        logs.mkdir()
        api, url = start_api(env, logs, name="bench-api")
        stack.callback(api.stop)
        worker = start_worker(env, logs, name="bench-worker", concurrency=args.workers)
        stack.callback(worker.stop)

        engine_seconds = engine_loop(bodies)
        _warm_up(url, base, args.workers)

        submitted: dict[str, float] = {}
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=args.clients)
        session.mount("http://", adapter)

        encoded = [json.dumps(body).encode() for body in bodies]  # client-side cost, not the platform's
        headers = {"Content-Type": "application/json"}

        def submit(body: bytes) -> None:
            r = session.post(f"{url}/api/v1/jobs", data=body, headers=headers, timeout=60)
            r.raise_for_status()
            submitted[r.json()["id"]] = time.time()

        groups = {"api": [api.proc.pid], "workers": [worker.proc.pid]}
        cpu_before = _cpu_by_group(groups)
        wall_start = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(submit, encoded))
        submit_seconds = time.time() - wall_start

        from core.models import RenderJob

        db = create_engine(env["CHARTFLEET_DATABASE_URL"])
        stack.callback(db.dispose)
        ids = [uuid.UUID(i) for i in submitted]
        while True:
            with db.connect() as conn:
                rows = conn.execute(
                    select(RenderJob.id, RenderJob.status, RenderJob.finished_at).where(RenderJob.id.in_(ids))
                ).all()
            if all(r.status in ("succeeded", "failed", "dead") for r in rows):
                break
            if time.time() - wall_start > 600:
                raise SystemExit("platform benchmark: jobs did not finish within 10 minutes")
            time.sleep(0.2)
        cpu_used = {k: round(v - cpu_before.get(k, 0.0), 2) for k, v in _cpu_by_group(groups).items()}
        failed = [r for r in rows if r.status != "succeeded"]
        last_done = max(r.finished_at for r in rows).timestamp()
        platform_seconds = last_done - wall_start
        latencies = [(r.finished_at.timestamp() - submitted[str(r.id)]) * 1000 for r in rows]

    engine_tps = args.jobs / engine_seconds
    platform_tps = args.jobs / platform_seconds
    report = {
        "benchmark": "platform",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "jobs": args.jobs,
        "clients": args.clients,
        "worker_processes": args.workers,
        "storage": args.storage,
        "failed": len(failed),
        "engine_loop": {"seconds": round(engine_seconds, 3), "jobs_per_second": round(engine_tps, 2)},
        "platform": {
            "seconds": round(platform_seconds, 3),
            "submit_seconds": round(submit_seconds, 3),
            "jobs_per_second": round(platform_tps, 2),
            "latency_ms": {
                "p50": round(statistics.median(latencies), 1),
                "p95": round(percentile(latencies, 0.95), 1),
                "max": round(max(latencies), 1),
            },
        },
        "cpu_seconds_during_run": cpu_used,
        "ratio": round(platform_tps / engine_tps, 3),
        "target": ">= 0.8",
        "cpus": os.cpu_count(),
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "platform.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def _warm_up(url: str, base: list[dict], workers: int) -> None:
    """Steady state, like the engine loop's warm-up: every worker process draws every chart type a
    few times first (fonts loaded, caches filled) before anything is timed."""
    ids = []
    for n in range(len(base) * workers * 3):
        body = unique(base[n % len(base)], -1 - n)
        ids.append(requests.post(f"{url}/api/v1/jobs", json=body, timeout=60).json()["statusUrl"])
    for status_url in ids:
        deadline = time.time() + 120
        while requests.get(status_url, timeout=30).json()["status"] not in ("succeeded", "failed", "dead"):
            if time.time() > deadline:
                raise SystemExit("platform benchmark: warm-up jobs did not finish")
            time.sleep(0.05)


def _cpu_by_group(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user + system) of each process tree, plus Postgres, Redis and this client."""
    import psutil

    def tree_cpu(pids: list[int]) -> float:
        total = 0.0
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(pid)
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        t = proc.cpu_times()
                        total += t.user + t.system
        return total

    out = {name: tree_cpu(pids) for name, pids in groups.items()}
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process(groups["workers"][0]).cpu_times()
        out["workers_main_process"] = parent.user + parent.system
    for name, binary in (("postgres", "postgres"), ("redis", "redis-server")):
        out[name] = tree_cpu([p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == binary])
    me = psutil.Process().cpu_times()
    out["bench_client"] = me.user + me.system
    return out


if __name__ == "__main__":
    main()
