"""The HTTP side of a webhook attempt: connect to the checked address, POST once, read a little.

The destination is checked (``core.services.webhooks.addresses``) right before the attempt and the
connection goes to the address that check saw, with the URL's host name kept for the Host header,
TLS SNI and certificate verification: there is no second DNS lookup to rebind. Redirects are never
followed (``http.client`` does not), and only the first 1 KB of the answer is read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time

from core.services.webhooks.addresses import (
    AddressPolicy,
    Destination,
    Resolver,
    UnsafeDestination,
    system_resolver,
)
from core.services.webhooks.deliveries import RESPONSE_KEEP, Answer

ABORT_HEADER = "webhook-delivery"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(
            destination.host, destination.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def send(
    url: str,
    body: str,
    headers: dict[str, str],
    policy: AddressPolicy,
    timeout: float,
    resolve: Resolver = system_resolver,
) -> Answer:
    """One attempt. Never raises for the receiver's faults: they become an ``Answer`` with an error."""
    try:
        destination = policy.check(url, resolve)
    except UnsafeDestination as exc:
        return Answer(error=f"refused destination: {exc}")
    kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    conn = kind(destination, timeout)
    started = time.perf_counter()
    deadline = started + timeout
    try:
        conn.request("POST", destination.target, body=body.encode(), headers=headers)
        response = conn.getresponse()
        # The status line arrived; the rest of the answer must come within what is left.
        if conn.sock is not None:
            conn.sock.settimeout(max(0.1, deadline - time.perf_counter()))
        raw = response.read(RESPONSE_KEEP)
        latency = round((time.perf_counter() - started) * 1000)
        if latency > timeout * 1000:
            return Answer(
                status_code=response.status, latency_ms=latency, error=f"no answer within {timeout:g}s"
            )
        return Answer(
            status_code=response.status,
            latency_ms=latency,
            body=raw.decode("utf-8", errors="replace"),
            retry_after=_retry_after(response.getheader("Retry-After")),
            abort=(response.getheader(ABORT_HEADER) or "").strip().lower() == "abort-message",
        )
    except TimeoutError:
        return Answer(
            latency_ms=round((time.perf_counter() - started) * 1000), error=f"no answer within {timeout:g}s"
        )
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Answer(
            latency_ms=round((time.perf_counter() - started) * 1000), error=f"{type(exc).__name__}: {exc}"
        )
    finally:
        conn.close()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
