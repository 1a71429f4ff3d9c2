"""Candlestick snapshots (the ``finance`` dialect): a price pane with candles (or hollow candles,
OHLC bars, a line or an area), overlays and a volume overlay, one pane per oscillator below, the
price axis on the right with the last price tagged, a header with the symbol and the last bar, a
time axis that follows the interval and the time zone, and a centred watermark.

Speed comes from drawing the way the rest of ``worker.render`` does: a bare ``Figure`` in device
pixels (``Canvas``), one collection per kind of mark (all bodies in one ``PolyCollection``, all
wicks in one ``LineCollection``), labels from the sprite cache, and no Axes, tickers or pyplot.
"""

from __future__ import annotations

import dataclasses
import warnings
import zoneinfo

import numpy as np

from core.specs.finance import payload_of
from core.specs.finance_studies import BY_NAME
from core.specs.model import CONTENT_TYPES, ChartSpec

from .. import encoders
from ..canvas import Canvas, RenderError
from ..theme import rgba
from .chart import FinanceChart
from .look import LOOKS, look_of_kit
from .studies import Bars, compute, utc_offsets


def bars_of(payload: dict) -> Bars:
    c = payload["candles"]
    return Bars(
        t=np.asarray(c["t"], dtype=np.int64),
        o=np.asarray(c["o"], dtype=float),
        h=np.asarray(c["h"], dtype=float),
        l=np.asarray(c["l"], dtype=float),
        c=np.asarray(c["c"], dtype=float),
        v=np.asarray(c["v"], dtype=float),
        **{key: _known(c.get(key)) for key in ("tbv", "n", "tbc", "qv", "tbq")},
    )


def _known(values: list | None) -> np.ndarray | None:
    """An order-flow column when every bar has it (None: unknown somewhere)."""
    if not values or any(v is None for v in values):
        return None
    return np.asarray(values, dtype=float)


def study_values(payload: dict, bars: Bars) -> list[tuple[dict, dict[str, np.ndarray]]]:
    """Each requested study with its plots over the visible bars."""
    first = payload["first_visible"]
    out = []
    for study in payload["studies"]:
        series = study.get("series")
        if series is not None:  # a pushed metric, already per visible bar (None: no value)
            close = np.array([np.nan if v is None else v for v in series["c"]], dtype=float)
            out.append((study, {BY_NAME[study["name"].upper()].plots[0]: close}))
            continue
        plots = compute(study["name"], study["input"], bars)
        out.append((study, {k: np.asarray(v, dtype=float)[first:] for k, v in plots.items()}))
    return out


def render(spec: ChartSpec):
    from .. import RenderedImage

    payload = payload_of(spec)
    if payload is None:
        raise RenderError("a finance spec without its finance payload")
    width, height = spec.pixel_width, spec.pixel_height
    look = LOOKS[payload["theme"]]
    if spec.theme is not None:  # a brand kit recolours the chart
        look = look_of_kit(spec.theme, look)
    colors = payload.get("colors") or {}
    if colors:  # Chart.js candlesticks may set their own up/down colours
        look = dataclasses.replace(
            look, up=rgba(colors.get("up", "#089981ff")), down=rgba(colors.get("down", "#f23645ff"))
        )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*missing from", category=UserWarning)
            bars = bars_of(payload)
            studies = study_values(payload, bars)
            first = payload["first_visible"]
            visible = bars.sliced(first)
            offsets = utc_offsets(visible.t, zoneinfo.ZoneInfo(payload["timezone"]))
            canvas = Canvas(spec, look.background)
            FinanceChart(canvas, payload, look, visible, studies, offsets).draw()
            data = encoders.encode(canvas.figure, spec.format, width, height, opaque=True)
    except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as exc:
        raise RenderError(f"cannot draw this finance chart: {exc}") from exc
    return RenderedImage(data, CONTENT_TYPES[spec.format], width, height)
