"""Waiting in tests: poll a condition until it holds or a deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

FINISHED = ("succeeded", "failed", "dead")


def wait_for(
    predicate: Callable[[], T], timeout: float = 60.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """The first truthy value of ``predicate()``; an AssertionError once ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not reached in {timeout:g}s")


def wait_finished(http: Any, status_url: str, timeout: float = 30.0) -> dict[str, Any]:
    """A job's status document, polled through the API until the job is finished."""
    last: dict[str, Any] = {}

    def finished() -> dict[str, Any] | None:
        last["body"] = http.get(status_url).json()
        return last["body"] if last["body"]["status"] in FINISHED else None

    try:
        return wait_for(finished, timeout)
    except AssertionError as exc:
        raise AssertionError(f"job not finished: {last.get('body')}") from exc
