"""Worker memory benchmark: resident memory of one process over 10,000 renders.

    python -m bench.memory [--renders 10000] [--every 1000] [--quick]

A fresh process (the same interpreter, importing only what a render worker imports) parses and
renders the platform benchmark's chart mix (bar, 1,000-point line, pie, radar, 5,000-point
scatter; PNG 800x400) with a distinct title and distinct category labels on every render, so
every label cache sees a stream of never-seen strings and must evict. Its resident set size
(RSS) is sampled after every ``--every`` renders. Reported: the samples, first / last / max, and
least-squares slopes in KiB per 1,000 renders: over the samples after the first, and over the
second half of the run, the steady state once the bounded caches (label sprites, text widths, the
payload checker's key facts) are full. Flat means the steady-state slope stays below
``FLAT_KIB_PER_1000`` rather than growing with the number of renders. (A Celery worker child is
also replaced after ``worker_max_tasks_per_child`` tasks; this process never is: the stricter test.)

Prints JSON and writes ``var/bench/memory.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.common import publish
from core.runtime import TRIM_EVERY

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "memory.json"
# Slope above which the figure is called growth (KiB per 1,000 renders): a leak of one 800x400
# RGBA buffer per 1,000 renders would be 1,250 KiB.
FLAT_KIB_PER_1000 = 512


def child(renders: int, every: int) -> None:
    """Runs in the measured process: render, sample, print one JSON line."""
    import psutil

    from bench.platform import suite, unique
    from core import runtime
    from core.config import Settings
    from core.specs.chartjs import parse_chart
    from worker.render import render_chart

    runtime.tune_gc(Settings.from_env().gc_gen0_threshold)  # as a worker child does once loaded
    me = psutil.Process()
    base = suite()
    samples = []
    for n in range(renders):
        body = unique(base[n % len(base)], n)
        labels = body["data"].get("labels")
        if labels and len(labels) <= 12:  # bar, pie, radar: never-seen category labels too
            body["data"]["labels"] = [f"{label} {n}" for label in labels]
        render_chart(parse_chart(body).spec)
        runtime.trim_heap_every()  # as a worker child does after each task (worker/celery_app.py)
        if (n + 1) % every == 0:
            samples.append({"renders": n + 1, "rss_mib": round(me.memory_info().rss / 2**20, 1)})
    trim_ms = round(runtime.trim_seconds * 1000 / max(1, renders), 4)
    print(json.dumps({"samples": samples, "trim_ms_per_render": trim_ms}))


def slope_kib_per_1000(points: list[dict]) -> float:
    if len(points) < 2:
        return 0.0
    xs = [p["renders"] / 1000 for p in points]
    ys = [p["rss_mib"] * 1024 for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="2,000 renders, a sample every 200")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    renders, every = (2_000, 200) if args.quick else (args.renders, args.every)
    if args.child:
        child(renders, every)
        return 0
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--child", "--renders", str(renders), "--every", str(every)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    samples = measured["samples"]
    rss = [s["rss_mib"] for s in samples]
    slope = slope_kib_per_1000(samples[1:] if len(samples) > 2 else samples)
    steady = slope_kib_per_1000(samples[len(samples) // 2 - 1 :])
    publish(
        {
            "benchmark": "memory",
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "renders": renders,
            "samples": samples,
            "rss_mib": {"first": rss[0], "last": rss[-1], "max": max(rss)},
            "slope_kib_per_1000_renders": round(slope, 1),
            "steady_slope_kib_per_1000_renders": round(steady, 1),
            "target": f"flat: steady-state slope at most {FLAT_KIB_PER_1000} KiB per 1,000 renders",
            "flat": steady <= FLAT_KIB_PER_1000,
            "heap_trim": f"malloc_trim(0) every {TRIM_EVERY} renders, as a worker child does",
            "trim_ms_per_render": measured["trim_ms_per_render"],
        },
        OUT,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
