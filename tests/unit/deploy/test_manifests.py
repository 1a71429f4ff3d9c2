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


def test_the_image_carries_every_installed_package():
    import tomllib

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    for pattern in packages["include"]:
        name = pattern.rstrip("*")
        assert f"COPY {name} ./{name}" in dockerfile, name


def test_kubernetes_runs_every_procfile_role():
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/chartfleet.yaml").read_text()))
    commands = [
        " ".join(c.get("command", []))
        for d in docs
        if d["kind"] in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"]["containers"]
    ]
    roles = {
        "gunicorn -c deploy/stream.conf.py": "stream",
        "chartfleet db upgrade": "release",
        "worker.celery_app beat": "beat",
    }
    for needle, role in roles.items():
        assert any(needle in command for command in commands), role
    services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
    ingress = next(d for d in docs if d["kind"] == "Ingress")
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends <= services and backends == {"chartfleet-api", "chartfleet-stream"}
