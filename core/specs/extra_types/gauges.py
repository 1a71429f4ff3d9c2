"""``gauge`` (chartjs-gauge) and ``radialGauge`` (chartjs-chart-radial-gauge) options.

gauge: ``datasets[0].data`` are the sectors' upper bounds (ascending), ``datasets[0].value`` the
needle's value, ``datasets[0].minValue`` (or ``options.minValue``) where the first sector starts (0);
``backgroundColor`` colours the sectors. ``options.needle`` {radiusPercentage, widthPercentage,
lengthPercentage, color}, ``options.valueLabel`` {display, color, backgroundColor, fontSize,
borderRadius, padding, bottomMarginPercentage, numberFormat}, ``options.cutoutPercentage``.

radialGauge: ``datasets[0].data[0]`` is the value, drawn as an arc from 12 o'clock over the track.
``options.domain`` [min, max] (0-100), ``trackColor``, ``centerPercentage`` (the hole, 80),
``roundedCorners`` (true), ``centerArea`` {displayText, text, fontColor, fontSize, backgroundColor,
subText, numberFormat}. ``text`` is literal; ``formatter``/``text`` functions are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from core.specs.errors import SpecError
from core.specs.extra_types.model import MAX_MAGNITUDE, ExtraType, Gauge, Needle, RadialGauge, ValueLabel
from core.specs.plugins import fields
from core.specs.plugins.tickformat import parse_number_format
from core.specs.values import Warnings, boolean, describe, item, join, mapping, number, sequence, text

_GAUGE_OPTIONS = ("needle", "valueLabel", "minValue", "cutoutPercentage")
_RADIAL_OPTIONS = ("domain", "trackColor", "centerPercentage", "roundedCorners", "centerArea")


def build(kind, chart, path, warnings: Warnings, build_spec):
    from core.specs.extra_types import datasets_of, with_extra

    datasets = datasets_of(chart, path)
    ds_path = item(join(join(path, "data"), "datasets"), 0)
    options_path = join(path, "options")
    options = chart["options"]
    first = datasets[0]
    plugins = options.get("plugins") if isinstance(options.get("plugins"), dict) else {}
    if options.get("legend") is None and plugins.get("legend") is None:
        # both plugins turn Chart.js's legend off by default
        options["plugins"] = {**plugins, "legend": {"display": False}}
    if kind == "gauge":
        own = {k: options.pop(k) for k in _GAUGE_OPTIONS if k in options}
        value_raw = first.pop("value", None)
        min_raw = first.pop("minValue", None)
        if value_raw is None:
            raise SpecError(join(ds_path, "value"), "is required: the needle's value")
        value = measure(value_raw, join(ds_path, "value"))
        thresholds = _numbers(first.get("data"), join(ds_path, "data"))
        min_value = 0.0
        for raw, raw_path in (
            (min_raw, join(ds_path, "minValue")),
            (own.get("minValue"), join(options_path, "minValue")),
        ):
            if raw is not None:
                min_value = measure(raw, raw_path)
                break
        if any(b < a for a, b in zip([min_value, *thresholds], thresholds, strict=False)):
            raise SpecError(join(ds_path, "data"), "sector bounds must ascend from minValue")
        chart["type"] = "doughnut"
        spec = build_spec(chart)
        gauge = Gauge(
            value=value,
            min_value=min_value,
            cutout_pct=_pct(own.get("cutoutPercentage"), join(options_path, "cutoutPercentage"), 50.0),
            needle=_needle(own.get("needle"), join(options_path, "needle"), warnings),
            value_label=_value_label(own.get("valueLabel"), join(options_path, "valueLabel"), warnings),
        )
        return with_extra(spec, "gauge", ExtraType(gauge=gauge))
    own = {k: options.pop(k) for k in _RADIAL_OPTIONS if k in options}
    values = _numbers(first.get("data"), join(ds_path, "data"))
    if not values:
        raise SpecError(join(ds_path, "data"), "needs the gauge's value, e.g. [70]")
    domain = (0.0, 100.0)
    if own.get("domain") is not None:
        domain_path = join(options_path, "domain")
        raw = sequence(own["domain"], domain_path)
        if len(raw) != 2:
            raise SpecError(domain_path, "must be [min, max]")
        domain = (measure(raw[0], item(domain_path, 0)), measure(raw[1], item(domain_path, 1)))
        if domain[1] <= domain[0]:
            raise SpecError(domain_path, "max must be greater than min")
    chart["type"] = "doughnut"
    spec = build_spec(chart)
    radial = RadialGauge(value=values[0], domain=domain, **_radial_options(own, options_path, warnings))
    return with_extra(spec, "radialGauge", ExtraType(radial_gauge=radial))


def measure(value: Any, path: str) -> float:
    return number(value, path, minimum=-MAX_MAGNITUDE, maximum=MAX_MAGNITUDE)


def _numbers(raw: Any, path: str) -> list[float]:
    if raw is None:
        raise SpecError(path, "is required")
    return [measure(v, item(path, i)) for i, v in enumerate(sequence(raw, path))]


def _pct(raw: Any, path: str, default: float) -> float:
    return default if raw is None else number(raw, path, minimum=0, maximum=100)


_PERCENT = partial(number, minimum=0, maximum=100)
_FONT_SIZE = partial(number, minimum=1, maximum=500)
Readers = Mapping[str, tuple[str, Callable[[Any, str], Any]]]


def _read(obj: Mapping[str, Any], path: str, readers: Readers) -> dict[str, Any]:
    """``{name: read(value, its path)}`` for each ``key: (name, read)`` of ``readers`` that ``obj``
    sets (not null), read in the table's order."""
    return {
        name: read(obj[key], join(path, key))
        for key, (name, read) in readers.items()
        if obj.get(key) is not None
    }


def _number_format(warnings: Warnings) -> Callable[[Any, str], Any]:
    return lambda raw, path: parse_number_format(raw, path, warnings)


_NEEDLE: Readers = {
    "radiusPercentage": ("radius_pct", _PERCENT),
    "widthPercentage": ("width_pct", _PERCENT),
    "lengthPercentage": ("length_pct", _PERCENT),
    "color": ("color", fields.color),
}


def _needle(raw: Any, path: str, warnings: Warnings) -> Needle:
    obj = mapping(raw, path)
    # capAtMaxCapacity: the needle always stops at the range's ends here
    warnings.unknown_keys(obj, (*_NEEDLE, "capAtMaxCapacity"), path)
    return Needle(**_read(obj, path, _NEEDLE))


def _value_label(raw: Any, path: str, warnings: Warnings) -> ValueLabel:
    obj = mapping(raw, path)
    readers: Readers = {
        "display": ("display", boolean),
        "color": ("color", fields.color),
        "backgroundColor": ("background_color", fields.color),
        "fontSize": ("font_size", _FONT_SIZE),
        "borderRadius": ("border_radius", partial(number, minimum=0, maximum=500)),
        "padding": ("padding", fields.padding),
        "bottomMarginPercentage": ("bottom_margin_pct", _PERCENT),
        "numberFormat": ("number", _number_format(warnings)),
    }
    warnings.unknown_keys(obj, tuple(readers), path)
    return ValueLabel(**_read(obj, path, readers))


def _literal_text(value: Any, path: str) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SpecError(path, f"must be text, got {describe(value)}")
    return text(value, path)


def _radial_options(own: Mapping[str, Any], path: str, warnings: Warnings) -> dict[str, Any]:
    opts = _read(
        own,
        path,
        {
            "trackColor": ("track_color", fields.color),
            "centerPercentage": ("center_pct", _PERCENT),
            "roundedCorners": ("rounded", boolean),
        },
    )
    area_path = join(path, "centerArea")
    area = mapping(own.get("centerArea"), area_path)
    known = (
        "displayText",
        "text",
        "fontColor",
        "fontSize",
        "fontFamily",
        "backgroundColor",
        "subText",
        "padding",
        "numberFormat",
    )
    warnings.unknown_keys(area, known, area_path)
    readers: Readers = {
        "displayText": ("display_text", boolean),
        "text": ("text", _literal_text),
        "subText": ("sub_text", _literal_text),
        "fontColor": ("text_color", fields.color),
        "backgroundColor": ("center_color", fields.color),
        "fontSize": ("font_size", _FONT_SIZE),
        "numberFormat": ("number", _number_format(warnings)),
    }
    opts.update(_read(area, area_path, readers))
    return opts
