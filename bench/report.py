"""Benchmark report: rewrites the figures of docs/benchmarks.md from every var/bench/*.json.

    python -m bench.report [--results var/bench] [--doc docs/benchmarks.md]

``make bench`` runs it last. Only the generated section of the page (between its marker comments)
is replaced: a summary table with one row per result file, then one detail table per benchmark it
knows, headed by the machine description and the date. A result file of a benchmark this module
does not know still gets a summary row (its top-level figures), so a new benchmark shows up at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.docs import update_file

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "benchmark-results"


@dataclass(frozen=True)
class Result:
    name: str  # the file's stem: engine, platform, market, imagecharts, ...
    data: dict[str, Any]
    measured: dt.datetime  # the run's own "when", else the file's modification time


def load_results(directory: Path) -> list[Result]:
    """Every ``*.json`` of ``directory``, by name; a file that is not a JSON object is an error."""
    results = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SystemExit(f"{path}: not a benchmark result ({exc})") from exc
        if not isinstance(data, dict):
            raise SystemExit(f"{path}: not a benchmark result (a JSON object was expected)")
        measured = None
        if isinstance(data.get("when"), str):
            try:
                measured = dt.datetime.fromisoformat(data["when"])
            except ValueError:
                measured = None
        if measured is None:
            measured = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        results.append(Result(path.stem, data, measured.astimezone(dt.UTC)))
    return results


def machine_description() -> str:
    """CPU model and count, memory, operating system and Python of the machine running the report
    (``make bench`` runs it right after the benchmarks, on the same machine), and how busy it was:
    on a shared machine the figures move with the load."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB memory"
                break
    except OSError:
        pass
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        busy = f"; load average (1, 5, 15 min) when this report was written: {load}"
    except OSError:
        busy = ""
    return (
        f"{os.cpu_count()} CPUs ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{busy}"
    )


# Formatting -------------------------------------------------------------------------------------


def _n(value: Any) -> str:
    """A figure as the page prints it: integers with thousands separators, others as measured."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}" if value >= 1000 else str(value)
    return str(value)


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _date(result: Result) -> str:
    return result.measured.strftime("%Y-%m-%d %H:%M UTC")


# One summary (result, target) and one detail table per known benchmark -------------------------


def _engine_summary(d: dict[str, Any]) -> tuple[str, str]:
    specs = ", ".join(f"{name} {s['ours_ms']} vs {s['naive_ms']} ms" for name, s in d["specs"].items())
    result = f"ratio {d['overall_ratio']} ({d['overall']}; {specs})"
    target = f"at most {d['target']}" + ("" if d.get("meets_target", True) else " (missed)")
    cj = d.get("chartjs") or {}
    if "overall_ratio" in cj:
        result += (
            f"; vs Chart.js on skia: {cj['overall_ratio']} with the label cache warm, "
            f"{cj['overall_ratio_cold']} cold"
        )
        target += f"; vs Chart.js at most {cj['target']} warm, {cj['target_cold']} cold" + (
            "" if cj.get("meets_target", True) else " (missed)"
        )
    elif "skipped" in cj:
        result += f"; Chart.js peer skipped: {cj['skipped']}"
    return result, target


def _engine_details(d: dict[str, Any]) -> list[str]:
    rows = [
        [
            name,
            d["suite"].get(name, ""),
            _n(s["ours_ms"]),
            _n(s["naive_ms"]),
            _n(s["ratio"]),
            _n(s["ours_uncached_text_ms"]),
        ]
        for name, s in d["specs"].items()
    ]
    return [
        f"Median of {d['runs']} runs after {d['warmup']} warm-up runs; matplotlib {d['matplotlib']}. "
        f"Overall ratio {d['overall_ratio']} ({d['overall']}), {d['sum_ratio']} on summed times, "
        f"{d['overall_ratio_uncached_text']} with the text cache cleared before each render.",
        "",
        *_table(
            ["spec", "image", "ours, ms", "naive pyplot, ms", "ratio", "ours, text cache cold, ms"], rows
        ),
        *_chartjs_details(d.get("chartjs") or {}),
    ]


def _chartjs_details(cj: dict[str, Any]) -> list[str]:
    if "specs" not in cj:
        return ["", f"Chart.js peer: {cj['skipped']}."] if "skipped" in cj else []
    versions = ", ".join(f"{k} {v}" for k, v in cj.get("peer_versions", {}).items())
    rows = [
        [
            name,
            _n(s["ours_ms"]),
            _n(s["ours_cold_ms"]),
            _n(s["chartjs_ms"]),
            _n(s["ratio"]),
            _n(s["ratio_cold"]),
        ]
        for name, s in cj["specs"].items()
    ]
    return [
        "",
        f"Against {cj['peer']} ({versions}), the same charts as Chart.js configurations, ours being "
        f"`parse_chart` + `render_chart`: geometric mean {cj['overall_ratio']} with the label cache warm "
        f"(target at most {cj['target']}), {cj['overall_ratio_cold']} cold (target at most "
        f"{cj['target_cold']}).",
        "",
        *_table(
            ["chart", "ours, ms", "ours, label cache cold, ms", "Chart.js skia, ms", "ratio", "ratio cold"],
            rows,
        ),
    ]


def _platform_summary(d: dict[str, Any]) -> tuple[str, str]:
    p, e = d["platform"], d["engine_loop"]
    target = d.get("target", "")
    target = f"at least {target[2:].strip()}" if target.startswith(">=") else target
    return (
        f"ratio {d['ratio']} ({_n(p['jobs_per_second'])} jobs/s through HTTP, queue, "
        f"{d['worker_processes']} worker processes and {d['storage']} storage vs {_n(e['jobs_per_second'])} "
        f"jobs/s in-process; {d['jobs']} jobs, {d['failed']} failed)",
        target,
    )


def _platform_details(d: dict[str, Any]) -> list[str]:
    p, e, lat = d["platform"], d["engine_loop"], d["platform"]["latency_ms"]
    rows = [
        ["jobs submitted / failed", f"{_n(d['jobs'])} / {_n(d['failed'])}"],
        ["client threads", _n(d["clients"])],
        ["platform: wall seconds (submitting took)", f"{p['seconds']} ({p['submit_seconds']})"],
        ["platform: jobs per second", _n(p["jobs_per_second"])],
        *(
            [["turns (platform jobs per second in each)", ", ".join(_n(x) for x in p["turns"])]]
            if p.get("turns")
            else []
        ),
        ["engine loop: wall seconds, jobs per second", f"{e['seconds']}, {_n(e['jobs_per_second'])}"],
        ["submit-to-done latency p50 / p95 / max, ms", f"{lat['p50']} / {lat['p95']} / {lat['max']}"],
    ]
    rows += [[f"CPU seconds: {group}", _n(s)] for group, s in d.get("cpu_seconds_during_run", {}).items()]
    rows += [[f"CPU ms per job: {part}", _n(ms)] for part, ms in d.get("cpu_budget_ms_per_job", {}).items()]
    if d.get("cpu_ratio") is not None:
        rows.append(["ratio CPU alone would allow on an idle machine (cpu_ratio)", _n(d["cpu_ratio"])])
    rows += [
        [
            f"scaling: {n}, jobs per second (ratio to the engine loop)",
            f"{_n(r['jobs_per_second'])} ({r['ratio_to_engine_loop']})"
            + (
                f" vs {_n(r['engine_loop_jobs_per_second'])} in-process"
                if r.get("engine_loop_jobs_per_second")
                else ""
            ),
        ]
        for n, r in d.get("scaling", {}).items()
    ]
    rows += [
        [
            f"one job alone, {_n(int(points))} points: submit-to-done p50 / max, in-process render, ms",
            f"{c['latency_p50_ms']} / {c['latency_max_ms']}, {c['in_process_render_ms']}",
        ]
        for points, c in d.get("size_curve", {}).items()
    ]
    return _table(["measurement", "value"], rows)


def _memory_summary(d: dict[str, Any]) -> tuple[str, str]:
    rss = d["rss_mib"]
    return (
        f"worker RSS over {_n(d['renders'])} renders: first {rss['first']} MiB, last {rss['last']} MiB, "
        f"max {rss['max']} MiB; slope {d['slope_kib_per_1000_renders']} KiB per 1,000 renders "
        f"({d.get('steady_slope_kib_per_1000_renders', '—')} over the second half)",
        d["target"] + ("" if d.get("flat", True) else " (missed)"),
    )


def _memory_details(d: dict[str, Any]) -> list[str]:
    rows = [[_n(s["renders"]), _n(s["rss_mib"])] for s in d["samples"]]
    return _table(["renders", "RSS, MiB"], rows)


def _market_summary(d: dict[str, Any]) -> tuple[str, str]:
    big = d["stages"][-1]
    history = ", ".join(f"{w} {h['p50_ms']} ms" for w, h in big["history"].items())
    cli = d["cli_ingest"]
    return (
        f"history p50 at {_n(big['store']['trades'])} trades: {history}; CLI import "
        f"{_n(cli['trades_per_second_copy'])} trades/s; "
        f"API {_n(d['api_ingest']['trades_per_second'])} trades/s",
        f"CLI import at least {_n(cli['target_trades_per_second'])} trades/s",
    )


def _market_details(d: dict[str, Any]) -> list[str]:
    stages = d["stages"]
    header = ["measurement", *(f"{_n(s['store']['trades'])} trades" for s in stages), "ratio (last / first)"]
    rows = []
    first = stages[0]
    for window, h in first["history"].items():
        ratio = d.get("ratio_large_to_small", {}).get(window, {})
        rows.append(
            [
                f"`/api/v1/history`, {window} window ({_n(h['candles'])} candles), p50 / p95 through HTTP",
                *(f"{s['history'][window]['p50_ms']} / {s['history'][window]['p95_ms']} ms" for s in stages),
                f"{ratio.get('p50', '')} / {ratio.get('p95', '')}",
            ]
        )
    pages = d.get("query_pages_ratio", {})
    rows.append(
        [
            "pages Postgres touches for the candle query, " + " / ".join(first["query_pages"]),
            *(" / ".join(_n(q["pages"]) for q in s["query_pages"].values()) for s in stages),
            " / ".join(_n(pages.get(w, "")) for w in first["query_pages"]),
        ]
    )
    rows.append(
        [
            "store size: trades (with their index) / candles",
            *(
                f"{_gb(s['store']['trades_bytes'])} / {_gb(s['store']['candles_bytes'])} "
                f"({_n(s['store']['candles'])} candles)"
                for s in stages
            ),
            _n(d.get("store_ratio", "")),
        ]
    )
    cli, api, fill = d["cli_ingest"], d["api_ingest"], d["store_fill"]
    ingestion = [
        [
            f"CLI `chartfleet market import` (COPY) of a {_n(cli['trades'])}-trade file",
            f"{_n(cli['trades_per_second_copy'])} trades/s ({_n(cli['trades_per_second_with_rollup'])} "
            "including process start and roll-up)",
            f"at least {_n(cli['target_trades_per_second'])}",
        ],
        [
            f"CLI, filling the stores ({_n(fill['trades'])} trades)",
            f"{_n(fill['trades_per_second_copy'])} trades/s (COPY), {fill['wall_seconds']} s wall",
            "—",
        ],
        [
            f"API `POST /api/v1/trades`, {_n(api['trades'])} trades in batches of {_n(api['batch'])} "
            f"from {api['clients']} client threads",
            f"{_n(api['trades_per_second'])} trades/s",
            "—",
        ],
    ]
    load = d.get("load_average_at_start"), d.get("load_average_at_end")
    return [
        *_table(header, rows),
        "",
        *_table(["ingestion (on the last store)", "rate", "target"], ingestion),
        "",
        f"Load average at start {load[0]}, at end {load[1]}; arguments {json.dumps(d.get('arguments', {}))}.",
    ]


def _imagecharts_summary(d: dict[str, Any]) -> tuple[str, str]:
    cases = ", ".join(
        f"{name} {c['imagecharts_ms']} vs {c['chartjs_ms']} ms" for name, c in d["cases"].items()
    )
    return f"ratio {d['overall_ratio']} ({cases})", "—"


def _imagecharts_details(d: dict[str, Any]) -> list[str]:
    rows = [
        [
            name,
            d["suite"].get(name, ""),
            _n(c["imagecharts_ms"]),
            _n(c["chartjs_ms"]),
            _n(c["ratio"]),
            _n(c["frames"]),
            _n(c["ms_per_frame"]),
            _n(c["url_chars"]),
        ]
        for name, c in d["cases"].items()
    ]
    return [
        f"Median of {d['runs']} runs after {d['warmup']} warm-up runs; overall ratio {d['overall_ratio']} "
        f"({d['overall']}).",
        "",
        *_table(
            [
                "case",
                "image",
                "Image-Charts URL, ms",
                "Chart.js dialect, ms",
                "ratio",
                "frames",
                "ms per frame",
                "URL characters",
            ],
            rows,
        ),
    ]


def _http_summary(d: dict[str, Any]) -> tuple[str, str]:
    u, h = d["unique_sync_renders"], d["cache_hits"]
    return (
        f"unique sync renders {u['ratio']}x the Node Chart.js server ({_n(u['ours']['per_second'])} vs "
        f"{_n(u['peer_node_chartjs']['per_second'])}/s); cache hits {h['ratio']}x /healthz "
        f"({_n(h['hits']['per_second'])} vs {_n(h['healthz']['per_second'])}/s)",
        "at least 1.0 and 0.25",
    )


def _http_details(d: dict[str, Any]) -> list[str]:
    u, h = d["unique_sync_renders"], d["cache_hits"]

    def row(label: str, r: dict[str, Any]) -> list[str]:
        return [
            label,
            _n(r["per_second"]),
            f"{r['p50_ms']} / {r['p95_ms']}",
            f"{_n(r['requests'])} / {r['errors']}",
        ]

    rows = [
        row(f"ours: POST /api/v1/render, unique, {u['clients']} clients", u["ours"]),
        row(
            f"peer: Node Chart.js 4 on @napi-rs/canvas, unique, {u['clients']} clients",
            u["peer_node_chartjs"],
        ),
        row(f"ours: cache hits, {h['connections']} connections", h["hits"]),
        row(f"ours: GET /healthz, {h['connections']} connections", h["healthz"]),
    ]
    lines = _table(["measurement", "per second", "p50 / p95 ms", "requests / errors"], rows)
    lines += [
        "",
        f"Ratios: unique sync renders {u['ratio']} (target at least 1.0), cache hits vs /healthz "
        f"{h['ratio']} (target at least 0.25); {d['api_processes']} api and {d['worker_processes']} worker "
        f"processes; every hit was in render history {h['history_recorded_seconds_after_load']} s "
        "after the load.",
    ]
    return lines


Summary = Callable[[dict[str, Any]], tuple[str, str]]
Details = Callable[[dict[str, Any]], list[str]]

KNOWN: dict[str, tuple[str, Summary, Details]] = {
    "engine": ("Engine: our renderer vs a naive pyplot script", _engine_summary, _engine_details),
    "platform": (
        "Platform: async jobs end to end vs the in-process engine loop",
        _platform_summary,
        _platform_details,
    ),
    "http": (
        "HTTP: unique sync renders vs a Node Chart.js server, cache hits vs /healthz",
        _http_summary,
        _http_details,
    ),
    "market": ("Market data: history latency and ingestion", _market_summary, _market_details),
    "memory": ("Memory: one render process over many renders", _memory_summary, _memory_details),
    "imagecharts": (
        "Image-Charts URLs vs the same charts in the Chart.js dialect",
        _imagecharts_summary,
        _imagecharts_details,
    ),
}


# Bookkeeping fields of a result file, not figures.
_NOT_FIGURES = frozenset({"benchmark", "when", "python", "matplotlib", "cpus", "runs", "warmup", "suite"})


def _figures(d: dict[str, Any], prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """The numbers (and short strings) of a result, nested keys joined with dots, in file order."""
    out: list[tuple[str, Any]] = []
    for key, value in d.items():
        if key in _NOT_FIGURES and not prefix:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            out += _figures(value, f"{name}.", depth + 1)
        elif isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= 40):
            out.append((name, value))
    return out


def _generic_summary(d: dict[str, Any]) -> tuple[str, str]:
    """A result this module has no table for: its first figures, ratios and rates first."""
    figures = _figures(d)
    targets = [(k, v) for k, v in figures if k.rsplit(".", 1)[-1].startswith("target")]
    rest = [(k, v) for k, v in figures if (k, v) not in targets]
    rest.sort(key=lambda kv: not any(w in kv[0] for w in ("ratio", "per_second", "_ms", "p50", "p95")))
    shown = "; ".join(f"{k} {_n(v)}" for k, v in rest[:8]) or "(no figures)"
    return shown, "; ".join(f"{k} {_n(v)}" for k, v in targets) or "—"


def _summary(result: Result) -> tuple[str, str]:
    known = KNOWN.get(result.name)
    if known is not None:
        try:
            return known[1](result.data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            pass  # a result file of another shape (older or newer run): fall back to its raw figures
    return _generic_summary(result.data)


def render(results: list[Result], machine: str, generated: dt.datetime) -> str:
    """The generated section's body (Markdown) for ``results``."""
    lines = [
        f"Generated by `python -m bench.report` (the end of `make bench`) on "
        f"{generated.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, from "
        f"{len(results)} result file(s) in `var/bench/`.",
        "",
        f"Machine: {machine}.",
        "",
    ]
    if not results:
        lines.append(
            "No results yet: run `make bench` (or one `make bench-<name>`, then `make bench-report`)."
        )
        return "\n".join(lines)
    rows = []
    for r in results:
        result, target = _summary(r)
        rows.append([f"`{r.name}`", _date(r), result, target])
    lines += _table(["benchmark", "measured", "result", "target"], rows)
    for r in results:
        known = KNOWN.get(r.name)
        if known is None:
            continue
        try:
            details = known[2](r.data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            continue  # summarised from its raw figures above
        lines += ["", f"### {known[0]} (`var/bench/{r.name}.json`, {_date(r)})", "", *details]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory of the *.json results")
    parser.add_argument("--doc", type=Path, default=DOC, help="page whose generated section is rewritten")
    args = parser.parse_args(argv)
    body = render(load_results(args.results), machine_description(), dt.datetime.now(dt.UTC))
    try:
        changed = update_file(args.doc, SECTION, body)
    except ValueError as exc:
        raise SystemExit(f"{args.doc}: {exc}") from exc
    print(f"{args.doc}: {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
