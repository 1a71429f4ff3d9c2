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

from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.extra_types.model import MAX_MAGNITUDE, ExtraType, Gauge, Needle, RadialGauge, ValueLabel
from core.specs.plugins import fields
from core.specs.plugins.tickformat import parse_number_format
from core.specs.values import Warnings, boolean, describe, item, join, mapping, number, sequence, text

_GAUGE_OPTIONS = ("needle", "valueLabel", "minValue", "cutoutPercentage")
_RADIAL_OPTIONS = ("domain", "trackColor", "centerPercentage", "roundedCorners", "centerArea")


def build(kind, chart, path, output, background, warnings: Warnings, build_spec):
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
        spec = build_spec(chart, path, output, background, warnings)
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
    spec = build_spec(chart, path, output, background, warnings)
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


def _needle(raw: Any, path: str, warnings: Warnings) -> Needle:
    obj = mapping(raw, path)
    # capAtMaxCapacity: the needle always stops at the range's ends here
    known = ("radiusPercentage", "widthPercentage", "lengthPercentage", "color", "capAtMaxCapacity")
    warnings.unknown_keys(obj, known, path)
    opts: dict[str, Any] = {}
    for key, name in (
        ("radiusPercentage", "radius_pct"),
        ("widthPercentage", "width_pct"),
        ("lengthPercentage", "length_pct"),
    ):
        if obj.get(key) is not None:
            opts[name] = number(obj[key], join(path, key), minimum=0, maximum=100)
    if obj.get("color") is not None:
        opts["color"] = fields.color(obj["color"], join(path, "color"))
    return Needle(**opts)


def _value_label(raw: Any, path: str, warnings: Warnings) -> ValueLabel:
    obj = mapping(raw, path)
    known = (
        "display",
        "color",
        "backgroundColor",
        "fontSize",
        "borderRadius",
        "padding",
        "bottomMarginPercentage",
        "numberFormat",
    )
    warnings.unknown_keys(obj, known, path)
    opts: dict[str, Any] = {}
    if obj.get("display") is not None:
        opts["display"] = boolean(obj["display"], join(path, "display"))
    for key, name in (("color", "color"), ("backgroundColor", "background_color")):
        if obj.get(key) is not None:
            opts[name] = fields.color(obj[key], join(path, key))
    if obj.get("fontSize") is not None:
        opts["font_size"] = number(obj["fontSize"], join(path, "fontSize"), minimum=1, maximum=500)
    if obj.get("borderRadius") is not None:
        opts["border_radius"] = number(
            obj["borderRadius"], join(path, "borderRadius"), minimum=0, maximum=500
        )
    if obj.get("padding") is not None:
        opts["padding"] = fields.padding(obj["padding"], join(path, "padding"))
    if obj.get("bottomMarginPercentage") is not None:
        opts["bottom_margin_pct"] = number(
            obj["bottomMarginPercentage"], join(path, "bottomMarginPercentage"), minimum=0, maximum=100
        )
    if obj.get("numberFormat") is not None:
        opts["number"] = parse_number_format(obj["numberFormat"], join(path, "numberFormat"), warnings)
    return ValueLabel(**opts)


def _radial_options(own: Mapping[str, Any], path: str, warnings: Warnings) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if own.get("trackColor") is not None:
        opts["track_color"] = fields.color(own["trackColor"], join(path, "trackColor"))
    if own.get("centerPercentage") is not None:
        opts["center_pct"] = number(
            own["centerPercentage"], join(path, "centerPercentage"), minimum=0, maximum=100
        )
    if own.get("roundedCorners") is not None:
        opts["rounded"] = boolean(own["roundedCorners"], join(path, "roundedCorners"))
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
    if area.get("displayText") is not None:
        opts["display_text"] = boolean(area["displayText"], join(area_path, "displayText"))
    for key, name in (("text", "text"), ("subText", "sub_text")):
        if area.get(key) is not None:
            value = area[key]
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise SpecError(join(area_path, key), f"must be text, got {describe(value)}")
            opts[name] = text(value, join(area_path, key))
    for key, name in (("fontColor", "text_color"), ("backgroundColor", "center_color")):
        if area.get(key) is not None:
            opts[name] = fields.color(area[key], join(area_path, key))
    if area.get("fontSize") is not None:
        opts["font_size"] = number(area["fontSize"], join(area_path, "fontSize"), minimum=1, maximum=500)
    if area.get("numberFormat") is not None:
        opts["number"] = parse_number_format(area["numberFormat"], join(area_path, "numberFormat"), warnings)
    return opts
