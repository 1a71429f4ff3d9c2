"""The ``data`` part of a Chart.js-style spec: labels and datasets.

Choices the renderers rely on:

* Category datasets (plain numbers) keep exactly the values given. More values than labels is an
  error; fewer is fine. With no labels at all, labels stay empty and renderers place values by
  position (1..n): nothing is invented here.
* A dataset holds ``points`` when it is a scatter/bubble dataset or when its data are objects
  (``{x, y[, r]}``, 2.x ``{t, y}``) or ``[x, y[, r]]`` pairs; otherwise ``values``. Nulls are kept
  (as ``None`` or ``Point(None, None)``) so per-point colours stay aligned.
* On a ``time`` x axis, point x values and labels are converted to epoch seconds (ISO-8601 text, UTC
  unless an offset is given, or epoch milliseconds). Labels stay as text; ``label_times`` holds the
  converted values. A horizontal chart's y axis is not treated as a time axis.
* ``fill`` is normalized to False/True/"origin"/"start"/"end"/an absolute index ("0", "2") or a
  relative one ("-1", "+1"). A target that is not another existing dataset means no fill (Chart.js
  does the same) and is reported as ignored.
* 2.x defaults that differ from 3.x (curved, filled lines) are not guessed: tension 0, no fill.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.specs.chartjs_options import Options
from core.specs.colors import parse_color_spec
from core.specs.errors import SpecError
from core.specs.model import CHART_TYPES, MAX_DATASETS, MAX_LABELS, MAX_POINTS, Dataset, Point
from core.specs.plugins import keys as plugin_keys
from core.specs.values import (
    Warnings,
    boolean,
    describe,
    epoch_seconds,
    item,
    join,
    mapping,
    number,
    optional_number,
    sequence,
    text,
)

RADIAL_TYPES = ("pie", "doughnut", "polarArea", "radar")
POINT_TYPES = ("scatter", "bubble")
# Which dataset types each chart type can draw (a mixed chart is datasets of different types).
DATASET_TYPES = {
    "bar": ("bar", "line"),
    "line": ("line", "bar", "scatter", "bubble"),
    "scatter": ("scatter", "bubble", "line", "bar"),
    "bubble": ("bubble", "scatter", "line", "bar"),
    **{t: (t,) for t in RADIAL_TYPES},
}
MAX_BORDER_WIDTH = 100
MAX_POINT_RADIUS = 100
MAX_DASH_SEGMENTS = 16

_TYPE_NAMES = {t.lower(): t for t in CHART_TYPES}
_DATA_KEYS = ("labels", "datasets")
_DATASET_KEYS = (
    "type", "label", "data", "backgroundColor", "borderColor", "borderWidth", "fill", "tension",
    "lineTension", "pointRadius", "borderDash", "stack", "hidden", "xAxisID", "yAxisID",
    *plugin_keys.DATASET_KEYS,
)  # fmt: skip
_FILL_ALIASES = {
    "origin": "origin",
    "start": "start",
    "end": "end",
    "zero": "origin",
    "bottom": "start",
    "top": "end",
}
_RELATIVE_FILL = re.compile(r"([+-]?)(\d{1,4})")


@dataclass(frozen=True)
class ChartData:
    labels: tuple[str, ...]
    label_times: tuple[float, ...]
    datasets: tuple[Dataset, ...]


def read_chart_type(value: Any, path: str) -> tuple[str, bool]:
    """A chart type name (case-insensitive) -> (type, horizontal). 2.x ``horizontalBar`` is a bar
    chart drawn along the y axis."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name == "horizontalbar":
            return "bar", True
        if name in _TYPE_NAMES:
            return _TYPE_NAMES[name], False
    expected = ", ".join(CHART_TYPES)
    if isinstance(value, str):
        raise SpecError(path, f"unknown chart type {value[:40]!r}; expected one of {expected}")
    raise SpecError(path, f"must be a chart type name (one of {expected}), got {describe(value)}")


def parse_data(
    raw: Any, path: str, chart_type: str, options: Options, index_axis: str, warnings: Warnings
) -> ChartData:
    """Read ``data`` (``path`` is where it sits) for a chart of ``chart_type``."""
    if raw is None:
        raise SpecError(path, "is required: give data.datasets (and usually data.labels)")
    obj = mapping(raw, path, optional=False)
    warnings.unknown_keys(obj, _DATA_KEYS, path)

    labels_path = join(path, "labels")
    raw_labels = sequence(obj["labels"], labels_path) if obj.get("labels") is not None else ()
    if len(raw_labels) > MAX_LABELS:
        raise SpecError(labels_path, f"has {len(raw_labels)} labels; at most {MAX_LABELS} are allowed")
    labels = tuple(_label(v, item(labels_path, i)) for i, v in enumerate(raw_labels))
    label_times: tuple[float, ...] = ()
    index_scale = options.scales.get(options.first_axis(index_axis)) if index_axis == "x" else None
    if index_scale is not None and index_scale.type == "time":
        label_times = tuple(_label_time(v, item(labels_path, i)) for i, v in enumerate(raw_labels))

    datasets_path = join(path, "datasets")
    if obj.get("datasets") is None:
        raise SpecError(datasets_path, "is required: give at least one dataset")
    raw_datasets = sequence(obj["datasets"], datasets_path)
    if not raw_datasets:
        raise SpecError(datasets_path, "must contain at least one dataset")
    if len(raw_datasets) > MAX_DATASETS:
        raise SpecError(
            datasets_path, f"has {len(raw_datasets)} datasets; at most {MAX_DATASETS} are allowed"
        )
    reader = _DatasetReader(chart_type, options, len(labels), len(raw_datasets), warnings)
    datasets = tuple(reader.read(v, item(datasets_path, i), i) for i, v in enumerate(raw_datasets))
    return ChartData(labels=labels, label_times=label_times, datasets=datasets)


def _label(value: Any, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):  # Chart.js draws a list label as several lines
        return "\n".join(text(v, item(path, i)) for i, v in enumerate(value))
    return text(value, path)


def _label_time(value: Any, path: str) -> float:
    if isinstance(value, (list, tuple)) or value is None:
        raise SpecError(path, f"must be a date on a time axis, got {describe(value)}")
    return epoch_seconds(value, path)


class _DatasetReader:
    def __init__(self, chart_type: str, options: Options, n_labels: int, count: int, warnings: Warnings):
        self.chart_type = chart_type
        self.options = options
        self.n_labels = n_labels
        self.count = count
        self.warnings = warnings
        self.total_points = 0

    def read(self, raw: Any, path: str, index: int) -> Dataset:
        obj = mapping(raw, path, optional=False)
        self.warnings.unknown_keys(obj, _DATASET_KEYS, path)
        dtype = self._type(obj.get("type"), join(path, "type"))
        x_axis = self._axis_id(obj, path, "x")
        values, points = self._data(obj.get("data"), join(path, "data"), dtype, x_axis)
        tension_key = "tension" if obj.get("tension") is not None else "lineTension"
        if tension_key == "tension" and obj.get("lineTension") is not None:
            self.warnings.add(join(path, "lineTension"))
        tension = optional_number(obj.get(tension_key), join(path, tension_key), minimum=0, maximum=1)
        return Dataset(
            type=dtype,
            label="" if obj.get("label") is None else text(obj["label"], join(path, "label")),
            values=values,
            points=points,
            background_color=parse_color_spec(obj.get("backgroundColor"), join(path, "backgroundColor")),
            border_color=parse_color_spec(obj.get("borderColor"), join(path, "borderColor")),
            border_width=self._scalar(obj, "borderWidth", path, MAX_BORDER_WIDTH),
            fill=self._fill(obj.get("fill"), join(path, "fill"), index),
            tension=tension or 0.0,
            point_radius=self._scalar(obj, "pointRadius", path, MAX_POINT_RADIUS),
            border_dash=self._dash(obj.get("borderDash"), join(path, "borderDash")),
            stack=None if obj.get("stack") is None else text(obj["stack"], join(path, "stack")),
            hidden=False if obj.get("hidden") is None else boolean(obj["hidden"], join(path, "hidden")),
            y_axis_id=self._axis_id(obj, path, "y"),
            x_axis_id=x_axis,
        )

    def _type(self, value: Any, path: str) -> str:
        if value is None:
            return self.chart_type
        dtype, _ = read_chart_type(value, path)
        allowed = DATASET_TYPES[self.chart_type]
        if dtype not in allowed:
            raise SpecError(
                path,
                f"a {dtype!r} dataset cannot be drawn on a {self.chart_type!r} chart; "
                f"expected one of {', '.join(allowed)}",
            )
        return dtype

    def _axis_id(self, obj: Mapping[Any, Any], path: str, letter: str) -> str:
        key = f"{letter}AxisID"
        if obj.get(key) is None:
            return self.options.first_axis(letter)
        return text(obj[key], join(path, key))

    def _data(
        self, raw: Any, path: str, dtype: str, x_axis: str
    ) -> tuple[tuple[float | None, ...], tuple[Point, ...]]:
        if raw is None:
            return (), ()
        seq = sequence(raw, path)
        self.total_points += len(seq)
        if self.total_points > MAX_POINTS:
            raise SpecError(path, f"the chart has more than {MAX_POINTS} data points in total")
        first = next((v for v in seq if v is not None), None)
        if dtype not in POINT_TYPES and not isinstance(first, (Mapping, list, tuple)):
            values = tuple(None if v is None else _value(v, item(path, i)) for i, v in enumerate(seq))
            if self.n_labels and len(values) > self.n_labels:
                raise SpecError(path, f"has {len(values)} values but there are {self.n_labels} labels")
            return values, ()
        if dtype in RADIAL_TYPES:
            raise SpecError(item(path, seq.index(first)), f"must be a number or null on a {dtype} chart")
        axis = self.options.scales.get(x_axis)
        x_kind = axis.type if axis and axis.type else ("linear" if dtype in POINT_TYPES else None)
        return (), tuple(
            _plain_point(v, dtype, x_kind) or self._point(v, item(path, i), path, dtype, x_kind)
            for i, v in enumerate(seq)
        )

    def _point(self, raw: Any, path: str, data_path: str, dtype: str, x_kind: str | None) -> Point:
        if raw is None:
            return Point(None, None)
        fast = _plain_point(raw, dtype, x_kind)
        if fast is not None:
            return fast
        if isinstance(raw, Mapping):
            self.warnings.unknown_keys(raw, ("x", "t", "y", "r"), item(data_path, "*"))
            x_key = "x" if "x" in raw or "t" not in raw else "t"
            if x_key not in raw or "y" not in raw:
                raise SpecError(path, "must have both 'x' and 'y' (null is allowed for a gap)")
            x, y, r = raw[x_key], raw["y"], raw.get("r")
            x_path, y_path, r_path = join(path, x_key), join(path, "y"), join(path, "r")
        elif isinstance(raw, (list, tuple)) and len(raw) in (2, 3):
            x, y, r = raw[0], raw[1], raw[2] if len(raw) == 3 else None
            x_path, y_path, r_path = item(path, 0), item(path, 1), item(path, 2)
        else:
            raise SpecError(path, f"must be an {{x, y}} point (or [x, y]), got {describe(raw)}")
        if r is not None and dtype != "bubble":
            self.warnings.add(join(item(data_path, "*"), "r"))
            r = None
        return Point(
            x=_x_value(x, x_path, x_kind),
            y=None if y is None else _value(y, y_path),
            r=None if r is None else number(r, r_path, minimum=0),
        )

    def _scalar(self, obj: Mapping[Any, Any], key: str, path: str, maximum: float) -> float | None:
        value = obj.get(key)
        if isinstance(value, (list, tuple, Mapping)):  # per-point / per-side forms: not implemented
            self.warnings.add(join(path, key))
            return None
        return optional_number(value, join(path, key), minimum=0, maximum=maximum)

    def _dash(self, raw: Any, path: str) -> tuple[float, ...]:
        if raw is None:
            return ()
        seq = sequence(raw, path)
        if len(seq) > MAX_DASH_SEGMENTS:
            raise SpecError(path, f"has {len(seq)} segments; at most {MAX_DASH_SEGMENTS} are allowed")
        return tuple(number(v, item(path, i), minimum=0, maximum=1000) for i, v in enumerate(seq))

    def _fill(self, raw: Any, path: str, index: int) -> bool | str:
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, Mapping) or (isinstance(raw, str) and raw.strip() in ("stack", "shape")):
            self.warnings.add(path)  # {value: n}, {target: ...}, "stack", "shape": not implemented
            return False
        if isinstance(raw, (int, float)):
            value = number(raw, path)
            if not value.is_integer():
                raise SpecError(path, f"must be a dataset index, got {value:g}")
            return self._fill_target(int(value), str(int(value)), path, index)
        if isinstance(raw, str):
            name = raw.strip().lower()
            if name in _FILL_ALIASES:
                return _FILL_ALIASES[name]
            match = _RELATIVE_FILL.fullmatch(name)
            if match:
                sign, n = match.group(1), int(match.group(2))
                target = index + n if sign == "+" else index - n if sign == "-" else n
                return self._fill_target(target, f"{sign}{n}", path, index)
            raise SpecError(
                path,
                f"unknown fill {raw[:40]!r}; expected true, false, 'origin', 'start', 'end' or an index",
            )
        raise SpecError(
            path, f"must be true, false, a fill target name or a dataset index, got {describe(raw)}"
        )

    def _fill_target(self, target: int, normalized: str, path: str, index: int) -> bool | str:
        if target == index or not 0 <= target < self.count:
            self.warnings.add(path)
            return False
        return normalized


_PLAIN_NUMBER = (int, float)  # exact types: bool is excluded because type(True) is bool


def _plain_point(raw: Any, dtype: str, x_kind: str | None) -> Point | None:
    """The common case of large payloads, ``{"x": n, "y": n[, "r": n]}`` with finite numbers, built
    without the per-field paths the general path prepares for its error messages. None otherwise."""
    if type(raw) is not dict or x_kind == "time" or not 2 <= len(raw) <= 3:
        return None
    x, y, r = raw.get("x"), raw.get("y"), raw.get("r")
    if type(x) not in _PLAIN_NUMBER or type(y) not in _PLAIN_NUMBER:
        return None
    if len(raw) == 3 and (dtype != "bubble" or type(r) not in _PLAIN_NUMBER or r < 0):
        return None
    try:
        fx, fy, fr = float(x), float(y), None if r is None else float(r)
    except OverflowError:
        return None
    if not (math.isfinite(fx) and math.isfinite(fy) and (fr is None or math.isfinite(fr))):
        return None
    return Point(x=fx, y=fy, r=fr)


def _value(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, f"must be a number or null, got {describe(value)}")
    return number(value, path)


def _x_value(value: Any, path: str, kind: str | None) -> float | str | None:
    if value is None:
        return None
    if kind == "time":
        return epoch_seconds(value, path)
    if kind in ("linear", "logarithmic"):
        if isinstance(value, str):
            raise SpecError(path, "must be a number (for dates, set the x axis type to 'time')")
        return _value(value, path)
    if isinstance(value, str):
        return text(value, path)
    return _value(value, path)
