"""Render jobs, in four concerns: submission (``submission``), the worker's transitions
(``transitions``), the stuck-job sweeper (``sweeper``); publishing goes through ``core.services.outbox``."""

from core.services.jobs.submission import (
    MAX_IDEMPOTENCY_KEY,
    IdempotencyConflict,
    Recorded,
    RenderRequest,
    create_job,
    find_idempotent,
    record_hit_later,
)
from core.services.jobs.sweeper import sweep_stuck_jobs
from core.services.jobs.transitions import (
    Claim,
    ClaimOutcome,
    claim_job,
    image_columns,
    mark_failed,
    mark_succeeded,
    requeue,
    settle_unclaimed,
)
from core.services.outbox import dispatch

__all__ = [
    "MAX_IDEMPOTENCY_KEY",
    "Claim",
    "ClaimOutcome",
    "IdempotencyConflict",
    "Recorded",
    "RenderRequest",
    "claim_job",
    "create_job",
    "dispatch",
    "find_idempotent",
    "record_hit_later",
    "image_columns",
    "mark_failed",
    "mark_succeeded",
    "requeue",
    "settle_unclaimed",
    "sweep_stuck_jobs",
]
