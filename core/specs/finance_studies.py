"""The studies of the finance dialect: TradingView names, short aliases, default inputs, plots.

A study arrives as a name (``"RSI"``, ``"Relative Strength Index"``, any case) or as an object
``{"name": ..., "input": {...}, "override": {...}}``. Parsing resolves it to its canonical name with
every input filled in and checked, so the worker never sees an unknown study or a bad input. The
values themselves are computed in the worker (``worker.render.finance.studies``, TA-Lib).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from core.specs.colors import parse_color
from core.specs.errors import SpecError

SOURCES = ("open", "high", "low", "close", "hl2", "hlc3", "ohlc4")
MAX_LENGTH = 500  # longest look-back any study may ask for (bars)


@dataclasses.dataclass(frozen=True)
class StudyDef:
    name: str
    aliases: tuple[str, ...]
    place: str  # "overlay" (price pane), "volume_overlay" (foot of the price pane) or "pane"
    inputs: tuple[tuple[str, Any], ...]  # (name, default); the default's type is the input's type
    plots: tuple[str, ...]
    needs: tuple[str, ...] = ()  # candle columns beyond OHLCV (NEED_NAMES), computed from our trades
    short: str = ""  # legend title
    metric: str = ""  # for studies of a pushed metric series (POST /api/v1/metrics): its name
    draw: str = "line"  # in its pane: "line", "columns" (signed bars) or "candles"

    def warmup(self, inputs: dict[str, Any]) -> int:
        """Bars before the window needed for the first visible value to be settled."""
        lengths = [v for k, v in inputs.items() if isinstance(v, int) and k != "offset"]
        if self.name == "MACD":
            return 3 * (inputs["slow"] + inputs["signal"])
        # EMA-like studies (EMA, RSI, ATR) need several lengths to forget their seed.
        return 4 * max(lengths, default=0)


CATALOG: tuple[StudyDef, ...] = (
    StudyDef(
        "Moving Average",
        ("MA", "SMA"),
        "overlay",
        (("length", 9), ("source", "close")),
        ("Plot",),
        short="MA",
    ),
    StudyDef(
        "Moving Average Exponential",
        ("EMA",),
        "overlay",
        (("length", 9), ("source", "close")),
        ("Plot",),
        short="EMA",
    ),
    StudyDef(
        "Bollinger Bands",
        ("BB",),
        "overlay",
        (("length", 20), ("mult", 2.0), ("source", "close")),
        ("Basis", "Upper", "Lower", "Background"),
        short="BB",
    ),
    StudyDef("VWAP", (), "overlay", (), ("VWAP",), short="VWAP"),
    StudyDef("Volume (Overlay)", (), "volume_overlay", (), ("Volume",), short="Vol"),
    StudyDef("Volume", ("VOL",), "pane", (), ("Volume",), short="Volume"),
    StudyDef(
        "Relative Strength Index",
        ("RSI",),
        "pane",
        (("length", 14), ("source", "close")),
        ("Plot", "Bands"),
        short="RSI",
    ),
    StudyDef(
        "MACD",
        (),
        "pane",
        (("fast", 12), ("slow", 26), ("signal", 9), ("source", "close")),
        ("MACD", "Signal", "Histogram"),
        short="MACD",
    ),
    StudyDef(
        "Stochastic",
        ("STOCH",),
        "pane",
        (("k", 14), ("d", 3), ("smooth", 3)),
        ("%K", "%D", "Bands"),
        short="Stoch",
    ),
    StudyDef("Average True Range", ("ATR",), "pane", (("length", 14),), ("Plot",), short="ATR"),
    StudyDef(
        "Cumulative Volume Delta (CVD)",
        ("CVD",),
        "pane",
        (),
        ("CVD",),
        needs=("taker_buy_volume",),
        short="CVD",
    ),
    StudyDef(
        "Cumulative Volume Delta (CVD Candles)",
        ("CVD Candles",),
        "pane",
        (),
        ("CVD",),
        needs=("taker_buy_volume",),
        short="CVD",
        draw="candles",
    ),
    StudyDef(
        "Taker Buy/Sell Volume",
        (),
        "pane",
        (),
        ("Buy", "Sell"),
        needs=("taker_buy_volume",),
        short="Taker Buy/Sell",
    ),
    StudyDef(
        "Taker Buy/Sell Volume (Delta)",
        ("Net Delta",),
        "pane",
        (),
        ("Delta",),
        needs=("taker_buy_volume",),
        short="Taker Delta",
    ),
)
# Taker buy/sell count and value, and their deltas: from the candles' trade count and taker buy count,
# quote volume (price x size) and taker buy quote volume, all summed from our trades.
CATALOG += tuple(
    StudyDef(
        f"Taker Buy/Sell {kind}{suffix}",
        (),
        "pane",
        (),
        plots,
        needs=needs,
        short=f"Taker {kind} Delta" if suffix else f"Taker Buy/Sell {kind}",
    )
    for kind, needs in (
        ("Count", ("trade_count", "taker_buy_count")),
        ("Value", ("quote_volume", "taker_buy_quote_volume")),
    )
    for suffix, plots in (("", ("Buy", "Sell")), (" (Delta)", ("Delta",)))
)
# The candle columns order-flow studies need, as a 422 names them when a window lacks them. Trades
# give them all; Binance klines all but the taker buy count; OHLCV files none.
NEED_NAMES = {
    "taker_buy_volume": "taker buy volumes",
    "trade_count": "trade counts",
    "taker_buy_count": "taker buy trade counts",
    "quote_volume": "quote volumes",
    "taker_buy_quote_volume": "taker buy quote volumes",
}
# Studies drawn from metric series that customers push (POST /api/v1/metrics, `chartfleet market
# import-metrics`): (TradingView/CHART-IMG name, aliases, metric, how it is drawn).
METRIC_STUDIES = (
    ("Open Interest", ("OI",), "open_interest", "line"),
    ("Open Interest (Candles)", (), "open_interest", "candles"),
    ("Aggregated Open Interest (Candles)", (), "aggregated_open_interest", "candles"),
    ("Funding Rates", (), "funding_rate", "columns"),
    ("Funding Rates (Candles)", (), "funding_rate", "candles"),
    ("Predicted Funding Rates", (), "predicted_funding_rate", "columns"),
    ("Long/Short Ratio (Accounts)", (), "long_short_ratio_accounts", "line"),
    ("Top Trader Long/Short (Accounts)", (), "top_trader_long_short_accounts", "line"),
    ("Top Trader Long/Short (Positions)", (), "top_trader_long_short_positions", "line"),
    ("Premium Index (%)", (), "premium_index", "columns"),
    ("Coinbase BTC Premium Index", (), "coinbase_premium_index", "columns"),
    ("Symbol Liquidations", (), "liquidations", "columns"),
    ("Crypto Fear & Greed Index", (), "fear_greed_index", "line"),
    ("Market Cap", (), "market_cap", "line"),
    ("Net Longs", (), "net_longs", "line"),
    ("Net Shorts", (), "net_shorts", "line"),
)
# The snapshot document's other studies are vendor series too (aggregated and exchange-specific
# open interest, liquidations, bid & ask, borrow rates, indices ...): each draws the metric series of
# the same name that customers push, as candles when its name says so, as signed columns for flows
# and premiums, else as a line. Without data it is a 422 naming the study and the metric.
DOCUMENT_SERIES = (
    "Aggregated Futures Bid & Ask",
    "Aggregated Futures Bid & Ask Delta",
    "Aggregated Futures Bid & Ask Ratio",
    "Aggregated Futures Cumulative Volume Delta (CVD Candles)",
    "Aggregated Futures Cumulative Volume Delta (CVD)",
    "Aggregated Futures Taker Buy/Sell Volume",
    "Aggregated Futures Volume",
    "Aggregated Futures/Spot Volume Ratio",
    "Aggregated Liquidations",
    "Aggregated Liquidations (Coin-margined)",
    "Aggregated Liquidations (STABLECOIN-margined)",
    "Aggregated Long/Short Ratio (Taker Buy/Sell Ratio)",
    "Aggregated Long/Short Ratio (Taker Buy/Sell Ratio) Synchronize Main",
    "Aggregated Open Interest (COIN-margined,Candles)",
    "Aggregated Open Interest (STABLECOIN-margined,Candles)",
    "Aggregated Spot Bid & Ask",
    "Aggregated Spot Bid & Ask Delta",
    "Aggregated Spot Bid & Ask Ratio",
    "Aggregated Spot Cumulative Volume Delta (CVD Candles)",
    "Aggregated Spot Cumulative Volume Delta (CVD)",
    "Aggregated Spot Taker Buy/Sell Volume",
    "Aggregated Spot Volume",
    "Bid & Ask",
    "Bid & Ask Delta",
    "Bid & Ask Ratio",
    "Binance USDT Borrow yearly Interest Rate (%)",
    "Borrow Yearly Interest Rate (%)",
    "Bybit USDT Borrow Yearly Interest Rate (%)",
    "CME BTC Futures Open Interest",
    "CME ETH Futures Open Interest",
    "Funding Rates (Open Interest Weighted)",
    "Funding Rates (Open Interest Weighted,Candles)",
    "Grayscale Holdings",
    "Grayscale Premium",
    "Long/Short Ratio (Accounts,Candles)",
    "OKX USDT Borrow Yearly Interest Rate (%)",
    "Open Interest (Synchronize Main Chart)",
    "Open Interest Delta",
    "Open Interest/Market Cap",
    "Price Index",
    "Top Trader Long/Short (Accounts,Candles)",
    "Top Trader Long/Short (Positions,Candles)",
    "Whale Index",
    "Whale Index 2",
    "Whale Index 3",
    "Whale Index 4",
)
_COLUMNS = ("Liquidations", "Delta", "Premium")


def _series_study(name: str) -> tuple[str, tuple[str, ...], str, str]:
    """``(name, aliases, metric, draw)`` of a document study drawn from the pushed series ``metric``
    (the name in snake case: "Whale Index 2" reads metric ``whale_index_2``)."""
    metric = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    draw = "candles" if "Candles" in name else "columns" if any(w in name for w in _COLUMNS) else "line"
    return name, (), metric, draw


CATALOG = CATALOG + tuple(
    StudyDef(
        name, aliases, "pane", (), ("Candles",) if draw == "candles" else ("Plot",), metric=metric, draw=draw
    )
    for name, aliases, metric, draw in (*METRIC_STUDIES, *(_series_study(n) for n in DOCUMENT_SERIES))
)
BY_NAME: dict[str, StudyDef] = {}
for _study in CATALOG:
    for _n in (_study.name, *_study.aliases):
        BY_NAME[_n.upper()] = _study
SUPPORTED: tuple[str, ...] = tuple(s.name for s in CATALOG)
MAX_STUDIES = 10


class StudyInputError(SpecError):
    """A bad study; ``value`` is what the client sent at ``field``; ``supported`` lists valid names."""

    def __init__(self, field: str, value: Any, message: str, supported: tuple[str, ...] = ()):
        super().__init__(field, message, code="invalid_study", status=422)
        self.value = value
        self.supported = supported


def catalog_document() -> list[dict[str, Any]]:
    """``GET /api/v1/finance/studies``: every study with its aliases, inputs and plots."""
    return [
        {
            "name": s.name,
            "aliases": list(s.aliases),
            "placement": s.place,
            "inputs": dict(s.inputs),
            "plots": list(s.plots),
            "needs": list(s.needs),
            "metric": s.metric or None,
        }
        for s in CATALOG
    ]


def parse_study(value: Any, path: str) -> dict[str, Any]:
    """One study (name or object) to ``{"name", "input", "override"}`` with every input set."""
    if isinstance(value, str):
        name, inputs, overrides = value, {}, {}
    elif isinstance(value, dict):
        name, inputs, overrides = value.get("name"), value.get("input", {}), value.get("override", {})
        if not isinstance(inputs, dict):
            raise StudyInputError(f"{path}.input", inputs, "must be an object")
        if not isinstance(overrides, dict):
            raise StudyInputError(f"{path}.override", overrides, "must be an object")
        unknown = sorted(set(value) - {"name", "input", "override"})
        if unknown:
            raise StudyInputError(f"{path}.{unknown[0]}", value[unknown[0]], "must be supported")
    else:
        raise StudyInputError(path, value, "must be supported", SUPPORTED)
    study = BY_NAME.get(name.strip().upper()) if isinstance(name, str) else None
    if study is None:
        where = path if isinstance(value, str) else f"{path}.name"
        raise StudyInputError(where, name, "must be supported", SUPPORTED)
    resolved: dict[str, Any] = {}
    for key, default in study.inputs:
        resolved[key] = _input(inputs.get(key, default), default, f"{path}.input.{key}")
    for key in inputs:
        if key not in resolved:
            raise StudyInputError(f"{path}.input.{key}", inputs[key], "must be supported")
    if study.name == "MACD" and resolved["fast"] >= resolved["slow"]:
        raise StudyInputError(f"{path}.input.fast", resolved["fast"], "must be less than slow")
    return {"name": study.name, "input": resolved, "override": _overrides(study, overrides, path)}


def _input(value: Any, default: Any, path: str) -> Any:
    if isinstance(default, str):  # a source
        if isinstance(value, str) and value.strip().lower() in SOURCES:
            return value.strip().lower()
        raise StudyInputError(path, value, "must be supported")
    if isinstance(default, bool):
        raise AssertionError("no boolean inputs")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_LENGTH:
            return value
        raise StudyInputError(path, value, f"must be an integer between 1 and {MAX_LENGTH}")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0.1 <= value <= 10:
        return float(value)
    raise StudyInputError(path, value, "must be a number between 0.1 and 10")


def _overrides(study: StudyDef, overrides: dict[str, Any], path: str) -> dict[str, Any]:
    """``{"<plot>.color": css, "<plot>.linewidth": 1-4}`` (``color``/``linewidth`` alone: the first
    plot), plot names matched in any case; colours normalized to ``#rrggbbaa``."""
    plots = {p.lower(): p for p in study.plots}
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        where = f"{path}.override.{key}"
        plot, _, prop = key.rpartition(".")
        canonical = plots.get(plot.lower()) if plot else study.plots[0]
        prop = prop.lower()
        if canonical is None or prop not in ("color", "linewidth"):
            raise StudyInputError(where, value, "must be supported")
        if prop == "color":
            try:
                out[f"{canonical}.color"] = parse_color(value, where)
            except SpecError as exc:
                raise StudyInputError(where, value, "must be a CSS colour") from exc
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 4:
                raise StudyInputError(where, value, "must be a number between 0.5 and 4")
            out[f"{canonical}.linewidth"] = float(value)
    return out
