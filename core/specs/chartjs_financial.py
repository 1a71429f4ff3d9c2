"""``type: "candlestick"`` and ``type: "ohlc"`` in the Chart.js dialect, as the
chartjs-chart-financial plugin draws them: one dataset of ``{x, o, h, l, c}`` points (``x`` epoch
milliseconds or ISO-8601 text; ``t`` is read as ``x``, as the plugin's older versions did).

The chart becomes a ``finance`` spec drawn by the candlestick renderer (``worker.render.finance``):
the bar width is the median spacing of ``x`` (so the time axis labels suit it), the header shows
the dataset's label (or the title), and the plugin's ``color: {up, down}`` sets the candle colours.
Points are sorted by time; a second dataset, ``options``, scales and plugins other than the title
are not drawn and are reported as ignored keys.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.finance import FINANCE_KEY, INTERVALS
from core.specs.model import ChartSpec
from core.specs.values import Warnings, describe, epoch_seconds, item, join, number

FINANCIAL_TYPES = ("candlestick", "ohlc")
MAX_CANDLES = 5000


def is_financial(body: Mapping[Any, Any]) -> bool:
    return body.get("type") in FINANCIAL_TYPES


def _interval_name(minutes: int) -> str:
    for name, (_source, width) in INTERVALS.items():
        if width == minutes:
            return name
    return f"{minutes}m" if minutes < 60 else f"{minutes // 60}h" if minutes < 1440 else f"{minutes // 1440}D"


def _decimals(values: list[float]) -> int:
    places = 0
    for v in values[-100:]:
        text = repr(v)
        if "e" not in text and "." in text:
            places = max(places, len(text.split(".")[1].rstrip("0")))
    return min(8, max(2, places))


def parse_financial(
    body: Mapping[Any, Any], path: str, output: dict[str, Any], warnings: Warnings
) -> ChartSpec:
    """The finance spec of a candlestick/ohlc Chart.js body (``output``: width, height, format,
    devicePixelRatio already checked)."""
    data_path = join(path, "data")
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise SpecError(data_path, f"must be an object with datasets, got {describe(data)}")
    datasets = data.get("datasets")
    sets_path = join(data_path, "datasets")
    if not isinstance(datasets, list) or not datasets or not isinstance(datasets[0], Mapping):
        raise SpecError(sets_path, "must hold one dataset of {x, o, h, l, c} points")
    for extra in range(1, len(datasets)):
        warnings.add(item(sets_path, extra))
    warnings.unknown_keys(data, ("datasets", "labels"), data_path)
    dataset, ds_path = datasets[0], item(sets_path, 0)
    warnings.unknown_keys(dataset, ("data", "label", "color", "type"), ds_path)
    points = dataset.get("data")
    points_path = join(ds_path, "data")
    if not isinstance(points, list) or not points:
        raise SpecError(points_path, "must be a non-empty array of {x, o, h, l, c} points")
    if len(points) > MAX_CANDLES:
        raise SpecError(points_path, f"holds more than {MAX_CANDLES} points")
    rows = []
    for i, point in enumerate(points):
        p_path = item(points_path, i)
        if not isinstance(point, Mapping):
            raise SpecError(p_path, f"must be an object {{x, o, h, l, c}}, got {describe(point)}")
        x_key = "x" if "x" in point else "t"
        x = epoch_seconds(point.get(x_key), join(p_path, x_key))
        o, h, low, c = (number(point.get(k), join(p_path, k)) for k in ("o", "h", "l", "c"))
        if low > min(o, c) or h < max(o, c):
            raise SpecError(p_path, "needs l <= o, c <= h")
        rows.append((x, o, h, low, c))
    rows.sort()
    gaps = [b[0] - a[0] for a, b in zip(rows, rows[1:], strict=False) if b[0] > a[0]]
    minutes = max(1, round(statistics.median(gaps) / 60)) if gaps else 1440
    colors = {}
    color = dataset.get("color")
    if isinstance(color, Mapping):
        for key in ("up", "down"):
            if color.get(key) is not None:
                colors[key] = parse_color(color[key], join(join(ds_path, "color"), key))
    title = ""
    options = body.get("options")
    if isinstance(options, Mapping):
        plugin_title = (
            (options.get("plugins") or {}).get("title")
            if isinstance(options.get("plugins"), Mapping)
            else None
        )
        if isinstance(plugin_title, Mapping) and isinstance(plugin_title.get("text"), str):
            title = plugin_title["text"]
        warnings.unknown_keys(options, ("plugins",), join(path, "options"))
    label = dataset.get("label") if isinstance(dataset.get("label"), str) else ""
    if output.get("devicePixelRatio", 1) != 1:
        warnings.add("devicePixelRatio")
    payload = {
        "symbol": {"name": (label or title)[:100], "exchange": "", "description": ""},
        "interval": _interval_name(minutes),
        "minutes": minutes,
        "theme": "light",
        "timezone": "Etc/UTC",
        "style": "candle" if body.get("type") == "candlestick" else "ohlc",
        "studies": [],
        "watermark": None,
        "precision": _decimals([r[4] for r in rows]),
        "first_visible": 0,
        "colors": colors,
        "candles": {
            "t": [round(r[0]) for r in rows],
            "o": [r[1] for r in rows],
            "h": [r[2] for r in rows],
            "l": [r[3] for r in rows],
            "c": [r[4] for r in rows],
            "v": [0.0] * len(rows),
            "tbv": [None] * len(rows),
        },
    }
    return ChartSpec(
        type="finance",
        width=output["width"],
        height=output["height"],
        format=output["format"],
        extras=((FINANCE_KEY, payload),),
    )
