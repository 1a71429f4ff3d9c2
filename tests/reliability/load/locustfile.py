"""The load mix of the reliability suite: cache hits, unique sync renders, async jobs and their polls,
and management reads, in the proportions a busy installation sees. Run by test_load.py."""

from __future__ import annotations

import os
import random
import uuid

from locust import FastHttpUser, between, task

KEY = os.environ["CHARTFLEET_LOAD_KEY"]
HOT = {"type": "bar", "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "hot", "data": [3, 1, 2]}]}}


def unique() -> dict:
    n = random.random()
    return {
        "type": random.choice(["bar", "line", "pie"]),
        "width": 400,
        "height": 240,
        "data": {"labels": ["a", "b", "c"], "datasets": [{"label": uuid.uuid4().hex, "data": [n, 2, 3]}]},
    }


class Customer(FastHttpUser):
    wait_time = between(0, 0.05)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {KEY}"}
        self.jobs: list[str] = []

    @task(8)
    def cache_hit(self) -> None:
        self.client.post("/api/v1/render", json=HOT, headers=self.auth, name="POST /api/v1/render (hit)")

    @task(2)
    def sync_render(self) -> None:
        self.client.post(
            "/api/v1/render", json=unique(), headers=self.auth, name="POST /api/v1/render (unique)"
        )

    @task(2)
    def async_job(self) -> None:
        with self.client.post(
            "/api/v1/jobs", json=unique(), headers=self.auth, catch_response=True
        ) as answer:
            if answer.status_code == 202:
                self.jobs.append(answer.json()["id"])
                answer.success()

    @task(4)
    def poll(self) -> None:
        if self.jobs:
            self.client.get(
                f"/api/v1/jobs/{random.choice(self.jobs)}", headers=self.auth, name="GET /api/v1/jobs/{id}"
            )

    @task(2)
    def management(self) -> None:
        self.client.get("/api/v1/renders?limit=10", headers=self.auth, name="GET /api/v1/renders")
        self.client.get("/api/v1/usage", headers=self.auth, name="GET /api/v1/usage")
