"""HTTP benchmark: unique sync renders vs a Node Chart.js server, and cache hits vs /healthz.

Starts a private stack (gunicorn api with 2 processes, a Celery worker with 2 processes, beat; the
real Postgres and Redis of this machine under a private database and prefix) and, beside it, the
benchmark-only peer ``bench/peer_http/server.js``: one Node process serving Chart.js 4 on
``@napi-rs/canvas`` over HTTP (the shape of a QuickChart server), installed with
``npm install --prefix var/peer_http`` on first use. Then, in one run:

1. unique sync renders: the engine suite's five Chart.js configs (800x400 PNG), each request with
   its own title so nothing is cached, ``--renders`` of them by ``--clients`` connections, through
   ``POST /api/v1/render`` and through the peer's ``POST /render``: renders/s, p50 and p95;
2. cache hits: the same chart again through ``POST /api/v1/render`` for ``--seconds``, and
   ``GET /healthz`` of the same stack for as long, on ``--connections`` connections: requests/s,
   p50, p95 and the ratio. The hits' history rows are then waited for in Postgres (the hit log's
   flush), so the figure includes recording them.

The load comes from ``bench/peer_http/load.js`` (one Node event loop: the client must cost little
next to what it measures on a 2-core machine). Each comparison runs in four alternating turns per
side, so a change of the machine's load during the run hits both sides alike.

    python -m bench.http [--renders 200] [--clients 8] [--seconds 8] [--connections 16]

Prints JSON and writes ``var/bench/http.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

from bench.common import percentile, prepare_database, publish, stack_env, start_processes
from bench.platform import suite, unique

ROOT = Path(__file__).resolve().parent.parent
PEER_SRC = ROOT / "bench" / "peer_http"
PEER_DIR = ROOT / "var" / "peer_http"
SIZE = {"width": 800, "height": 400}
ROUNDS = 4  # each side's load in four alternating turns


def install_peer() -> Path:
    """``npm install`` the peer's dependencies under var/peer_http (once; benchmark only)."""
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    package = PEER_SRC / "package.json"
    if not (PEER_DIR / "node_modules" / "chart.js").exists() or (PEER_DIR / "package.json").read_bytes() != (
        package.read_bytes()
    ):
        shutil.copy(package, PEER_DIR / "package.json")
        subprocess.run(
            ["npm", "install", "--prefix", str(PEER_DIR), "--no-audit", "--no-fund", "--loglevel", "error"],
            check=True,
        )
    return PEER_DIR / "node_modules"


def node_env(modules: Path) -> dict[str, str]:
    return {**os.environ, "NODE_PATH": str(modules)}


@contextlib.contextmanager
def peer_server(modules: Path):
    """The Node peer on a free port: yields its base URL."""
    from devstack.s3server import free_port

    port = free_port()
    proc = subprocess.Popen(
        ["node", str(PEER_SRC / "server.js"), str(port)],
        env=node_env(modules),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("listening"):
            raise SystemExit(f"http benchmark: the Node peer did not start: {line}{proc.stdout.read()}")
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def load(modules: Path, job: dict) -> dict:
    """Run bench/peer_http/load.js on ``job``; its figures."""
    out = subprocess.run(
        ["node", str(PEER_SRC / "load.js")],
        input=json.dumps(job),
        env=node_env(modules),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def rate(results: list[dict]) -> dict:
    """Requests per second, p50 and p95 over load runs (the rounds of one side)."""
    latencies = [ms for r in results for ms in r["latencies_ms"]]
    requests_, seconds = sum(r["requests"] for r in results), sum(r["seconds"] for r in results)
    return {
        "requests": requests_,
        "errors": sum(r["errors"] for r in results),
        "seconds": round(seconds, 3),
        "per_second": round(requests_ / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def interleaved(rounds: int, sides: dict[str, Callable[[int], dict]]) -> dict[str, dict]:
    """Each side's load in ``rounds`` turns, alternating, so that a change of the machine's load
    during the run hits both sides alike; ``sides[name](turn)`` runs one turn."""
    results: dict[str, list[dict]] = {name: [] for name in sides}
    for turn in range(rounds):
        for name, run_turn in sides.items():
            results[name].append(run_turn(turn))
    return {name: rate(r) for name, r in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200, help="unique renders per side (default 200)")
    parser.add_argument("--clients", type=int, default=8, help="connections for unique renders (default 8)")
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="seconds of hits and of /healthz (default 8)"
    )
    parser.add_argument("--connections", type=int, default=16, help="connections for hits and /healthz")
    parser.add_argument("--workers", type=int, default=2, help="render worker processes (default 2)")
    parser.add_argument("--web-processes", type=int, default=2, help="api processes (default 2)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the api and worker processes with py-spy during the unique renders and the hits; "
        "top entries and figures in var/bench/profiles/http-profile.json, raw stacks beside it",
    )
    args = parser.parse_args(argv)

    modules = install_peer()
    run = f"benchhttp{os.getpid()}"
    db_name = f"chartfleet_{run}"
    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    base = suite()
    ours_bodies = [_ours(base[i % len(base)], i + 1) for i in range(args.renders)]
    peer_bodies = [_peers(base[i % len(base)], i + 1) for i in range(args.renders)]
    json_headers = {"Content-Type": "application/json"}

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        env = stack_env(run, admin_url, db_name, "local", tmp)
        env["CHARTFLEET_WEB_PROCESSES"] = str(args.web_processes)
        prepare_database(env, ROOT, create_engine(admin_url, isolation_level="AUTOCOMMIT"), db_name, stack)
        api, url, worker = start_processes(env, tmp, stack, workers=args.workers, beat=True)
        peer_url, _ = stack.enter_context(peer_server(modules))

        # Load through bench/peer_http/load.js; first a warm-up: every process draws every chart a few times.
        def drive(target: str, bodies: list[str], connections: int, seconds: float | None = None) -> dict:
            job = {"url": target, "method": "POST", "headers": json_headers, "connections": connections}
            return load(modules, {**job, "bodies": bodies, "seconds": seconds})

        drive(f"{url}/api/v1/render", [_ours(b, -1 - n) for n, b in enumerate(base * 3 * args.workers)], 2)
        drive(f"{peer_url}/render", [_peers(b, -1 - n) for n, b in enumerate(base * 3)], 1)

        def turn(bodies: list[str], k: int) -> list[str]:
            return bodies[k * len(bodies) // ROUNDS : (k + 1) * len(bodies) // ROUNDS]

        profiles: dict[str, dict] = {}
        with _profiling(
            args.profile, profiles, "unique_renders", {"api": api.proc.pid, "worker": worker.proc.pid}
        ):
            unique_rates = interleaved(
                ROUNDS,
                {
                    "ours": lambda k: drive(f"{url}/api/v1/render", turn(ours_bodies, k), args.clients),
                    "peer": lambda k: drive(f"{peer_url}/render", turn(peer_bodies, k), args.clients),
                },
            )
        ours, peer = unique_rates["ours"], unique_rates["peer"]

        hit_body = _ours(base[0], 0)
        first = requests.post(f"{url}/api/v1/render", data=hit_body, headers=json_headers, timeout=60)
        again = requests.post(f"{url}/api/v1/render", data=hit_body, headers=json_headers, timeout=60)
        if first.status_code != 200 or again.headers.get("X-Cache") != "HIT":
            raise SystemExit("http benchmark: the repeated chart was not a cache hit")
        slice_ = args.seconds / ROUNDS
        healthz_job = {"url": f"{url}/healthz", "connections": args.connections, "seconds": slice_}
        with _profiling(args.profile, profiles, "cache_hits", {"api": api.proc.pid}):
            hit_rates = interleaved(
                ROUNDS,
                {
                    "hits": lambda k: drive(f"{url}/api/v1/render", [hit_body], args.connections, slice_),
                    "healthz": lambda k: load(modules, healthz_job),
                },
            )
        hits, healthz = hit_rates["hits"], hit_rates["healthz"]
        recorded_after = _wait_recorded(
            env["CHARTFLEET_DATABASE_URL"],
            first.headers["ETag"].strip('"'),
            hits["requests"] - hits["errors"] + 2,
        )

    report = {
        "benchmark": "http",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "api_processes": args.web_processes,
        "worker_processes": args.workers,
        "unique_sync_renders": {
            "renders": args.renders,
            "clients": args.clients,
            "ours": ours,
            "peer_node_chartjs": peer,
            "ratio": round(ours["per_second"] / peer["per_second"], 3),
            "target": ">= 1.0",
        },
        "cache_hits": {
            "connections": args.connections,
            "hits": hits,
            "healthz": healthz,
            "ratio": round(hits["per_second"] / healthz["per_second"], 3),
            "target": ">= 0.25",
            "history_recorded_seconds_after_load": recorded_after,
        },
    }
    if profiles:
        report["profiles"] = profiles
    # A profiled run's figures carry py-spy's cost: kept apart from the results the report shows.
    out = ROOT / "var" / "bench" / ("profiles/http-profile.json" if args.profile else "http.json")
    publish(report, out)
    return 0


def _ours(chart: dict, n: int) -> str:
    """A POST /api/v1/render body: the chart with title ``job n``, 800x400."""
    return json.dumps({**unique(chart, n), **SIZE})


def _peers(chart: dict, n: int) -> str:
    """The peer's body for the same chart."""
    return json.dumps({"chart": unique(chart, n), **SIZE})


@contextlib.contextmanager
def _profiling(enabled: bool, into: dict[str, dict], phase: str, pids: dict[str, int]):
    """py-spy on each process tree of ``pids`` for the length of the block (nothing when disabled);
    the top entries of each land in ``into[phase][name]``."""
    if not enabled:
        yield
        return
    from devstack.stack import BIN

    out_dir = ROOT / "var" / "bench" / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    spies = {}
    for name, pid in pids.items():
        raw = out_dir / f"{phase}-{name}.txt"
        spies[name] = (
            raw,
            subprocess.Popen(
                [
                    str(BIN / "py-spy"),
                    "record",
                    "--pid",
                    str(pid),
                    "--subprocesses",
                    "--nonblocking",
                    "--rate",
                    "200",
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        for name, (raw, proc) in spies.items():
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            into.setdefault(phase, {})[name] = top_entries(raw.read_text() if raw.exists() else "")


def top_entries(collapsed: str, n: int = 15) -> dict[str, list[list]]:
    """The ``n`` functions with the most samples of their own (``self``, any code) and the ``n`` of
    ours (api/, core/, worker/) with the most samples in their stack (``total``), in percent of all
    samples, from py-spy's raw (collapsed) output."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        names = [_short(f) for f in frames]
        own[names[-1]] = own.get(names[-1], 0) + count
        for name in {_short(f) for f in frames if _ours_frame(f)}:
            inclusive[name] = inclusive.get(name, 0) + count

    def top(counts: dict[str, int]) -> list[list]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
        return [[name, round(100 * c / max(1, total), 1)] for name, c in ranked]

    return {"samples": total, "self": top(own), "total": top(inclusive)}


def _ours_frame(frame: str) -> bool:
    """A frame of our code: py-spy names files relative to their sys.path entry (api/auth.py)."""
    return frame.partition(" (")[2].startswith(("api/", "core/", "worker/"))


def _short(frame: str) -> str:
    """``func (path/to/module.py:12)`` as ``func (module.py)``: one entry per function."""
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = path.split("/")
    tail = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{func} ({tail})"


def _wait_recorded(database_url: str, cache_key: str, expected: int) -> float | None:
    """Seconds until every hit of the run is a row of render history (None: not within 60 s)."""
    from core.models import RenderJob

    engine = create_engine(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < 60:
            with engine.connect() as conn:
                count = conn.scalar(
                    select(func.count()).select_from(RenderJob).where(RenderJob.cache_key == cache_key)
                )
            if count >= expected:
                return round(time.monotonic() - started, 2)
            time.sleep(0.2)
        return None
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
