"""Celery tasks (thin: they call core services and worker.render)."""

from worker.tasks import maintenance, market, render

__all__ = ["maintenance", "market", "render"]
