"""Templates in every dialect: a custom template stores a spec in the dialect it was written in
(a Chart.js body, a QuickChart request, Image-Charts parameters or a finance snapshot body), and
``GET /api/v1/templates/{id}/render`` maps its overrides onto that dialect's own fields.

For each dialect this module knows how a stored spec is checked when it is saved (with the
dialect's own parser, errors naming ``spec.<field>``) and how the overrides edit it
(``TemplateDialect.apply``). Parsing the edited spec into a ``ChartSpec`` is the api's job (a
finance snapshot needs the market data), through the same registry the jobs route uses.

| override | chartjs | quickchart | imagecharts | finance |
| --- | --- | --- | --- | --- |
| labels | data.labels | chart.data.labels | chl (pie family), else the x axis's chxl | refused |
| data, dataN | datasets[N-1].data | chart.data.datasets[N-1].data | series N of chd | refused |
| labelN | datasets[N-1].label | chart...datasets[N-1].label | entry N of chdl | refused |
| title | the title (or the card's) | the title | chtt | refused |
| width, height | width, height | width, height | chs | width, height |
| format | format | format | png only | format (png, jpeg) |
| palette | the kit's palette | the kit's palette | chco | refused |

``scale``/``devicePixelRatio`` (default 2 unless the stored spec sets its own ratio) and
``brandKitId`` apply to the parsed spec of every dialect, as do named parameters (a dotted path
into the stored spec).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from core.specs import templates
from core.specs.cards import parse_card
from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.finance import SnapshotFieldErrors, parse_snapshot
from core.specs.imagecharts import parse_imagecharts
from core.specs.imagecharts.data import decode_chd
from core.specs.imagecharts.params import CHART_TYPES
from core.specs.model import MAX_PIXEL_RATIO, MAX_PIXELS, MIN_PIXEL_RATIO, ChartSpec
from core.specs.quickchart import read_request

DEFAULT_SCALE = 2  # the template route renders for retina screens unless told otherwise
CHART_KEYS = ("labels", "data", "title")  # overrides that edit a chart's data
REQUEST_KEYS = ("card", "brandKitId", "returnUrl")  # stored with a Chart.js body, not part of it
_RADIAL = frozenset(code for code, (family, _) in CHART_TYPES.items() if family in ("pie", "polarArea"))


@dataclasses.dataclass(frozen=True)
class Overridden:
    """A stored spec with the overrides applied, ready for its dialect's parser."""

    body: dict[str, Any]
    ratio: float  # the device pixel ratio to render at
    ratio_field: str  # the override to blame for it (scale or devicePixelRatio)
    renames: Mapping[str, str] = dataclasses.field(default_factory=dict)  # dialect field -> override
    palette: tuple[str, ...] | None = None  # for the brand kit's palette (None: nothing or in the body)

    def blame(self, exc: SpecError) -> SpecError:
        """``exc`` naming the override that set the field it names, if one did."""
        if exc.field not in self.renames:
            return exc
        return SpecError(self.renames[exc.field], exc.message, code=exc.code, status=exc.status)


@dataclasses.dataclass(frozen=True)
class TemplateDialect:
    name: str
    # The stored form of a spec (normalized); raises SpecError naming the field.
    check: Callable[[Any], dict[str, Any]]
    # (stored body, query args, named parameters) -> the body to parse, with the output settings.
    apply: Callable[[Mapping[str, Any], Mapping[str, str], Mapping[str, Mapping[str, Any]]], Overridden]


def pixel_ratio(args: Mapping[str, str], stored: Any) -> tuple[float, str]:
    """The ratio asked for (``scale`` wins over ``devicePixelRatio``), else the stored spec's own,
    else 2; and the name to blame when it is refused."""
    field = "scale" if "scale" in args else "devicePixelRatio"
    if field not in args:
        return (stored if stored is not None else DEFAULT_SCALE), field
    values = templates.numbers(str(args[field]), field)
    if len(values) != 1 or values[0] is None or not MIN_PIXEL_RATIO <= values[0] <= MAX_PIXEL_RATIO:
        raise SpecError(field, f"must be a number from {MIN_PIXEL_RATIO} to {MAX_PIXEL_RATIO}")
    return values[0], field


def with_ratio(spec: ChartSpec, ratio: float, field: str) -> ChartSpec:
    """``spec`` rendered at ``ratio``, within the image pixel budget."""
    out = dataclasses.replace(spec, device_pixel_ratio=ratio)
    pixels = out.pixel_width * out.pixel_height
    if pixels > MAX_PIXELS:
        raise SpecError(
            field,
            f"{spec.width}x{spec.height} at ratio {ratio:g} is {pixels:,} pixels; "
            f"the limit is {MAX_PIXELS:,}",
        )
    return out


def _refuse(args: Mapping[str, str], names: tuple[str, ...], dialect: str) -> None:
    for name in sorted(args):
        if name in names or templates.is_series(name):
            raise SpecError(name, f"is not an override of {dialect} templates")


def _prefixed(exc: SpecError) -> SpecError:
    field = exc.field if exc.field.startswith("spec") else f"spec.{exc.field}" if exc.field else "spec"
    return SpecError(field, exc.message, code=exc.code, status=exc.status)


# Chart.js: the body of POST /api/v1/render, optionally with a card. QuickChart templates take the
# same overrides (apply_chartjs).


def _check_chartjs(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise SpecError("spec", "must be an object")
    try:
        parse_chart({k: v for k, v in spec.items() if k not in REQUEST_KEYS})
        parse_card(spec.get("card"), "card")
    except SpecError as exc:
        raise _prefixed(exc) from exc
    return dict(spec)


def apply_chartjs(
    spec: Mapping[str, Any],
    args: Mapping[str, str],
    parameters: Mapping[str, Mapping[str, Any]],
    *,
    progress: bool = False,
) -> Overridden:
    body = copy.deepcopy(dict(spec))
    ratio, field = pixel_ratio(args, body.get("devicePixelRatio"))
    body["devicePixelRatio"] = ratio  # the parser checks the pixel budget at this ratio
    # A QuickChart request (stored with its config as an object) and a Chart.js body in the
    # {"chart": ...} envelope keep the chart one level down.
    chart = body["chart"] if isinstance(body.get("chart"), dict) else body
    templates.apply_chart_overrides(chart, args, progress=progress)
    templates.apply_parameters(body, args, parameters)
    for key in ("width", "height", "format"):
        if key in args:
            body[key] = args[key]
    palette = templates.parse_palette(args["palette"]) if "palette" in args else None
    return Overridden(body, ratio, field, {"devicePixelRatio": field}, palette)


# QuickChart: its request body ({"chart": ..., "width", "height", "format", ...}), stored normalized
# (a JavaScript-literal config is kept as the JSON it reads as).


def _check_quickchart(spec: Any) -> dict[str, Any]:
    try:
        req = read_request(spec)
    except SpecError as exc:
        raise _prefixed(exc) from exc
    sent = dict(req.sent_as)  # what was not sent stays a default (a kit fills the background)
    return {k: v for k, v in req.stored().items() if k == "chart" or k in sent}


# Image-Charts: the parameters of a /chart URL (cht, chs, chd, ...) as an object of strings.


def _check_imagecharts(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in spec.items()
    ):
        raise SpecError("spec", "Image-Charts parameters must be an object of strings (cht, chs, chd, ...)")
    for reserved in ("icac", "ichm", "brandKitId"):
        if reserved in spec:
            raise SpecError(f"spec.{reserved}", "is a request parameter, not part of a stored chart")
    try:
        parse_imagecharts(dict(spec))
    except SpecError as exc:
        raise _prefixed(exc) from exc
    return dict(spec)


def _apply_imagecharts(
    spec: Mapping[str, Any], args: Mapping[str, str], parameters: Mapping[str, Mapping[str, Any]]
) -> Overridden:
    params = dict(spec)
    retina = params.pop("icretina", None)
    stored_ratio = None if retina is None else (2 if retina.strip().lower() in ("1", "true") else 1)
    ratio, field = pixel_ratio(args, stored_ratio)
    renames: dict[str, str] = {}
    if "labels" in args:
        labels = _pipe_free(templates.split_list(args["labels"], "labels"), "labels")
        if params.get("cht", "").strip().split(":")[0] in _RADIAL:
            params["chl"] = "|".join(labels)
        else:
            _axis_labels(params, labels)
        renames.update(chl="labels", chxl="labels", chxt="labels")
    series = {int(k[4:]) - 1: k for k in args if templates.is_series(k) and k.startswith("data")}
    if "data" in args:
        series[0] = "data"
    if series:
        params["chd"] = _with_series(params.get("chd", "a:"), {i: (k, args[k]) for i, k in series.items()})
        renames["chd"] = series[min(series)]
    legend = {int(k[5:]) - 1: k for k in args if templates.is_series(k) and k.startswith("label")}
    if legend:
        entries = params.get("chdl", "").split("|") if params.get("chdl") else []
        for index in sorted(legend):
            entries.extend([""] * (index + 1 - len(entries)))
            entries[index] = _pipe_free([args[legend[index]]], legend[index])[0]
        params["chdl"] = "|".join(entries)
        renames["chdl"] = legend[min(legend)]
    if "title" in args:
        params["chtt"] = args["title"]
        renames["chtt"] = "title"
    if "width" in args or "height" in args:
        width, _, height = params.get("chs", "").partition("x")
        params["chs"] = f"{args.get('width', width).strip()}x{args.get('height', height).strip()}"
        renames["chs"] = "width" if "width" in args else "height"
    if "format" in args and args["format"].strip().lower() != "png":
        raise SpecError("format", "an Image-Charts template renders png (a gif when it is animated)")
    if "palette" in args:
        colors = templates.parse_palette(args["palette"])
        params["chco"] = ",".join(c.lstrip("#").upper() for c in colors)
        renames["chco"] = "palette"
    if parameters:
        templates.apply_parameters(params, args, parameters)
        params = {k: v if isinstance(v, str) else _as_text(v) for k, v in params.items()}
    return Overridden(params, ratio, field, renames)


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join("" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _pipe_free(values: list[str], field: str) -> list[str]:
    if any("|" in v for v in values):
        raise SpecError(field, "Image-Charts labels cannot contain |")
    return values


def _axis_labels(params: dict[str, str], labels: list[str]) -> None:
    """The x axis shows ``labels`` (added to ``chxt`` when it is not there)."""
    axes = [a.strip() for a in params.get("chxt", "").split(",") if a.strip()]
    if "x" not in axes:
        axes.append("x")
        params["chxt"] = ",".join(axes)
    index = axes.index("x")
    parts = re.split(r"(?:^|\|)(\d+):", params.get("chxl", ""))
    groups = [(int(parts[i]), parts[i + 1]) for i in range(1, len(parts) - 1, 2) if int(parts[i]) != index]
    groups.append((index, "|" + "|".join(labels)))
    params["chxl"] = "|".join(f"{i}:{text}" for i, text in sorted(groups))


def _with_series(chd: str, values: Mapping[int, tuple[str, str]]) -> str:
    """``chd`` with series ``i`` replaced by ``values[i]`` (the override's name, comma-separated
    numbers). Text data keeps its format (``t:`` stays scaled by ``chds``); encoded data becomes
    ``a:`` (automatic scaling)."""
    data = decode_chd(chd)
    series = [[("_" if v is None else f"{v:g}") for v in s] for s in data.series]
    for index in sorted(values):
        field, text = values[index]
        if index > len(series):
            raise SpecError(field, f"series {index + 1} needs series {len(series) + 1} first")
        numbers = templates.numbers(text, field)
        row = ["_" if v is None else f"{v:g}" for v in numbers]
        if index == len(series):
            series.append(row)
        else:
            series[index] = row
    prefix = data.encoding if data.encoding in ("t", "a") else "a"
    count = str(data.drawn) if data.drawn else ""
    return f"{prefix}{count}:" + "|".join(",".join(s) for s in series)


# Finance: the body of /v3/coinglass/advanced-chart (symbol, interval, size, studies, ...).


def _check_finance(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise SpecError("spec", "must be an object (the fields of /v3/coinglass/advanced-chart)")
    try:
        parse_snapshot(spec, default_symbol="BINANCE:BTCUSDT")
    except SnapshotFieldErrors as exc:
        first = exc.errors[0]
        raise SpecError(f"spec.{first['path']}", first["msg"]) from exc
    return dict(spec)


def _apply_finance(
    spec: Mapping[str, Any], args: Mapping[str, str], parameters: Mapping[str, Mapping[str, Any]]
) -> Overridden:
    _refuse(args, ("labels", "data", "title", "palette"), "finance")
    body = copy.deepcopy(dict(spec))
    templates.apply_parameters(body, args, parameters)
    for key in ("width", "height"):
        if key in args:
            text = args[key].strip()
            body[key] = int(text) if re.fullmatch(r"\d{1,9}", text) else text
    if "format" in args:
        body["format"] = "jpeg" if args["format"].strip().lower() == "jpg" else args["format"]
    ratio, field = pixel_ratio(args, None)
    return Overridden(body, ratio, field)


def _apply_chartjs_custom(
    spec: Mapping[str, Any], args: Mapping[str, str], parameters: Mapping[str, Mapping[str, Any]]
) -> Overridden:
    return apply_chartjs(spec, args, parameters)


DIALECTS: dict[str, TemplateDialect] = {
    d.name: d
    for d in (
        TemplateDialect("chartjs", _check_chartjs, _apply_chartjs_custom),
        TemplateDialect("quickchart", _check_quickchart, _apply_chartjs_custom),
        TemplateDialect("imagecharts", _check_imagecharts, _apply_imagecharts),
        TemplateDialect("finance", _check_finance, _apply_finance),
    )
}
DEFAULT_DIALECT = "chartjs"
