"""Chart templates: the built-in ones, named parameters of custom ones, and the query overrides of
``GET /api/v1/templates/{id}/render`` applied to a template's Chart.js body before it is parsed.

A template is a Chart.js-style body (what ``POST /api/v1/render`` takes, request keys aside).
Overrides edit that body as data; nothing in a template or an override is ever evaluated.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.model import MAX_DATASETS, MAX_POINTS

MAX_PARAMETERS = 50
MAX_PATH = 200
# A parameter's path into the body: dotted keys, numbers index lists (data.datasets.0.data).
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\d{1,3}))*$")
_SERIES = re.compile(r"^(data|label)([1-9]\d?)$")
_GREY = "rgba(148,163,184,0.35)"
# Query names the render route reads itself (not template parameters).
ROUTE_KEYS = frozenset(
    {
        "labels",
        "data",
        "title",
        "width",
        "height",
        "format",
        "brandKitId",
        "scale",
        "devicePixelRatio",
        "palette",
        "returnUrl",
        "key",
        "apiKey",
    }
)

_HIDDEN_AXES = {"x": {"display": False}, "y": {"display": False}}

BUILTIN: dict[str, dict[str, Any]] = {
    "kpi-line": {
        "name": "KPI line",
        "description": "A filled trend line under a headline card (value and change).",
        "spec": {
            "type": "line",
            "width": 600,
            "height": 300,
            "data": {
                "labels": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                "datasets": [{"label": "Signups", "data": [120, 132, 101, 134, 190, 230, 210], "fill": True}],
            },
            "options": {"plugins": {"legend": {"display": False}}},
            "card": {"title": "Weekly signups", "value": "1,117", "change": 0.124},
        },
    },
    "revenue-bar": {
        "name": "Revenue bar",
        "description": "Monthly revenue as vertical bars starting at zero.",
        "spec": {
            "type": "bar",
            "data": {
                "labels": ["Jan", "Feb", "Mar", "Apr", "May", "Jun"],
                "datasets": [{"label": "Revenue", "data": [12000, 15000, 18000, 16500, 21000, 24500]}],
            },
            "options": {
                "plugins": {"title": {"display": True, "text": "Revenue"}},
                "scales": {"y": {"beginAtZero": True}},
            },
        },
    },
    "share-doughnut": {
        "name": "Share doughnut",
        "description": "Parts of a whole, legend on the right.",
        "spec": {
            "type": "doughnut",
            "width": 500,
            "height": 300,
            "data": {
                "labels": ["Direct", "Search", "Social", "Referral"],
                "datasets": [{"label": "Traffic", "data": [42, 31, 17, 10]}],
            },
            "options": {
                "plugins": {
                    "title": {"display": True, "text": "Traffic share"},
                    "legend": {"position": "right"},
                }
            },
        },
    },
    "comparison-bars": {
        "name": "Comparison bars",
        "description": "Two series side by side (this period against the last); data1/data2 set them.",
        "spec": {
            "type": "bar",
            "data": {
                "labels": ["North", "South", "East", "West"],
                "datasets": [
                    {"label": "This year", "data": [48, 36, 52, 41]},
                    {"label": "Last year", "data": [40, 38, 45, 30]},
                ],
            },
            "options": {
                "plugins": {"title": {"display": True, "text": "Sales by region"}},
                "scales": {"y": {"beginAtZero": True}},
            },
        },
    },
    "sparkline": {
        "name": "Sparkline",
        "description": "A bare line: no axes, legend or points, for tables and emails.",
        "spec": {
            "type": "line",
            "width": 300,
            "height": 100,
            "data": {
                "labels": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
                "datasets": [
                    {"data": [5, 8, 6, 9, 12, 10, 14, 13, 17, 16], "pointRadius": 0, "borderWidth": 2}
                ],
            },
            "options": {"plugins": {"legend": {"display": False}}, "scales": _HIDDEN_AXES},
        },
    },
    "progress-bar": {
        "name": "Progress bar",
        "description": "One horizontal bar filled to `data` percent (0-100) of its track.",
        "progress": True,
        "spec": {
            "type": "bar",
            "width": 500,
            "height": 120,
            "data": {
                "labels": ["Progress"],
                "datasets": [{"label": "Done", "data": [72]}, {"label": "Left", "data": [28]}],
            },
            "options": {
                "indexAxis": "y",
                "plugins": {"legend": {"display": False}},
                "scales": {
                    "x": {"display": False, "stacked": True, "min": 0, "max": 100},
                    "y": {"display": False, "stacked": True},
                },
            },
            "card": {"title": "Progress", "value": "72%"},
        },
    },
    "gauge": {
        "name": "Gauge",
        "description": "A ring filled to `data` percent (0-100), the value as the headline.",
        "progress": True,
        "spec": {
            "type": "doughnut",
            "width": 400,
            "height": 400,
            "data": {"labels": ["Value", "Rest"], "datasets": [{"data": [64, 36]}]},
            "options": {"plugins": {"legend": {"display": False}}},
            "card": {"title": "Utilisation", "value": "64%"},
        },
    },
}


def builtin(template_id: str) -> dict[str, Any] | None:
    return BUILTIN.get(template_id)


def validate_parameters(value: Any, field: str = "parameters") -> dict[str, dict[str, Any]]:
    """``{"name": {"path": "a.b.0.c", "description": "..."}}``: where each named query parameter
    of a custom template goes in its spec."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_PARAMETERS:
        raise SpecError(field, f"must be an object of at most {MAX_PARAMETERS} named parameters")
    out = {}
    for name, param in value.items():
        path = f"{field}.{name}"
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", str(name)) or name in ROUTE_KEYS:
            raise SpecError(path, "a parameter name is 1-40 letters, digits or _ and not a route parameter")
        if _SERIES.match(name):
            raise SpecError(path, "dataN and labelN are reserved for series")
        if not isinstance(param, Mapping) or not isinstance(param.get("path"), str):
            raise SpecError(
                path, 'must be an object with a "path" into the spec, e.g. "options.plugins.title.text"'
            )
        if len(param["path"]) > MAX_PATH or not _PATH.match(param["path"]):
            raise SpecError(
                f"{path}.path", "must be dotted keys and list indexes, e.g. data.datasets.0.label"
            )
        description = param.get("description", "")
        if not isinstance(description, str) or len(description) > 200:
            raise SpecError(f"{path}.description", "must be text of at most 200 characters")
        out[str(name)] = {"path": param["path"], "description": description}
    return out


def is_series(name: str) -> bool:
    """``dataN`` or ``labelN``: QuickChart's names for series N."""
    return bool(_SERIES.match(name))


def split_list(text: str, field: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_POINTS:
        raise SpecError(field, f"has {len(parts)} values; at most {MAX_POINTS} are allowed")
    return parts


def numbers(text: str, field: str) -> list[float | int | None]:
    out: list[float | int | None] = []
    for i, part in enumerate(split_list(text, field)):
        if part in ("", "null"):
            out.append(None)
            continue
        try:
            value = float(part)
        except ValueError:
            raise SpecError(field, f"value {i + 1} ({part[:20]!r}) is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(field, f"value {i + 1} is not a finite number")
        out.append(int(value) if value.is_integer() and abs(value) < 2**53 else value)
    return out


def parse_palette(text: str, field: str = "palette") -> tuple[str, ...]:
    """Comma-separated colours (``%23ff0000,%2300ff00`` in a URL, ``#`` optional)."""
    parts = [p for p in split_list(text, field) if p]
    if not parts or len(parts) > 20:
        raise SpecError(field, "must be 1 to 20 comma-separated hex colours, e.g. %23ff6384,%2336a2eb")
    colors = []
    for i, part in enumerate(parts):
        hexed = part if part.startswith("#") else "#" + part
        if not re.fullmatch(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", hexed):
            raise SpecError(field, f"colour {i + 1} ({part[:20]!r}) is not a hex colour")
        colors.append(parse_color(hexed, field))
    return tuple(colors)


def apply_overrides(
    spec: Mapping[str, Any],
    args: Mapping[str, str],
    parameters: Mapping[str, Mapping[str, Any]],
    *,
    progress: bool,
) -> dict[str, Any]:
    """A copy of the template body ``spec`` with the query ``args`` applied (labels, data, title,
    dataN/labelN, named parameters). Output keys (size, format, ratio) and the palette and brand
    kit are the caller's: they are not part of the body."""
    body = copy.deepcopy(dict(spec))
    apply_chart_overrides(body, args, progress=progress)
    apply_parameters(body, args, parameters)
    return body


def apply_chart_overrides(body: dict[str, Any], args: Mapping[str, str], *, progress: bool = False) -> None:
    """Labels, data, dataN/labelN and title applied in place to a Chart.js config ``body``."""
    data = body.setdefault("data", {})
    if not isinstance(data, dict):
        raise SpecError("data", "the template's data must be an object")
    datasets = data.setdefault("datasets", [])
    if "labels" in args:
        data["labels"] = split_list(args["labels"], "labels")
    if "data" in args:
        values = numbers(args["data"], "data")
        if progress:
            _set_progress(body, values)
        else:
            _dataset(datasets, 0)["data"] = values
    for key in sorted(args, key=lambda k: (len(k), k)):
        match = _SERIES.match(key)
        if not match:
            continue
        index = int(match.group(2)) - 1
        if index >= MAX_DATASETS:
            raise SpecError(key, f"at most {MAX_DATASETS} series")
        if index > len(datasets):
            raise SpecError(key, f"series {index + 1} needs series {len(datasets) + 1} first")
        ds = _dataset(datasets, index)
        if match.group(1) == "data":
            ds["data"] = numbers(args[key], key)
        else:
            ds["label"] = args[key]
    if "title" in args:
        title = {"display": bool(args["title"]), "text": args["title"]}
        options = body.setdefault("options", {})
        if not isinstance(options, dict):
            raise SpecError("title", "the template's options must be an object")
        plugins = options.get("plugins") if isinstance(options.get("plugins"), dict) else None
        if isinstance(body.get("card"), dict):
            body["card"]["title"] = args["title"]
        elif plugins is None and isinstance(options.get("title"), dict):
            options["title"] = title  # a Chart.js 2 config keeps its title under options
        else:
            options.setdefault("plugins", {})["title"] = title


def apply_parameters(
    body: dict[str, Any], args: Mapping[str, str], parameters: Mapping[str, Mapping[str, Any]]
) -> None:
    """A custom template's named parameters given in ``args``, each set at its path in ``body``."""
    for name, param in parameters.items():
        if name in args:
            _set_path(body, param["path"], args[name], name)


def _dataset(datasets: list, index: int) -> dict[str, Any]:
    while len(datasets) <= index:
        datasets.append({"data": []})
    if not isinstance(datasets[index], dict):
        datasets[index] = {"data": []}
    return datasets[index]


def _set_progress(body: dict[str, Any], values: list) -> None:
    """Progress bar and gauge: ``data`` is one percentage; the rest of the track is the remainder."""
    if len(values) != 1 or values[0] is None or not 0 <= values[0] <= 100:
        raise SpecError("data", "must be one number from 0 to 100 (a percentage)")
    value = values[0]
    rest = round(100 - value, 6)
    shown = f"{value:g}%"
    datasets = body["data"]["datasets"]
    if body["type"] == "bar":
        datasets[0]["data"], datasets[1]["data"] = [value], [rest]
    else:
        datasets[0]["data"] = [value, rest]
    if isinstance(body.get("card"), dict):
        body["card"]["value"] = shown


def progress_track(body: dict[str, Any], lead: str) -> None:
    """Colour a progress bar or gauge: the value in ``lead`` (the kit's first colour), the rest of
    the track a translucent grey."""
    datasets = body["data"]["datasets"]
    if body["type"] == "bar" and len(datasets) > 1:
        datasets[0].setdefault("backgroundColor", lead)
        datasets[1].setdefault("backgroundColor", _GREY)
        datasets[1].setdefault("borderColor", _GREY)
    elif body["type"] == "doughnut" and datasets:
        datasets[0].setdefault("backgroundColor", [lead, _GREY])


def _set_path(body: dict[str, Any], path: str, raw: str, name: str) -> None:
    keys = path.split(".")
    node: Any = body
    for i, key in enumerate(keys[:-1]):
        nxt = keys[i + 1]
        if isinstance(node, list):
            idx = int(key)
            if idx >= len(node):
                raise SpecError(name, f"the template path {path} does not exist")
            node = node[idx]
        elif isinstance(node, dict):
            node = node.setdefault(key, [] if nxt.isdigit() else {})
        else:
            raise SpecError(name, f"the template path {path} does not exist")
    last = keys[-1]
    current = None
    if isinstance(node, dict):
        current = node.get(last)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        current = node[int(last)]
    value: Any = raw
    if isinstance(current, list):
        value = (
            numbers(raw, name)
            if all(isinstance(v, int | float) or v is None for v in current)
            else split_list(raw, name)
        )
    elif isinstance(current, bool):
        value = raw.strip().lower() in ("1", "true", "yes", "on")
    elif isinstance(current, int | float):
        value = numbers(raw, name)[0] if raw.strip() else None
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    else:
        raise SpecError(name, f"the template path {path} does not exist")
