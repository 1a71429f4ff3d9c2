"""The Chart.js-style dialect: the native ``/api/v1/render`` request body and query string.

Accepted shapes (all produce the same ``ChartSpec``):

* Flat: ``{type, width, height, format, devicePixelRatio, backgroundColor, data, options}``.
* Nested (QuickChart style): ``{chart: {type, data, options}, width, height, format,
  devicePixelRatio, backgroundColor}``. ``chart`` may be a JSON string, never JavaScript. Output
  settings may also sit inside ``chart``; the top-level ones win.
* GET: ``chart``/``c`` holding the spec as base64url JSON (with ``width``, ``height``, ``format``,
  ``devicePixelRatio``/``scale`` overriding it), or the simple parameters ``type``/``cht``,
  ``labels``/``l``, ``data``/``d``, ``title``/``t`` (one unnamed dataset; the type defaults to bar;
  an empty item or ``null`` in ``data`` is a gap; errors name the parameter actually sent).

How data, labels, time scales and fills are normalized (and why no labels are invented when none
are given) is documented in ``chartjs_data``; titles and axes in ``chartjs_options``.

Both Chart.js 2.x and 3.x/4.x option layouts are read (see ``chartjs_options``). The whole payload is
first checked for code (``safety``); nothing is evaluated and text is kept literally. Keys that are
not implemented are ignored and listed in ``ParseResult.warnings`` as dotted paths; the request-level
keys the API reads itself (``REQUEST_KEYS``) are neither used nor reported.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.specs.chartjs_data import RADIAL_TYPES, parse_data, read_chart_type
from core.specs.chartjs_financial import is_financial, parse_financial
from core.specs.chartjs_options import parse_options, v2_bar_scales
from core.specs.colors import parse_color
from core.specs.errors import SpecError
from core.specs.extra_types import build_extra, extra_type
from core.specs.model import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    FORMATS,
    MAX_LABELS,
    MAX_PIXEL_RATIO,
    MAX_PIXELS,
    MAX_POINTS,
    MAX_SIDE,
    MIN_PIXEL_RATIO,
    MIN_SIDE,
    ChartSpec,
    Dataset,
    Text,
)
from core.specs.plugins import attach_plugins
from core.specs.safety import refuse_code, without_unstorable
from core.specs.values import (
    Warnings,
    check_length,
    describe,
    drawable_text,
    join,
    number,
    number_text,
    plotted,
)

REQUEST_KEYS = frozenset({"returnUrl", "brandKitId", "webhookUrl", "key", "apiKey", "idempotencyKey"})
SIMPLE_TYPES = ("line", "bar", "pie", "doughnut", "radar", "polarArea")
SIMPLE_DEFAULT_TYPE = "bar"

_SPEC_KEYS = ("type", "data", "options")
_OUTPUT_KEYS = ("width", "height", "format", "devicePixelRatio")
_FORMAT_ALIASES = {"jpg": "jpeg"}
_WHOLE_NUMBER = re.compile(r"\s*\d{1,9}\s*")
_BASE64_JUNK = re.compile(r"\s+")


@dataclass(frozen=True)
class ParseResult:
    spec: ChartSpec
    warnings: tuple[str, ...]  # dotted paths of input keys that were ignored


class _Side(fields.Field):
    """Pixels: a whole number, or a string holding one ("600")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ValidationError(f"must be a whole number of pixels, got {_shown(value)}")


class _Ratio(fields.Field):
    """A device pixel ratio: a number or numeric string; integral values stay ints so equal
    specs hash equally."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        try:
            ratio = number_text(value, "") if isinstance(value, str) else number(value, "")
        except SpecError:
            raise ValidationError(f"must be a number, got {_shown(value)}") from None
        return int(ratio) if ratio.is_integer() else ratio


class _Format(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"must be a string, got {describe(value)}")
        name = value.strip().lower()
        return _FORMAT_ALIASES.get(name, name)


class OutputSchema(Schema):
    """Output settings shared by every form of the request: size, pixel ratio, image format."""

    width = _Side(
        load_default=DEFAULT_WIDTH,
        validate=validate.Range(
            MIN_SIDE, MAX_SIDE, error="must be between {min} and {max} pixels, got {input}"
        ),
    )
    height = _Side(
        load_default=DEFAULT_HEIGHT,
        validate=validate.Range(
            MIN_SIDE, MAX_SIDE, error="must be between {min} and {max} pixels, got {input}"
        ),
    )
    format = _Format(
        load_default="png",
        validate=validate.OneOf(FORMATS, error="unknown format {input!r}; expected one of {choices}"),
    )
    devicePixelRatio = _Ratio(
        load_default=1,
        validate=validate.Range(
            MIN_PIXEL_RATIO, MAX_PIXEL_RATIO, error="must be between {min} and {max}, got {input}"
        ),
    )


_OUTPUT_SCHEMA = OutputSchema()


def parse_chart(payload: Any) -> ParseResult:
    """Parse a ``POST /api/v1/render`` body (already JSON-decoded) into a ``ChartSpec``.

    Raises ``SpecError`` naming the offending field for anything invalid, unsafe or over the limits.
    """
    if not isinstance(payload, Mapping):
        raise SpecError("", f"the chart specification must be a JSON object, got {describe(payload)}")
    if refuse_code(payload):
        payload = without_unstorable(payload)
    warnings = Warnings()
    body, body_path = payload, ""
    if payload.get("chart") is not None:
        conflicting = [k for k in _SPEC_KEYS if k in payload]
        if conflicting:
            raise SpecError(
                conflicting[0], "give the chart either inside 'chart' or at the top level, not both"
            )
        body, body_path = _nested_chart(payload["chart"]), "chart"
        warnings.unknown_keys(body, (*_SPEC_KEYS, *_OUTPUT_KEYS, "backgroundColor"), body_path)
    top_known = (*_SPEC_KEYS, *_OUTPUT_KEYS, "backgroundColor", "chart", *REQUEST_KEYS)
    warnings.unknown_keys(payload, top_known, "")

    sources: dict[str, tuple[Any, str]] = {}
    for key in (*_OUTPUT_KEYS, "backgroundColor"):
        for obj, obj_path in ((payload, ""), (body, body_path)):
            if obj.get(key) is not None:
                sources[key] = (obj[key], join(obj_path, key))
                break
    output = _load_output(sources, partial=False)
    background = None
    if "backgroundColor" in sources:
        background = parse_color(*sources["backgroundColor"])
    spec = _build_spec(body, body_path, output, background, warnings)
    return ParseResult(spec=_within_pixel_budget(spec), warnings=warnings.as_tuple())


def parse_query(args: Mapping[str, str]) -> ParseResult:
    """Parse ``GET /api/v1/render`` query parameters (base64url ``chart``/``c`` or the simple form)."""
    if not isinstance(args, Mapping):
        raise SpecError("", "query parameters must be a mapping")
    params: dict[str, str] = {}
    for key, value in args.items():
        if not isinstance(value, str):
            raise SpecError(str(key), f"must be text, got {describe(value)}")
        params[str(key)] = value
    if refuse_code(params):
        params = without_unstorable(params)
    if "chart" in params and "c" in params:
        raise SpecError("c", "give the spec as either 'chart' or 'c', not both")
    if "chart" in params or "c" in params:
        return _parse_encoded_query(params, "chart" if "chart" in params else "c")
    return _parse_simple_query(params)


def decode_base64url_spec(text: str) -> dict:
    """Decode a base64url (padding optional; standard base64 also accepted) JSON object."""
    return _decode_base64_json(text, "chart")


def _build_spec(
    body: Mapping[Any, Any], path: str, output: dict[str, Any], background: str | None, warnings: Warnings
) -> ChartSpec:
    if extra_type(body.get("type")) is not None:
        return build_extra(body, path, output, background, warnings, _build_spec)
    type_path = join(path, "type")
    if body.get("type") is None:
        raise SpecError(
            type_path, "is required (one of line, bar, pie, doughnut, radar, polarArea, scatter, bubble)"
        )
    if is_financial(body):  # chartjs-chart-financial's types: drawn by the candlestick renderer
        return parse_financial(body, path, output, warnings)
    chart_type, horizontal = read_chart_type(body["type"], type_path)
    options = parse_options(body.get("options"), join(path, "options"), warnings)
    if horizontal and body["type"].strip().lower() == "horizontalbar":  # a 2.x-only chart type
        options = replace(options, version=2)
    index_axis = "y" if horizontal else options.index_axis or "x"
    if chart_type in RADIAL_TYPES:
        index_axis = "x"
    data = parse_data(body.get("data"), join(path, "data"), chart_type, options, index_axis, warnings)
    scales = options.scales
    if options.version == 2 and chart_type == "bar":
        scales = v2_bar_scales(options)
    spec = ChartSpec(
        type=chart_type,
        **output_fields(output),
        labels=data.labels,
        label_times=data.label_times,
        datasets=data.datasets,
        index_axis=index_axis,
        title=options.title,
        subtitle=options.subtitle,
        legend=options.legend,
        scales=tuple(sorted(scales.items())),
        background_color=background if background is not None else options.background_color,
    )
    return attach_plugins(spec, body, path, warnings)


def _nested_chart(value: Any) -> Mapping[Any, Any]:
    if isinstance(value, str):
        decoded = _decode_json(value, "chart")
        value = without_unstorable(decoded) if refuse_code(decoded, "chart") else decoded
    if not isinstance(value, Mapping):
        raise SpecError("chart", f"must be a JSON object (or a string holding one), got {describe(value)}")
    return value


def _parse_encoded_query(params: dict[str, str], chart_key: str) -> ParseResult:
    result = parse_chart(_decode_base64_json(params[chart_key], chart_key))
    warnings = Warnings()
    for path in result.warnings:
        warnings.add(path)
    sources = _query_output_sources(params, warnings)
    output = _load_output(sources, partial=True)
    overrides = {
        name: output[key]
        for key, name in (
            ("width", "width"),
            ("height", "height"),
            ("format", "format"),
            ("devicePixelRatio", "device_pixel_ratio"),
        )
        if key in output
    }
    warnings.unknown_keys(
        params, (chart_key, "width", "height", "format", "devicePixelRatio", "scale", *REQUEST_KEYS), ""
    )
    spec = _within_pixel_budget(replace(result.spec, **overrides))
    return ParseResult(spec=spec, warnings=warnings.as_tuple())


def _parse_simple_query(params: dict[str, str]) -> ParseResult:
    warnings = Warnings()
    type_key = _alias(params, "type", "cht", warnings)
    chart_type, horizontal = SIMPLE_DEFAULT_TYPE, False
    if type_key is not None:
        chart_type, horizontal = read_chart_type(params[type_key], type_key)
        if chart_type not in SIMPLE_TYPES:
            raise SpecError(
                type_key,
                f"{chart_type!r} needs a full spec (chart=...); the simple form supports "
                f"{', '.join(SIMPLE_TYPES)}",
            )

    labels: tuple[str, ...] = ()
    labels_key = _alias(params, "labels", "l", warnings)
    if labels_key is not None and params[labels_key].strip():
        labels = tuple(drawable_text(part.strip()) for part in params[labels_key].split(","))
        if len(labels) > MAX_LABELS:
            raise SpecError(labels_key, f"has {len(labels)} labels; at most {MAX_LABELS} are allowed")
        for label in labels:
            check_length(label, labels_key)

    data_key = _alias(params, "data", "d", warnings)
    if data_key is None or not params[data_key].strip():
        raise SpecError(data_key or "data", "is required: comma-separated numbers, e.g. data=10,20,30")
    parts = params[data_key].split(",")
    if len(parts) > MAX_POINTS:
        raise SpecError(data_key, f"has {len(parts)} values; at most {MAX_POINTS} are allowed")
    values = tuple(_simple_value(part, i, data_key) for i, part in enumerate(parts))
    if labels and len(values) != len(labels):
        raise SpecError(data_key, f"has {len(values)} values but there are {len(labels)} labels")

    title = None
    title_key = _alias(params, "title", "t", warnings)
    if title_key is not None and params[title_key].strip():
        lines = tuple(drawable_text(params[title_key]).split("\n"))
        for line in lines:
            check_length(line, title_key)
        title = Text(lines=lines)

    output = _load_output(_query_output_sources(params, warnings), partial=False)
    known = ("type", "cht", "labels", "l", "data", "d", "title", "t", *_OUTPUT_KEYS, "scale", *REQUEST_KEYS)
    warnings.unknown_keys(params, known, "")
    spec = ChartSpec(
        type=chart_type,
        **output_fields(output),
        labels=labels,
        datasets=(Dataset(type=chart_type, values=values),),
        index_axis="y" if horizontal else "x",
        title=title,
    )
    return ParseResult(spec=_within_pixel_budget(spec), warnings=warnings.as_tuple())


def _alias(params: Mapping[str, str], name: str, alias: str, warnings: Warnings) -> str | None:
    """Which of two equivalent parameters to read; the long name wins and the other is reported."""
    if name in params:
        if alias in params:
            warnings.add(alias)
        return name
    return alias if alias in params else None


def _simple_value(part: str, index: int, key: str) -> float | None:
    stripped = part.strip()
    if stripped in ("", "null"):
        return None
    try:
        return plotted(number_text(stripped, key), key)
    except SpecError:
        raise SpecError(key, f"value {index + 1} is not a number: {stripped[:40]!r}") from None


def _query_output_sources(params: Mapping[str, str], warnings: Warnings) -> dict[str, tuple[Any, str]]:
    sources = {key: (params[key], key) for key in ("width", "height", "format") if key in params}
    ratio_key = _alias(params, "devicePixelRatio", "scale", warnings)
    if ratio_key is not None:
        sources["devicePixelRatio"] = (params[ratio_key], ratio_key)
    return sources


def _within_pixel_budget(spec: ChartSpec) -> ChartSpec:
    """Each side may be 4000 px and the ratio 4, but not all at once: the image itself is capped."""
    pixels = spec.pixel_width * spec.pixel_height
    if pixels > MAX_PIXELS:
        raise SpecError(
            "devicePixelRatio",
            f"{spec.width}x{spec.height} at ratio {spec.device_pixel_ratio:g} is {pixels:,} pixels; "
            f"the limit is {MAX_PIXELS:,} (lower the ratio or the size)",
        )
    return spec


def _load_output(sources: Mapping[str, tuple[Any, str]], *, partial: bool) -> dict[str, Any]:
    """Validate output settings with ``OutputSchema``; ``sources`` maps a schema field to the raw
    value and the path it came from, so errors name what the client actually sent."""
    try:
        data = {key: sources[key][0] for key in _OUTPUT_KEYS if key in sources}
        return _OUTPUT_SCHEMA.load(data, partial=partial)
    except ValidationError as err:
        messages = err.normalized_messages()
        key = next((k for k in _OUTPUT_KEYS if k in messages), "")
        problem = messages.get(key, messages)
        message = "; ".join(problem) if isinstance(problem, list) else str(problem)
        raise SpecError(sources[key][1] if key in sources else key, message) from None


def _decode_base64_json(value: Any, path: str) -> dict:
    if not isinstance(value, str):
        raise SpecError(path, f"must be base64url-encoded JSON text, got {describe(value)}")
    # Query-string decoding turns a standard-base64 "+" into a space; undo that, then accept both
    # alphabets with or without padding.
    compact = _BASE64_JUNK.sub("", value.strip().replace(" ", "+")).rstrip("=")
    compact = compact.replace("-", "+").replace("_", "/")
    if not compact or len(compact) % 4 == 1:
        raise SpecError(path, "is not valid base64url")
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SpecError(path, "is not valid base64url") from None
    try:
        decoded_text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(path, "does not decode to UTF-8 text") from None
    result = _decode_json(decoded_text, path)
    if not isinstance(result, dict):
        raise SpecError(path, f"must decode to a JSON object, got {describe(result)}")
    return result


def _decode_json(value: str, path: str) -> Any:
    try:
        return json.loads(value)
    except RecursionError:
        raise SpecError("", "nesting too deep") from None
    except ValueError as err:
        raise SpecError(
            path,
            f"is not valid JSON ({err.args[0][:80] if err.args else 'parse error'}); "
            "JavaScript is not accepted",
        ) from None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return describe(value)


def output_fields(output: Mapping[str, Any]) -> dict[str, Any]:
    """The ChartSpec fields of a loaded output section (size, pixel ratio, format)."""
    return {
        "width": output["width"],
        "height": output["height"],
        "device_pixel_ratio": output["devicePixelRatio"],
        "format": output["format"],
    }
