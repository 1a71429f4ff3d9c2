"""bench/http.py's pure parts: the py-spy summary, and its result as the report shows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench import http, report

HEAD = 'process 1:"gunicorn";run (threading.py:10)'
COLLAPSED = "\n".join(
    [
        f"{HEAD};submit (api/rendering.py:30);get (redis/client.py:5) 6",
        f"{HEAD};submit (api/rendering.py:31) 3",
        'process 2:"gunicorn";thread (0x2);run (threading.py:10);authenticate (api/auth.py:90) 1',
        "not a line",
    ]
)


def test_top_entries_count_own_and_inclusive_samples_per_function():
    top = http.top_entries(COLLAPSED, n=3)
    assert top["samples"] == 10
    assert top["self"] == [["get (redis/client.py)", 60.0], ["submit (api/rendering.py)", 30.0],
                           ["authenticate (api/auth.py)", 10.0]]  # fmt: skip
    assert top["total"] == [["submit (api/rendering.py)", 90.0], ["authenticate (api/auth.py)", 10.0]]


def _result(ours: float, peer: float, hits: float, healthz: float) -> dict:
    def r(per_second: float) -> dict:
        return {
            "requests": 100,
            "errors": 0,
            "seconds": 1.0,
            "per_second": per_second,
            "p50_ms": 5.0,
            "p95_ms": 9.0,
        }

    return {
        "benchmark": "http",
        "when": "2026-12-01T01:00:00+00:00",
        "api_processes": 2,
        "worker_processes": 2,
        "unique_sync_renders": {
            "clients": 8,
            "ours": r(ours),
            "peer_node_chartjs": r(peer),
            "ratio": ours / peer,
        },
        "cache_hits": {
            "connections": 16,
            "hits": r(hits),
            "healthz": r(healthz),
            "ratio": hits / healthz,
            "history_recorded_seconds_after_load": 0.4,
        },
    }


def test_the_report_shows_both_ratios_against_their_targets(tmp_path: Path):
    (tmp_path / "http.json").write_text(__import__("json").dumps(_result(20.0, 10.0, 400.0, 800.0)))
    body = report.render(report.load_results(tmp_path), "2 CPUs", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    summary = next(line for line in body.splitlines() if line.startswith("| `http`"))
    assert "unique sync renders 2.0x the Node Chart.js server (20.0 vs 10.0/s)" in summary
    assert "cache hits 0.5x /healthz (400.0 vs 800.0/s)" in summary and "at least 1.0 and 0.25" in summary
    assert "| ours: cache hits, 16 connections | 400.0 | 5.0 / 9.0 | 100 / 0 |" in body
