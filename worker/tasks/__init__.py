"""Celery tasks (thin: they call core services and worker.render)."""

from worker.tasks import maintenance, render

__all__ = ["maintenance", "render"]
