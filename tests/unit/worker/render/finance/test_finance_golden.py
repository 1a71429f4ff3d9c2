"""Finance charts match reference images in tests/golden/finance/ within a small RMS tolerance:
both themes, every chart style, several intervals, zones with :30 and :45 offsets, each study
family and each watermark size. Regenerate after an intended visual change (and look at them):

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/worker/render/finance/test_finance_golden.py
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from PIL import Image

from core.specs.finance import payload_of
from core.specs.model import ChartSpec
from tests.support.finance import spec_from_file
from tests.support.golden import assert_matches_golden
from worker.render import render_chart

GOLDEN = Path(__file__).resolve().parents[4] / "golden" / "finance"
TOLERANCE = 2.0

CASES = {
    "light_1h_candle_ma_volume": (
        {"interval": "1h", "studies": ["MA", {"name": "EMA", "input": {"length": 21}}, "Volume"]},
        "1h",
    ),
    "dark_4h_hollow_bb_macd_wm64": (
        {
            "interval": "4h",
            "theme": "dark",
            "style": "hollow",
            "studies": ["BB", "Volume (Overlay)", "MACD"],
            "watermark": "BTCUSDT",
            "watermarkSize": 64,
            "watermarkOpacity": 0.2,
        },
        "4h",
    ),
    "light_1D_ohlc_kolkata_rsi_wm16": (
        {"style": "ohlc", "timezone": "Asia/Kolkata", "studies": ["RSI"], "watermark": "demo", "width": 1000},
        "1D",
    ),
    "dark_15m_area_kathmandu_stoch_wm32": (
        {
            "interval": "15m",
            "theme": "dark",
            "style": "area",
            "timezone": "Asia/Kathmandu",
            "studies": ["Stochastic", "ATR"],
            "watermark": "15m",
            "watermarkSize": 32,
            "watermarkOpacity": 0.5,
            "height": 700,
        },
        "15m",
    ),
    "light_5m_line_vwap_wm128": (
        {
            "interval": "5m",
            "style": "line",
            "studies": ["VWAP"],
            "watermark": "BTC",
            "watermarkSize": 128,
            "watermarkOpacity": 0.1,
            "width": 600,
            "height": 400,
            "format": "png",
        },
        "5m",
    ),
}


def order_flow_and_metrics() -> ChartSpec:
    """Order-flow and metric studies: the shipped klines have no taker volumes and no metrics, so
    this case gives them made-up but deterministic ones (a share of each bar's volume, waves)."""
    spec = spec_from_file(
        {
            "interval": "1h",
            "theme": "dark",
            "height": 900,
            "studies": ["CVD", "Taker Buy/Sell Volume (Delta)", "Open Interest (Candles)", "Funding Rates"],
        },
        "1h",
    )
    payload = payload_of(spec)
    candles = payload["candles"]
    candles["tbv"] = [v * (0.35 + 0.3 * ((i * 7) % 10) / 10) for i, v in enumerate(candles["v"])]
    n = len(candles["t"]) - payload["first_visible"]
    wave = [80_000 + 2_000 * math.sin(i / 9) for i in range(n + 1)]
    payload["studies"][2]["series"] = {
        "o": wave[:-1],
        "h": [max(a, b) + 150 for a, b in zip(wave, wave[1:], strict=False)],
        "l": [min(a, b) - 150 for a, b in zip(wave, wave[1:], strict=False)],
        "c": wave[1:],
    }
    funding = [0.0001 * math.sin(i / 5) if i % 8 == 0 else None for i in range(n)]
    payload["studies"][3]["series"] = {k: funding for k in "ohlc"}
    return spec


def taker_counts_and_values() -> ChartSpec:
    """The count and value taker studies (light theme), with deterministic made-up flow columns:
    the shipped klines carry none."""
    studies = ["Taker Buy/Sell Count", "Taker Buy/Sell Count (Delta)", "Taker Buy/Sell Value (Delta)"]
    spec = spec_from_file({"interval": "1h", "height": 800, "studies": studies}, "1h")
    candles = payload_of(spec)["candles"]
    candles["n"] = [1000 + (i * 37) % 400 for i in range(len(candles["t"]))]
    candles["tbc"] = [n * (40 + (i * 13) % 21) // 100 for i, n in enumerate(candles["n"])]
    candles["qv"] = [v * c for v, c in zip(candles["v"], candles["c"], strict=True)]
    candles["tbq"] = [q * (0.38 + 0.25 * ((i * 3) % 10) / 10) for i, q in enumerate(candles["qv"])]
    return spec


BUILT = {
    "dark_1h_order_flow_metrics": order_flow_and_metrics,
    "light_1h_taker_counts_values": taker_counts_and_values,
}


@pytest.mark.parametrize("name", sorted([*CASES, *BUILT]))
def test_matches_golden_image(name: str, tmp_path: Path) -> None:
    if name in CASES:
        body, source = CASES[name]
        spec = spec_from_file(body, source)
    else:
        spec = BUILT[name]()
    data = render_chart(spec).data
    assert Image.open(io.BytesIO(data)).size == (spec.width, spec.height)
    assert_matches_golden(data, GOLDEN / f"{name}.png", tmp_path, TOLERANCE)


def test_watermark_opacity_and_size_change_the_picture() -> None:
    body = {"interval": "1h", "watermark": "WATERMARK"}
    plain = render_chart(spec_from_file({"interval": "1h"}, "1h")).data
    faint = render_chart(spec_from_file({**body, "watermarkOpacity": 0.1}, "1h")).data
    strong = render_chart(spec_from_file({**body, "watermarkSize": 128}, "1h")).data
    assert len({plain, faint, strong}) == 3
