"""QuickChart's extra chart types in the Chart.js dialect.

Three are Chart.js charts with QuickChart's defaults, rewritten before the common parser sees them
(so every Chart.js option keeps working): ``sparkline`` (one line, no axes, legend or points, a thin
line, the y range padded 5 %), ``progressBar`` (a horizontal bar over a track: the first dataset is
the value, the second the whole, 100 by default; the percentage as a data label) and
``outlabeledPie``/``outlabeledDoughnut`` (a pie or doughnut with the outlabels plugin on).

The others keep their own type and renderer, their options normalized in ``model.ExtraType``:
``gauge`` (chartjs-gauge), ``radialGauge`` (chartjs-chart-radial-gauge), ``boxplot``/``violin`` and
their ``horizontal…`` forms (@sgratzl/chartjs-chart-boxplot), ``sankey`` (chartjs-chart-sankey).
Their datasets go through the common parser without the data it cannot read (statistics, flows),
so labels, colours, titles and legends behave as on any chart.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from core.specs.errors import SpecError
from core.specs.extra_types import boxplot, gauges, sankey
from core.specs.extra_types.model import ExtraType
from core.specs.model import ChartSpec
from core.specs.plugins.model import Plugins
from core.specs.values import Warnings, describe, item, join, mapping, number, sequence

EXTRA_TYPES = (
    "sparkline", "progressBar", "outlabeledPie", "outlabeledDoughnut", "gauge", "radialGauge",
    "boxplot", "horizontalBoxplot", "violin", "horizontalViolin", "sankey",
)  # fmt: skip
RENDERED_TYPES = ("gauge", "radialGauge", "boxplot", "violin", "sankey")  # types with their own renderer
_NAMES = {name.lower(): name for name in EXTRA_TYPES}
PROGRESS_TRACK_COLOR = "#eeeeee"
PROGRESS_DEFAULT_MAX = 100.0

BuildSpec = Callable[[Mapping[Any, Any], str, dict[str, Any], "str | None", Warnings], ChartSpec]
CommonBuild = Callable[[dict[str, Any]], ChartSpec]  # BuildSpec with all but the chart bound


def extra_type(value: Any) -> str | None:
    """The extra type named by a chart's ``type`` (case-insensitive), or None."""
    if isinstance(value, str):
        return _NAMES.get(value.strip().lower())
    return None


def build_extra(
    body: Mapping[Any, Any],
    path: str,
    output: dict[str, Any],
    background: str | None,
    warnings: Warnings,
    build: BuildSpec,
) -> ChartSpec:
    """Parse a chart whose type is one of ``EXTRA_TYPES``; ``build`` is the common builder."""
    kind = extra_type(body.get("type"))
    chart = _copy(body)

    def common(rewritten: dict[str, Any]) -> ChartSpec:
        """The common builder on the rewritten chart, at the same path and with the same output."""
        return build(rewritten, path, output, background, warnings)

    if kind == "sparkline":
        return common(_sparkline(chart, path))
    if kind == "progressBar":
        return _progress_bar(chart, path, common)
    if kind in ("outlabeledPie", "outlabeledDoughnut"):
        chart["type"] = "pie" if kind == "outlabeledPie" else "doughnut"
        plugins = _plugins(chart)
        if plugins.get("outlabels") is None:
            plugins["outlabels"] = {}
        return common(chart)
    if kind in ("gauge", "radialGauge"):
        return gauges.build(kind, chart, path, warnings, common)
    if kind in ("boxplot", "horizontalBoxplot", "violin", "horizontalViolin"):
        return boxplot.build(kind, chart, path, warnings, common)
    return sankey.build(chart, path, warnings, common)


def _copy(body: Mapping[Any, Any]) -> dict[str, Any]:
    # Only the containers rewritten below are copied deeply; data arrays are shared.
    chart = dict(body)
    chart["options"] = copy.deepcopy(dict(mapping(body.get("options"), "options")))
    data = body.get("data")
    if isinstance(data, Mapping):
        chart["data"] = dict(data)
        if isinstance(data.get("datasets"), (list, tuple)):
            chart["data"]["datasets"] = [
                dict(ds) if isinstance(ds, Mapping) else ds for ds in data["datasets"]
            ]
    return chart


def _plugins(chart: dict[str, Any]) -> dict[str, Any]:
    options = chart["options"]
    if not isinstance(options.get("plugins"), Mapping):
        options["plugins"] = {}
    options["plugins"] = dict(options["plugins"])
    return options["plugins"]


def datasets_of(chart: Mapping[str, Any], path: str) -> list[Any]:
    data = mapping(chart.get("data"), join(path, "data"), optional=False)
    datasets_path = join(join(path, "data"), "datasets")
    if data.get("datasets") is None:
        raise SpecError(datasets_path, "is required: give at least one dataset")
    datasets = sequence(data["datasets"], datasets_path)
    if not datasets:
        raise SpecError(datasets_path, "must contain at least one dataset")
    for i, ds in enumerate(datasets):
        mapping(ds, item(datasets_path, i), optional=False)
    return list(datasets)


def with_extra(spec: ChartSpec, kind: str, extra: ExtraType) -> ChartSpec:
    return replace(spec, type=kind, extras=(*spec.extras, extra.to_extras()))


def _sparkline(chart: dict[str, Any], path: str) -> dict[str, Any]:
    datasets = datasets_of(chart, path)
    if len(datasets) != 1:
        raise SpecError(
            join(join(path, "data"), "datasets"),
            f"a sparkline draws exactly one dataset, got {len(datasets)}; use type 'line' for several",
        )
    chart["type"] = "line"
    ds = datasets[0]
    ds.setdefault("borderColor", "#000000")
    ds.setdefault("borderWidth", 1)
    ds.setdefault("pointRadius", 0)
    options = chart["options"]
    plugins = _plugins(chart)
    if options.get("legend") is None and plugins.get("legend") is None:
        plugins["legend"] = {"display": False}
    if options.get("scales") is None:
        raw = ds.get("data") if isinstance(ds.get("data"), (list, tuple)) else []  # else: the parser's 400
        values = [
            v for v in raw if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ]
        y_axis: dict[str, Any] = {"display": False}
        if values:
            lo, hi = min(values), max(values)
            # QuickChart pads the range by 5 % of each bound so the line is never shaved off
            y_axis.update(min=lo - abs(lo) * 0.05, max=hi + abs(hi) * 0.05)
            if y_axis["min"] == y_axis["max"]:
                y_axis.update(min=lo - 1, max=hi + 1)
        options["scales"] = {"x": {"display": False}, "y": y_axis}
    if not chart["data"].get("labels"):
        data = ds.get("data")
        count = len(data) if isinstance(data, (list, tuple)) else 0
        chart["data"]["labels"] = [""] * count
    return chart


def _progress_bar(chart: dict[str, Any], path: str, common: CommonBuild) -> ChartSpec:
    datasets = datasets_of(chart, path)
    datasets_path = join(join(path, "data"), "datasets")
    if len(datasets) > 2:
        raise SpecError(
            datasets_path, f"a progress bar takes one or two datasets (value, whole), got {len(datasets)}"
        )
    value_data = sequence(datasets[0].get("data") or [], join(item(datasets_path, 0), "data"))
    if not value_data:
        raise SpecError(join(item(datasets_path, 0), "data"), "needs the progress value, e.g. [50]")
    if len(datasets) == 1:
        datasets.append({"data": [PROGRESS_DEFAULT_MAX] * len(value_data)})
    whole = datasets[1]
    whole_path = join(item(datasets_path, 1), "data")
    whole_data = sequence(whole.get("data") or [], whole_path)
    if not whole_data:
        raise SpecError(whole_path, "needs the whole, e.g. [100]")
    maxima = [number(v, item(whole_path, i), minimum=0) for i, v in enumerate(whole_data)]
    if any(m <= 0 for m in maxima):
        raise SpecError(whole_path, "the whole must be greater than 0")
    whole.setdefault("backgroundColor", PROGRESS_TRACK_COLOR)
    whole.setdefault("borderWidth", 0)
    whole.setdefault("datalabels", {"display": False})
    datasets[0].setdefault("borderWidth", 0)
    chart["data"]["datasets"] = datasets
    chart["type"] = "bar"
    options = chart["options"]
    options.setdefault("indexAxis", "y")
    plugins = _plugins(chart)
    if options.get("legend") is None and plugins.get("legend") is None:
        plugins["legend"] = {"display": False}
    if options.get("scales") is None:
        options["scales"] = {
            "x": {"display": False, "min": 0, "max": max(maxima)},
            "y": {"display": False, "stacked": True},
        }
    labels = plugins.get("datalabels")
    defaults = {
        "color": "#ffffff",
        "font": {"size": 16, "weight": "bold"},
        "anchor": "center",
        "align": "center",
    }
    if labels is None or isinstance(labels, Mapping):
        plugins["datalabels"] = {**defaults, **(labels or {})}
    elif not isinstance(labels, bool):
        raise SpecError(
            join(join(join(path, "options"), "plugins"), "datalabels"),
            f"must be an object, got {describe(labels)}",
        )
    if not chart["data"].get("labels"):
        chart["data"]["labels"] = [""] * max(len(value_data), len(whole_data))
    spec = common(chart)
    found = Plugins.from_spec(spec)
    if found is None or not found.datalabels or found.datalabels[0] is None:
        return spec
    first = found.datalabels[0]
    if first.number is None and (found.tick_format is None or not found.tick_format.apply_to_datalabels):
        first = replace(first, percent_of=tuple(maxima))
    found = replace(found, datalabels=(first, *found.datalabels[1:]))
    key, value = found.to_extras()
    return replace(spec, extras=tuple((k, value if k == key else v) for k, v in spec.extras))
