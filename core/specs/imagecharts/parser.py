"""Turn Image-Charts URL parameters into a ``ChartSpec`` (the ``imagecharts`` dialect).

``parse_imagecharts(params)`` reads the parameters of ``GET /chart``, a ``POST /chart`` form or an
``imagecharts`` job. ``cht``, ``chs`` and ``chd`` are required (a QR code needs ``chl`` instead of
``chd``); every other documented parameter is optional and parameters may come in any order.
Parameters Chartfleet does not know are ignored and reported as warnings; ``icac``/``ichm`` (URL
signatures) are the HTTP layer's business and ignored here. As Image-Charts does, the parts of a
parameter that cannot be understood or drawn are ignored and reported (docs/imagecharts-compat.md
lists the rules); what Image-Charts refuses (a missing or unknown chart type, a bad size, data that
is not data, an invalid animation) raises a ``SpecError`` that names the parameter and carries one
of the stable codes of ``codes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import unquote_plus

import segno

from core.specs.chartjs import ParseResult
from core.specs.imagecharts import cartesian, codes, params, radial
from core.specs.imagecharts.axes import parse_axes
from core.specs.imagecharts.colors import parse_chco
from core.specs.imagecharts.context import Built, Context
from core.specs.imagecharts.data import decode_chd, parse_chds, scale
from core.specs.imagecharts.fills import Fills, parse_chf, parse_chm
from core.specs.imagecharts.style import ImageChartsStyle, QRCode
from core.specs.model import ChartSpec, Legend, Text
from core.specs.values import Warnings

PARAMETERS = frozenset(
    {
        "cht", "chs", "chd", "chds", "chco", "chf", "chtt", "chts", "chdl", "chdlp", "chdls", "chma",
        "chg", "chls", "chm", "chl", "chli", "chdil", "chan", "chof", "chxt", "chxr", "chxl", "chxp",
        "chxs", "chld", "choe", "icac", "ichm", "icretina",
    }
)  # fmt: skip
# Values whose grammar has no "%": one still there is a second, literal layer of URL encoding
# (chd=t:1,2%7C3,4 from a URL encoded twice), decoded once more.
NO_PERCENT = frozenset(
    {"cht", "chs", "chd", "chds", "chco", "chf", "chma", "chg", "chls", "chxt", "chxr", "chxp", "chdlp"}
    | {"chof"}
)
# Read by the HTTP layer (authentication), neither used nor reported here.
REQUEST_PARAMETERS = frozenset({"key", "apiKey", "brandKitId", "returnUrl"})
MAX_PARAMETER_NAME = 64


def parse_imagecharts(raw: Mapping[str, str]) -> ParseResult:
    """Parse Image-Charts parameters; raises ``SpecError`` (with an Image-Charts code) when invalid."""
    p = _clean(raw)
    warnings = Warnings()
    warnings.unknown_keys(p, PARAMETERS | REQUEST_PARAMETERS, "")
    chart = params.chart_type(_required(p, "cht"))
    width, height = params.chart_size(_required(p, "chs"))
    animation = params.animation(p["chan"]) if "chan" in p else None
    requested = params.output_format(p["chof"], chart.family == "qr", warnings) if "chof" in p else None
    fills = parse_chf(p["chf"], warnings) if p.get("chf") else Fills()
    title_color, title_size, title_align = (
        params.title_style(p["chts"], warnings) if p.get("chts") else (None, None, "center")
    )
    title = _title(p, title_color, title_size)
    legend_position, skip_empty = (
        params.legend_position(p["chdlp"], warnings) if p.get("chdlp") else ("bottom", False)
    )
    legend_color, legend_size = params.legend_style(p["chdls"], warnings) if p.get("chdls") else (None, None)
    style = ImageChartsStyle(
        margins=params.margins(p["chma"], warnings) if p.get("chma") else (0.0, 0.0, 0.0, 0.0),
        title_align=title_align,
        legend_size=legend_size,
        legend_skip_empty=skip_empty,
        background=fills.background_gradient,
        opacity=fills.opacity,
        animation=animation,
    )
    common = {
        "width": width,
        "height": height,
        "device_pixel_ratio": 2 if p.get("icretina", "").strip().lower() in ("1", "true") else 1,
        "format": "gif" if animation is not None else requested or "png",
        "title": title,
        "background_color": fills.background,
    }
    if chart.family == "qr":
        qr = _qr(p, warnings)
        style = replace(style, qr=qr)
        spec = ChartSpec(type="qr", legend=Legend(display=False), extras=style.to_extras(), **common)
        return ParseResult(spec=spec, warnings=warnings.as_tuple())

    data = decode_chd(_required(p, "chd"))
    scaled = scale(data, parse_chds(p.get("chds"), warnings))
    line_fills, markers = parse_chm(p["chm"], warnings) if p.get("chm") else ([], [])
    horizontal_axis, vertical_axis = parse_axes(p, warnings)
    ctx = Context(
        chart=chart,
        scaled=scaled,
        warnings=warnings,
        chco=(parse_chco(p["chco"]) or None) if p.get("chco") else None,
        fills=fills,
        line_fills=line_fills,
        markers=markers,
        legend=params.labels(p["chdl"], "chdl") if p.get("chdl") else (),
        chl=params.labels(p["chl"], "chl") if p.get("chl") else None,
        inside_label=_inside_label(p),
        horizontal_axis=horizontal_axis,
        vertical_axis=vertical_axis,
        grid=params.grid(p["chg"], warnings) if p.get("chg") else None,
        line_styles=params.line_styles(p["chls"], warnings) if p.get("chls") else (),
        raw_series=data.series,
        drawn=data.drawn,
    )
    built = _build(ctx)
    if ctx.markers and not built.markers:
        warnings.add("chm")  # pie, polar and radar charts draw no chm markers (line fills aside)
    style = replace(
        style,
        axes=built.axes,
        series_gradients=built.series_gradients,
        slice_gradients=built.slice_gradients,
        markers=built.markers,
        point_labels=built.point_labels,
        inside_label=built.inside_label,
        display=built.display if any(d != (0.0, 1.0) for d in built.display) else (),
    )
    legend_shown = bool(ctx.legend) or (built.type == "polarArea" and bool(built.labels))
    if any(d.hidden for d in built.datasets):  # marker-only series (chd=t1:...) have no legend entry
        style = replace(style, legend_skip_empty=True)
    spec = ChartSpec(
        type=built.type,
        labels=built.labels,
        datasets=built.datasets,
        index_axis=built.index_axis,
        legend=Legend(display=legend_shown, position=legend_position, color=legend_color),
        scales=built.scales,
        extras=style.to_extras(),
        **common,
    )
    return ParseResult(spec=spec, warnings=warnings.as_tuple())


def _build(ctx: Context) -> Built:
    family = ctx.chart.family
    if family == "pie":
        return radial.build_pie(ctx)
    if family == "polarArea":
        return radial.build_polar(ctx)
    if family == "radar":
        return radial.build_radar(ctx)
    return cartesian.build(ctx)


def _clean(raw: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise codes.fail("", "parameters must be name=value pairs", codes.INVALID_VALUE)
    out: dict[str, str] = {}
    for key, value in raw.items():
        name = str(key).strip()  # URLs broken over lines leave whitespace around names
        if name not in PARAMETERS and name.lower() in PARAMETERS:
            name = name.lower()  # CHT=, Chd=
        if len(name) > MAX_PARAMETER_NAME:
            raise codes.fail(name[:MAX_PARAMETER_NAME] + "...", "is not a parameter name (too long)")
        if not isinstance(value, str):
            raise codes.fail(name, "must be text")
        if name in NO_PERCENT and "%" in value:
            value = unquote_plus(value)
        out.setdefault(name, value)
    return out


def _required(p: dict[str, str], name: str) -> str:
    value = p.get(name)
    if value is None or not value.strip():
        what = {"cht": "the chart type", "chs": "the chart size, e.g. 700x200", "chd": "the chart data"}
        raise codes.fail(name, f"is required ({what.get(name, 'a value')})", codes.MISSING_PARAMETER)
    return value


def _title(p: dict[str, str], color: str | None, size: float | None) -> Text | None:
    text = params.title(p["chtt"]) if p.get("chtt") else ""
    if not text:
        return None
    return Text(lines=(text,), color=color, font_size=size)


def _inside_label(p: dict[str, str]) -> str:
    # The syntax names it chli; the documentation's own example uses chdil: both are accepted.
    for name in ("chli", "chdil"):
        if p.get(name):
            return params.label_text(p[name], name)
    return ""


def _qr(p: dict[str, str], warnings: Warnings) -> QRCode:
    text = p.get("chl", "")
    if not text:
        raise codes.fail("chl", "is required for QR codes (the text to encode)", codes.MISSING_PARAMETER)
    level, margin = params.qr_options(p.get("chld"), p.get("choe"), warnings)
    try:
        segno.make(text, error=level.lower(), micro=False, boost_error=False)
    except segno.DataOverflowError:
        raise codes.fail(
            "chl", f"is too long for a QR code at error correction level {level}", codes.LIMIT_EXCEEDED
        ) from None
    return QRCode(text=text, level=level, margin=margin)
