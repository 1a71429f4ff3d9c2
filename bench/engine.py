"""Render-engine benchmark: ``worker.render.render_chart`` against a naive pyplot script and Chart.js.

    python -m bench.engine [--runs N] [--quick]

For each spec of a fixed suite (PNG, 800x400) it times ``render_chart`` and a straightforward
pyplot script drawing the same chart (plt.figure, plot, title, legend, savefig to PNG, close),
interleaved in the same process after a warm-up, and reports the median milliseconds of each and
their ratio. ``overall_ratio`` is the geometric mean of the per-spec ratios (each chart weighs the
same whatever its absolute cost); ``sum_ratio`` (sum of our medians / sum of naive medians) is
reported alongside. Lower is better; the target is ``overall_ratio <= 0.6``.

``ours_uncached_text_ms`` repeats our render with the label cache emptied first (every string
rasterized anew, as for a chart with never-seen labels) and ``overall_ratio_uncached_text`` is
its geometric mean ratio: the worst case, reported alongside.

The second baseline is Chart.js 4 drawing on skia (``@napi-rs/canvas``) in one Node process
(``bench/peer_engine/render.js``, installed with ``npm install --prefix var/peer_engine``: a
benchmark-only peer, never a runtime dependency). The same charts go to it as Chart.js
configurations; our side of that comparison is ``parse_chart`` + ``render_chart`` of the same
configuration (parse, draw, PNG encode), Node's is ``new Chart`` + PNG encode + ``destroy``. The
two are interleaved run by run (the peer answers one request a line). ``chartjs.overall_ratio``
(label cache warm, target at most 0.5) and ``chartjs.overall_ratio_cold`` (label cache emptied
before every render, target at most 0.6) are geometric means of the per-chart median ratios. When
Node or npm is missing the peer is skipped and ``chartjs.skipped`` says why.

JSON goes to stdout and to ``var/bench/engine.json``. pyplot is allowed here only, for the
baseline; the renderer never imports it.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import statistics
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

from bench.common import main_for, time_ms, versions

matplotlib.use("Agg")  # the baseline's pyplot must not try to open a window

import matplotlib.pyplot as plt
import numpy as np

from core.specs.chartjs import parse_chart
from core.specs.model import ChartSpec, Dataset, Point, Text
from worker.render import render_chart
from worker.render.typeset import clear_text_cache

WIDTH, HEIGHT = 800, 400
TARGET = 0.6
CHARTJS_TARGET, CHARTJS_TARGET_COLD = 0.5, 0.6
OUT = Path("var/bench/engine.json")
ROOT = Path(__file__).resolve().parent.parent
PEER_SOURCE = ROOT / "bench" / "peer_engine"
PEER_DIR = ROOT / "var" / "peer_engine"

PIE_LABELS = ("Red", "Blue", "Yellow", "Green", "Purple", "Orange")
RADAR_LABELS = ("Eating", "Drinking", "Sleeping", "Designing", "Coding", "Cycling", "Running", "Reading")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _data() -> dict[str, object]:
    rng = np.random.default_rng(20240601)
    return {
        "bar": [tuple(float(v) for v in rng.integers(5, 100, 12)) for _ in range(3)],
        "line": tuple(float(v) for v in np.cumsum(rng.normal(0, 1, 1000)) + 50),
        "pie": (12.0, 19.0, 3.0, 5.0, 2.0, 3.0),
        "radar": [tuple(float(v) for v in rng.integers(20, 100, 8)) for _ in range(2)],
        "scatter": (rng.normal(0, 10, 5000), rng.normal(0, 5, 5000)),
    }


def suite() -> dict[str, tuple[ChartSpec, Callable[[], bytes]]]:
    d = _data()
    pie_labels, radar_labels = PIE_LABELS, RADAR_LABELS
    line_labels = tuple(str(i) for i in range(1000))
    sx, sy = d["scatter"]

    specs = {
        "bar": ChartSpec(
            type="bar",
            labels=MONTHS,
            title=Text(("Sales by month",)),
            datasets=tuple(
                Dataset(type="bar", label=f"Store {k + 1}", values=v) for k, v in enumerate(d["bar"])
            ),
        ),
        "line": ChartSpec(
            type="line",
            labels=line_labels,
            title=Text(("1,000 points",)),
            datasets=(Dataset(type="line", label="Price", values=d["line"]),),
        ),
        "pie": ChartSpec(
            type="pie",
            labels=pie_labels,
            title=Text(("Votes",)),
            datasets=(Dataset(type="pie", label="Votes", values=d["pie"]),),
        ),
        "radar": ChartSpec(
            type="radar",
            labels=radar_labels,
            title=Text(("Skills",)),
            datasets=tuple(
                Dataset(type="radar", label=f"Person {k + 1}", values=v, fill=True)
                for k, v in enumerate(d["radar"])
            ),
        ),
        "scatter": ChartSpec(
            type="scatter",
            title=Text(("5,000 points",)),
            datasets=(
                Dataset(
                    type="scatter",
                    label="Samples",
                    points=tuple(Point(float(x), float(y)) for x, y in zip(sx, sy, strict=True)),
                ),
            ),
        ),
    }

    def bar() -> None:
        x = np.arange(12)
        for k, values in enumerate(d["bar"]):
            plt.bar(x + (k - 1) * 0.27, values, 0.27, label=f"Store {k + 1}")
        plt.xticks(x, MONTHS)

    def radar() -> None:
        ax = plt.subplot(polar=True)
        angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
        closed = np.append(angles, angles[0])
        for k, values in enumerate(d["radar"]):
            v = np.append(values, values[0])
            ax.plot(closed, v, label=f"Person {k + 1}")
            ax.fill(closed, v, alpha=0.25)
        ax.set_xticks(angles, radar_labels)

    naive = {
        "bar": _naive("Sales by month", bar),
        "line": _naive("1,000 points", lambda: plt.plot(np.arange(1000), d["line"], label="Price")),
        "pie": _naive("Votes", lambda: plt.pie(d["pie"], labels=pie_labels)),
        "radar": _naive("Skills", radar),
        "scatter": _naive("5,000 points", lambda: plt.scatter(sx, sy, s=9, label="Samples")),
    }
    return {name: (specs[name], naive[name]) for name in specs}


def _naive(title: str, draw: Callable[[], object]) -> Callable[[], bytes]:
    """The straightforward pyplot baseline: a figure, ``draw``, a title and a legend, saved as PNG."""

    def chart() -> bytes:
        plt.figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
        draw()
        plt.title(title)
        plt.legend()
        buf = io.BytesIO()
        plt.savefig(buf, format="png")
        plt.close()
        return buf.getvalue()

    return chart


def chartjs_suite() -> dict[str, dict]:
    """The same five charts as Chart.js configurations (what both Chart.js and ``parse_chart`` read)."""
    d = _data()
    sx, sy = d["scatter"]
    points = [{"x": round(float(x), 4), "y": round(float(y), 4)} for x, y in zip(sx, sy, strict=True)]
    title = lambda text: {"title": {"display": True, "text": text}}  # noqa: E731
    return {
        "bar": {
            "type": "bar",
            "data": {
                "labels": list(MONTHS),
                "datasets": [{"label": f"Store {k + 1}", "data": list(v)} for k, v in enumerate(d["bar"])],
            },
            "options": {"plugins": title("Sales by month")},
        },
        "line": {
            "type": "line",
            "data": {
                "labels": [str(i) for i in range(1000)],
                "datasets": [{"label": "Price", "data": list(d["line"]), "pointRadius": 0}],
            },
            "options": {"plugins": title("1,000 points")},
        },
        "pie": {
            "type": "pie",
            "data": {
                "labels": list(PIE_LABELS),
                "datasets": [{"label": "Votes", "data": list(d["pie"])}],
            },
            "options": {"plugins": title("Votes")},
        },
        "radar": {
            "type": "radar",
            "data": {
                "labels": list(RADAR_LABELS),
                "datasets": [
                    {"label": f"Person {k + 1}", "data": list(v), "fill": True}
                    for k, v in enumerate(d["radar"])
                ],
            },
            "options": {"plugins": title("Skills")},
        },
        "scatter": {
            "type": "scatter",
            "data": {
                "datasets": [
                    {
                        "label": "Samples",
                        "data": points,
                    }
                ]
            },
            "options": {"plugins": title("5,000 points")},
        },
    }


def install_peer() -> str | None:
    """Install the Chart.js peer under var/peer_engine (npm); None when ready, else why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not installed"
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    wanted = (PEER_SOURCE / "package.json").read_text()
    installed = PEER_DIR / "package.json"
    if not (PEER_DIR / "node_modules").is_dir() or not installed.exists() or installed.read_text() != wanted:
        installed.write_text(wanted)
        done = subprocess.run(
            [npm, "install", "--prefix", str(PEER_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            return f"npm install failed: {done.stderr.strip()[-300:]}"
    shutil.copyfile(PEER_SOURCE / "render.js", PEER_DIR / "render.js")
    return None


@contextlib.contextmanager
def chartjs_peer(configs: dict[str, dict]) -> Iterator[Callable[[str, int], list[float]]]:
    """A running Node peer; yields ``timings(chart, runs)``: its milliseconds per render."""
    path = PEER_DIR / "configs.json"
    path.write_text(
        json.dumps({name: {"width": WIDTH, "height": HEIGHT, "config": c} for name, c in configs.items()})
    )
    proc = subprocess.Popen(
        ["node", str(PEER_DIR / "render.js"), str(path), "--serve"],
        cwd=PEER_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(proc.stdout.readline()).get("ready")

        def timings(chart: str, runs: int) -> list[float]:
            proc.stdin.write(json.dumps({"chart": chart, "runs": runs}) + "\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())["ms"]

        yield timings
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def run_chartjs(runs: int, warmup: int) -> dict[str, object]:
    """Our parse + render against Chart.js on skia, per chart, interleaved run by run."""
    why_not = install_peer()
    if why_not is not None:
        return {"skipped": why_not}
    configs = chartjs_suite()
    results: dict[str, dict[str, float]] = {}
    with chartjs_peer(configs) as peer:
        for name, body in configs.items():

            def ours(body=body) -> None:
                render_chart(parse_chart(body).spec)

            for _ in range(warmup):
                ours()
                peer(name, 1)
            ours_t, cold_t, peer_t = [], [], []
            for _ in range(runs):
                ours_t.append(time_ms(ours))
                peer_t += peer(name, 1)
                clear_text_cache()
                cold_t.append(time_ms(ours))
            o, c, p = statistics.median(ours_t), statistics.median(cold_t), statistics.median(peer_t)
            results[name] = {
                "ours_ms": round(o, 2),
                "ours_cold_ms": round(c, 2),
                "chartjs_ms": round(p, 2),
                "ratio": round(o / p, 3),
                "ratio_cold": round(c / p, 3),
            }
    geo = statistics.geometric_mean([r["ratio"] for r in results.values()])
    geo_cold = statistics.geometric_mean([r["ratio_cold"] for r in results.values()])
    return {
        "peer": "Chart.js 4 on @napi-rs/canvas (skia), one Node process",
        "peer_versions": _peer_versions(),
        "specs": results,
        "overall_ratio": round(geo, 3),
        "overall_ratio_cold": round(geo_cold, 3),
        "target": CHARTJS_TARGET,
        "target_cold": CHARTJS_TARGET_COLD,
        "meets_target": geo <= CHARTJS_TARGET and geo_cold <= CHARTJS_TARGET_COLD,
    }


def _peer_versions() -> dict[str, str]:
    out = {}
    for package in ("chart.js", "@napi-rs/canvas"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            meta = json.loads((PEER_DIR / "node_modules" / package / "package.json").read_text())
            out[package] = meta["version"]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return out


def run(runs: int, warmup: int) -> dict[str, object]:
    results: dict[str, dict[str, float]] = {}
    for name, (spec, naive) in suite().items():
        ours_png = render_chart(spec)
        assert (ours_png.width, ours_png.height) == (WIDTH, HEIGHT)
        for _ in range(warmup):
            render_chart(spec)
            naive()
        ours_t, cold_t, naive_t = [], [], []
        for _ in range(runs):  # interleaved so drift hits both equally
            ours_t.append(time_ms(lambda spec=spec: render_chart(spec)))
            naive_t.append(time_ms(naive))
            clear_text_cache()
            cold_t.append(time_ms(lambda spec=spec: render_chart(spec)))
        o, c, n = statistics.median(ours_t), statistics.median(cold_t), statistics.median(naive_t)
        results[name] = {
            "ours_ms": round(o, 2),
            "naive_ms": round(n, 2),
            "ratio": round(o / n, 3),
            "ours_uncached_text_ms": round(c, 2),
            "uncached_text_ratio": round(c / n, 3),
        }
    ratios = [r["ratio"] for r in results.values()]
    geo = statistics.geometric_mean(ratios)
    cold = [r["uncached_text_ratio"] for r in results.values()]
    geo_cold = statistics.geometric_mean(cold)
    total = sum(r["ours_ms"] for r in results.values()) / sum(r["naive_ms"] for r in results.values())
    return {
        "suite": {name: "png 800x400" for name in results},
        "runs": runs,
        "warmup": warmup,
        "specs": results,
        "overall_ratio": round(geo, 3),
        "overall": "geometric mean of per-spec median ratios",
        "sum_ratio": round(total, 3),
        "overall_ratio_uncached_text": round(geo_cold, 3),
        "target": TARGET,
        "meets_target": geo <= TARGET,
        "chartjs": run_chartjs(runs, warmup),
        **versions(),
    }


def main(argv: list[str] | None = None) -> int:
    return main_for(__doc__.splitlines()[0], run, OUT, runs=21, warmup=3, quick=(5, 1), argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
