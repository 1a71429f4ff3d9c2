"""Per-process resources of a worker: settings, database sessions, object store, Redis.

Built lazily in each (forked) process, never at import time and never shared across a fork.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass

import redis
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import session_factory
from core.storage import ObjectStore, build_store


@dataclass
class WorkerContext:
    settings: Settings
    sessions: sessionmaker[Session]
    store: ObjectStore
    redis: redis.Redis

    @property
    def name(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}"


@functools.cache
def get_context() -> WorkerContext:
    settings = Settings.from_env()
    return WorkerContext(
        settings=settings,
        sessions=session_factory(settings.database_url),
        store=build_store(settings),
        redis=redis.Redis.from_url(settings.redis_url, socket_timeout=10),
    )


def reset_context() -> None:
    get_context.cache_clear()
