"""Study values: TA-Lib for the classic indicators, numpy for what TA-Lib has no function for
(VWAP, volume, taker flows). Every series is computed on all bars (warm-up included) and sliced to
the visible window by the caller; NaN where a study has no value yet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import talib

from core.specs.finance_studies import BY_NAME


@dataclasses.dataclass
class Bars:
    t: np.ndarray  # unix seconds, bucket start
    o: np.ndarray
    h: np.ndarray
    l: np.ndarray  # noqa: E741 - the usual OHLC letter
    c: np.ndarray
    v: np.ndarray
    tbv: np.ndarray | None  # taker buy volume (None when unknown)
    n: np.ndarray | None = None  # trade count
    tbc: np.ndarray | None = None  # taker buy trade count
    qv: np.ndarray | None = None  # quote volume (sum of price x size)
    tbq: np.ndarray | None = None  # taker buy quote volume

    def sliced(self, first: int) -> Bars:
        """The bars from index ``first`` on."""
        return Bars(
            **{
                f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[first:]
                for f in dataclasses.fields(self)
            }
        )

    def source(self, name: str) -> np.ndarray:
        if name == "hl2":
            return (self.h + self.l) / 2
        if name == "hlc3":
            return (self.h + self.l + self.c) / 3
        if name == "ohlc4":
            return (self.o + self.h + self.l + self.c) / 4
        return {"open": self.o, "high": self.h, "low": self.l, "close": self.c}[name]


def vwap(bars: Bars, tz_offset_seconds: np.ndarray | None = None) -> np.ndarray:
    """Session VWAP of the typical price (hlc3), anchored each UTC day (TradingView's default
    anchor is the session; crypto sessions are UTC days)."""
    typical = (bars.h + bars.l + bars.c) / 3
    day = bars.t // 86400 if tz_offset_seconds is None else (bars.t + tz_offset_seconds) // 86400
    out = np.empty(len(bars.t))
    pv = vol = 0.0
    previous = None
    for i in range(len(bars.t)):
        if day[i] != previous:
            pv = vol = 0.0
            previous = day[i]
        pv += typical[i] * bars.v[i]
        vol += bars.v[i]
        out[i] = pv / vol if vol else np.nan
    return out


# Studies TA-Lib computes from one source series: (function, {its argument: the input it takes},
# names of its outputs in TA-Lib's order). Bollinger Bands keep TA-Lib's simple moving average.
ON_SOURCE = {
    "Moving Average": (talib.SMA, {"timeperiod": "length"}, ("Plot",)),
    "Moving Average Exponential": (talib.EMA, {"timeperiod": "length"}, ("Plot",)),
    "Bollinger Bands": (
        talib.BBANDS,
        {"timeperiod": "length", "nbdevup": "mult", "nbdevdn": "mult"},
        ("Upper", "Basis", "Lower"),
    ),
    "Relative Strength Index": (talib.RSI, {"timeperiod": "length"}, ("Plot",)),
    "MACD": (
        talib.MACD,
        {"fastperiod": "fast", "slowperiod": "slow", "signalperiod": "signal"},
        ("MACD", "Signal", "Histogram"),
    ),
}


def compute(name: str, inputs: dict, bars: Bars) -> dict[str, np.ndarray]:
    """The plots of one study by canonical name: ``{plot name: values}`` in the catalogue's order."""
    if name in ON_SOURCE:
        fn, args, outputs = ON_SOURCE[name]
        values = fn(bars.source(inputs["source"]), **{arg: inputs[key] for arg, key in args.items()})
        named = dict(zip(outputs, values if len(outputs) > 1 else (values,), strict=True))
        return {plot: named[plot] for plot in BY_NAME[name.upper()].plots if plot in named}
    if name == "Stochastic":
        k, d = talib.STOCH(
            bars.h,
            bars.l,
            bars.c,
            fastk_period=inputs["k"],
            slowk_period=inputs["smooth"],
            slowk_matype=0,
            slowd_period=inputs["d"],
            slowd_matype=0,
        )
        return {"%K": k, "%D": d}
    if name == "Average True Range":
        return {"Plot": talib.ATR(bars.h, bars.l, bars.c, timeperiod=inputs["length"])}
    if name == "VWAP":
        return {"VWAP": vwap(bars)}
    if name in ("Volume", "Volume (Overlay)"):
        return {"Volume": bars.v}
    if name.startswith("Cumulative Volume Delta"):
        buys, total = _taker(bars, "Volume", name)
        delta = 2 * buys - total  # buys minus sells
        cvd = np.cumsum(delta)
        # CVD Candles: each bar opens where the previous one closed, the candle is that bar's delta.
        return {"CVD": cvd} if name.endswith("(CVD)") else {"CVD": cvd, "Open": cvd - delta}
    flow = re.fullmatch(r"Taker Buy/Sell (Volume|Count|Value)( \(Delta\))?", name)
    if flow:
        buys, total = _taker(bars, flow.group(1), name)
        return {"Delta": 2 * buys - total} if flow.group(2) else {"Buy": buys, "Sell": total - buys}
    raise ValueError(f"unknown study {name!r}")


# What the taker buys' share is of, per kind of flow: (buys column, whole column).
TAKER_COLUMNS = {"Volume": ("tbv", "v"), "Count": ("tbc", "n"), "Value": ("tbq", "qv")}


def _taker(bars: Bars, kind: str, study: str) -> tuple[np.ndarray, np.ndarray]:
    """The taker buys and the whole (volume, trade count or quote volume) of each bar."""
    buys, total = (getattr(bars, column) for column in TAKER_COLUMNS[kind])
    if buys is None or total is None:
        raise ValueError(f"{study} needs taker buy {kind.lower()}s")
    return buys, total


def utc_offsets(t: np.ndarray, zone) -> np.ndarray:
    """Offsets in seconds of ``zone`` at each unix time (for labels; candles stay UTC)."""
    out = np.empty(len(t), dtype=np.int64)
    cache: dict[int, int] = {}
    for i, ts in enumerate(t.tolist()):
        hour = int(ts) // 3600
        if hour not in cache:
            moment = dt.datetime.fromtimestamp(hour * 3600, dt.UTC).astimezone(zone)
            cache[hour] = int(moment.utcoffset().total_seconds())
        out[i] = cache[hour]
    return out
