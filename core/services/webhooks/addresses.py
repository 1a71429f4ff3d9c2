"""Where a webhook may go (SSRF protection).

A destination is refused when its host is, or resolves to, an address that is not on the public
internet: loopback, RFC 1918, link-local (the cloud metadata address), carrier-grade NAT, 0/8,
multicast, reserved, ::1, fc00::/7, fe80::/10, and any IPv4 address embedded in IPv6 (mapped,
compatible, NAT64, 6to4) that is one of those. The check runs at registration and again before each
attempt, and the sender connects to the very address that was checked, so DNS cannot change the
answer in between. Only http/https and the configured ports are allowed. The operator allowlist
(CIDRs and host names) exempts destinations for development and tests.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from core.config import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/128",
        "::1/128",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(ValueError):
    """The URL may not receive webhooks; the message says why."""


@dataclasses.dataclass(frozen=True)
class Destination:
    """A checked URL and the address to connect to."""

    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: str


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def blocked_reason(address: Address) -> str | None:
    """Why ``address`` may not receive webhooks, or None when it is a public address."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = blocked_reason(inner)
        return f"embeds {inner}, which {reason}" if reason else None
    for network in BLOCKED_NETWORKS:
        if address.version == network.version and address in network:
            return f"is in the non-public range {network}"
    if address.is_private or address.is_reserved or address.is_multicast or address.is_link_local:
        return "is not a public address"
    return None


class AddressPolicy:
    """The rules of one deployment: allowed ports and the operator allowlist."""

    def __init__(self, settings: Settings):
        self.ports = _parse_ports(settings.webhook_ports)
        self.allowed_networks = []
        self.allowed_hosts = set()
        for item in (part.strip() for part in settings.webhook_allowlist.split(",")):
            if not item:
                continue
            try:
                self.allowed_networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.allowed_hosts.add(item.lower().rstrip("."))

    def _allowed(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.allowed_networks)

    def check(self, url: str, resolve: Resolver | None = system_resolver) -> Destination:
        """Check a URL; with a resolver, resolve its host and check every address (the first is
        the one to connect to). ``resolve=None`` checks the shape and literal addresses only."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise UnsafeDestination(f"not a valid URL: {exc}") from exc
        if parts.scheme not in ("http", "https"):
            raise UnsafeDestination("only http and https URLs may receive webhooks")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise UnsafeDestination("the URL has no host")
        if parts.username or parts.password:
            raise UnsafeDestination("credentials in the URL are not allowed")
        port = port or (443 if parts.scheme == "https" else 80)
        if not any(low <= port <= high for low, high in self.ports):
            raise UnsafeDestination(f"port {port} is not allowed for webhooks")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        literal = _literal(host)
        if literal is not None:
            addresses = [str(literal)]
        elif resolve is None:
            if host == "localhost" or host.endswith(".localhost"):
                self._refuse_name(host)
            return Destination(parts.scheme, host, port, target, "")
        else:
            try:
                addresses = list(resolve(host, port))
            except (OSError, UnicodeError) as exc:
                raise UnsafeDestination(f"the host {host} does not resolve") from exc
            if not addresses:
                raise UnsafeDestination(f"the host {host} does not resolve")
        host_allowed = host in self.allowed_hosts
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            reason = blocked_reason(address)
            if reason and not host_allowed and not self._allowed(address):
                where = host if literal is not None else f"{host} resolves to {address}, which"
                raise UnsafeDestination(f"{where} {reason}; webhooks only go to public addresses")
        return Destination(parts.scheme, host, port, target, addresses[0].split("%", 1)[0])

    def _refuse_name(self, host: str) -> None:
        if host not in self.allowed_hosts:
            raise UnsafeDestination(f"{host} is a loopback name; webhooks only go to public addresses")


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Legacy IPv4 spellings a resolver would accept (2130706433, 0x7f.1, 017700000001).
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _parse_ports(spec: str) -> list[tuple[int, int]]:
    ranges = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges
