"""Celery entry point of the worker and beat: ``celery -A worker.celery_app worker|beat``."""

from __future__ import annotations

import logging

from celery.signals import worker_process_init

from core.config import Settings
from core.db import dispose_engines
from core.queue import make_celery
from worker.context import reset_context

settings = Settings.from_env()
logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")

app = make_celery(settings, name="chartfleet-worker")
# The tasks register themselves under their names (core.queue) when the worker imports this package.
app.conf.imports = ("worker.tasks",)


@worker_process_init.connect
def _fresh_connections(**_kwargs: object) -> None:
    # A forked child must not reuse the parent's database or Redis sockets.
    dispose_engines()
    reset_context()
