"""Render-engine benchmark: ``worker.render.render_chart`` against a naive pyplot script.

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

JSON goes to stdout and to ``var/bench/engine.json``. pyplot is allowed here only, for the
baseline; the renderer never imports it.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Callable
from pathlib import Path

import matplotlib

from bench.common import main_for, time_ms, versions

matplotlib.use("Agg")  # the baseline's pyplot must not try to open a window

import matplotlib.pyplot as plt
import numpy as np

from core.specs.model import ChartSpec, Dataset, Point, Text
from worker.render import render_chart
from worker.render.typeset import clear_text_cache

WIDTH, HEIGHT = 800, 400
TARGET = 0.6
OUT = Path("var/bench/engine.json")

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
    pie_labels = ("Red", "Blue", "Yellow", "Green", "Purple", "Orange")
    radar_labels = ("Eating", "Drinking", "Sleeping", "Designing", "Coding", "Cycling", "Running", "Reading")
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
        **versions(),
    }


def main(argv: list[str] | None = None) -> int:
    return main_for(__doc__.splitlines()[0], run, OUT, runs=21, warmup=3, quick=(5, 1), argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
