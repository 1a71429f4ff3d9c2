"""Study panes below the price pane: volume, oscillators, order flow and pushed metrics, each with
its own scale, axis labels and legend line (a mixin of ``FinanceChart``)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from core.specs.finance_studies import BY_NAME

from ..canvas import Rect
from ..theme import rgba
from .look import OVERLAY, compact, ticks

LINE_H = 17.0
PAD = 8.0
AXIS_FONT = 11.0
FIXED_RANGES = {
    "Relative Strength Index": (0.0, 100.0),
    "Stochastic": (0.0, 100.0),
    "Crypto Fear & Greed Index": (0.0, 100.0),
}
BANDS = {"Relative Strength Index": (30.0, 70.0), "Stochastic": (20.0, 80.0)}


def finite_range(*arrays: np.ndarray) -> tuple[float, float]:
    """Smallest and largest finite value over ``arrays`` (inf, -inf when there is none)."""
    lo, hi = math.inf, -math.inf
    for a in arrays:
        if a.size:
            with np.errstate(invalid="ignore"):
                m = a[np.isfinite(a)]
            if m.size:
                lo, hi = min(lo, float(m.min())), max(hi, float(m.max()))
    return lo, hi


class StudyPanes:
    """Drawing of one study per pane; needs the chart's ``cv``, ``look``, ``xs``, ``step``,
    ``axis_x``, ``grid`` and its ``_color``/``_width``/``_line``/``_volume_bars``/``_legend_line``."""

    # ---------------------------------------------------------------- study panes
    def _pane(self, rect: Rect, study: dict, plots: dict) -> None:
        name, look = study["name"], self.look
        inner = Rect(rect.x0, rect.y0 + 4, rect.x1, rect.y1 - LINE_H - 4)
        colors: list = []
        if name == "Volume":
            self._volume_bars(Rect(rect.x0, rect.y0, rect.x1, rect.y1 - LINE_H), plots["Volume"], 0.5, 2.0)
            top = float(np.nanmax(plots["Volume"])) if self.n else 0.0
            self._pane_axis(
                rect, 0.0, top / 0.9 if top > 0 else 1.0, Rect(rect.x0, rect.y0, rect.x1, rect.y1 - LINE_H)
            )
            self._legend_line(PAD, rect.y1 - LINE_H / 2 - 2, study, plots, [look.muted])
            return
        draw = BY_NAME[name.upper()].draw
        series = study.get("series") or {}
        if draw == "candles" and "Open" in plots:  # candles computed from our data (CVD Candles)
            opened, closed = plots["Open"], plots["CVD"]
            series = {"o": opened, "c": closed, "h": np.fmax(opened, closed), "l": np.fmin(opened, closed)}
            plots = {"CVD": closed}
        values = [v for v in plots.values()]
        if draw == "candles":
            values = [np.array([np.nan if x is None else x for x in series[k]], dtype=float) for k in "hl"]
        lo, hi = FIXED_RANGES.get(name) or finite_range(*values)
        if not math.isfinite(lo):
            lo, hi = 0.0, 1.0
        if name == "MACD" or name.endswith("(Delta)") or draw == "columns":
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if hi - lo <= 0:
            lo, hi = lo - 1, hi + 1
        scale = inner.height / (hi - lo)

        def y(v):
            return inner.y0 + (np.asarray(v) - lo) * scale

        if name in BANDS:
            a, z = BANDS[name]
            band = Rectangle(
                (0, float(y(a))),
                self.axis_x,
                float(y(z) - y(a)),
                facecolor=self._color(study, "Bands", "#7e57c21a"),
                edgecolor="none",
            )
            self.cv.add(band, clip=rect, zorder=1)
            for level in (a, z):
                yy = round(float(y(level))) + 0.5
                self.cv.add(
                    Line2D(
                        [0, self.axis_x],
                        [yy, yy],
                        color=look.muted,
                        linewidth=1.0,
                        linestyle=(0, (3, 3)),
                        antialiased=False,
                    ),
                    clip=rect,
                    zorder=1.1,
                )
        bars_of = {"MACD": "Histogram"}
        for plot, values_ in plots.items():
            if draw == "candles":
                self._mini_candles(series, y, rect)
                colors.append(look.muted)
                continue
            if bars_of.get(name) == plot or plot == "Delta" or draw == "columns":
                self._signed_bars(values_, y, lo, hi, rect)
                colors.append(look.muted)
                continue
            color = self._color(
                study,
                plot,
                OVERLAY[len(colors) % len(OVERLAY)]
                if plot not in ("Buy", "Sell")
                else ("#089981" if plot == "Buy" else "#f23645"),
            )
            self._line(values_, y, color, self._width(study, plot), rect)
            colors.append(color)
        self._pane_axis(rect, lo, hi, inner)
        self._legend_line(PAD, rect.y1 - LINE_H / 2 - 2, study, plots, colors)

    def _mini_candles(self, series: dict, y, clip: Rect) -> None:
        """A metric's own candles (open interest, funding...) in its pane."""
        o, h, low, c = (
            np.array([np.nan if v is None else v for v in series[k]], dtype=float) for k in "ohlc"
        )
        ok = np.isfinite(o)
        if not ok.any():
            return
        up = (c >= o)[ok]
        colors = np.where(up[:, None], np.array(self.look.up), np.array(self.look.down))
        centers = (np.floor(self.xs) + 0.5)[ok]
        body = max(1.0, math.floor(self.step * 0.7))
        top = np.round(y(np.maximum(o, c)[ok]))
        bottom = np.minimum(np.round(y(np.minimum(o, c)[ok])), top - 1)
        left = centers - 0.5 - (body - 1) // 2
        verts = np.empty((len(centers), 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = left
        verts[:, 2, 0] = verts[:, 3, 0] = left + body
        verts[:, 0, 1] = verts[:, 3, 1] = bottom
        verts[:, 1, 1] = verts[:, 2, 1] = top
        wicks = np.empty((len(centers), 2, 2))
        wicks[:, :, 0] = centers[:, None]
        wicks[:, 0, 1], wicks[:, 1, 1] = np.round(y(low[ok])), np.round(y(h[ok]))
        self.cv.add(
            LineCollection(wicks, colors=colors, linewidths=1.0, antialiaseds=False), clip=clip, zorder=2
        )
        bodies = PolyCollection(verts, facecolors=colors, edgecolors="none", antialiaseds=False)
        self.cv.add(bodies, clip=clip, zorder=2.1)

    def _signed_bars(self, values: np.ndarray, y, lo: float, hi: float, clip: Rect) -> None:
        ok = np.isfinite(values)
        if not ok.any():
            return
        v = np.nan_to_num(values)
        rising = np.r_[True, v[1:] >= v[:-1]]
        palette = np.array([rgba("#ff5252"), rgba("#ffcdd2"), rgba("#b2dfdb"), rgba("#26a69a")])
        index = (v >= 0).astype(int) * 2 + np.where(v >= 0, rising, ~rising).astype(int)
        colors = palette[index][ok]
        width = max(1.0, math.floor(self.step * 0.6))
        left = (np.floor(self.xs) - (width - 1) / 2)[ok]
        zero, top = float(y(0.0)), y(v[ok])
        verts = np.empty((len(left), 4, 2))
        verts[:, 0, 0] = verts[:, 1, 0] = left
        verts[:, 2, 0] = verts[:, 3, 0] = left + width
        verts[:, 0, 1] = verts[:, 3, 1] = zero
        verts[:, 1, 1] = verts[:, 2, 1] = top
        self.cv.add(
            PolyCollection(verts, facecolors=colors, edgecolors="none", antialiaseds=False),
            clip=clip,
            zorder=2,
        )

    def _pane_axis(self, rect: Rect, lo: float, hi: float, inner: Rect) -> None:
        values, _ = ticks(lo, hi, max(1, int(inner.height / 40)))
        scale = inner.height / (hi - lo) if hi > lo else 0.0
        for v in values:
            yy = round(inner.y0 + (v - lo) * scale) + 0.5
            if rect.y0 + 6 <= yy <= rect.y1 - 6:
                self.grid.append([(0.0, yy), (self.axis_x, yy)])
                self.cv.text(
                    self.axis_x + PAD, yy, compact(v), size=AXIS_FONT, color=self.look.text, ha="left"
                )
