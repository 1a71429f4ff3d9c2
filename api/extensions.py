"""The services a request needs, built once per app and kept in ``app.extensions["chartfleet"]``.

Both apps (``api.app`` and the streaming service ``api.stream_app``) build theirs with
:func:`build_services`; routes reach them through :func:`services`.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from celery import Celery
from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import session_factory
from core.queue import make_celery
from core.services.auth_cache import AuthCache
from core.storage import ObjectStore, build_store

EXTENSION = "chartfleet"


@dataclass(frozen=True)
class Services:
    """Settings and the clients built from them. ``celery`` and ``store`` are None in the streaming
    service, which neither enqueues renders nor reads images."""

    settings: Settings
    sessions: sessionmaker[Session]
    redis: redis.Redis
    celery: Celery | None
    store: ObjectStore | None
    auth_cache: AuthCache | None = None  # principals of API keys, invalidated across processes


def build_services(
    settings: Settings, *, celery_name: str | None = "chartfleet-api", store: bool = True
) -> Services:
    return Services(
        settings=settings,
        sessions=session_factory(settings.database_url),
        redis=redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2),
        celery=make_celery(settings, name=celery_name) if celery_name else None,
        store=build_store(settings) if store else None,
        auth_cache=AuthCache(settings.database_url, max_age=settings.auth_cache_max_age)
        if settings.auth_cache_max_age > 0
        else None,
    )


def init_app(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services


def services() -> Services:
    return current_app.extensions[EXTENSION]
