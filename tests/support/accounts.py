"""Helpers for account tests: the real CLI, and a chart spec that never hits the cache."""

from __future__ import annotations

import subprocess
import uuid

from devstack.stack import BIN, ROOT


def run_cli(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``chartfleet ARGS`` from the checkout, its exit status left to the caller."""
    return subprocess.run(
        [str(BIN / "chartfleet"), *args], env=env, cwd=ROOT, capture_output=True, text=True, input=input
    )


def cli(env: dict[str, str], *args: str, input: str | None = None) -> str:
    """The output of a ``chartfleet`` command that must succeed (its stderr in the failure)."""
    out = run_cli(env, *args, input=input)
    assert out.returncode == 0, f"chartfleet {' '.join(args)} exited {out.returncode}: {out.stderr}"
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
