"""Market data test helpers: the streaming service process, a stream reader, the shipped files."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import http.client
import json
import socket
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from core.services.market import DEMO_DATA_DIR
from devstack.s3server import free_port
from devstack.stack import BIN, ManagedProcess, wait_healthy

DATA = DEMO_DATA_DIR
UTC = dt.UTC


def start_stream(env: dict[str, str], log_dir: Path, name: str = "stream") -> tuple[ManagedProcess, str]:
    """The gevent streaming service (deploy/stream.conf.py) on a free port."""
    port = free_port()
    env = {**env, "CHARTFLEET_STREAM_PORT": str(port), "CHARTFLEET_BIND": "127.0.0.1"}
    proc = ManagedProcess(
        name,
        [str(BIN / "gunicorn"), "-c", "deploy/stream.conf.py", "api.stream_app:create_stream_app()"],
        env,
        log_dir,
    )
    return proc, wait_healthy(proc, f"http://127.0.0.1:{port}")


class StreamReader:
    """Reads a streaming response in a thread; ``events`` holds (arrival monotonic time, object).
    Plain http.client, so that ``close`` can hang up at once (shutting the socket down)."""

    def __init__(self, url: str, headers: dict[str, str]):
        parts = urlsplit(url)
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self._conn.request(
            "GET", f"{parts.path}?{parts.query}" if parts.query else parts.path, headers=headers
        )
        self.response = self._conn.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.events: list[tuple[float, dict]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._thread.start()
        else:
            self.body = json.loads(self.response.read())

    def _read(self) -> None:
        try:
            while line := self.response.readline():
                if line.strip():
                    with self._lock:
                        self.events.append((time.monotonic(), json.loads(line)))
        except Exception:  # noqa: S110 - whatever http.client raises once the test hangs up
            pass

    def snapshot(self) -> list[tuple[float, dict]]:
        with self._lock:
            return list(self.events)

    def trades(self) -> list[dict]:
        return [e for _, e in self.snapshot() if e.get("f") == "t"]

    def heartbeats(self) -> list[float]:
        return [t for t, e in self.snapshot() if "heartbeat" in e]

    def wait_for(self, predicate, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"stream condition not met; events: {self.snapshot()}")
            time.sleep(0.05)

    def close(self) -> None:
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._conn.close()
        self._thread.join(timeout=5) if self._thread.is_alive() else None


def alias_of(info) -> str:
    return f"t{info.name[1:].lower()}-alias"


def shipped(name: str, drop_last: bool = True) -> dict[dt.datetime, tuple[Decimal, ...]]:
    """A shipped kline file as {open time: (open, high, low, close, volume)}, without the
    in-progress last row (SOURCES.md)."""
    with (DATA / name).open() as fh:
        rows = list(csv.DictReader(fh))
    if drop_last:
        rows = rows[:-1]
    return {
        dt.datetime.fromisoformat(r["Date"]).replace(tzinfo=UTC): tuple(
            Decimal(r[k]) for k in ("Open", "High", "Low", "Close", "Volume")
        )
        for r in rows
    }


def kline_file(width: str) -> str:
    """The shipped Binance BTCUSDT kline file of a width."""
    (path,) = DATA.glob(f"binance-spot_BTCUSDT_{width}_*.csv")
    return path.name


def complete_buckets(
    fine: dict[dt.datetime, tuple], fine_minutes: int, coarse: dict[dt.datetime, tuple], coarse_minutes: int
) -> list[dt.datetime]:
    """Coarse buckets whose every finer sub-bucket is in ``fine`` (SOURCES.md's comparison rule)."""
    step = dt.timedelta(minutes=fine_minutes)
    per = coarse_minutes // fine_minutes
    return [b for b in coarse if all(b + i * step in fine for i in range(per))]
