"""chartjs-plugin-datalabels, declaratively: ``options.plugins.datalabels`` and ``datasets[i].datalabels``.

Read: ``display`` (true, false, 'auto'), ``anchor`` (start, center, end), ``align`` (center, start,
end, top, bottom, left, right, or an angle in degrees), ``offset``, ``rotation``, ``color``, ``font``
({size, weight, family}), ``backgroundColor``, ``borderColor``, ``borderWidth``, ``borderRadius``,
``padding`` (a number or {top, right, bottom, left}), ``clamp``. Colours may be lists (one per data
point, the plugin's "indexable" form). A dataset's block is merged over the chart's (``font`` key
by key); ``datalabels: false`` on a dataset hides its labels.

Labels show when the chart configures the plugin (QuickChart registers it on every chart; a
configured block defaults to ``display: true``) or the dataset has its own block. A chart that does
not mention the plugin gets no labels: the native API follows Chart.js, where datalabels is not
registered. QuickChart itself shows labels on pie and doughnut charts by default;
``quickchart_defaults`` applies that rule for the QuickChart-compatible route.

``formatter`` functions are refused with the rest of the code in a spec; numbers are formatted with
``tickFormat`` (``applyToDataLabels``) or with ``numberFormat`` here, which takes the same options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.plugins import fields
from core.specs.plugins.model import DataLabels
from core.specs.plugins.tickformat import parse_number_format
from core.specs.values import Warnings, boolean, choice, describe, item, join, mapping, number

ANCHORS = ("start", "center", "end")
ALIGNS = ("center", "start", "end", "top", "bottom", "left", "right")
_KEYS = (
    "display", "anchor", "align", "offset", "rotation", "color", "font", "backgroundColor",
    "borderColor", "borderWidth", "borderRadius", "padding", "clamp", "numberFormat",
)  # fmt: skip
_DEFAULT_SHOWN_TYPES = ("pie", "doughnut")


def quickchart_defaults(chart: Mapping[str, Any]) -> dict[str, Any]:
    """QuickChart's rule for a chart that does not configure datalabels: shown on pie and doughnut
    charts, hidden elsewhere. Returns a copy of ``chart`` with that made explicit."""
    out = dict(chart)
    options = dict(out.get("options") or {})
    plugins = dict(options.get("plugins") or {})
    if "datalabels" not in plugins and isinstance(out.get("type"), str):
        plugins["datalabels"] = {"display": out["type"] in _DEFAULT_SHOWN_TYPES}
        options["plugins"] = plugins
        out["options"] = options
    return out


def parse_datalabels(
    chart_raw: Any, chart_path: str, datasets: list[tuple[Any, str]], warnings: Warnings
) -> tuple[DataLabels | None, ...]:
    """One resolved ``DataLabels`` per dataset (None: no labels). ``datasets`` holds each
    dataset's raw ``datalabels`` value and its path."""
    chart = None if chart_raw is None else _block(chart_raw, chart_path)
    out: list[DataLabels | None] = []
    for raw, path in datasets:
        if raw is None and chart is None:
            out.append(None)
            continue
        own = {} if raw is None else _block(raw, path)
        if own is False or (chart is False and raw is None):
            out.append(None)
            continue
        merged: dict[str, tuple[Any, str]] = {}
        for block, block_path in ((chart, chart_path), (own, path)):
            if isinstance(block, Mapping):
                for key, value in block.items():
                    if key == "font" and "font" in merged and isinstance(value, Mapping):
                        base = merged["font"][0]
                        merged["font"] = ({**base, **value}, join(block_path, "font"))
                    else:
                        merged[key] = (value, join(block_path, key))
        out.append(_options(merged, warnings))
    return tuple(out)


def _block(raw: Any, path: str) -> Mapping[Any, Any] | bool:
    if isinstance(raw, bool):
        return raw if raw is False else {}
    if not isinstance(raw, Mapping):
        raise SpecError(path, f"must be an object (or false), got {describe(raw)}")
    return raw


def _options(merged: dict[str, tuple[Any, str]], warnings: Warnings) -> DataLabels | None:
    for key, (_value, path) in merged.items():
        if key not in _KEYS:
            warnings.add(path)  # labels, formatter, textAlign, clip, opacity...: not implemented

    def get(key: str) -> tuple[Any, str] | tuple[None, str]:
        return merged.get(key, (None, key))

    value, path = get("display")
    if not fields.display(value, path):
        return None
    opts: dict[str, Any] = {}
    if isinstance(value, str):  # "auto": hidden where it would overlap another label
        opts["auto"] = True
    value, path = get("anchor")
    if value is not None:
        opts["anchor"] = choice(value, path, ANCHORS)
    value, path = get("align")
    if value is not None:
        opts["align"] = _align(value, path)
    for key, name, low, high in (
        ("offset", "offset", -fields.MAX_OFFSET, fields.MAX_OFFSET),
        ("rotation", "rotation", -3600.0, 3600.0),
        ("borderWidth", "border_width", 0.0, 100.0),
        ("borderRadius", "border_radius", 0.0, fields.MAX_OFFSET),
    ):
        value, path = get(key)
        if value is not None:
            opts[name] = number(value, path, minimum=low, maximum=high)
    for key, name in (
        ("color", "color"),
        ("backgroundColor", "background_color"),
        ("borderColor", "border_color"),
    ):
        value, path = get(key)
        if value is not None:
            opts[name] = fields.colors(value, path)
    value, path = get("font")
    if value is not None:
        opts["font"] = fields.font(value, path, warnings)
    value, path = get("padding")
    if value is not None:
        opts["padding"] = fields.padding(value, path)
    value, path = get("clamp")
    if value is not None:
        opts["clamp"] = boolean(value, path)
    value, path = get("numberFormat")
    if value is not None:
        opts["number"] = parse_number_format(value, path, warnings)
    return DataLabels(**opts)


def _align(value: Any, path: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        degrees = number(value, path, minimum=-3600, maximum=3600)
        return f"{degrees:g}"
    return choice(value, path, ALIGNS)


def dataset_blocks(datasets_raw: Any, datasets_path: str) -> list[tuple[Any, str]]:
    """Each dataset's raw ``datalabels`` value with its path (the datasets were validated already)."""
    if not isinstance(datasets_raw, (list, tuple)):
        return []
    out = []
    for i, ds in enumerate(datasets_raw):
        path = join(item(datasets_path, i), "datalabels")
        out.append((mapping(ds, item(datasets_path, i)).get("datalabels"), path))
    return out
