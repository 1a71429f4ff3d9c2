"""Rendered PNGs match the reference images in tests/golden/ within a small RMS tolerance.

Regenerate after an intended visual change (then look at every image before committing):

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/render
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images

from worker.render import render_chart

from . import charts

GOLDEN = Path(__file__).resolve().parents[3] / "golden"
UPDATE = os.environ.get("CHARTFLEET_UPDATE_GOLDEN") == "1"
TOLERANCE = 2.0  # RMS over 0-255 channels; font rasterization noise stays well below this

CASES = {
    "bar": charts.bar,
    "line_fill_tension": charts.line,
    "pie": charts.pie,
    "radar": charts.radar,
    "scatter": charts.scatter,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_golden_image(name: str, tmp_path: Path) -> None:
    data = render_chart(CASES[name]()).data
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
