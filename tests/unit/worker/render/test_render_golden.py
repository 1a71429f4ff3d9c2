"""Rendered PNGs match the reference images in tests/golden/ within a small RMS tolerance.

Regenerate after an intended visual change (then look at every image before committing):

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/worker/render
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.golden import assert_matches_golden
from worker.render import render_chart

from . import charts

GOLDEN = Path(__file__).resolve().parents[3] / "golden"
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
    assert_matches_golden(data, GOLDEN / f"{name}.png", tmp_path, TOLERANCE)
