"""``boxplot``/``violin`` (and ``horizontalBoxplot``/``horizontalViolin``), @sgratzl/chartjs-chart-boxplot.

Each dataset's ``data`` has one entry per label: a list of numbers (statistics computed here: type 7
quantiles, as the plugin's default, whiskers at the furthest values within ``coef`` x IQR of the
box, 1.5 by default, ``coef: 0`` reaching min and max, everything beyond an outlier), or an object
``{min, q1, median, q3, max[, mean, whiskerMin, whiskerMax, outliers, items]}`` of precomputed
statistics, or null. A violin needs the raw numbers (or ``items``) for its density; given only
statistics it is drawn as a box. Dataset styling: ``backgroundColor``, ``borderColor``,
``borderWidth``, ``outlierBackgroundColor`` (0.x ``outlierColor``), ``outlierRadius``,
``itemRadius``, ``meanBackgroundColor``, ``meanRadius``, ``medianColor``; ``coef`` per dataset or in
``options``.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.extra_types.model import MAX_MAGNITUDE, BoxPlot, BoxSeries, BoxStats, ExtraType
from core.specs.model import MAX_POINTS
from core.specs.plugins import fields
from core.specs.values import describe, item, join, number, sequence

DEFAULT_COEF = 1.5
_STYLE_KEYS = (
    "outlierBackgroundColor", "outlierColor", "outlierRadius", "itemRadius", "meanBackgroundColor",
    "meanRadius", "medianColor", "coef", "outlierBorderColor", "itemBackgroundColor", "meanBorderColor",
    "lowerBackgroundColor", "quantiles", "whiskersMode", "minStats", "maxStats", "points", "outlierStyle",
    "itemStyle", "meanStyle",
)  # fmt: skip
_STAT_KEYS = ("min", "q1", "median", "q3", "max")


def build(kind, chart, path, warnings, build_spec):
    from core.specs.extra_types import datasets_of, with_extra

    datasets = datasets_of(chart, path)
    datasets_path = join(join(path, "data"), "datasets")
    options = chart["options"]
    options_path = join(path, "options")
    coef = DEFAULT_COEF
    for key in ("coef",):
        if options.get(key) is not None:
            coef = number(options.pop(key), join(options_path, key), minimum=0, maximum=100)
    for key in ("quantiles", "whiskersMode", "minStats", "maxStats"):
        if key in options:
            warnings.add(join(options_path, key))
            options.pop(key)
    violin = "violin" in kind.lower()
    total = 0
    series = []
    for i, ds in enumerate(datasets):
        ds_path = item(datasets_path, i)
        style = {k: ds.pop(k) for k in _STYLE_KEYS if k in ds}
        ds_coef = coef
        if style.get("coef") is not None:
            ds_coef = number(style["coef"], join(ds_path, "coef"), minimum=0, maximum=100)
        raw = ds.pop("data", None)
        ds["data"] = []
        entries = [] if raw is None else sequence(raw, join(ds_path, "data"))
        stats = []
        for j, entry in enumerate(entries):
            entry_path = item(join(ds_path, "data"), j)
            found, count = _stats(entry, entry_path, ds_coef)
            total += count
            if total > MAX_POINTS:
                raise SpecError(entry_path, f"the chart has more than {MAX_POINTS} values in total")
            stats.append(found)
        series.append(_series(tuple(stats), style, ds_path, warnings))
    n = max((len(s.stats) for s in series), default=0)
    labels = chart["data"].get("labels")
    if isinstance(labels, (list, tuple)) and n > len(labels):
        raise SpecError(
            join(join(path, "data"), "labels"), f"has {len(labels)} labels but the data have {n} entries"
        )
    if not labels:
        chart["data"]["labels"] = [str(k + 1) for k in range(n)]
    chart["type"] = "bar"
    if kind.startswith("horizontal"):
        options.setdefault("indexAxis", "y")
    spec = build_spec(chart)
    return with_extra(
        spec, "violin" if violin else "boxplot", ExtraType(boxplot=BoxPlot(tuple(series), violin))
    )


def _series(stats: tuple[BoxStats | None, ...], style: Mapping[str, Any], path: str, warnings) -> BoxSeries:
    opts: dict[str, Any] = {"stats": stats}
    for key, name in (
        ("outlierBackgroundColor", "outlier_color"),
        ("outlierColor", "outlier_color"),
        ("meanBackgroundColor", "mean_color"),
        ("medianColor", "median_color"),
    ):
        if style.get(key) is not None and name not in opts:
            opts[name] = fields.colors(style[key], join(path, key))
    for key, name in (
        ("outlierRadius", "outlier_radius"),
        ("itemRadius", "item_radius"),
        ("meanRadius", "mean_radius"),
    ):
        if style.get(key) is not None:
            opts[name] = number(style[key], join(path, key), minimum=0, maximum=100)
    for key in style:
        if key not in (
            "coef",
            "outlierBackgroundColor",
            "outlierColor",
            "meanBackgroundColor",
            "medianColor",
            "outlierRadius",
            "itemRadius",
            "meanRadius",
        ):
            warnings.add(join(path, key))
    return BoxSeries(**opts)


def _stats(entry: Any, path: str, coef: float) -> tuple[BoxStats | None, int]:
    if entry is None:
        return None, 0
    if isinstance(entry, (list, tuple)):
        values = sorted(measure(v, item(path, k)) for k, v in enumerate(entry) if v is not None)
        if not values:
            return None, 0
        return summarize(values, coef), len(values)
    if isinstance(entry, Mapping):
        return _given(entry, path, coef), len(entry.get("items") or ()) + len(entry.get("outliers") or ())
    raise SpecError(path, f"must be a list of numbers or {{min, q1, median, q3, max}}, got {describe(entry)}")


def measure(value, path: str) -> float:
    return number(value, path, minimum=-MAX_MAGNITUDE, maximum=MAX_MAGNITUDE)


def summarize(values: list[float], coef: float = DEFAULT_COEF) -> BoxStats:
    """Box statistics of sorted ``values`` (type 7 quantiles, whiskers within ``coef`` x IQR)."""
    if len(values) == 1:
        q1 = median = q3 = values[0]
    else:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    lo_fence, hi_fence = q1 - coef * (q3 - q1), q3 + coef * (q3 - q1)
    if coef > 0:
        whisker_min = next(v for v in values if v >= min(lo_fence, q1))
        whisker_max = next(v for v in reversed(values) if v <= max(hi_fence, q3))
    else:
        whisker_min, whisker_max = values[0], values[-1]
    outliers = tuple(v for v in values if v < whisker_min or v > whisker_max)
    return BoxStats(
        min=values[0],
        q1=q1,
        median=median,
        q3=q3,
        max=values[-1],
        whisker_min=whisker_min,
        whisker_max=whisker_max,
        mean=statistics.fmean(values),
        outliers=outliers,
        items=tuple(values),
    )


def _given(entry: Mapping[str, Any], path: str, coef: float) -> BoxStats:
    items = None
    if entry.get("items") is not None:
        items_path = join(path, "items")
        items = sorted(
            measure(v, item(items_path, k)) for k, v in enumerate(sequence(entry["items"], items_path))
        )
    missing = [k for k in _STAT_KEYS if entry.get(k) is None]
    if missing:
        if items:
            return summarize(items, coef)
        raise SpecError(join(path, missing[0]), "is required (or give the raw numbers as a list)")
    got = {k: measure(entry[k], join(path, k)) for k in _STAT_KEYS}
    if not got["min"] <= got["q1"] <= got["median"] <= got["q3"] <= got["max"]:
        raise SpecError(path, "needs min <= q1 <= median <= q3 <= max")
    outliers: tuple[float, ...] = ()
    if entry.get("outliers") is not None:
        out_path = join(path, "outliers")
        outliers = tuple(
            measure(v, item(out_path, k)) for k, v in enumerate(sequence(entry["outliers"], out_path))
        )
    whisker = {}
    for key in ("whiskerMin", "whiskerMax"):
        whisker[key] = measure(entry[key], join(path, key)) if entry.get(key) is not None else None
    mean = measure(entry["mean"], join(path, "mean")) if entry.get("mean") is not None else None
    return BoxStats(
        min=got["min"],
        q1=got["q1"],
        median=got["median"],
        q3=got["q3"],
        max=got["max"],
        whisker_min=whisker["whiskerMin"] if whisker["whiskerMin"] is not None else got["min"],
        whisker_max=whisker["whiskerMax"] if whisker["whiskerMax"] is not None else got["max"],
        mean=mean,
        outliers=outliers,
        items=tuple(items or ()),
    )
