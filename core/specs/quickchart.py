"""QuickChart's request forms: ``/chart?c=...`` (or ``chart=``), its JSON body, and the stored
charts behind its short URLs, parsed into the Chart.js dialect's ``ChartSpec``.

Parameters (a short and a long name each, as QuickChart names them; when both are sent the one
QuickChart reads first wins and the other is reported as ignored):

* ``c``/``chart``: the Chart.js config, as JSON or a JavaScript object literal (``jsliteral``),
  or with ``encoding=base64`` the same text base64-encoded; a JSON body may also give an object.
* ``w``/``width`` (500), ``h``/``height`` (300): CSS pixels, from ``MIN_SIDE`` to the common limit.
* ``devicePixelRatio`` (2): the image is ``width*ratio x height*ratio`` pixels.
* ``backgroundColor``/``bkg`` (transparent): any CSS colour.
* ``f``/``format`` (png): png, webp, jpg (jpeg), svg, pdf, or base64 (a PNG as a data URI).
* ``v``/``version`` (2): 2, 3, 4 or a full version such as 2.9.4 or 4.4.1; the major version picks
  the Chart.js defaults (see ``apply_version_defaults``).
* ``key``: the API key; the HTTP layer reads it.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from core.specs.chartjs import ParseResult, parse_chart
from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.jsliteral import check_data, parse_config
from core.specs.model import MAX_PIXELS, MAX_SIDE, ChartSpec
from core.specs.values import Warnings, describe, number_text

DEFAULT_WIDTH = 500
DEFAULT_HEIGHT = 300
DEFAULT_PIXEL_RATIO = 2
DEFAULT_BACKGROUND = "transparent"
DEFAULT_VERSION = 2
VERSIONS = (2, 3, 4)
MIN_SIDE = 20  # QuickChart draws sparklines as small as this; the common limit is 100
FORMATS = ("png", "webp", "jpg", "jpeg", "svg", "pdf", "base64")
MAX_CONFIG_CHARS = 1_000_000
# Chart.js 2.x line defaults that 3.x dropped: curved (tension 0.4) and filled lines.
V2_LINE_TENSION = 0.4

# canonical name -> accepted names, in the order QuickChart reads them
ALIASES: dict[str, tuple[str, ...]] = {
    "chart": ("c", "chart"),
    "width": ("w", "width"),
    "height": ("h", "height"),
    "devicePixelRatio": ("devicePixelRatio",),
    "backgroundColor": ("backgroundColor", "bkg"),
    "format": ("f", "format"),
    "version": ("v", "version"),
    "encoding": ("encoding",),
}
REQUEST_NAMES = frozenset({"key", "apiKey", "brandKitId", "returnUrl"})  # read by the route, not the config
KNOWN_NAMES = frozenset(name for names in ALIASES.values() for name in names) | REQUEST_NAMES
_WHOLE = re.compile(r"\s*\d{1,9}(?:\.0*)?\s*")
_VERSION = re.compile(r"\s*v?(\d+)(?:\.\d+){0,2}(?:[-+][\w.]+)?\s*")
_TEMPLATE_SERIES = re.compile(r"(data|label|backgroundColor|borderColor)([1-9]\d?)")


@dataclasses.dataclass(frozen=True)
class QuickChartRequest:
    """A QuickChart request, validated: the config is data (no code) and every setting is known."""

    config: dict[str, Any]
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    device_pixel_ratio: float = DEFAULT_PIXEL_RATIO
    background_color: str = DEFAULT_BACKGROUND
    format: str = "png"  # png webp jpeg svg pdf, or base64 (a PNG sent as a data URI)
    version: int = DEFAULT_VERSION
    sent_as: tuple[tuple[str, str], ...] = ()  # canonical name -> the name the client used
    warnings: tuple[str, ...] = ()

    @property
    def image_format(self) -> str:
        return "png" if self.format == "base64" else self.format

    def name_of(self, canonical: str) -> str:
        return dict(self.sent_as).get(canonical, canonical)

    def stored(self) -> dict[str, Any]:
        """The JSON kept behind a short URL (``from_stored`` reads it back)."""
        return {
            "chart": self.config,
            "width": self.width,
            "height": self.height,
            "devicePixelRatio": self.device_pixel_ratio,
            "backgroundColor": self.background_color,
            "format": self.format,
            "version": self.version,
        }

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> QuickChartRequest:
        return read_request(data, default_ratio=DEFAULT_PIXEL_RATIO)


def kit_background(spec: ChartSpec, req: QuickChartRequest) -> ChartSpec:
    """``spec`` of ``req`` with a brand kit: the kit's background replaces QuickChart's transparent
    default, like any default; a background the request sets itself stays."""
    if spec.theme is None or "backgroundColor" in dict(req.sent_as):
        return spec
    return dataclasses.replace(spec, background_color=None)


def is_quickchart(params: Mapping[str, Any]) -> bool:
    """A ``/chart`` request in QuickChart's form: it names a chart (``c``/``chart``), not ``cht``."""
    return "cht" not in params and ("c" in params or "chart" in params)


def read_request(
    params: Mapping[str, Any], *, default_ratio: float = DEFAULT_PIXEL_RATIO
) -> QuickChartRequest:
    """Validate QuickChart parameters (query string values or a JSON body); raises ``SpecError``
    naming the parameter as the client spelled it."""
    if not isinstance(params, Mapping):
        raise SpecError("", f"the request must be a JSON object, got {describe(params)}")
    warnings = Warnings()
    picked: dict[str, tuple[str, Any]] = {}
    for canonical, names in ALIASES.items():
        present = [name for name in names if params.get(name) not in (None, "")]
        if present:
            picked[canonical] = (present[0], params[present[0]])
            for other in present[1:]:
                warnings.add(other)
    warnings.unknown_keys(params, KNOWN_NAMES, "")
    if "chart" not in picked:
        raise SpecError(
            "chart", "is required: give the Chart.js config as `c` or `chart`", code="missing_chart"
        )

    encoding = "url"
    if "encoding" in picked:
        encoding = _text(picked["encoding"]).strip().lower()
        if encoding not in ("url", "base64"):
            raise SpecError("encoding", f"must be url or base64, got {encoding[:20]!r}")
    config = _config(*picked["chart"], base64_text=encoding == "base64")

    def setting(canonical: str, read, default):
        if canonical not in picked:
            return default
        return read(*picked[canonical])

    width = setting("width", _side, DEFAULT_WIDTH)
    height = setting("height", _side, DEFAULT_HEIGHT)
    ratio = setting("devicePixelRatio", _ratio, default_ratio)
    background = setting("backgroundColor", _background, DEFAULT_BACKGROUND)
    fmt = setting("format", _format, "png")
    version = setting("version", _version, DEFAULT_VERSION)
    pixels = round(width * ratio) * round(height * ratio)
    if pixels > MAX_PIXELS:
        raise SpecError(
            "devicePixelRatio",
            f"{width}x{height} at ratio {ratio:g} is {pixels:,} pixels; the limit is {MAX_PIXELS:,}",
        )
    return QuickChartRequest(
        config=config,
        width=width,
        height=height,
        device_pixel_ratio=ratio,
        background_color=background,
        format=fmt,
        version=version,
        sent_as=tuple((canonical, name) for canonical, (name, _) in picked.items()),
        warnings=warnings.as_tuple(),
    )


def to_spec(req: QuickChartRequest) -> ParseResult:
    """The ``ChartSpec`` of a request: its config with the Chart.js defaults of its version, at its
    size, ratio, background and format. Errors name the option (``chart.data...``) or parameter."""
    config = apply_version_defaults(req.config, req.version)
    payload = {
        "chart": config,
        "devicePixelRatio": req.device_pixel_ratio,
        "format": req.image_format,
        "backgroundColor": req.background_color,
    }
    try:
        parsed = parse_chart(payload)
    except SpecError as exc:
        if exc.field in ("devicePixelRatio", "format", "backgroundColor"):
            raise SpecError(req.name_of(exc.field), exc.message, code=exc.code, status=exc.status) from None
        raise
    spec = dataclasses.replace(parsed.spec, width=req.width, height=req.height)
    warnings = Warnings()
    for path in (*req.warnings, *parsed.warnings):
        warnings.add(path)
    return ParseResult(spec=spec, warnings=warnings.as_tuple())


def apply_version_defaults(config: dict[str, Any], version: int) -> dict[str, Any]:
    """Chart.js 2 draws line datasets curved (tension 0.4) and filled to the origin unless told
    otherwise (per dataset, or in ``options.elements.line``); 3 and 4 draw them straight and
    unfilled, which is what the Chart.js dialect assumes. Radar lines are straight in 2 but filled.
    Returns ``config`` itself when nothing changes."""
    if version != 2:
        return config
    data = config.get("data")
    datasets = data.get("datasets") if isinstance(data, Mapping) else None
    if not isinstance(datasets, list) or not datasets:
        return config
    chart_type = config.get("type")
    options = config.get("options") if isinstance(config.get("options"), Mapping) else {}
    elements = options.get("elements") if isinstance(options.get("elements"), Mapping) else {}
    line = elements.get("line") if isinstance(elements.get("line"), Mapping) else {}
    tension = line.get("tension", V2_LINE_TENSION)
    fill = line.get("fill", True)
    changed = []
    for dataset in datasets:
        if not isinstance(dataset, Mapping):
            changed.append(dataset)
            continue
        kind = dataset.get("type", chart_type)
        dataset = dict(dataset)
        if kind == "line":
            if "tension" not in dataset and "lineTension" not in dataset:
                dataset["lineTension"] = tension
            dataset.setdefault("fill", fill)
        elif kind == "radar":
            dataset.setdefault("fill", fill)
        changed.append(dataset)
    return {**config, "data": {**data, "datasets": changed}}


def apply_template(config: dict[str, Any], overrides: Mapping[str, str], version: int) -> dict[str, Any]:
    """QuickChart's template parameters on a stored chart: ``title``, ``labels`` (comma-separated),
    and per dataset N (from 1) ``dataN`` (comma-separated numbers), ``labelN``,
    ``backgroundColorN``, ``borderColorN``. Returns a new config; the stored one is untouched."""
    config = copy.deepcopy(config)
    if not overrides:
        return config
    data = config.setdefault("data", {})
    if not isinstance(data, dict):
        raise SpecError("chart.data", "the stored chart has no data object to apply template values to")
    if "title" in overrides:
        options = config.setdefault("options", {})
        plugins = options.get("plugins") if isinstance(options.get("plugins"), dict) else None
        if version >= 3 or (plugins is not None and "title" in plugins):
            plugins = options.setdefault("plugins", {})
            plugins["title"] = {**_dict(plugins.get("title")), "display": True, "text": overrides["title"]}
        else:
            options["title"] = {**_dict(options.get("title")), "display": True, "text": overrides["title"]}
    if "labels" in overrides:
        data["labels"] = [part.strip() for part in overrides["labels"].split(",")]
    datasets = data.setdefault("datasets", [])
    for name, value in overrides.items():
        match = _TEMPLATE_SERIES.fullmatch(name)
        if not match:
            continue
        field, index = match.group(1), int(match.group(2)) - 1
        if index > len(datasets):
            raise SpecError(name, f"there are {len(datasets)} datasets; give them in order from 1")
        if index == len(datasets):
            datasets.append({})
        dataset = datasets[index]
        if field == "data":
            dataset["data"] = [_template_number(part, name, i) for i, part in enumerate(value.split(","))]
        else:
            dataset[field] = value
    check_data(config, "chart")
    return config


TEMPLATE_NAMES = ("title", "labels")


def is_template_name(name: str) -> bool:
    return name in TEMPLATE_NAMES or bool(_TEMPLATE_SERIES.fullmatch(name))


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _template_number(part: str, name: str, index: int) -> float | int | None:
    text = part.strip()
    if text in ("", "null"):
        return None
    try:
        value = number_text(text, name)
    except SpecError:
        raise SpecError(name, f"value {index + 1} is not a number: {text[:40]!r}") from None
    return int(value) if value.is_integer() else value


def _text(pair: tuple[str, Any]) -> str:
    name, value = pair
    if not isinstance(value, str):
        raise SpecError(name, f"must be text, got {describe(value)}")
    return value


def _config(name: str, value: Any, *, base64_text: bool) -> dict[str, Any]:
    if isinstance(value, Mapping):
        if base64_text:
            raise SpecError(name, "encoding=base64 needs the config as base64 text, got an object")
        config = dict(value)
        check_data(config, name)
        return config
    if not isinstance(value, str):
        raise SpecError(name, f"must be a Chart.js config (an object, or text), got {describe(value)}")
    if len(value) > MAX_CONFIG_CHARS:
        raise SpecError(name, f"is longer than {MAX_CONFIG_CHARS:,} characters")
    text = _base64_text(name, value) if base64_text else value
    config = parse_config(text, name)
    if not isinstance(config, dict):
        raise SpecError(name, f"must be a Chart.js config object, got {describe(config)}")
    return config


def _base64_text(name: str, value: str) -> str:
    # A "+" that went through a query string unencoded arrives as a space; both alphabets accepted.
    compact = re.sub(r"\s+", "", value.strip().replace(" ", "+")).rstrip("=")
    compact = compact.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise SpecError(name, "is not valid base64 (encoding=base64) of UTF-8 text") from None


def _side(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SpecError(name, "must be a whole number of pixels, got a boolean")
    if isinstance(value, (int, float)) and float(value).is_integer():
        side = int(value)
    elif isinstance(value, str) and _WHOLE.fullmatch(value):
        side = int(float(value))
    else:
        shown = repr(value[:20]) if isinstance(value, str) else describe(value)
        raise SpecError(name, f"must be a whole number of pixels, got {shown}")
    if not MIN_SIDE <= side <= MAX_SIDE:
        raise SpecError(name, f"must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {side}")
    return side


def _ratio(name: str, value: Any) -> float:
    try:
        ratio = number_text(value, name) if isinstance(value, str) else float(value)
    except (SpecError, TypeError, ValueError):
        raise SpecError(name, f"must be a number, got {describe(value)}") from None
    if isinstance(value, bool) or not 1 <= ratio <= 4:
        raise SpecError(name, f"must be between 1 and 4, got {value}")
    return int(ratio) if ratio.is_integer() else ratio


def _background(name: str, value: Any) -> str:
    color = _text((name, value)).strip()
    if re.fullmatch(r"[0-9a-fA-F]{6}|[0-9a-fA-F]{8}", color):
        color = "#" + color  # QuickChart's clients sometimes drop the '#'
    parse_color(color, name)
    return color


def _format(name: str, value: Any) -> str:
    fmt = _text((name, value)).strip().lower()
    if fmt not in FORMATS:
        raise SpecError(
            name, f"unknown format {fmt[:20]!r}; expected one of png, webp, jpg, svg, pdf, base64"
        )
    return "jpeg" if fmt == "jpg" else fmt


def _version(name: str, value: Any) -> int:
    text = (
        str(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else _text((name, value))
    )
    match = _VERSION.fullmatch(text)
    major = int(match.group(1)) if match else None
    if major not in VERSIONS:
        raise SpecError(
            name, f"unsupported Chart.js version {text[:20]!r}; expected 2, 3 or 4 (or e.g. 2.9.4)"
        )
    return major
