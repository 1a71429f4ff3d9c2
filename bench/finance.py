"""Finance benchmark: our candlestick renderer against mplfinance on the same chart, and the p50 of
a snapshot through HTTP.

    python -m bench.finance [--runs N] [--requests N] [--no-http]

The chart: the last 200 closed hourly candles of the shipped Binance BTCUSDT klines, a volume pane
and two simple moving averages (20 and 50), 800x600 PNG. Ours is timed as the worker runs it (spec
from JSON, studies, drawing, PNG encoding); mplfinance's as ``mpf.plot(..., savefig=buffer)``.
Runs are interleaved after a warm-up; the report gives the median milliseconds of each and their
ratio (target: at most 0.25). Then, unless ``--no-http``, a private stack (api + worker, its own
database with the demo data) answers ``--requests`` distinct POST /v3/coinglass/advanced-chart
requests one after another and the report gives their p50 and p90. JSON goes to stdout and to
``var/bench/finance.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import drop_database, forget_redis, publish, stack_env
from core.services.market import DEMO_DATA_DIR
from core.specs.finance import build_spec, parse_snapshot
from core.specs.model import ChartSpec
from worker.render import render_chart

OUT = Path("var/bench/finance.json")
ROOT = Path(__file__).resolve().parent.parent
SOURCE = "binance-spot_BTCUSDT_1h_2025-06-25_2025-08-06.csv"
BARS = 200
BODY = {
    "interval": "1h",
    "studies": [
        {"name": "MA", "input": {"length": 20}},
        {"name": "MA", "input": {"length": 50}},
        "Volume",
    ],
}


def candles() -> list[dict[str, str]]:
    with open(DEMO_DATA_DIR / SOURCE, newline="") as f:
        return list(csv.DictReader(f))[:-1][-BARS:]  # the last row is an unfinished candle


def our_spec(rows) -> str:
    req = parse_snapshot(BODY, default_symbol="BINANCE:BTCUSDT")
    columns = {
        "t": [int(dt.datetime.fromisoformat(r["Date"]).replace(tzinfo=dt.UTC).timestamp()) for r in rows],
        **{
            k: [float(r[name]) for r in rows]
            for k, name in zip("ohlcv", ("Open", "High", "Low", "Close", "Volume"), strict=True)
        },
        "tbv": [None] * len(rows),
    }
    spec = build_spec(
        req,
        symbol={"name": "BTCUSDT", "exchange": "BINANCE", "description": ""},
        candles=columns,
        first_visible=0,  # both renderers see the same 200 bars (the averages start when they can)
        precision=2,
    )
    return spec.canonical_json()


def ours(spec_json: str) -> bytes:
    import json

    return render_chart(ChartSpec.from_dict(json.loads(spec_json))).data


def mplfinance_frame(rows):
    import pandas as pd

    frame = pd.DataFrame(
        {name: [float(r[name]) for r in rows] for name in ("Open", "High", "Low", "Close", "Volume")},
        index=pd.DatetimeIndex([r["Date"] for r in rows]),
    )
    return frame


def theirs(frame) -> bytes:
    import mplfinance as mpf

    out = io.BytesIO()
    mpf.plot(
        frame,
        type="candle",
        volume=True,
        mav=(20, 50),
        style="charles",
        figsize=(8, 6),
        savefig={"fname": out, "dpi": 100, "format": "png"},
    )
    return out.getvalue()


def engine(runs: int) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    rows = candles()
    spec_json, frame = our_spec(rows), mplfinance_frame(rows)
    for _ in range(3):
        ours(spec_json), theirs(frame)
    times: dict[str, list[float]] = {"ours": [], "mplfinance": []}
    for _ in range(runs):
        for name, call, arg in (("ours", ours, spec_json), ("mplfinance", theirs, frame)):
            started = time.perf_counter()
            call(arg)
            times[name].append((time.perf_counter() - started) * 1000)
    ours_ms, theirs_ms = statistics.median(times["ours"]), statistics.median(times["mplfinance"])
    from PIL import Image

    size = Image.open(io.BytesIO(ours(spec_json))).size
    return {
        "chart": f"{BARS} candles, volume pane, MA 20 + MA 50, {size[0]}x{size[1]} PNG",
        "runs": runs,
        "ours_ms_p50": round(ours_ms, 2),
        "mplfinance_ms_p50": round(theirs_ms, 2),
        "ratio": round(ours_ms / theirs_ms, 3),
        "target_ratio": 0.25,
    }


def http(requests_count: int) -> dict:
    import requests

    from devstack.stack import BIN, start_api, start_worker

    run = f"benchfin{os.getpid()}"
    db_name = f"chartfleet_{run}"
    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    from sqlalchemy import create_engine

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        env = stack_env(run, admin_url, db_name, "local", tmp)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        stack.callback(lambda: drop_database(admin, db_name))
        stack.callback(forget_redis, env["CHARTFLEET_REDIS_URL"], run)

        def cli(*args: str) -> str:
            done = subprocess.run(
                [str(BIN / "chartfleet"), *args],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            return done.stdout.strip()

        cli("db", "upgrade")
        cli("market", "demo")
        cli("plans", "set", "starter", "--rate-limit", "100000000", "--monthly-quota", "100000000")
        key = cli("keys", "create", "--account", "bench").splitlines()[-1].strip()
        logs = Path(tmp) / "logs"
        logs.mkdir()
        api, url = start_api(env, logs, name="bench-api")
        stack.callback(api.stop)
        worker = start_worker(env, logs, name="bench-worker", concurrency=2)
        stack.callback(worker.stop)
        session = requests.Session()
        headers = {"x-api-key": key}
        r = session.post(f"{url}/v3/coinglass/advanced-chart", json=BODY, headers=headers, timeout=60)
        r.raise_for_status()  # warm-up (imports, fonts)
        latencies = []
        for i in range(requests_count):
            body = {**BODY, "width": 700 + i}  # distinct charts: every request is a render, not a cache hit
            started = time.perf_counter()
            r = session.post(f"{url}/v3/coinglass/advanced-chart", json=body, headers=headers, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            r.raise_for_status()
    ordered = sorted(latencies)
    return {
        "requests": requests_count,
        "p50_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    report = {
        "benchmark": "finance",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "engine": engine(args.runs),
    }
    if not args.no_http:
        report["http_snapshot"] = http(args.requests)
    publish(report, OUT)


if __name__ == "__main__":
    main()
