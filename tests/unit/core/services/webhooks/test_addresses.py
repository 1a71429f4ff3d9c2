"""SSRF rules of webhook destinations (no network: resolvers are stubs)."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.services.webhooks.addresses import AddressPolicy, UnsafeDestination

POLICY = AddressPolicy(Settings.from_env({}))

BLOCKED_ADDRESSES = [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.0.1",
    "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "::1", "::", "fc00::1",
    "fd00:ec2::254", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "::ffff:10.0.0.1", "::ffff:100.64.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "::127.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_blocked_addresses_are_refused_literal_and_resolved(address):
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(UnsafeDestination):
        POLICY.check(f"http://{literal}/hook", resolve=None)
    with pytest.raises(UnsafeDestination, match="resolves to"):
        POLICY.check("https://hooks.example/x", lambda host, port: [address])


def test_any_private_answer_among_several_is_refused():
    with pytest.raises(UnsafeDestination):
        POLICY.check("https://hooks.example/x", lambda host, port: ["93.184.216.34", "10.0.0.7"])


def test_public_destination_is_pinned_to_the_checked_address():
    dest = POLICY.check("https://hooks.example/in?a=1", lambda host, port: ["93.184.216.34"])
    assert (dest.host, dest.port, dest.target, dest.address) == (
        "hooks.example",
        443,
        "/in?a=1",
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/x",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "http://93.184.216.34:22/x",
        "http://user:pw@93.184.216.34/x",
        "http://localhost/x",
        "http://2130706433/x",
        "http://0x7f000001/x",
        "http:///x",
    ],
)
def test_schemes_ports_credentials_and_odd_spellings(url):
    with pytest.raises(UnsafeDestination):
        POLICY.check(url, resolve=None)


def test_ports_and_allowlist_are_configurable():
    policy = AddressPolicy(
        Settings.from_env({}, webhook_ports="443", webhook_allowlist="127.0.0.2/32, dev.local")
    )
    with pytest.raises(UnsafeDestination, match="port"):
        policy.check("http://93.184.216.34/x", resolve=None)
    assert policy.check("https://127.0.0.2/x", resolve=None).address == "127.0.0.2"
    assert policy.check("https://dev.local/x", lambda h, p: ["10.1.1.1"]).address == "10.1.1.1"
    with pytest.raises(UnsafeDestination):
        policy.check("https://127.0.0.1/x", resolve=None)
