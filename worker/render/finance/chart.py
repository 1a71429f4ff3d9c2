"""Layout and drawing of one finance chart (see the package docstring)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from core.specs.finance_studies import BY_NAME

from ..canvas import Canvas, Rect
from ..theme import rgba
from . import timeaxis
from .look import OVERLAY, PLOT_COLORS, Look, compact, price, ticks, with_alpha
from .panes import AXIS_FONT, LINE_H, PAD, StudyPanes, finite_range
from .studies import Bars

TITLE_FONT = 13.0
LEGEND_FONT = 11.0
TIME_AXIS_H = 26.0
RIGHT_BARS = 3  # empty bar slots after the last bar, as TradingView leaves
SHORT = {
    "Moving Average": "MA",
    "Moving Average Exponential": "EMA",
    "Bollinger Bands": "BB",
    "Relative Strength Index": "RSI",
    "Average True Range": "ATR",
    "Stochastic": "Stoch",
    "Volume (Overlay)": "Vol",
    "Cumulative Volume Delta (CVD)": "CVD",
    "Taker Buy/Sell Volume": "Taker Buy/Sell",
    "Taker Buy/Sell Volume (Delta)": "Taker Delta",
    "Taker Buy/Sell Count (Delta)": "Taker Count Delta",
    "Taker Buy/Sell Value (Delta)": "Taker Value Delta",
}


def _last(values: np.ndarray) -> float | None:
    ok = np.flatnonzero(np.isfinite(values))
    return float(values[ok[-1]]) if ok.size else None


class FinanceChart(StudyPanes):
    def __init__(
        self, canvas: Canvas, payload: dict, look: Look, bars: Bars, studies: list, offsets: np.ndarray
    ):
        self.cv = canvas
        self.p = payload
        self.look = look
        self.bars = bars
        self.studies = studies
        self.offsets = offsets
        self.n = len(bars.t)
        self.precision = int(payload.get("precision", 2))
        self.grid: list = []  # segments
        self.borders: list = []
        self.overlay_index = 0

    # ---------------------------------------------------------------- layout
    def draw(self) -> None:
        cv, look, b = self.cv, self.look, self.bars
        W, H = float(cv.width), float(cv.height)
        panes = [(s, v) for s, v in self.studies if BY_NAME[s["name"].upper()].place == "pane"]
        overlays = [(s, v) for s, v in self.studies if BY_NAME[s["name"].upper()].place != "pane"]
        k = len(panes)
        avail = H - TIME_AXIS_H
        sub_h = avail * (0.25 if k == 1 else 0.2 if k == 2 else min(0.17, 0.55 / max(k, 1))) if k else 0.0
        # Price range: visible candles and the overlays drawn over them.
        series = [b.l, b.h] if self.p["style"] in ("candle", "hollow", "ohlc") else [b.c]
        for s, plots in overlays:
            if s["name"] != "Volume (Overlay)":
                series += [v for name, v in plots.items() if name != "Background"]
        lo, hi = finite_range(*series)
        if not math.isfinite(lo):
            lo, hi = 0.0, 1.0
        if hi - lo < abs(hi) * 1e-9 + 1e-12:
            lo, hi = lo - max(abs(lo) * 0.01, 1.0), hi + max(abs(hi) * 0.01, 1.0)
        self.last_close = float(b.c[-1]) if self.n else 0.0
        # Axis width from the widest price label the axis may show.
        samples = [price(v, self.precision) for v in (lo, hi, self.last_close)]
        for _s, plots in panes:
            for v in plots.values():
                a, z = finite_range(v)
                if math.isfinite(a):
                    samples += [compact(a), compact(z)]
        axis_w = max(56.0, max(cv.measure(t, AXIS_FONT) for t in samples) + 2 * PAD + 4)
        plot_w = W - axis_w
        self.axis_x = plot_w
        self.step = plot_w / (self.n + RIGHT_BARS) if self.n else plot_w
        self.xs = (np.arange(self.n) + 0.5) * self.step
        price_pane = Rect(0.0, TIME_AXIS_H + k * sub_h, plot_w, H)
        header_h = PAD + LINE_H + LINE_H * len(overlays) + 4
        title_fits = self._title_width() <= plot_w - 2 * PAD
        if not title_fits:
            header_h += LINE_H
        ph = price_pane.height
        y0 = price_pane.y0 + max(8.0, 0.06 * ph)
        y1 = price_pane.y1 - header_h - max(4.0, 0.03 * ph)
        if y1 - y0 < 20:
            y1 = y0 + 20
        scale = (y1 - y0) / (hi - lo)
        self.py = lambda v: y0 + (np.asarray(v) - lo) * scale
        pane_lo, pane_hi = lo + (price_pane.y0 - y0) / scale, lo + (price_pane.y1 - y0) / scale

        self._watermark(price_pane)
        self._price_axis(price_pane, pane_lo, pane_hi)
        self._candles(price_pane)
        for s, plots in overlays:
            self._overlay(price_pane, s, plots)
        self._last_price(price_pane)
        self._header(price_pane, overlays, title_fits)
        for j, (s, plots) in enumerate(panes):
            rect = Rect(0.0, TIME_AXIS_H + (k - 1 - j) * sub_h, plot_w, TIME_AXIS_H + (k - j) * sub_h)
            self.borders.append([(0.0, rect.y1), (W, rect.y1)])
            self._pane(rect, s, plots)
        self._time_axis(W)
        self.borders.append([(plot_w + 0.5, 0.0), (plot_w + 0.5, H)])
        self.borders.append([(0.0, TIME_AXIS_H - 0.5), (W, TIME_AXIS_H - 0.5)])
        cv.add(LineCollection(self.grid, colors=[look.grid], linewidths=1.0, antialiaseds=False), zorder=0.5)
        cv.add(
            LineCollection(self.borders, colors=[look.border], linewidths=1.0, antialiaseds=False), zorder=4
        )

    # ---------------------------------------------------------------- price pane
    def _watermark(self, pane: Rect) -> None:
        mark = self.p.get("watermark")
        if mark:
            color = with_alpha(self.look.muted, float(mark["opacity"]))
            self.cv.text(
                pane.cx, pane.cy, mark["text"], size=float(mark["size"]), color=color, bold=True, zorder=0.6
            )

    def _price_axis(self, pane: Rect, lo: float, hi: float) -> None:
        values, _step = ticks(lo, hi, max(2, int(pane.height / 48)))
        tag = float(self.py(self.last_close)) if self.n else -1e9
        for v in values:
            y = round(float(self.py(v))) + 0.5
            if pane.y0 + 6 <= y <= pane.y1 - 6:
                self.grid.append([(0.0, y), (self.axis_x, y)])
                if abs(y - tag) < AXIS_FONT + 6:
                    continue  # the last-price tag covers this label
                self.cv.text(
                    self.axis_x + PAD,
                    y,
                    price(v, self.precision),
                    size=AXIS_FONT,
                    color=self.look.text,
                    ha="left",
                )

    def _colors(self) -> np.ndarray:
        up = self.bars.c >= self.bars.o
        return np.where(up[:, None], np.array(self.look.up), np.array(self.look.down))

    def _candles(self, pane: Rect) -> None:
        b, cv, look = self.bars, self.cv, self.look
        if not self.n:
            return
        style = self.p["style"]
        colors = self._colors()
        centers = np.floor(self.xs) + 0.5
        if style in ("line", "area"):
            y = self.py(b.c)
            if style == "area":
                base = pane.y0
                verts = np.column_stack([np.r_[self.xs[0], self.xs, self.xs[-1]], np.r_[base, y, base]])
                fill = PolyCollection(
                    [verts], facecolors=[with_alpha(rgba("#2962ff"), 0.18)], edgecolors="none"
                )
                cv.add(fill, clip=pane, zorder=1.5)
            cv.add(
                Line2D(self.xs, y, color=rgba("#2962ff"), linewidth=2.0, solid_joinstyle="round"),
                clip=pane,
                zorder=2,
            )
            return
        if style == "ohlc":
            half = max(1.0, math.floor(self.step * 0.35))
            yo, yc = np.round(self.py(b.o)) + 0.5, np.round(self.py(b.c)) + 0.5
            segs = np.empty((3 * self.n, 2, 2))
            segs[0::3, :, 0] = centers[:, None]
            segs[0::3, 0, 1], segs[0::3, 1, 1] = self.py(b.l), self.py(b.h)
            segs[1::3, 0, 0], segs[1::3, 1, 0] = centers - half, centers
            segs[1::3, :, 1] = yo[:, None]
            segs[2::3, 0, 0], segs[2::3, 1, 0] = centers, centers + half
            segs[2::3, :, 1] = yc[:, None]
            cv.add(
                LineCollection(
                    segs,
                    colors=np.repeat(colors, 3, axis=0),
                    linewidths=1.0 if self.step < 6 else 1.5,
                    antialiaseds=False,
                ),
                clip=pane,
                zorder=2,
            )
            return
        body = max(1.0, math.floor(self.step * 0.7))
        if body >= 3 and int(body) % 2 == 0:
            body -= 1  # odd widths centre on the wick
        left = centers - 0.5 - (body - 1) / 2
        top = np.round(self.py(np.maximum(b.o, b.c)))
        bottom = np.round(self.py(np.minimum(b.o, b.c)))
        bottom = np.minimum(bottom, top - 1)  # a doji is still one pixel tall
        verts = np.empty((self.n, 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = left
        verts[:, 2, 0] = verts[:, 3, 0] = left + body
        verts[:, 0, 1] = verts[:, 3, 1] = bottom
        verts[:, 1, 1] = verts[:, 2, 1] = top
        wicks = np.empty((self.n, 2, 2))
        wicks[:, :, 0] = centers[:, None]
        wicks[:, 0, 1], wicks[:, 1, 1] = np.round(self.py(b.l)), np.round(self.py(b.h))
        cv.add(LineCollection(wicks, colors=colors, linewidths=1.0, antialiaseds=False), clip=pane, zorder=2)
        if style == "hollow":
            up = b.c >= b.o
            faces = np.where(up[:, None], np.array(look.background), colors)
            # An outline is stroked on the edge: inset half a pixel so it stays inside the body.
            verts[:, :, 0] += np.array([0.5, 0.5, -0.5, -0.5])
            verts[:, :, 1] += np.array([0.5, -0.5, -0.5, 0.5])
            bodies = PolyCollection(
                verts, facecolors=faces, edgecolors=colors, linewidths=1.0, antialiaseds=False
            )
        else:
            bodies = PolyCollection(verts, facecolors=colors, edgecolors="none", antialiaseds=False)
        cv.add(bodies, clip=pane, zorder=2.1)

    def _volume_bars(self, rect: Rect, values: np.ndarray, alpha: float, zorder: float) -> None:
        if not self.n:
            return
        top_v = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
        scale = (rect.height * 0.9) / top_v if top_v > 0 else 0.0
        width = max(1.0, math.floor(self.step * 0.7))
        left = np.floor(self.xs) - (width - 1) / 2
        heights = np.nan_to_num(values) * scale
        verts = np.empty((self.n, 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = left
        verts[:, 2, 0] = verts[:, 3, 0] = left + width
        verts[:, 0, 1] = verts[:, 3, 1] = rect.y0
        verts[:, 1, 1] = verts[:, 2, 1] = rect.y0 + np.maximum(heights, 1.0)
        colors = self._colors().copy()
        colors[:, 3] = alpha
        self.cv.add(
            PolyCollection(verts, facecolors=colors, edgecolors="none", antialiaseds=False),
            clip=rect,
            zorder=zorder,
        )

    def _color(self, study: dict, plot: str, fallback: str) -> tuple:
        override = study["override"].get(f"{plot}.color")
        return rgba(override or PLOT_COLORS.get((study["name"], plot), fallback))

    def _width(self, study: dict, plot: str, default: float = 1.5) -> float:
        return float(study["override"].get(f"{plot}.linewidth", default))

    def _line(self, values: np.ndarray, y, color, width: float, clip: Rect, zorder: float = 3.0) -> None:
        self.cv.add(
            Line2D(self.xs, y(values), color=color, linewidth=width, solid_joinstyle="round"),
            clip=clip,
            zorder=zorder,
        )

    def _overlay(self, pane: Rect, study: dict, plots: dict) -> None:
        name = study["name"]
        if name == "Volume (Overlay)":
            rect = Rect(pane.x0, pane.y0, pane.x1, pane.y0 + pane.height * 0.2)
            self._volume_bars(rect, plots["Volume"], 0.45, 1.0)
            study["_colors"] = [self.look.muted]
            return
        default = OVERLAY[self.overlay_index % len(OVERLAY)]
        self.overlay_index += 1
        shown = []
        if name == "Bollinger Bands":
            upper, lower = plots["Upper"], plots["Lower"]
            ok = np.isfinite(upper) & np.isfinite(lower)
            if ok.any():
                i = np.flatnonzero(ok)
                xs = self.xs[i]
                verts = np.column_stack(
                    [np.r_[xs, xs[::-1]], np.r_[self.py(upper[i]), self.py(lower[i])[::-1]]]
                )
                fill = PolyCollection(
                    [verts], facecolors=[self._color(study, "Background", "#2196f30d")], edgecolors="none"
                )
                self.cv.add(fill, clip=pane, zorder=1.2)
            for plot in ("Basis", "Upper", "Lower"):
                color = self._color(study, plot, default)
                self._line(plots[plot], self.py, color, self._width(study, plot, 1.0), pane)
                shown.append(color)
        else:
            for plot, values in plots.items():
                color = self._color(study, plot, default)
                self._line(values, self.py, color, self._width(study, plot), pane)
                shown.append(color)
        study["_colors"] = shown

    def _last_price(self, pane: Rect) -> None:
        if not self.n:
            return
        b, look = self.bars, self.look
        color = look.up if b.c[-1] >= b.o[-1] else look.down
        y = round(float(self.py(self.last_close))) + 0.5
        if not pane.y0 <= y <= pane.y1:
            return
        self.cv.add(
            Line2D(
                [0, self.axis_x], [y, y], color=color, linewidth=1.0, linestyle=(0, (2, 2)), antialiased=False
            ),
            clip=pane,
            zorder=3.5,
        )
        tag_h = AXIS_FONT + 8
        self.cv.add(
            Rectangle(
                (self.axis_x + 1, y - tag_h / 2),
                self.cv.width - self.axis_x - 1,
                tag_h,
                facecolor=color,
                edgecolor="none",
            ),
            zorder=6,
        )
        self.cv.text(
            self.axis_x + PAD,
            y,
            price(self.last_close, self.precision),
            size=AXIS_FONT,
            color=look.label_text,
            ha="left",
            zorder=7,
        )

    # ---------------------------------------------------------------- header
    def _title(self) -> str:
        sym = self.p["symbol"]
        parts = [sym["name"], self.p["interval"]]
        if sym.get("exchange"):
            parts.append(sym["exchange"])
        return " · ".join(parts)

    def _ohlc_parts(self) -> list[tuple[str, bool]]:
        if not self.n:
            return []
        b = self.bars
        change = float(b.c[-1] - (b.c[-2] if self.n > 1 else b.o[-1]))
        base = float(b.c[-2] if self.n > 1 else b.o[-1])
        pct = change / base * 100 if base else 0.0
        out: list[tuple[str, bool]] = []
        for label, value in (("O", b.o[-1]), ("H", b.h[-1]), ("L", b.l[-1]), ("C", b.c[-1])):
            out += [(label, False), (price(float(value), self.precision), True)]
        out.append((f"{change:+.{self.precision}f} ({pct:+.2f}%)", True))
        return out

    def _title_width(self) -> float:
        width = self.cv.measure(self._title(), TITLE_FONT, True) + 14
        for text, _ in self._ohlc_parts():
            width += self.cv.measure(text, LEGEND_FONT) + 4
        return width

    def _header(self, pane: Rect, overlays: list, title_fits: bool) -> None:
        cv, look = self.cv, self.look
        y = pane.y1 - PAD - LINE_H / 2
        cv.text(PAD, y, self._title(), size=TITLE_FONT, color=look.text, bold=True, ha="left", zorder=8)
        x = PAD + cv.measure(self._title(), TITLE_FONT, True) + 14
        if not title_fits:
            x, y = PAD, y - LINE_H
        color = look.up if self.n and self.bars.c[-1] >= self.bars.o[-1] else look.down
        for text, is_value in self._ohlc_parts():
            cv.text(
                x, y, text, size=LEGEND_FONT, color=color if is_value else look.muted, ha="left", zorder=8
            )
            x += cv.measure(text, LEGEND_FONT) + (8 if is_value else 3)
        for study, plots in overlays:
            y -= LINE_H
            self._legend_line(PAD, y, study, plots, study.get("_colors") or [look.text])

    def _legend_line(self, x: float, y: float, study: dict, plots: dict, colors: list) -> None:
        cv = self.cv
        name = SHORT.get(study["name"], study["name"])
        # Inputs in the catalogue's order (the canonical spec JSON sorts their keys).
        order = [k for k, _ in BY_NAME[study["name"].upper()].inputs]
        args = " ".join(str(study["input"][k]) for k in order if k in study["input"])
        label = f"{name} {args}".strip()
        cv.text(x, y, label, size=LEGEND_FONT, color=self.look.text, ha="left", zorder=8)
        x += cv.measure(label, LEGEND_FONT) + 8
        names = [p for p in plots if p != "Background"]
        for plot, color in zip(names, colors, strict=False):
            value = _last(plots[plot])
            if value is None:
                continue
            place = BY_NAME[study["name"].upper()].place
            in_price = place == "overlay" or study["name"] == "Average True Range"
            text = price(value, self.precision) if in_price else compact(value)
            cv.text(x, y, text, size=LEGEND_FONT, color=color, ha="left", zorder=8)
            x += cv.measure(text, LEGEND_FONT) + 8

    # ---------------------------------------------------------------- time axis
    def _time_axis(self, W: float) -> None:
        marks = timeaxis.labels(self.bars.t, self.offsets, int(self.p["minutes"]), self.step)
        for i, text in marks:
            x = math.floor(self.xs[i]) + 0.5
            self.grid.append([(x, TIME_AXIS_H), (x, float(self.cv.height))])
            self.cv.text(x, TIME_AXIS_H / 2, text, size=AXIS_FONT, color=self.look.text)
