"""The deployment files agree with the code: every queue a worker consumes exists, every queue has a
consumer, and the autoscalers target Deployments that exist."""

from __future__ import annotations

from pathlib import Path

import yaml

from core.queue import LOGICAL_QUEUES

ROOT = Path(__file__).resolve().parents[3]


def _queues(command: list[str]) -> list[str]:
    return command[command.index("-Q") + 1].split(",") if "-Q" in command else list(LOGICAL_QUEUES)


def test_kubernetes_workers_cover_every_queue_and_scalers_hit_deployments():
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/chartfleet.yaml").read_text()))
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    consumed: set[str] = set()
    for deployment in deployments.values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            command = container.get("command", [])
            if command[:4] == ["celery", "-A", "worker.celery_app", "worker"]:
                queues = _queues(command)
                assert set(queues) <= set(LOGICAL_QUEUES), queues
                consumed.update(queues)
    assert consumed == set(LOGICAL_QUEUES)
    scalers = list(yaml.safe_load_all((ROOT / "deploy/k8s/autoscaling.yaml").read_text()))
    assert {s["kind"] for s in scalers} == {"HorizontalPodAutoscaler", "ScaledObject"}
    for scaler in scalers:
        assert scaler["spec"]["scaleTargetRef"]["name"] in deployments


def test_procfile_and_compose_workers_cover_every_queue():
    procfile = (ROOT / "Procfile").read_text().splitlines()
    consumed = set()
    for line in procfile:
        if "worker.celery_app worker" in line:
            spec = line.split(" -Q ", 1)[1].split()[0]
            consumed.update(q.replace("${CHARTFLEET_QUEUE_PREFIX:-}", "") for q in spec.split(","))
    assert consumed == set(LOGICAL_QUEUES)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "worker.celery_app", "worker"]:
            consumed.update(_queues(command))
    assert consumed == set(LOGICAL_QUEUES)
