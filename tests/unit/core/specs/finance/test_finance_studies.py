"""Study values equal TA-Lib's within 1e-9 on the shipped candles, through the whole path the worker
takes (spec JSON, warm-up bars, slicing to the window); VWAP (TA-Lib has none) equals a direct
decimal computation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
import talib

from core.specs.finance import payload_of
from tests.support.finance import shipped, spec_from_file
from worker.render import render_chart
from worker.render.finance import bars_of, study_values

BARS, WARMUP = 150, 300


def reference(name: str, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    close = c["c"]
    if name == "MA":
        return {"Plot": talib.SMA(close, 9)}
    if name == "EMA 50 hl2":
        return {"Plot": talib.EMA((c["h"] + c["l"]) / 2, 50)}
    if name == "BB":
        up, mid, lo = talib.BBANDS(close, 20, 2.0, 2.0, 0)
        return {"Upper": up, "Basis": mid, "Lower": lo}
    if name == "RSI":
        return {"Plot": talib.RSI(close, 14)}
    if name == "MACD":
        m, s, h = talib.MACD(close, 12, 26, 9)
        return {"MACD": m, "Signal": s, "Histogram": h}
    if name == "Stochastic":
        k, d = talib.STOCH(c["h"], c["l"], close, 14, 3, 0, 3, 0)
        return {"%K": k, "%D": d}
    if name == "ATR":
        return {"Plot": talib.ATR(c["h"], c["l"], close, 14)}
    raise AssertionError(name)


STUDIES = {
    "MA": "MA",
    "EMA 50 hl2": {"name": "Moving Average Exponential", "input": {"length": 50, "source": "hl2"}},
    "BB": "Bollinger Bands",
    "RSI": "relative strength index",
    "MACD": "MACD",
    "Stochastic": "Stochastic",
    "ATR": "ATR",
}


@pytest.mark.parametrize("interval", ["1h", "4h", "1D"])
@pytest.mark.parametrize("study", sorted(STUDIES))
def test_study_equals_talib_on_the_shipped_data(interval, study):
    spec = spec_from_file({"interval": interval, "studies": [STUDIES[study]]}, interval, BARS, WARMUP)
    payload = payload_of(spec)
    ((_, ours),) = study_values(payload, bars_of(payload))
    full = shipped(interval)[-(BARS + WARMUP) :]
    columns = {
        k: np.array([float(getattr(x, f)) for x in full])
        for k, f in zip("ohlc", ("open", "high", "low", "close"), strict=True)
    }
    expected = {k: v[-BARS:] for k, v in reference(study, columns).items()}
    assert set(ours) == set(expected)
    for plot, values in ours.items():
        assert len(values) == BARS
        assert np.isfinite(values).all(), f"{plot}: warm-up too short"
        np.testing.assert_allclose(values, expected[plot], rtol=1e-9, atol=1e-9)


def test_vwap_equals_a_direct_decimal_computation():
    spec = spec_from_file({"interval": "15m", "studies": ["VWAP"]}, "15m", 300, 0)
    payload = payload_of(spec)
    ((_, ours),) = study_values(payload, bars_of(payload))
    candles = shipped("15m")[-300:]
    sums: dict[dt.date, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    expected = []
    for c in candles:
        day = sums[c.bucket.date()]
        day[0] += (c.high + c.low + c.close) / 3 * c.volume
        day[1] += c.volume
        expected.append(float(day[0] / day[1]))
    np.testing.assert_allclose(ours["VWAP"], expected, rtol=1e-9)


def test_taker_flow_studies_from_taker_buy_volume():
    spec = spec_from_file({"studies": ["CVD", "Taker Buy/Sell Volume", "Net Delta"]}, "1h", 10, 0)
    payload = payload_of(spec)
    payload["candles"]["tbv"] = [v * 0.25 for v in payload["candles"]["v"]]
    (cvd, flow, delta) = (plots for _, plots in study_values(payload, bars_of(payload)))
    v = np.array(payload["candles"]["v"])
    np.testing.assert_allclose(delta["Delta"], -0.5 * v)
    np.testing.assert_allclose(cvd["CVD"], np.cumsum(-0.5 * v))
    np.testing.assert_allclose(flow["Sell"], 0.75 * v)


def test_taker_count_and_value_studies_from_the_flow_columns():
    """Buys are the taker buy column, sells the whole minus it, the delta buys minus sells; a study
    whose columns are unknown on some bar is refused (the api answers 422 before that)."""
    names = ["Taker Buy/Sell Count", "Taker Buy/Sell Count (Delta)"]
    spec = spec_from_file(
        {"studies": [*names, "Taker Buy/Sell Value", "Taker Buy/Sell Value (Delta)"]}, "1h", 10, 0
    )
    payload = payload_of(spec)
    candles = payload["candles"]
    candles["n"] = [100 + i for i in range(len(candles["v"]))]
    candles["tbc"] = [40 + 3 * i for i in range(len(candles["v"]))]
    candles["qv"] = [v * c for v, c in zip(candles["v"], candles["c"], strict=True)]
    candles["tbq"] = [q * 0.3 for q in candles["qv"]]
    count, count_delta, value, value_delta = (plots for _, plots in study_values(payload, bars_of(payload)))
    n, tbc, qv = (np.array(candles[k], dtype=float) for k in ("n", "tbc", "qv"))
    np.testing.assert_array_equal(count["Buy"], tbc)
    np.testing.assert_array_equal(count["Sell"], n - tbc)
    np.testing.assert_array_equal(count_delta["Delta"], 2 * tbc - n)
    np.testing.assert_allclose(value["Sell"], 0.7 * qv, rtol=1e-12)
    np.testing.assert_allclose(value_delta["Delta"], -0.4 * qv, rtol=1e-12)
    assert render_chart(spec).data[:4] == b"\x89PNG"
    candles["tbc"][3] = None
    with pytest.raises(ValueError, match="taker buy counts"):
        study_values(payload, bars_of(payload))


def test_cvd_candles_open_where_the_previous_bar_closed():
    """Each CVD candle spans its bar's delta: it opens at the running total before the bar and
    closes after it; drawn in its own pane without error."""

    spec = spec_from_file({"studies": ["CVD Candles"]}, "1h", 10, 0)
    payload = payload_of(spec)
    payload["candles"]["tbv"] = [v * (0.25 if i % 2 else 0.75) for i, v in enumerate(payload["candles"]["v"])]
    ((_, plots),) = study_values(payload, bars_of(payload))
    v = np.array(payload["candles"]["v"])
    delta = np.where(np.arange(len(v)) % 2 == 1, -0.5 * v, 0.5 * v)
    np.testing.assert_allclose(plots["CVD"], np.cumsum(delta)[-len(plots["CVD"]) :], rtol=1e-9)
    np.testing.assert_allclose(
        plots["Open"], plots["CVD"] - delta[-len(plots["CVD"]) :], rtol=1e-9, atol=1e-9
    )
    image = render_chart(spec)  # the payload above is the spec's own: the pane draws these candles
    assert image.data[:4] == b"\x89PNG"


def test_every_study_the_document_lists_is_supported():
    """All the snapshot document's studies are accepted: ours computed, the vendor ones drawn from
    metric series customers push (snake-case names, e.g. ``whale_index_2``)."""
    from core.specs.finance_studies import BY_NAME

    for name in ("Whale Index 2", "Aggregated Liquidations (STABLECOIN-margined)"):
        assert BY_NAME[name.upper()].metric
    # The order-flow studies come from our own trades, never from a pushed series.
    for name in ("Taker Buy/Sell Count", "Taker Buy/Sell Count (Delta)", "Taker Buy/Sell Value (Delta)"):
        assert BY_NAME[name.upper()].metric == "" and BY_NAME[name.upper()].needs
    assert BY_NAME["GRAYSCALE HOLDINGS"].metric == "grayscale_holdings"
    assert BY_NAME["AGGREGATED OPEN INTEREST (COIN-MARGINED,CANDLES)"].draw == "candles"
    assert BY_NAME["CUMULATIVE VOLUME DELTA (CVD CANDLES)"].metric == ""  # computed from taker volumes
