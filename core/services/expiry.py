"""Expiry of stored images: an object goes once every job that points at it has expired."""

from __future__ import annotations

import datetime as dt
import logging

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import utcnow
from core.models import RenderJob
from core.services.events import forget_rendered
from core.storage import ObjectStore, StorageError

log = logging.getLogger(__name__)
LOOKBACK = dt.timedelta(days=7)  # objects that expired longer ago were deleted by earlier runs


def expire_objects(
    factory: sessionmaker[Session],
    store: ObjectStore,
    client: redis.Redis,
    settings: Settings,
    limit: int = 1000,
) -> int:
    now = utcnow()
    with factory() as session:
        rows = session.execute(
            select(RenderJob.object_key, RenderJob.cache_key)
            .where(RenderJob.object_key.is_not(None))
            .group_by(RenderJob.object_key, RenderJob.cache_key)
            .having(func.max(RenderJob.expires_at) < now)
            .having(func.max(RenderJob.expires_at) > now - LOOKBACK)
            .limit(limit)
        ).all()
    deleted = 0
    for object_key, cache_key in rows:
        forget_rendered(client, settings.redis_prefix, cache_key)
        try:
            store.delete(object_key)
            deleted += 1
        except StorageError:
            log.warning("could not delete expired object %s", object_key, exc_info=True)
    return deleted
