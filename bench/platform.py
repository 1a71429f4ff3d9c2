"""Platform benchmark: sustained async-job throughput through HTTP + queue + worker + storage.

Starts a real api (gunicorn) and a Celery worker and uses the real Postgres/Redis of this machine
(a private database and Redis prefix), then submits jobs over HTTP as fast as a small client pool
can, and waits for all of them. The baseline is the in-process engine loop (``parse_chart`` +
``render_chart``) over the same specs in the same run.

    python -m bench.platform [--jobs 400] [--clients 8] [--workers 2] [--scaling 1,2] [--turns 4]
                             [--sizes 1000,10000,50000] [--storage local|s3] [--profile DIR]

The timed phase runs once per worker-process count of ``--scaling`` (a fresh worker each time,
warmed up first); the headline ``ratio`` is the run with ``--workers`` processes. Within each, the
platform and the in-process engine loop take ``--turns`` alternating turns over equal slices of
the jobs (engine first, then platform first, ...), and each side's figure is summed over its
turns: both are measured under the same load, so the ratio holds on a busy machine where either
figure alone moves several-fold from one run to the next. Also reported:

- ``cpu_budget_ms_per_job``: CPU milliseconds one job costs in each part of the stack: the api
  process tree, the broker (the whole Redis server, which other users of this machine share),
  Postgres (only the backends connected to this run's database), the worker's own overhead
  (its CPU minus render and encode), and the engine's parse (``parse_chart``, which the api does
  on the platform: it is part of the api's figure), render (layout, Agg drawing) and encode (PNG)
  as the in-process loop measures them with ``time.process_time`` over the same specs;
- ``cpu_ratio``: the ratio CPU alone would allow on an otherwise idle machine (the cores over
  the platform's CPU per job, against one core over the engine loop's): the load-independent
  figure to compare across changes;
- ``scaling``: jobs per second with 1 and 2 worker processes;
- ``size_curve``: submit-to-done latency of one job at a time (nothing queued) for line charts of
  1,000, 10,000 and 50,000 points, beside the in-process render time of the same spec;
- with ``--profile DIR``, py-spy samples the worker and api process trees during the timed phase
  of the ``--workers`` run (raw stacks in DIR; their top entries, as ``bench.http`` summarises
  its own, under ``profile`` in the JSON).

Prints JSON and writes ``var/bench/platform.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

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


def line_of(points: int, n: int) -> dict:
    """A line of ``points`` (x, y) points on a linear x axis (the size curve's spec; labels are
    capped at 10,000, points at 50,000), unique by ``n``."""
    rng = random.Random(points)
    data = [{"x": i, "y": round(rng.gauss(0, 1), 3)} for i in range(points)]
    body = {
        "type": "scatter",
        "data": {"datasets": [{"label": "walk", "data": data, "showLine": True, "pointRadius": 0}]},
    }
    return unique(body, n)


def engine_loop(bodies: list[dict], *, warm_up: bool = True) -> dict[str, float]:
    """The in-process engine over ``bodies``: wall seconds, and CPU seconds, of which the parse
    (``parse_chart``: the api's part on the platform) and the encode (the PNG writer, timed by
    wrapping it for this loop); the rest is the render (layout, drawing)."""
    from core.specs.chartjs import parse_chart
    from worker.render import encoders, render_chart

    if warm_up:  # fonts, caches
        for body in bodies[:5]:
            render_chart(parse_chart(body).spec)
    encode_png, encode_cpu = encoders.encode_png, [0.0]

    def timed_encode(rgba, opaque):
        t0 = time.process_time()
        try:
            return encode_png(rgba, opaque)
        finally:
            encode_cpu[0] += time.process_time() - t0

    encoders.encode_png = timed_encode  # benchmark instrumentation only, restored below
    try:
        cpu0, started, parse_cpu = time.process_time(), time.perf_counter(), 0.0
        for body in bodies:
            t0 = time.process_time()
            spec = parse_chart(body).spec
            parse_cpu += time.process_time() - t0
            render_chart(spec)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    finally:
        encoders.encode_png = encode_png
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parse_cpu_seconds": parse_cpu,
        "encode_cpu_seconds": encode_cpu[0],
    }


def render_ms(body: dict, runs: int = 3) -> float:
    """Median in-process milliseconds of parse + render of one body."""
    from core.specs.chartjs import parse_chart
    from worker.render import render_chart

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        render_chart(parse_chart(body).spec)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class Stack:
    """The benchmark's api plus one worker at a time, on a private database and Redis prefix."""

    def __init__(self, stack: contextlib.ExitStack, tmp: str, storage: str):
        from devstack.s3server import moto_s3_server
        from devstack.stack import BIN, start_api

        self.run = f"bench{os.getpid()}"
        self.db_name = f"chartfleet_{self.run}"
        admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        env = stack_env(self.run, admin_url, self.db_name, storage, tmp)
        if storage == "s3":
            env["CHARTFLEET_S3_ENDPOINT"] = stack.enter_context(moto_s3_server())
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
        stack.callback(forget_redis, env["CHARTFLEET_REDIS_URL"], self.run)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        stack.callback(lambda: drop_database(admin, self.db_name))
        self.logs = Path(tmp) / "logs"
        self.logs.mkdir()
        self.env = env
        self.api, self.url = start_api(env, self.logs, name="bench-api")
        stack.callback(self.api.stop)
        self.db = create_engine(env["CHARTFLEET_DATABASE_URL"])
        stack.callback(self.db.dispose)
        parts = urllib.parse.urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port
        self._client = threading.local()
        self.worker = None
        stack.callback(self.stop_worker)

    def start_worker(self, processes: int) -> None:
        from devstack.stack import start_worker

        self.stop_worker()
        name = f"bench-worker-{processes}"
        self.worker = start_worker(self.env, self.logs, name=name, concurrency=processes)

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def submit(self, body: bytes) -> tuple[str, float]:
        # One keep-alive http.client connection per client thread, not requests or a urllib3 pool:
        # the client shares the cores with the stack it measures, so its own cost per request is
        # kept as low as the standard library allows.
        conn = getattr(self._client, "conn", None)
        if conn is None:
            conn = self._client.conn = http.client.HTTPConnection(self.host, self.port, timeout=60.0)
        conn.request("POST", "/api/v1/jobs", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 202:
            raise SystemExit(f"platform benchmark: a submission answered {r.status}: {data[:300]!r}")
        return json.loads(data)["id"], time.time()

    def wait(self, ids: list[str], since: float, poll: float = 0.2) -> list:
        from core.models import RenderJob

        wanted = [uuid.UUID(i) for i in ids]
        query = select(RenderJob.id, RenderJob.status, RenderJob.finished_at).where(RenderJob.id.in_(wanted))
        while True:
            with self.db.connect() as conn:
                rows = conn.execute(query).all()
            if len(rows) == len(wanted) and all(r.status in ("succeeded", "failed", "dead") for r in rows):
                return rows
            if time.time() - since > 600:
                raise SystemExit("platform benchmark: jobs did not finish within 10 minutes")
            time.sleep(poll)

    def groups(self) -> dict[str, list[int]]:
        return {"api": [self.api.proc.pid], "workers": [self.worker.proc.pid]}


def interleaved(
    st: Stack, batch: list[dict], bodies: list[dict], clients: int, turns: int, profile: Path | None
) -> tuple[dict, dict[str, float]]:
    """The platform over ``batch`` and the in-process engine loop over ``bodies`` (the same charts,
    as many), in ``turns`` alternating turns of equal slices (engine then platform, then platform
    then engine, ...), so a change of the machine's load during the run hits both sides alike.
    Returns the platform's phase and the engine loop's figures, each summed over its turns."""
    turns = max(1, min(turns, len(batch)))
    bounds = [round(len(batch) * t / turns) for t in range(turns + 1)]
    phases, loops = [], []
    spies = _profilers(st, profile) if profile is not None else []
    try:
        for t in range(turns):
            part = slice(bounds[t], bounds[t + 1])
            sides = [
                lambda part=part: loops.append(engine_loop(bodies[part], warm_up=False)),
                lambda part=part: phases.append(timed_phase(st, batch[part], clients)),
            ]
            for side in sides if t % 2 == 0 else reversed(sides):
                side()
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
    loop = {k: sum(one[k] for one in loops) for k in loops[0]}
    return _merge_phases(phases), loop


def _merge_phases(phases: list[dict]) -> dict:
    """Timed phases run one after another, as one: jobs and seconds summed, latencies pooled."""
    latencies = [ms for phase in phases for ms in phase.pop("latencies")]
    jobs = sum(phase["jobs"] for phase in phases)
    seconds = sum(phase["seconds"] for phase in phases)
    cpu: dict[str, float] = {}
    for phase in phases:
        for k, v in phase["cpu_seconds"].items():
            cpu[k] = round(cpu.get(k, 0.0) + v, 3)
    return {
        "seconds": round(seconds, 3),
        "submit_seconds": round(sum(phase["submit_seconds"] for phase in phases), 3),
        "jobs_per_second": round(jobs / seconds, 2),
        "failed": sum(phase["failed"] for phase in phases),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1),
        },
        "turns": [round(phase["jobs"] / phase["seconds"], 2) for phase in phases],
        "cpu_seconds": cpu,
    }


def timed_phase(st: Stack, bodies: list[dict], clients: int) -> dict:
    """Submit ``bodies`` from ``clients`` threads, wait for every job; throughput, latency, CPU."""
    encoded = [json.dumps(body).encode() for body in bodies]  # client-side cost, not the platform's
    submitted: dict[str, float] = {}
    cpu_before = _cpu_by_group(st.groups(), st.db_name)
    wall_start = time.time()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for job_id, at in pool.map(st.submit, encoded):
            submitted[job_id] = at
    submit_seconds = time.time() - wall_start
    rows = st.wait(list(submitted), wall_start)
    cpu_after = _cpu_by_group(st.groups(), st.db_name)
    cpu_used = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()}
    last_done = max(r.finished_at for r in rows).timestamp()
    return {
        "jobs": len(bodies),
        "seconds": last_done - wall_start,
        "submit_seconds": submit_seconds,
        "failed": sum(1 for r in rows if r.status != "succeeded"),
        "latencies": [(r.finished_at.timestamp() - submitted[str(r.id)]) * 1000 for r in rows],
        "cpu_seconds": cpu_used,
    }


def size_curve(st: Stack, sizes: list[int], repeats: int) -> dict[str, dict]:
    """One job at a time (nothing queued): submit-to-done latency by spec size."""
    out = {}
    for points in sizes:
        latencies, engine = [], []
        for k in range(repeats):
            body = line_of(points, 10_000 + k)
            engine.append(render_ms(body, runs=1))
            job_id, at = st.submit(json.dumps(body).encode())
            (row,) = st.wait([job_id], at, poll=0.005)
            latencies.append((row.finished_at.timestamp() - at) * 1000)
        out[str(points)] = {
            "latency_p50_ms": round(statistics.median(latencies), 1),
            "latency_max_ms": round(max(latencies), 1),
            "in_process_render_ms": round(statistics.median(engine), 1),
        }
    return out


def budget(run: dict, loop: dict, jobs: int) -> dict[str, float]:
    """CPU milliseconds per job by part of the stack (see the module's docstring)."""
    cpu = run["cpu_seconds"]
    per = 1000.0 / jobs
    encode = loop["encode_cpu_seconds"] * per
    parse = loop["parse_cpu_seconds"] * per  # the api's on the platform (it is in "api")
    render = loop["cpu_seconds"] * per - encode - parse
    worker_overhead = max(0.0, cpu["workers"] * per - render - encode)
    parts = {
        "api": cpu["api"] * per,
        "broker (redis, shared)": cpu["redis"] * per,
        "postgres (this database)": cpu["postgres"] * per,
        "worker overhead": worker_overhead,
        "render": render,
        "encode": encode,
    }
    parts = {k: round(v, 2) for k, v in parts.items()}
    parts["total"] = round(sum(parts.values()), 2)
    parts["parse (in the api's figure)"] = round(parse, 2)
    parts["engine loop (parse + render + encode)"] = round(loop["cpu_seconds"] * per, 2)
    return parts


def cpu_ratio(parts: dict[str, float], cpus: int) -> float:
    """The ratio the platform would reach if CPU were all that limited both sides and the machine
    were otherwise idle: ``cpus`` cores through the platform's CPU per job (every part of the
    budget) against one core through the engine loop's. Unlike the measured ratio it does not move
    with what else runs on the machine (other processes take the platform's second core, not the
    engine loop's only one), so it is the figure to compare across changes."""
    return round(cpus * parts["engine loop (parse + render + encode)"] / parts["total"], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scaling", default="1,2", help="worker-process counts to time (comma-separated)")
    parser.add_argument("--sizes", default="1000,10000,50000", help="points of the size curve's line charts")
    parser.add_argument("--size-repeats", type=int, default=5)
    parser.add_argument("--storage", choices=["local", "s3"], default="local")
    parser.add_argument("--profile", type=Path, help="py-spy raw stacks of worker and api go here")
    parser.add_argument(
        "--turns", type=int, default=4, help="alternating engine/platform turns per worker count"
    )
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.scaling.split(",") if n.strip()} | {args.workers})
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]

    base = suite()
    bodies = [unique(base[i % len(base)], i) for i in range(args.jobs)]
    runs: dict[int, dict] = {}
    loops: dict[int, dict] = {}
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        st = Stack(stack, tmp, args.storage)
        engine_loop(bodies[:5])  # warm-up: fonts, caches
        for n in counts:
            st.start_worker(n)
            _warm_up(st, base, n, args.clients)
            # Titles never drawn before, on both sides: never a render-cache hit on the platform,
            # and the engine loop's label cache as cold for them as the workers' (with the titles
            # of an earlier worker count, the loop drew every title from its cache, a tenth faster).
            batch = [unique(b, 1_000_000 * n + i) for i, b in enumerate(bodies)]
            profile = args.profile if n == args.workers else None
            runs[n], loops[n] = interleaved(st, batch, batch, args.clients, args.turns, profile)
        curve = size_curve(st, sizes, args.size_repeats) if sizes else {}

    loop = loops[args.workers]
    engine_tps = args.jobs / loop["seconds"]
    main_run = runs[args.workers]
    report = {
        "benchmark": "platform",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "jobs": args.jobs,
        "clients": args.clients,
        "worker_processes": args.workers,
        "storage": args.storage,
        "failed": main_run["failed"],
        "engine_loop": {
            "seconds": round(loop["seconds"], 3),
            "jobs_per_second": round(engine_tps, 2),
            "cpu_ms_per_job": round(loop["cpu_seconds"] * 1000 / args.jobs, 2),
        },
        "platform": {k: v for k, v in main_run.items() if k not in ("failed", "cpu_seconds")},
        "cpu_seconds_during_run": main_run["cpu_seconds"],
        "cpu_budget_ms_per_job": budget(main_run, loop, args.jobs),
        "turns": args.turns,
        "scaling": {
            f"{n} worker process{'es' if n > 1 else ''}": {
                "jobs_per_second": r["jobs_per_second"],
                "engine_loop_jobs_per_second": round(args.jobs / loops[n]["seconds"], 2),
                "ratio_to_engine_loop": round(r["jobs_per_second"] * loops[n]["seconds"] / args.jobs, 3),
                "failed": r["failed"],
            }
            for n, r in runs.items()
        },
        "size_curve": curve,
        "cpu_ratio": cpu_ratio(budget(main_run, loop, args.jobs), os.cpu_count() or 1),
        "profile": _profile_summary(args.profile) if args.profile else None,
        "ratio": round(main_run["jobs_per_second"] / engine_tps, 3),
        "target": ">= 0.9",
        "cpus": os.cpu_count(),
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "platform.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def _profile_summary(directory: Path) -> dict[str, dict]:
    """The top entries of the api's and the workers' raw py-spy stacks."""
    from bench.http import top_entries

    return {
        name: top_entries((directory / f"{name}.txt").read_text())
        for name in ("api", "workers")
        if (directory / f"{name}.txt").exists()
    }


def _profilers(st: Stack, directory: Path) -> list[subprocess.Popen]:
    """py-spy recorders attached to the worker and api trees (stopped with SIGINT, then written)."""
    spy = shutil.which("py-spy") or str(Path(os.sys.executable).with_name("py-spy"))
    directory.mkdir(parents=True, exist_ok=True)
    procs = []
    for name, (pid,) in st.groups().items():
        argv = [spy, "record", "--pid", str(pid), "--subprocesses", "--rate", "200", "--format", "raw"]
        argv += ["--output", str(directory / f"{name}.txt"), "--nonblocking"]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.0)  # attached before the clock starts
    return procs


def _warm_up(st: Stack, base: list[dict], workers: int, clients: int) -> None:
    """Steady state, like the engine loop's warm-up: every worker process draws every chart type
    several times first (fonts loaded, caches filled), submitted from as many client threads as the
    timed phase uses (so every api thread and pooled connection has served requests, and Postgres
    has prepared their statements) before anything is timed."""
    encoded = [
        json.dumps(unique(base[n % len(base)], -1 - n)).encode() for n in range(len(base) * workers * 10)
    ]
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        ids = [job_id for job_id, _ in pool.map(st.submit, encoded)]
    st.wait(ids, started)


def _cpu_by_group(groups: dict[str, list[int]], db_name: str) -> dict[str, float]:
    """CPU seconds (user + system) of each process tree, Postgres (the backends of ``db_name``
    only), Redis (the whole server) and this client."""
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
    backends, redis = [], []
    for p in psutil.process_iter(["name"]):  # the command line read only where it tells (cheaper)
        if p.info["name"] == "postgres":
            with contextlib.suppress(psutil.Error):
                if f" {db_name} " in " ".join(p.cmdline()) + " ":
                    backends.append(p.pid)
        elif p.info["name"] == "redis-server":
            redis.append(p.pid)
    out["postgres"], out["redis"] = tree_cpu(backends), tree_cpu(redis)
    me = psutil.Process().cpu_times()
    out["bench_client"] = me.user + me.system
    return out


if __name__ == "__main__":
    main()
