"""Run moto's S3 server as a real HTTP process, so storage tests speak the S3 protocol over sockets.

    with moto_s3_server() as endpoint:      # "http://127.0.0.1:<port>"
        store = S3ObjectStore(endpoint, "test", "test", "some-bucket")

Moto accepts any credentials and keeps everything in memory; each server starts empty. It neither
checks signatures nor enforces the expiry of presigned URLs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


@contextmanager
def moto_s3_server(startup_timeout: float = 30.0, port: int | None = None) -> Iterator[str]:
    """Start ``python -m moto.server`` on a free loopback port, yield its endpoint URL once it answers
    HTTP, and terminate it on exit. The server's output goes to a temporary log, shown on failure."""
    port = port or free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + startup_timeout
            while not _answers(endpoint):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"moto S3 server did not start on {endpoint}:\n{output}")
                time.sleep(0.1)
            yield endpoint
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
