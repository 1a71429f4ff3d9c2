"""Image-Charts benchmark: median time to turn a /chart URL into an image, next to the same chart
sent in the Chart.js dialect.

    python -m bench.imagecharts [--runs N] [--quick]

Each case is a representative Image-Charts URL (bar, line, pie, and the bar chart animated as a
GIF) and the Chart.js-dialect spec of the same chart. Both are timed end to end in this process,
parsing included (``parse_imagecharts`` + ``render_chart`` against ``parse_chart`` +
``render_chart``), interleaved after a warm-up; the report gives the median milliseconds of each
and their ratio. The Chart.js dialect has no animation, so the GIF is compared with the static
chart: its ratio is the price of the frames (``frames`` says how many). ``overall_ratio`` is the
geometric mean over the static cases. JSON goes to stdout and to ``var/bench/imagecharts.json``.
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
from PIL import Image

from bench.common import main_for, time_ms, versions
from core.specs.chartjs import parse_chart
from core.specs.imagecharts import parse_imagecharts
from worker.render import render_chart

OUT = Path("var/bench/imagecharts.json")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDTH, HEIGHT = 800, 400


def suite() -> dict[str, tuple[str, dict]]:
    rng = np.random.default_rng(20240601)
    bars = [[int(v) for v in rng.integers(5, 100, 12)] for _ in range(3)]
    line = [round(float(v), 2) for v in np.cumsum(rng.normal(0, 1, 1000)) + 50]
    pie = [12, 19, 3, 5, 2, 3]
    slices = ["Red", "Blue", "Yellow", "Green", "Purple", "Orange"]
    size = f"chs={WIDTH}x{HEIGHT}"
    bar_url = (
        f"cht=bvg&{size}&chd=t:" + "|".join(",".join(map(str, s)) for s in bars)
        + "&chxt=x,y&chxl=0:|" + "|".join(MONTHS) + "&chdl=Store 1|Store 2|Store 3&chtt=Sales by month"
    )  # fmt: skip
    bar_spec = {
        "type": "bar",
        "width": WIDTH,
        "height": HEIGHT,
        "data": {
            "labels": list(MONTHS),
            "datasets": [{"label": f"Store {k + 1}", "data": s} for k, s in enumerate(bars)],
        },
        "options": {"plugins": {"title": {"display": True, "text": "Sales by month"}}},
    }
    line_spec = {
        "type": "line",
        "width": WIDTH,
        "height": HEIGHT,
        "data": {
            "labels": [str(i) for i in range(1000)],
            "datasets": [{"label": "Price", "data": line, "pointRadius": 0}],
        },
        "options": {"plugins": {"title": {"display": True, "text": "1,000 points"}}},
    }
    pie_spec = {
        "type": "pie",
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"labels": slices, "datasets": [{"label": "Votes", "data": pie}]},
        "options": {"plugins": {"title": {"display": True, "text": "Votes"}}},
    }
    return {
        "bar": (bar_url, bar_spec),
        "line": (
            f"cht=lc&{size}&chd=t:{','.join(map(str, line))}&chds=a&chxt=x,y&chdl=Price&chtt=1,000 points",
            line_spec,
        ),
        "pie": (
            f"cht=p&{size}&chd=t:{','.join(map(str, pie))}&chl={'|'.join(slices)}&chdl={'|'.join(slices)}"
            "&chtt=Votes",
            pie_spec,
        ),
        "animated_gif": (bar_url + "&chan=1200,easeOutQuart", bar_spec),
    }


def run(runs: int, warmup: int) -> dict[str, object]:
    results: dict[str, dict[str, float]] = {}
    for name, (url, spec) in suite().items():
        params = dict(parse_qsl(url, keep_blank_values=True))

        def ours(params: dict = params) -> bytes:
            return render_chart(parse_imagecharts(params).spec).data

        def theirs(spec: dict = spec) -> bytes:
            return render_chart(parse_chart(spec).spec).data

        image = Image.open(io.BytesIO(ours()))
        assert image.size == (WIDTH, HEIGHT)
        frames = getattr(image, "n_frames", 1)
        for _ in range(warmup):
            ours()
            theirs()
        ic_t, cj_t = [], []
        for _ in range(runs):  # interleaved so drift hits both equally
            ic_t.append(time_ms(ours))
            cj_t.append(time_ms(theirs))
        ic, cj = statistics.median(ic_t), statistics.median(cj_t)
        results[name] = {
            "imagecharts_ms": round(ic, 2),
            "chartjs_ms": round(cj, 2),
            "ratio": round(ic / cj, 3),
            "frames": frames,
            "ms_per_frame": round(ic / frames, 2),
            "url_chars": len(url),
        }
    static = [r["ratio"] for n, r in results.items() if n != "animated_gif"]
    return {
        "suite": {name: f"png {WIDTH}x{HEIGHT}" if name != "animated_gif" else "gif" for name in results},
        "runs": runs,
        "warmup": warmup,
        "cases": results,
        "overall_ratio": round(statistics.geometric_mean(static), 3),
        "overall": "geometric mean of the static cases' median ratios (Image-Charts / Chart.js dialect)",
        **versions(),
    }


def main(argv: list[str] | None = None) -> int:
    return main_for(__doc__.splitlines()[0], run, OUT, runs=15, warmup=2, quick=(3, 1), argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
