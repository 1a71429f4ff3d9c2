"""Celery tasks (thin: they call core services and worker.render)."""

from worker.tasks import maintenance, market, render, webhooks

__all__ = ["maintenance", "market", "render", "webhooks"]
