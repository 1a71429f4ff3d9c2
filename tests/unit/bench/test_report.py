"""bench/report.py: the figures of docs/benchmarks.md come from var/bench/*.json, every file gets a
row, and only the generated section of the page is rewritten."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from bench import report
from cli.docs import read_section

ROOT = Path(__file__).resolve().parents[3]

ENGINE = {
    "suite": {"bar": "png 800x400", "line": "png 800x400"},
    "runs": 21,
    "warmup": 3,
    "specs": {
        "bar": {
            "ours_ms": 9.44,
            "naive_ms": 100.43,
            "ratio": 0.094,
            "ours_uncached_text_ms": 14.56,
            "uncached_text_ratio": 0.145,
        },
        "line": {
            "ours_ms": 22.81,
            "naive_ms": 86.09,
            "ratio": 0.265,
            "ours_uncached_text_ms": 38.64,
            "uncached_text_ratio": 0.449,
        },
    },
    "overall_ratio": 0.158,
    "overall": "geometric mean of per-spec median ratios",
    "sum_ratio": 0.173,
    "overall_ratio_uncached_text": 0.255,
    "target": 0.6,
    "meets_target": True,
    "matplotlib": "3.11.2",
    "python": "3.11.7",
}
PLATFORM = {
    "benchmark": "platform",
    "when": "2026-11-29T08:15:00+00:00",
    "jobs": 200,
    "clients": 8,
    "worker_processes": 2,
    "storage": "local",
    "failed": 0,
    "engine_loop": {"seconds": 3.3, "jobs_per_second": 60.61},
    "platform": {
        "seconds": 4.1,
        "submit_seconds": 2.2,
        "jobs_per_second": 48.78,
        "latency_ms": {"p50": 912.5, "p95": 1203.0, "max": 1400.2},
    },
    "cpu_seconds_during_run": {"api": 2.7, "workers": 4.95, "postgres": 1.15},
    "ratio": 0.805,
    "target": ">= 0.8",
    "cpus": 2,
}


def _history(p50: float, p95: float, candles: int) -> dict:
    return {"p50_ms": p50, "p95_ms": p95, "candles": candles}


MARKET = {
    "benchmark": "market",
    "when": "2026-11-21T10:00:00+00:00",
    "cpus": 2,
    "load_average_at_start": [0.5, 0.4, 0.3],
    "arguments": {"base_trades": 10_000_000, "scale": 10},
    "api_ingest": {
        "trades": 200_000,
        "inserted": 200_000,
        "batch": 5000,
        "clients": 4,
        "seconds": 5.18,
        "trades_per_second": 38_600,
    },
    "cli_ingest": {
        "trades": 2_000_000,
        "new": 2_000_000,
        "copy_seconds": 13.9,
        "wall_seconds": 14.4,
        "trades_per_second_copy": 144_000,
        "trades_per_second_with_rollup": 138_600,
        "target_trades_per_second": 100_000,
    },
    "store_fill": {
        "trades": 100_000_000,
        "copy_seconds": 662.3,
        "wall_seconds": 711.0,
        "trades_per_second_copy": 151_000,
    },
    "stages": [
        {
            "store": {
                "trades": 10_000_000,
                "candles": 700_000,
                "trades_bytes": 1_160_000_000,
                "candles_bytes": 130_000_000,
            },
            "history": {
                "1d": _history(18.9, 26.9, 1440),
                "30d": _history(20.0, 29.3, 1440),
                "1y": _history(8.4, 14.6, 366),
            },
            "query_pages": {"1d": {"pages": 41}, "30d": {"pages": 34}, "1y": {"pages": 16}},
        },
        {
            "store": {
                "trades": 100_000_000,
                "candles": 7_000_000,
                "trades_bytes": 11_600_000_000,
                "candles_bytes": 1_320_000_000,
            },
            "history": {
                "1d": _history(17.4, 19.2, 1440),
                "30d": _history(16.8, 18.7, 1440),
                "1y": _history(7.8, 8.4, 366),
            },
            "query_pages": {"1d": {"pages": 38}, "30d": {"pages": 34}, "1y": {"pages": 16}},
        },
    ],
    "ratio_large_to_small": {
        "1d": {"p50": 0.92, "p95": 0.71},
        "30d": {"p50": 0.84, "p95": 0.64},
        "1y": {"p50": 0.92, "p95": 0.57},
    },
    "store_ratio": 10.0,
    "query_pages_ratio": {"1d": 0.93, "30d": 1.0, "1y": 1.0},
    "load_average_at_end": [0.2, 0.3, 0.3],
}
IMAGECHARTS = {
    "suite": {"bar": "png 800x400", "animated_gif": "gif"},
    "runs": 15,
    "warmup": 2,
    "cases": {
        "bar": {
            "imagecharts_ms": 8.9,
            "chartjs_ms": 8.8,
            "ratio": 1.011,
            "frames": 1,
            "ms_per_frame": 8.9,
            "url_chars": 244,
        },
        "animated_gif": {
            "imagecharts_ms": 234.0,
            "chartjs_ms": 9.6,
            "ratio": 24.4,
            "frames": 29,
            "ms_per_frame": 8.07,
            "url_chars": 267,
        },
    },
    "overall_ratio": 1.011,
    "overall": "geometric mean of the static cases' median ratios (Image-Charts / Chart.js dialect)",
}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    directory = tmp_path / "bench"
    directory.mkdir()
    for name, data in (
        ("engine", ENGINE),
        ("platform", PLATFORM),
        ("market", MARKET),
        ("imagecharts", IMAGECHARTS),
        ("newbench", {"throughput": 12.5, "target": "more"}),
    ):
        (directory / f"{name}.json").write_text(json.dumps(data))
    stamp = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC).timestamp()
    os.utime(directory / "engine.json", (stamp, stamp))
    return directory


def test_every_result_file_is_loaded_with_its_date(results: Path):
    loaded = {r.name: r for r in report.load_results(results)}
    assert sorted(loaded) == ["engine", "imagecharts", "market", "newbench", "platform"]
    assert loaded["platform"].measured == dt.datetime(2026, 11, 29, 8, 15, tzinfo=dt.UTC)  # its "when"
    assert loaded["engine"].measured == dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)  # file time


def test_the_section_carries_the_figures_machine_and_dates(results: Path):
    body = report.render(
        report.load_results(results), "2 CPUs (Test CPU)", dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    )
    assert "on 2026-12-01 12:00 UTC, from 5 result file(s)" in body
    assert "Machine: 2 CPUs (Test CPU)." in body
    summary = {line.split(" | ")[0]: line for line in body.splitlines() if line.startswith("| `")}
    assert summary["| `engine`"].startswith("| `engine` | 2026-11-30 09:30 UTC | ratio 0.158")
    assert "| at most 0.6 |" in summary["| `engine`"]
    assert (
        "ratio 0.805 (48.78 jobs/s" in summary["| `platform`"]
        and "| at least 0.8 |" in summary["| `platform`"]
    )
    assert "CLI import 144,000 trades/s" in summary["| `market`"]
    assert "ratio 1.011 (bar 8.9 vs 8.8 ms" in summary["| `imagecharts`"]
    assert "throughput 12.5" in summary["| `newbench`"] and "| target more |" in summary["| `newbench`"]
    # detail tables
    assert "| bar | png 800x400 | 9.44 | 100.43 | 0.094 | 14.56 |" in body
    assert "| submit-to-done latency p50 / p95 / max, ms | 912.5 / 1203.0 / 1400.2 |" in body
    assert "| measurement | 10,000,000 trades | 100,000,000 trades | ratio (last / first) |" in body
    assert "| 18.9 / 26.9 ms | 17.4 / 19.2 ms | 0.92 / 0.71 |" in body
    assert "| 41 / 34 / 16 | 38 / 34 / 16 | 0.93 / 1.0 / 1.0 |" in body
    assert "1.16 GB / 0.13 GB (700,000 candles)" in body
    assert "| 144,000 trades/s (138,600 including process start and roll-up) | at least 100,000 |" in body
    assert "| animated_gif | gif | 234.0 | 9.6 | 24.4 | 29 | 8.07 | 267 |" in body


def test_a_result_of_another_shape_falls_back_to_its_raw_figures(tmp_path: Path):
    (tmp_path / "engine.json").write_text(json.dumps({"note": "old format", "overall_ratio": 0.2}))
    body = report.render(report.load_results(tmp_path), "m", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert "| `engine` |" in body and "overall_ratio 0.2; note old format" in body
    assert "### Engine" not in body


def test_an_unknown_benchmark_shows_its_nested_figures_and_targets(tmp_path: Path):
    (tmp_path / "finance.json").write_text(
        json.dumps(
            {
                "benchmark": "finance",
                "when": "2026-11-30T20:00:00+00:00",
                "python": "3.11.7",
                "engine": {
                    "chart": "500 candles",
                    "runs": 10,
                    "ours_ms": 41.0,
                    "ratio": 0.21,
                    "target_ratio": 0.25,
                    "samples": [1, 2, 3],
                },
                "api": {"requests": 20, "latency_ms": {"p50": 80.5, "p95": 120.0}},
            }
        )
    )
    (row,) = [
        line
        for line in report.render(report.load_results(tmp_path), "m", dt.datetime.now(dt.UTC)).splitlines()
        if line.startswith("| `finance`")
    ]
    assert row.startswith("| `finance` | 2026-11-30 20:00 UTC | engine.ours_ms 41.0; engine.ratio 0.21; ")
    assert "api.latency_ms.p50 80.5; api.latency_ms.p95 120.0" in row
    assert "engine.chart 500 candles" in row and "samples" not in row and "python" not in row
    assert row.endswith("| engine.target_ratio 0.25 |")


def test_a_broken_result_file_is_named(tmp_path: Path):
    (tmp_path / "engine.json").write_text("{not json")
    with pytest.raises(SystemExit, match="engine.json: not a benchmark result"):
        report.load_results(tmp_path)
    (tmp_path / "engine.json").write_text("[1, 2]")
    with pytest.raises(SystemExit, match="a JSON object was expected"):
        report.load_results(tmp_path)


def test_no_results_says_how_to_get_some(tmp_path: Path):
    body = report.render([], "m", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert "No results yet: run `make bench`" in body


def test_main_rewrites_only_the_generated_section(results: Path, tmp_path: Path):
    page = tmp_path / "benchmarks.md"
    original = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    page.write_text(original)
    assert report.main(["--results", str(results), "--doc", str(page)]) == 0
    text = page.read_text()
    section = read_section(text, report.SECTION)
    assert "ratio 0.805" in section and "| `newbench` |" in section
    old_section = read_section(original, report.SECTION)
    assert text.replace(section, "") == original.replace(old_section, "")


def test_main_refuses_a_page_without_the_section(results: Path, tmp_path: Path):
    page = tmp_path / "plain.md"
    page.write_text("# Benchmarks\n")
    with pytest.raises(SystemExit, match="expected exactly one generated section 'benchmark-results'"):
        report.main(["--results", str(results), "--doc", str(page)])
    assert page.read_text() == "# Benchmarks\n"


def test_the_machine_is_described():
    described = report.machine_description()
    assert f"{os.cpu_count()} CPUs" in described and "Python 3." in described
    assert "load average (1, 5, 15 min) when this report was written: " in described


def test_chartjs_peer_cpu_budget_scaling_size_curve_and_memory_get_their_rows(tmp_path: Path):
    engine = {
        **ENGINE,
        "chartjs": {
            "peer": "Chart.js 4 on @napi-rs/canvas (skia), one Node process",
            "peer_versions": {"chart.js": "4.6.1"},
            "specs": {
                "bar": {
                    "ours_ms": 9.1,
                    "ours_cold_ms": 14.2,
                    "chartjs_ms": 30.5,
                    "ratio": 0.298,
                    "ratio_cold": 0.466,
                }
            },
            "overall_ratio": 0.298,
            "overall_ratio_cold": 0.466,
            "target": 0.5,
            "target_cold": 0.6,
            "meets_target": True,
        },
    }
    platform = {
        **PLATFORM,
        "cpu_budget_ms_per_job": {"api": 12.5, "render": 9.0, "total": 30.1},
        "scaling": {"1 worker process": {"jobs_per_second": 30.2, "ratio_to_engine_loop": 0.5, "failed": 0}},
        "size_curve": {
            "50000": {"latency_p50_ms": 700.5, "latency_max_ms": 900.0, "in_process_render_ms": 650.0}
        },
    }
    memory = {
        "benchmark": "memory",
        "when": "2026-12-01T01:00:00+00:00",
        "renders": 10000,
        "samples": [{"renders": 1000, "rss_mib": 120.5}, {"renders": 2000, "rss_mib": 121.0}],
        "rss_mib": {"first": 120.5, "last": 121.0, "max": 121.0},
        "slope_kib_per_1000_renders": 51.2,
        "target": "flat: slope at most 512 KiB per 1,000 renders",
        "flat": True,
    }
    for name, data in (("engine", engine), ("platform", platform), ("memory", memory)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data))
    body = report.render(report.load_results(tmp_path), "2 CPUs", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    summary = {line.split(" | ")[0]: line for line in body.splitlines() if line.startswith("| `")}
    assert "vs Chart.js on skia: 0.298 with the label cache warm, 0.466 cold" in summary["| `engine`"]
    assert "vs Chart.js at most 0.5 warm, 0.6 cold |" in summary["| `engine`"]
    assert "| bar | 9.1 | 14.2 | 30.5 | 0.298 | 0.466 |" in body
    assert "| CPU ms per job: api | 12.5 |" in body and "| CPU ms per job: total | 30.1 |" in body
    assert "| scaling: 1 worker process, jobs per second (ratio to the engine loop) | 30.2 (0.5) |" in body
    assert "50,000 points: submit-to-done p50 / max, in-process render, ms | 700.5 / 900.0, 650.0 |" in body
    assert "first 120.5 MiB, last 121.0 MiB, max 121.0 MiB; slope 51.2 KiB" in summary["| `memory`"]
    assert "| 2,000 | 121.0 |" in body
