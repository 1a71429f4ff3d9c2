"""Render Chart.js configs with Chart.js itself and with Chartfleet, side by side (development only).

    .venv/bin/python scripts/compare_chartjs.py                  # the built-in configs
    .venv/bin/python scripts/compare_chartjs.py my-configs.json  # a JSON object {name: config}

Chart.js runs in Node (``scripts/chartjs-peer/render.mjs``) on ``@napi-rs/canvas``; the first run
installs ``chart.js`` 4, ``chart.js`` 2.9.4 and the canvas under ``var/chartjs-peer`` with npm. Each
config is drawn by the Chart.js version its layout belongs to (the same rule the parser uses: 2.x
places such as ``scales.xAxes`` mean 2.9). Output: ``var/chartjs-compare/<name>.png`` (Chart.js on
the left, Chartfleet on the right) and an ``index.html`` listing them. Node is never a runtime
dependency of Chartfleet; this script only helps check defaults and semantics by eye.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.specs.chartjs import parse_chart  # noqa: E402
from core.specs.chartjs_options import parse_options  # noqa: E402
from core.specs.values import Warnings  # noqa: E402
from worker.render import render_chart  # noqa: E402

PEER_SOURCE = ROOT / "scripts" / "chartjs-peer"
PEER = ROOT / "var" / "chartjs-peer"
OUT = ROOT / "var" / "chartjs-compare"
WIDTH, HEIGHT = 500, 300

LABELS = ["Jan", "Feb", "Mar", "Apr", "May"]
CONFIGS: dict[str, dict] = {
    "line-4x": {
        "type": "line",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [3, 7, 4, 8, 5]}]},
    },
    "line-2x": {
        "type": "line",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [3, 7, 4, 8, 5]}]},
        "options": {"scales": {"yAxes": [{}]}},
    },
    "bar-4x": {
        "type": "bar",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [50, 60, 70, 55, 65]}]},
    },
    "bar-2x": {
        "type": "bar",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [50, 60, 70, 55, 65]}]},
        "options": {"legend": {"display": True}},
    },
    "radar-4x": {
        "type": "radar",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [3, 7, 4, 8, 5]}]},
    },
    "radar-2x": {
        "type": "radar",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": [3, 7, 4, 8, 5]}]},
        "options": {"scale": {}},
    },
    "numeric-strings": {
        "type": "bar",
        "data": {"labels": LABELS, "datasets": [{"label": "A", "data": ["3", "7.5", "4", "8", "5"]}]},
    },
    "floating-bars": {
        "type": "bar",
        "data": {
            "labels": LABELS,
            "datasets": [{"label": "range", "data": [[1, 5], [-2, 3], [2, 8], [4, 6], [-1, 1]]}],
        },
    },
    "floating-bars-stacked-horizontal": {
        "type": "bar",
        "data": {
            "labels": LABELS[:3],
            "datasets": [
                {"label": "base", "data": [2, 3, 1]},
                {"label": "range", "data": [[1, 2], [-1, 2], [0, 3]]},
            ],
        },
        "options": {"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    },
    "no-labels": {"type": "bar", "data": {"labels": ["a", "b", "c"], "datasets": [{"data": [3, 5, 2]}]}},
    "negative-pie": {"type": "pie", "data": {"labels": ["a", "b", "c"], "datasets": [{"data": [-1, 2, 3]}]}},
}


def ensure_peer() -> None:
    """Install the Chart.js peer under var/ (once) and refresh its script."""
    PEER.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "render.mjs"):
        shutil.copy2(PEER_SOURCE / name, PEER / name)
    if not (PEER / "node_modules" / "chart.js").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEER, check=True)


def chartjs_version(config: dict) -> int:
    """2 when the config's layout is Chart.js 2's (the rule the parser applies), else 4."""
    if str(config.get("type", "")).lower() == "horizontalbar":
        return 2
    return parse_options(config.get("options"), "options", Warnings()).version


def render_with_chartjs(configs: dict[str, dict]) -> dict[str, Path | str]:
    items = [
        {
            "config": config,
            "width": WIDTH,
            "height": HEIGHT,
            "version": chartjs_version(config),
            "out": str(OUT / f"{name}.chartjs.png"),
        }
        for name, config in configs.items()
    ]
    done = subprocess.run(
        ["node", "render.mjs"], cwd=PEER, input=json.dumps(items), capture_output=True, text=True, check=True
    )
    results = json.loads(done.stdout)
    return {name: Path(r["out"]) if r["ok"] else r["error"] for name, r in zip(configs, results, strict=True)}


def render_with_chartfleet(name: str, config: dict) -> Path | str:
    from core.specs.errors import SpecError

    try:
        result = parse_chart({**config, "width": WIDTH, "height": HEIGHT})
    except SpecError as err:
        return f"400 {err.field}: {err.message}"
    path = OUT / f"{name}.chartfleet.png"
    path.write_bytes(render_chart(result.spec).data)
    return path


def side_by_side(name: str, left: Path | str, right: Path | str) -> Path:
    canvas = Image.new("RGB", (WIDTH * 2 + 30, HEIGHT + 30), "white")
    draw = ImageDraw.Draw(canvas)
    for x, title, image in ((0, "Chart.js", left), (WIDTH + 30, "Chartfleet", right)):
        draw.text((x + 4, 4), f"{title}: {name}", fill="black")
        if isinstance(image, Path):
            canvas.paste(Image.open(image).convert("RGB"), (x, 30))
        else:
            draw.text((x + 4, 40), image[:80], fill="red")
    path = OUT / f"{name}.png"
    canvas.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="?", help="a JSON file holding {name: Chart.js config}")
    args = parser.parse_args()
    configs = json.loads(Path(args.configs).read_text()) if args.configs else CONFIGS
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_peer()
    theirs = render_with_chartjs(configs)
    rows = []
    for name, config in configs.items():
        path = side_by_side(name, theirs[name], render_with_chartfleet(name, config))
        rows.append(f'<h3>{html.escape(name)}</h3><img src="{html.escape(path.name)}">')
        print(path)
    (OUT / "index.html").write_text(
        "<!doctype html><title>Chart.js vs Chartfleet</title>\n" + "\n".join(rows)
    )
    print(OUT / "index.html")


if __name__ == "__main__":
    main()
