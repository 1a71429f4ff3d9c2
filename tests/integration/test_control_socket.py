"""Each gunicorn instance on a host has its own control socket (issue 16, defect 9): gunicorn's
default is one path per user, which a second instance takes over and deletes when it stops."""

from __future__ import annotations

import os
import socket
import time

from devstack.stack import start_api


def _unix_paths(pid: int) -> set[str]:
    """Paths of the Unix sockets process ``pid`` holds (from /proc, as ``ss -xp`` would show)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    paths = set()
    with open("/proc/net/unix") as table:
        next(table)
        for row in table:
            fields = row.split()
            if len(fields) >= 8 and fields[6] in inodes:
                paths.add(fields[7])
    return paths


def _control_socket(pid: int) -> str:
    deadline = time.monotonic() + 15
    while True:
        found = [p for p in _unix_paths(pid) if p.endswith(".ctl")]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.2)


def _answers(path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(path)
        except OSError:
            return False
    return True


def test_each_instance_has_its_own_control_socket(base_env, database, log_dir):
    env = {k: v for k, v in base_env.items() if k != "CHARTFLEET_CONTROL_SOCKET"}  # the default
    first, _ = start_api(env, log_dir, name="ctl-api-1")
    try:
        second, _ = start_api(env, log_dir, name="ctl-api-2")
        try:
            one, two = _control_socket(first.proc.pid), _control_socket(second.proc.pid)
            assert one != two
            assert _answers(one) and _answers(two)
            first.stop()
            assert os.path.exists(two) and _answers(two)  # the second's is left alone
            assert not os.path.exists(one)  # and the first cleaned up its own
        finally:
            second.stop()
    finally:
        first.stop()
