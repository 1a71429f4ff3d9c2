"""Finance charts match reference images in tests/golden/finance/ within a small RMS tolerance:
both themes, every chart style, several intervals, zones with :30 and :45 offsets, each study
family and each watermark size. Regenerate after an intended visual change (and look at them):

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/finance/test_finance_golden.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image

from tests.support.finance import spec_from_file
from worker.render import render_chart

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "finance"
UPDATE = os.environ.get("CHARTFLEET_UPDATE_GOLDEN") == "1"
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


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_golden_image(name: str, tmp_path: Path) -> None:
    body, source = CASES[name]
    spec = spec_from_file(body, source)
    data = render_chart(spec).data
    assert Image.open(io.BytesIO(data)).size == (spec.width, spec.height)
    expected = GOLDEN / f"{name}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(data)
        return
    assert expected.exists(), f"missing {expected}; run with CHARTFLEET_UPDATE_GOLDEN=1"
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(data)
    diff = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert diff is None, diff


def test_watermark_opacity_and_size_change_the_picture() -> None:
    body = {"interval": "1h", "watermark": "WATERMARK"}
    plain = render_chart(spec_from_file({"interval": "1h"}, "1h")).data
    faint = render_chart(spec_from_file({**body, "watermarkOpacity": 0.1}, "1h")).data
    strong = render_chart(spec_from_file({**body, "watermarkSize": 128}, "1h")).data
    assert len({plain, faint, strong}) == 3
