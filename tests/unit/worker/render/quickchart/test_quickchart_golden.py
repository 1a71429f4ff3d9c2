"""QuickChart plugin and chart-type configs render like their reference images in
tests/golden/quickchart/ (RMS tolerance as in tests/unit/render/test_render_golden.py).

Regenerate after an intended visual change, then look at every image before committing:

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/unit/worker/render/quickchart
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.specs.chartjs import parse_chart
from tests.support import quickchart_configs as configs
from tests.support.golden import assert_matches_golden
from worker.render import render_chart

GOLDEN = Path(__file__).resolve().parents[4] / "golden" / "quickchart"
TOLERANCE = 2.0

CASES = sorted(name for name in dir(configs) if name.isupper())


@pytest.mark.parametrize("name", CASES)
def test_matches_golden_image(name: str, tmp_path: Path) -> None:
    data = render_chart(parse_chart(getattr(configs, name)).spec).data
    assert_matches_golden(data, GOLDEN / f"{name.lower()}.png", tmp_path, TOLERANCE)


def test_every_config_draws_something_different_from_the_plain_chart(tmp_path: Path) -> None:
    """The plugins change the picture: the same chart without them renders differently."""
    for name in ("DATALABELS_BAR", "ANNOTATIONS", "DOUGHNUT_LABEL"):
        config = dict(getattr(configs, name))
        plain = {**config, "options": {}}
        with_plugins = render_chart(parse_chart(config).spec).data
        without = render_chart(parse_chart(plain).spec).data
        assert with_plugins != without, name
