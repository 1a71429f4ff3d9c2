"""Celery entry point of the worker and beat: ``celery -A worker.celery_app worker|beat``."""

from __future__ import annotations

import os
import shutil
import tempfile

from celery.signals import (
    task_postrun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_shutdown,
)

from core import logs
from core.config import Settings
from core.db import dispose_engines
from core.queue import make_celery
from core.runtime import trim_heap_every, tune_gc
from worker.context import reset_context

settings = Settings.from_env()
logs.configure(settings)
# A worker that serves metrics adds up its forked children's samples, which they write to files in
# PROMETHEUS_MULTIPROC_DIR: it must be set before prometheus_client is first imported.
_OWN_METRICS_DIR = None
if settings.worker_metrics_port and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _OWN_METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="chartfleet-metrics-")

app = make_celery(settings, name="chartfleet-worker")
# The tasks register themselves under their names (core.queue) when the worker imports this package.
app.conf.imports = ("worker.tasks",)


@worker_process_init.connect
def _fresh_connections(**_kwargs: object) -> None:
    # A forked child must not reuse the parent's database or Redis sockets.
    dispose_engines()
    reset_context()
    tune_gc(settings.gc_gen0_threshold)  # the renderer is loaded: freeze it out of the GC's walks


@task_postrun.connect
def _trim_heap(**_kwargs: object) -> None:
    trim_heap_every()  # free heap pages back to the system every core.runtime.TRIM_EVERY tasks


@worker_init.connect
def _serve_metrics(**_kwargs: object) -> None:
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        from core.metrics import exposition

        start_http_server(settings.worker_metrics_port, addr=settings.bind, registry=exposition())


@worker_process_shutdown.connect
def _forget_child_metrics(pid: int | None = None, **_kwargs: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@worker_shutdown.connect
def _drop_metrics_dir(**_kwargs: object) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(_OWN_METRICS_DIR, ignore_errors=True)
