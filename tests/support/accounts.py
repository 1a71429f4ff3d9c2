"""Helpers for account tests: the real CLI, and a chart spec that never hits the cache."""

from __future__ import annotations

import subprocess
import uuid

from devstack.stack import BIN, ROOT


def cli(env: dict[str, str], *args: str, input: str | None = None) -> str:
    out = subprocess.run(
        [str(BIN / "chartfleet"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        input=input,
    )
    return out.stdout.strip()


def new_key(
    env: dict[str, str], *scopes: str, account: str | None = None, plan: str = "starter"
) -> tuple[str, str]:
    """(account name, key) through ``chartfleet keys create``."""
    name = account or f"acct-{uuid.uuid4().hex[:10]}"
    args = ["keys", "create", "--account", name, "--plan", plan]
    for scope in scopes or ("render", "read"):
        args += ["--scope", scope]
    return name, cli(env, *args)


def unique_spec(**overrides) -> dict:
    spec = {
        "type": "bar",
        "width": 300,
        "height": 200,
        "data": {"labels": ["a", "b"], "datasets": [{"label": uuid.uuid4().hex, "data": [1, 2]}]},
    }
    spec.update(overrides)
    return spec


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
