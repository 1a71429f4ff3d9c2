"""The ``options`` part of a Chart.js-style spec: titles, legend, scales, canvas background.

Chart.js 2.x and 3.x/4.x put the same settings in different places (``options.title`` vs
``options.plugins.title``, ``options.scales.yAxes[]`` vs ``options.scales.y``, ``scaleLabel`` vs
``title``, ``gridLines`` vs ``grid``, ``fontColor`` vs ``color``...). Both layouts go through the same
readers so equivalent inputs give equal ``ChartSpec`` values. Where both layouts name the same setting
the 3.x one wins and the 2.x one is reported as ignored.

A title (chart or axis) whose ``display`` is not given is shown when it has text: a client that sends
a title wants to see it, even though Chart.js itself hides titles by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.model import LEGEND_POSITIONS, SCALE_TYPES, Axis, Legend, Text
from core.specs.plugins import keys as plugin_keys
from core.specs.values import (
    Warnings,
    boolean,
    choice,
    epoch_seconds,
    item,
    join,
    mapping,
    number,
    optional_number,
    sequence,
    text,
    text_lines,
)

SCALE_TYPE_ALIASES = {"timeseries": "time", "radialLinear": "linear"}
TITLE_POSITIONS = ("top", "bottom", "left", "right")
AXIS_POSITIONS = ("top", "bottom", "left", "right", "center", "chartArea")

_OPTION_KEYS = ("plugins", "title", "legend", "scales", "scale", "indexAxis", *plugin_keys.OPTION_KEYS)
_PLUGIN_KEYS = ("title", "subtitle", "legend", "customCanvasBackgroundColor", *plugin_keys.PLUGIN_KEYS)
_TITLE_KEYS = ("display", "text", "color", "font", "position", "fontColor", "fontSize")
_LEGEND_KEYS = ("display", "position", "labels")
_AXIS_KEYS = (
    "type", "min", "max", "stacked", "beginAtZero", "reverse", "display", "position",
    "title", "scaleLabel", "ticks", "grid", "gridLines", "axis",
)  # fmt: skip
_TICK_KEYS = ("display", "min", "max", "beginAtZero", "reverse")


@dataclass(frozen=True)
class Options:
    """What the parser needs from ``options``; ``scales`` keeps declaration order."""

    title: Text | None = None
    subtitle: Text | None = None
    legend: Legend = field(default_factory=Legend)
    scales: dict[str, Axis] = field(default_factory=dict)
    axis_letters: dict[str, str] = field(default_factory=dict)  # id -> "x" / "y" / "r"
    index_axis: str | None = None
    background_color: str | None = None

    def first_axis(self, letter: str) -> str:
        """The id a dataset uses when it names no axis: the first declared axis of that direction
        (Chart.js's rule), else the letter itself."""
        return next((k for k, v in self.axis_letters.items() if v == letter), letter)


def parse_options(raw: Any, path: str, warnings: Warnings) -> Options:
    """Read ``options`` (``path`` is where it sits, e.g. ``options`` or ``chart.options``)."""
    opts = mapping(raw, path)
    warnings.unknown_keys(opts, _OPTION_KEYS, path)
    plugins_path = join(path, "plugins")
    plugins = mapping(opts.get("plugins"), plugins_path)
    warnings.unknown_keys(plugins, _PLUGIN_KEYS, plugins_path)

    title = _pick(plugins, plugins_path, opts, path, "title", warnings)
    title_text = _text(title[0], title[1], warnings) if title else None
    subtitle = _text(plugins.get("subtitle"), join(plugins_path, "subtitle"), warnings)
    legend = _pick(plugins, plugins_path, opts, path, "legend", warnings)
    legend_box = _legend(legend[0], legend[1], warnings) if legend else Legend()
    scales, letters = _scales(opts, path, warnings)
    index_axis = None
    if opts.get("indexAxis") is not None:
        index_axis = choice(opts["indexAxis"], join(path, "indexAxis"), ("x", "y"))
    background = None
    bg_path = join(plugins_path, "customCanvasBackgroundColor")
    bg = mapping(plugins.get("customCanvasBackgroundColor"), bg_path)
    warnings.unknown_keys(bg, ("color",), bg_path)
    if bg.get("color") is not None:
        background = parse_color(bg["color"], join(bg_path, "color"))
    return Options(
        title=title_text,
        subtitle=subtitle,
        legend=legend_box,
        scales=scales,
        axis_letters=letters,
        index_axis=index_axis,
        background_color=background,
    )


def _pick(
    plugins: Mapping[Any, Any],
    plugins_path: str,
    opts: Mapping[Any, Any],
    path: str,
    key: str,
    warnings: Warnings,
) -> tuple[Any, str] | None:
    """The 3.x ``plugins.<key>`` block if present, else the 2.x ``options.<key>`` one."""
    if plugins.get(key) is not None:
        if opts.get(key) is not None:
            warnings.add(join(path, key))
        return plugins[key], join(plugins_path, key)
    if opts.get(key) is not None:
        return opts[key], join(path, key)
    return None


def _text(raw: Any, path: str, warnings: Warnings) -> Text | None:
    if raw is None:
        return None
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, _TITLE_KEYS, path)
    lines = _displayed_text(obj, "text", path)
    if lines is None:
        return None
    color_key = "color" if obj.get("color") is not None else "fontColor"
    color = parse_color(obj[color_key], join(path, color_key)) if obj.get(color_key) is not None else None
    size = _font_size(obj, path, warnings)
    position = "top"
    if obj.get("position") is not None:
        position = choice(obj["position"], join(path, "position"), TITLE_POSITIONS)
    return Text(lines=lines, color=color, font_size=size, position=position)


def _displayed_text(obj: Mapping[Any, Any], key: str, path: str) -> tuple[str, ...] | None:
    display = obj.get("display")
    if display is not None and not boolean(display, join(path, "display")):
        return None
    if obj.get(key) is None:
        return None
    lines = text_lines(obj[key], join(path, key))
    return lines if any(lines) else None


def _font_size(obj: Mapping[Any, Any], path: str, warnings: Warnings) -> float | None:
    font_path = join(path, "font")
    font = mapping(obj.get("font"), font_path)
    warnings.unknown_keys(font, ("size",), font_path)
    if font.get("size") is not None:
        return number(font["size"], join(font_path, "size"), minimum=1, maximum=500)
    return optional_number(obj.get("fontSize"), join(path, "fontSize"), minimum=1, maximum=500)


def _legend(raw: Any, path: str, warnings: Warnings) -> Legend:
    if isinstance(raw, bool):  # `legend: false`, as QuickChart's documented examples write it
        return Legend(display=raw)
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, _LEGEND_KEYS, path)
    display = True if obj.get("display") is None else boolean(obj["display"], join(path, "display"))
    position = "top"
    if obj.get("position") is not None:
        position = choice(obj["position"], join(path, "position"), LEGEND_POSITIONS)
    labels_path = join(path, "labels")
    labels = mapping(obj.get("labels"), labels_path)
    warnings.unknown_keys(labels, ("color", "fontColor"), labels_path)
    color = None
    for key in ("color", "fontColor"):
        if labels.get(key) is not None:
            color = parse_color(labels[key], join(labels_path, key))
            break
    return Legend(display=display, position=position, color=color)


def _scales(opts: Mapping[Any, Any], path: str, warnings: Warnings) -> tuple[dict[str, Axis], dict[str, str]]:
    """All declared axes, in declaration order, with the direction letter of each."""
    entries: list[tuple[str, Any, str, str | None]] = []  # (id, raw, path, letter from a 2.x list)
    scales_path = join(path, "scales")
    scales = mapping(opts.get("scales"), scales_path)
    for key, raw in scales.items():
        key_path = join(scales_path, key)
        if key in ("xAxes", "yAxes"):
            letter = key[0]
            for i, entry in enumerate(sequence(raw, key_path)):
                entry_path = item(key_path, i)
                axis_id = mapping(entry, entry_path).get("id")
                axis_id = _v2_axis_id(axis_id, entry_path, letter, i, entries)
                entries.append((axis_id, entry, entry_path, letter))
        else:
            entries.append((str(key), raw, key_path, None))
    if opts.get("scale") is not None:  # 2.x radar / polarArea: one radial scale
        scale_path = join(path, "scale")
        if any(e[0] == "r" for e in entries):
            warnings.add(scale_path)
        else:
            entries.append(("r", opts["scale"], scale_path, "r"))

    axes: dict[str, Axis] = {}
    letters: dict[str, str] = {}
    for axis_id, raw, entry_path, letter in entries:
        if axis_id in axes:
            raise SpecError(entry_path, f"axis id {axis_id!r} is declared twice")
        obj = mapping(raw, entry_path)
        axes[axis_id] = _axis(obj, entry_path, warnings, allow_id=letter in ("x", "y"))
        letters[axis_id] = letter or _axis_letter(axis_id, obj, entry_path)
    return axes, letters


def _v2_axis_id(raw_id: Any, path: str, letter: str, index: int, entries: list[Any]) -> str:
    if raw_id is not None:
        return text(raw_id, join(path, "id"))
    if index == 0:
        return letter
    taken = {e[0] for e in entries}
    n = index
    while f"{letter}{n}" in taken:
        n += 1
    return f"{letter}{n}"


def _axis_letter(axis_id: str, obj: Mapping[Any, Any], path: str) -> str:
    if axis_id in ("x", "y", "r"):
        return axis_id
    if obj.get("axis") is not None:
        return choice(obj["axis"], join(path, "axis"), ("x", "y", "r"))
    position = obj.get("position")
    if position in ("top", "bottom"):
        return "x"
    if position in ("left", "right"):
        return "y"
    # Chart.js falls back to the id's first letter; an id that gives no hint at all ("amount") is
    # taken as a value axis, the usual reason for naming an extra axis.
    return axis_id[:1].lower() if axis_id[:1].lower() in ("x", "y", "r") else "y"


def _axis(obj: Mapping[Any, Any], path: str, warnings: Warnings, *, allow_id: bool) -> Axis:
    warnings.unknown_keys(obj, (*_AXIS_KEYS, "id") if allow_id else _AXIS_KEYS, path)
    axis = Axis()
    if obj.get("type") is not None:
        axis = replace(axis, type=choice(obj["type"], join(path, "type"), SCALE_TYPES, SCALE_TYPE_ALIASES))

    ticks_path = join(path, "ticks")
    ticks = mapping(obj.get("ticks"), ticks_path)
    warnings.unknown_keys(ticks, _TICK_KEYS, ticks_path)
    grid_key = "grid" if obj.get("grid") is not None else "gridLines"
    if grid_key == "grid" and obj.get("gridLines") is not None:
        warnings.add(join(path, "gridLines"))
    grid_path = join(path, grid_key)
    grid = mapping(obj.get(grid_key), grid_path)
    warnings.unknown_keys(grid, ("display",), grid_path)

    own, tick, grid_src = (obj, path), (ticks, ticks_path), (grid, grid_path)
    flags = {}
    for name, key, sources in (
        ("stacked", "stacked", (own,)),
        ("begin_at_zero", "beginAtZero", (own, tick)),
        ("reverse", "reverse", (own, tick)),
        ("display", "display", (own,)),
        ("ticks_display", "display", (tick,)),
        ("grid_display", "display", (grid_src,)),
    ):
        for source, source_path in sources:
            if source.get(key) is not None:
                flags[name] = _flag(source[key], join(source_path, key))
                break
    axis = replace(axis, **flags)

    for bound in ("min", "max"):
        for source, source_path in ((obj, path), (ticks, ticks_path)):
            if source.get(bound) is not None:
                axis = replace(
                    axis, **{bound: _bound(source[bound], join(source_path, bound), axis, warnings)}
                )
                break
    if axis.min is not None and axis.max is not None and axis.min > axis.max:
        raise SpecError(join(path, "min"), f"({axis.min:g}) must not be greater than max ({axis.max:g})")
    if axis.type == "logarithmic" and axis.min is not None and axis.min <= 0:
        raise SpecError(join(path, "min"), "must be greater than 0 on a logarithmic axis")

    if obj.get("position") is not None:
        if isinstance(obj["position"], Mapping):  # {x: value} anchoring: not implemented
            warnings.add(join(path, "position"))
        else:
            axis = replace(axis, position=choice(obj["position"], join(path, "position"), AXIS_POSITIONS))
    return replace(axis, title=_axis_title(obj, path, warnings))


def _flag(value: Any, path: str) -> bool:
    # Chart.js also allows stacked: "single" and display: "auto"; both mean "on" here.
    if isinstance(value, str) and value in ("single", "auto"):
        return True
    return boolean(value, path)


def _bound(value: Any, path: str, axis: Axis, warnings: Warnings) -> float | None:
    if axis.type == "time":
        return epoch_seconds(value, path)
    if isinstance(value, str) and axis.type in (None, "category"):  # a label name: not implemented
        warnings.add(path)
        return None
    return number(value, path)


def _axis_title(obj: Mapping[Any, Any], path: str, warnings: Warnings) -> str | None:
    if obj.get("title") is not None and obj.get("scaleLabel") is not None:
        warnings.add(join(path, "scaleLabel"))
    for key, text_key in (("title", "text"), ("scaleLabel", "labelString")):
        if obj.get(key) is None:
            continue
        title_path = join(path, key)
        title = mapping(obj[key], title_path)
        warnings.unknown_keys(title, ("display", text_key), title_path)
        lines = _displayed_text(title, text_key, title_path)
        return "\n".join(lines) if lines else None
    return None
