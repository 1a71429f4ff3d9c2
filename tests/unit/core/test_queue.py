"""The Celery configuration follows the settings: routes from one table, limits from the settings."""

from __future__ import annotations

from core.config import Settings
from core.queue import LOGICAL_QUEUES, TASK_QUEUES, make_celery, queue_name, visibility_timeout


def test_routes_time_limits_and_memory_come_from_one_place():
    settings = Settings.from_env(
        {
            "CHARTFLEET_QUEUE_PREFIX": "t-",
            "CHARTFLEET_RENDER_HARD_LIMIT": "120",
            "CHARTFLEET_WORKER_MAX_MEMORY_MB": "512",
        }
    )
    conf = make_celery(settings).conf
    assert conf.task_routes == {task: {"queue": f"t-{queue}"} for task, queue in TASK_QUEUES.items()}
    assert {q.name for q in conf.task_queues} == {queue_name(settings, q) for q in LOGICAL_QUEUES}
    assert conf.worker_max_memory_per_child == 512 * 1024
    # Never shorter than a task and a message reserved behind it.
    assert conf.broker_transport_options["visibility_timeout"] == visibility_timeout(settings) == 480
    assert visibility_timeout(Settings.from_env({})) >= 4 * Settings.from_env({}).render_hard_limit
