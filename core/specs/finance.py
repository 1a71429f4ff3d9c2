"""The finance dialect: CHART-IMG style snapshot bodies (``/v3/coinglass/advanced-chart``).

``parse_snapshot(body)`` checks every field of a body (or of the GET form's query, through
``query_to_body``) and returns a ``SnapshotRequest``; every bad field is reported at once in a
``SnapshotFieldErrors`` whose ``errors`` have the document's shape
(``{"type": "field", "value", "msg", "path", "location"}``). The symbol is only checked for shape
here: whether we hold it is the market service's question (``core.services.market.snapshots``),
which also loads the candles and builds the ``ChartSpec`` with ``build_spec``.

The spec is ``type="finance"`` with one extras entry, ``("finance", {...})``: the resolved symbol,
interval, look, studies and the candles themselves (columns of floats, warm-up bars for the
studies first). Embedding the candles makes the job self-contained (the worker needs no market
query, a retried job draws the same picture) and puts the data in the cache key, so a new candle
is a new image.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from core.specs.finance_studies import MAX_STUDIES, StudyInputError, parse_study
from core.specs.model import ChartSpec

FINANCE_KEY = "finance"
# name -> (stored width it is computed from, its own width), minutes; 1W buckets open on Mondays.
INTERVALS: dict[str, tuple[int, int]] = {
    "1m": (1, 1),
    "5m": (5, 5),
    "15m": (15, 15),
    "30m": (30, 30),
    "1h": (60, 60),
    "2h": (120, 120),
    "4h": (240, 240),
    "6h": (120, 360),
    "12h": (240, 720),
    "1D": (1440, 1440),
    "1W": (1440, 10080),
}
LENIENT_INTERVALS = {"1d": "1D", "1w": "1W"}
THEMES = ("light", "dark")
FORMATS = ("png", "jpeg")
STYLES = ("candle", "hollow", "ohlc", "line", "area")
WATERMARK_SIZES = (16, 32, 64, 128)
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 400, 2048, 800
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 300, 1920, 600
MAX_WATERMARK = 100  # characters
MAX_BARS = 2000  # visible bars of an explicit range
SYMBOL = re.compile(r"^(?:[A-Za-z0-9._-]{1,32}:)?[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
FIELDS = (
    "symbol",
    "interval",
    "width",
    "height",
    "theme",
    "timezone",
    "format",
    "studies",
    "watermark",
    "watermarkSize",
    "watermarkOpacity",
    "style",
    "range",
)
_ZONES: frozenset[str] | None = None


class SnapshotFieldErrors(ValueError):
    """One or more bad fields; ``errors`` is the 422 body's list."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(f"{e['path']}: {e['msg']}" for e in errors))
        self.errors = errors


def field_error(path: str, value: Any, msg: str = "must be supported", location: str = "body") -> dict:
    return {"type": "field", "value": value, "msg": msg, "path": path, "location": location}


@dataclasses.dataclass(frozen=True)
class SnapshotRequest:
    symbol: str
    interval: str = "1D"
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    theme: str = "light"
    timezone: str = "Etc/UTC"
    format: str = "png"
    studies: tuple[dict[str, Any], ...] = ()
    watermark: str | None = None
    watermark_size: int = 16
    watermark_opacity: float = 1.0
    style: str = "candle"
    range_from: dt.datetime | None = None
    range_to: dt.datetime | None = None

    @property
    def source_minutes(self) -> int:
        return INTERVALS[self.interval][0]

    @property
    def minutes(self) -> int:
        return INTERVALS[self.interval][1]


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_snapshot(
    body: Mapping[str, Any] | None, *, default_symbol: str, location: str = "body"
) -> SnapshotRequest:
    """A checked request; raises ``SnapshotFieldErrors`` listing every bad field. Unknown keys are
    ignored (as the document's service does)."""
    body = body or {}
    errors: list[dict[str, Any]] = []
    out: dict[str, Any] = {"symbol": default_symbol}

    def bad(path: str, msg: str = "must be supported") -> None:
        value = body.get(path) if "." not in path and "[" not in path else None
        errors.append(field_error(path, value, msg, location))

    if "symbol" in body:
        value = body["symbol"]
        if isinstance(value, str) and SYMBOL.match(value.strip()):
            out["symbol"] = value.strip()
        else:
            bad("symbol")
    if "interval" in body:
        value = body["interval"]
        key = (
            (value if value in INTERVALS else LENIENT_INTERVALS.get(value))
            if isinstance(value, str)
            else None
        )
        if key is not None:
            out["interval"] = key
        else:
            bad("interval")
    for name, lo, hi in (("width", MIN_WIDTH, MAX_WIDTH), ("height", MIN_HEIGHT, MAX_HEIGHT)):
        if name in body:
            value = body[name]
            if _is_int(value) and lo <= value <= hi:
                out[name] = value
            else:
                bad(name, f"must be an integer between {lo} and {hi}")
    for name, choices in (("theme", THEMES), ("format", FORMATS), ("style", STYLES)):
        if name in body:
            value = body[name]
            if isinstance(value, str) and value.lower() in choices:
                out[name] = value.lower()
            else:
                bad(name)
    if "timezone" in body:
        value = body["timezone"]
        if isinstance(value, str) and value in _zones():
            out["timezone"] = value
        else:
            bad("timezone")
    if "watermark" in body:
        value = body["watermark"]
        if value is None or (isinstance(value, str) and len(value) <= MAX_WATERMARK):
            out["watermark"] = value.strip() or None if isinstance(value, str) else None
        else:
            bad("watermark", f"must be a text of at most {MAX_WATERMARK} characters")
    if "watermarkSize" in body:
        value = body["watermarkSize"]
        if _is_int(value) and value in WATERMARK_SIZES:
            out["watermark_size"] = value
        else:
            bad("watermarkSize")
    if "watermarkOpacity" in body:
        value = body["watermarkOpacity"]
        if isinstance(value, int | float) and not isinstance(value, bool) and 0.1 <= value <= 1.0:
            out["watermark_opacity"] = float(value)
        else:
            bad("watermarkOpacity", "must be a number between 0.1 and 1.0")
    if "studies" in body:
        value = body["studies"]
        if not isinstance(value, list):
            bad("studies", "must be an array")
        elif len(value) > MAX_STUDIES:
            bad("studies", f"must hold at most {MAX_STUDIES} studies")
        else:
            studies = []
            for i, item in enumerate(value):
                try:
                    studies.append(parse_study(item, f"studies[{i}]"))
                except StudyInputError as exc:
                    error = field_error(exc.field, exc.value, exc.message, location)
                    if exc.supported:
                        error["supported"] = list(exc.supported)
                    errors.append(error)
            out["studies"] = tuple(studies)
    if "range" in body:
        _parse_range(body["range"], out, errors, location)
    if errors:
        raise SnapshotFieldErrors(errors)
    return SnapshotRequest(**out)


def _parse_range(value: Any, out: dict[str, Any], errors: list[dict[str, Any]], location: str) -> None:
    from core.services.market.intervals import parse_time  # pure helpers, no database

    if not isinstance(value, dict):
        errors.append(field_error("range", value, "must be an object {from, to}", location))
        return
    times = {}
    for key in ("from", "to"):
        if value.get(key) is None:
            continue
        try:
            times[key] = parse_time(value[key])
        except ValueError as exc:
            errors.append(field_error(f"range.{key}", value[key], str(exc), location))
    if "from" in times and "to" in times and times["from"] >= times["to"]:
        errors.append(field_error("range.from", value["from"], "must be before range.to", location))
        return
    out["range_from"], out["range_to"] = times.get("from"), times.get("to")


def query_to_body(args: Any) -> dict[str, Any]:
    """The GET form: the same fields as query parameters (``studies`` repeated, ``range.from`` /
    ``range.to`` or ``from``/``to``). Numbers are converted when they parse; when they do not the
    text is kept so that the error shows what was sent."""
    body: dict[str, Any] = {}
    for name in FIELDS:
        if name == "studies":
            if name in args:
                body["studies"] = [s for s in args.getlist("studies") if s != ""]
            continue
        if name == "range":
            lo = args.get("range.from", args.get("from"))
            hi = args.get("range.to", args.get("to"))
            if lo is not None or hi is not None:
                body["range"] = {"from": lo, "to": hi}
            continue
        if name not in args:
            continue
        value: Any = args.get(name)
        if name in ("width", "height", "watermarkSize"):
            value = int(value) if re.fullmatch(r"-?\d{1,9}", value.strip()) else value
        elif name == "watermarkOpacity":
            try:
                number = float(value)
                value = number if math.isfinite(number) else value
            except ValueError:
                pass
        body[name] = value
    return body


def build_spec(
    req: SnapshotRequest,
    *,
    symbol: Mapping[str, Any],
    candles: Mapping[str, list],
    first_visible: int,
    precision: int,
) -> ChartSpec:
    """The normalized spec: ``symbol`` ({name, exchange, label}), ``candles`` columns ``t`` (unix
    seconds, bucket start), ``o h l c v`` and ``tbv`` (taker buy volume, None when unknown),
    ``first_visible`` the index of the first bar shown (earlier bars feed the studies)."""
    payload = {
        "symbol": dict(symbol),
        "interval": req.interval,
        "minutes": req.minutes,
        "theme": req.theme,
        "timezone": req.timezone,
        "style": req.style,
        "studies": [dict(s) for s in req.studies],
        "watermark": (
            {"text": req.watermark, "size": req.watermark_size, "opacity": req.watermark_opacity}
            if req.watermark
            else None
        ),
        "precision": precision,
        "first_visible": first_visible,
        "candles": {k: list(v) for k, v in candles.items()},
    }
    return ChartSpec(
        type="finance",
        width=req.width,
        height=req.height,
        format=req.format,
        extras=((FINANCE_KEY, payload),),
    )


def payload_of(spec: ChartSpec) -> dict[str, Any] | None:
    """The finance payload of a spec (None for other dialects)."""
    for key, value in spec.extras:
        if key == FINANCE_KEY:
            return value
    return None
