"""Market data upkeep scheduled by beat: candle roll-ups and next month's trade partition."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from core.db import get_engine, utcnow
from core.queue import MARKET_ROLLUP_TASK
from core.services.market.rollup import run_rollup
from core.services.market.trades import ensure_partitions
from worker.context import get_context

log = logging.getLogger(__name__)


@shared_task(name=MARKET_ROLLUP_TASK, acks_late=True, soft_time_limit=120, time_limit=180)
def market_rollup() -> dict[str, int]:
    """Roll up every symbol with pending spans (a symbol another process is rolling up is skipped
    and stays pending), and make sure this month's and next month's trade partitions exist, so the
    first trade of a month does not pay for the DDL."""
    engine = get_engine(get_context().settings.database_url)
    now = utcnow()
    ensure_partitions(engine, now, now + dt.timedelta(days=32))
    result = run_rollup(engine)
    if result.symbols:
        log.info("market roll-up: %s", result)
    return {"symbols": result.symbols, "spans": result.spans, "written": result.written, "busy": result.busy}
