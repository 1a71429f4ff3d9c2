"""Golden images: a rendered image compared with the committed one, within a tolerance (matplotlib's
RMS image comparison). ``CHARTFLEET_UPDATE_GOLDEN=1`` rewrites the committed images instead."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.testing.compare import compare_images

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("CHARTFLEET_UPDATE_GOLDEN") == "1"


def assert_matches_golden(data: bytes, expected: Path, tmp_path: Path, tolerance: float) -> None:
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(data)
        return
    assert expected.exists(), f"missing {expected}; run with CHARTFLEET_UPDATE_GOLDEN=1"
    actual = tmp_path / expected.name
    actual.write_bytes(data)
    diff = compare_images(str(expected), str(actual), tol=tolerance)
    assert diff is None, diff
