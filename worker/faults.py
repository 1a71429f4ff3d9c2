"""Fault hooks for the reliability tests, all in one place.

Each hook does nothing unless its ``CHARTFLEET_FAULT_*`` setting (core/config.py) is set; production
leaves them unset. The tests use them to hold a job in flight long enough to kill its worker.
"""

from __future__ import annotations

import time

from core.config import Settings


def before_render(settings: Settings) -> None:
    """``CHARTFLEET_FAULT_RENDER_DELAY``: sleep this many seconds before drawing each job."""
    if settings.fault_render_delay:
        time.sleep(settings.fault_render_delay)
