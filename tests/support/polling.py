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


def wait_for_job_row(sessions: Any, job_id: Any, timeout: float = 30.0) -> Any:
    """The ``render_jobs`` row of ``job_id`` once it exists: a sync cache hit's row reaches
    Postgres with the next flush of the hit log (beat), a second or so after the answer."""
    import uuid

    from core.models import RenderJob

    def row() -> Any:
        with sessions() as s:
            return s.get(RenderJob, uuid.UUID(str(job_id)))

    return wait_for(row, timeout, what=f"render_jobs row {job_id}")
