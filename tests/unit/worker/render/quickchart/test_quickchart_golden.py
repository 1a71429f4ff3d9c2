"""QuickChart plugin and chart-type configs render like their reference images in
tests/golden/quickchart/ (RMS tolerance as in tests/unit/render/test_render_golden.py).

Regenerate after an intended visual change, then look at every image before committing:

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/worker/render/quickchart
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images

from core.specs.chartjs import parse_chart
from tests.support import quickchart_configs as configs
from worker.render import render_chart

GOLDEN = Path(__file__).resolve().parents[4] / "golden" / "quickchart"
UPDATE = os.environ.get("CHARTFLEET_UPDATE_GOLDEN") == "1"
TOLERANCE = 2.0

CASES = sorted(name for name in dir(configs) if name.isupper())


@pytest.mark.parametrize("name", CASES)
def test_matches_golden_image(name: str, tmp_path: Path) -> None:
    data = render_chart(parse_chart(getattr(configs, name)).spec).data
    expected = GOLDEN / f"{name.lower()}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(data)
        return
    assert expected.exists(), f"missing {expected}; run with CHARTFLEET_UPDATE_GOLDEN=1"
    actual = tmp_path / expected.name
    actual.write_bytes(data)
    diff = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert diff is None, diff


def test_every_config_draws_something_different_from_the_plain_chart(tmp_path: Path) -> None:
    """The plugins change the picture: the same chart without them renders differently."""
    for name in ("DATALABELS_BAR", "ANNOTATIONS", "DOUGHNUT_LABEL"):
        config = dict(getattr(configs, name))
        plain = {**config, "options": {}}
        with_plugins = render_chart(parse_chart(config).spec).data
        without = render_chart(parse_chart(plain).spec).data
        assert with_plugins != without, name
