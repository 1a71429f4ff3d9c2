"""Run Chartfleet's real processes (gunicorn api, celery worker, celery beat) for integration tests."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from devstack.s3server import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"


class ManagedProcess:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not log {text!r}:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def start_api(env: dict[str, str], log_dir: Path, name: str = "api") -> tuple[ManagedProcess, str]:
    port = free_port()
    env = {
        **env,
        "CHARTFLEET_PORT": str(port),
        "CHARTFLEET_BIND": "127.0.0.1",
        "CHARTFLEET_WEB_PROCESSES": env.get("CHARTFLEET_WEB_PROCESSES", "1"),
        "CHARTFLEET_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    proc = ManagedProcess(
        name, [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "api.app:create_app()"], env, log_dir
    )
    return proc, wait_healthy(proc, f"http://127.0.0.1:{port}")


@contextlib.contextmanager
def running_api(env: dict[str, str], log_dir: Path, name: str = "api") -> Iterator[str]:
    """An api for the length of the block: its base URL; stopped however the block ends."""
    proc, base = start_api(env, log_dir, name)
    try:
        yield base
    finally:
        proc.stop()


def wait_healthy(proc: ManagedProcess, base: str, timeout: float = 60) -> str:
    """Wait until ``base``/healthz answers 200; returns ``base``. Fails with the process's log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base
        except requests.RequestException:
            pass
        if proc.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{proc.name} did not start:\n{proc.log()[-4000:]}")
        time.sleep(0.1)


def start_worker(
    env: dict[str, str],
    log_dir: Path,
    name: str = "worker",
    concurrency: int = 2,
    *,
    queues: tuple[str, ...] = (),
    pool: str = "prefork",
) -> ManagedProcess:
    """A celery worker; ``queues`` are logical names (all queues when empty)."""
    prefix = env.get("CHARTFLEET_QUEUE_PREFIX", "")
    selected = ["-Q", ",".join(prefix + q for q in queues)] if queues else []
    proc = ManagedProcess(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "worker.celery_app",
            "worker",
            "--loglevel",
            "INFO",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *selected,
        ],
        env,
        log_dir,
    )
    proc.wait_for_log("ready.")
    return proc


def start_webhooks_worker(env: dict[str, str], log_dir: Path, name: str = "webhooks") -> ManagedProcess:
    """The webhooks queue on an I/O pool, as the Procfile's ``webhooks`` process runs it."""
    return start_worker(env, log_dir, name, concurrency=8, queues=("webhooks",), pool="threads")


def start_beat(env: dict[str, str], log_dir: Path, name: str = "beat") -> ManagedProcess:
    proc = ManagedProcess(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "worker.celery_app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(log_dir / f"{name}-schedule"),
        ],
        env,
        log_dir,
    )
    proc.wait_for_log("beat: Starting")
    return proc


def _process(started: Any) -> ManagedProcess:
    """The process of what a ``start_*`` returned (``start_api`` also returns its URL)."""
    return started[0] if isinstance(started, tuple) else started


def start_together(*starts: Callable[[], Any]) -> list[Any]:
    """Call the ``start_*`` callables at once and return their results in order. Each waits until
    its process is ready, and that wait is mostly the interpreter loading the project: started
    together, a stack is up in about the time of its slowest process, not the sum of all. If one
    fails to start, the others are stopped and its error is raised."""
    with concurrent.futures.ThreadPoolExecutor(len(starts)) as pool:
        futures = [pool.submit(start) for start in starts]
        concurrent.futures.wait(futures)
    failed = [f.exception() for f in futures if f.exception() is not None]
    if failed:
        stop_together(*(_process(f.result()) for f in futures if f.exception() is None))
        raise failed[0]
    return [f.result() for f in futures]


def stop_together(*procs: ManagedProcess | None) -> None:
    """``stop()`` every process at once (each waits for its own exit); None (one that was never
    started) is skipped."""
    procs = tuple(proc for proc in procs if proc is not None)
    if not procs:
        return
    with concurrent.futures.ThreadPoolExecutor(len(procs)) as pool:
        for future in [pool.submit(proc.stop) for proc in procs]:
            future.result()
