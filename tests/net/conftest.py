"""Fixtures for the network tests: a network namespace of the test's own, and Pith booted
with a network inside it.

`netns` makes `pith-test-<random>` (`ip netns add`), with its loopback up and IPv6 off on
new links (no router solicitations on the TAP: the wire carries the test's frames only),
and removes it after the test whatever happened: every process started in it through the fixture is
killed (its whole process group), then anything else still in the namespace
(`ip netns pids`), then the namespace itself (so its TAP goes too). No test traffic
leaves the namespace: the TAP and every host peer are inside it.

Skipped, with the reason, when not root or when the host has no /dev/net/tun.
The leak check of tests/kernel/host (no pith:* process, no fd left) runs around each test.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

HERE = Path(__file__).resolve().parent
PITH_IP, HOST_IP = "10.0.2.15", "10.0.2.2"
LIMIT = 60.0  # seconds: the bound of every wait (the machine is shared and loaded)


class Netns:
    """A network namespace `name`; processes run in it with `run` and `start`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started: list[subprocess.Popen[str]] = []

    def argv(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: list[str], timeout: float = LIMIT,
            **kw: object) -> subprocess.CompletedProcess[str]:
        """`argv` in the namespace, to its end (text=False: its output as bytes)."""
        kw.setdefault("text", True)
        return subprocess.run(self.argv(argv), cwd=ROOT, capture_output=True,
                              timeout=timeout, **kw)  # type: ignore[call-overload, no-any-return]

    def start(self, argv: list[str], **kw: object) -> subprocess.Popen[str]:
        """`argv` in the namespace, running (in a session of its own: killed at the end)."""
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        proc = subprocess.Popen(self.argv(argv), cwd=ROOT, start_new_session=True,
                                **kw)  # type: ignore[call-overload]
        self.started.append(proc)
        return proc  # type: ignore[no-any-return]

    def boot(self, command: str, *options: str) -> subprocess.Popen[str]:
        """`pith boot --net tap OPTIONS --command COMMAND` in the namespace, its stdin a pipe
        (the console: closing it ends a `cat` in the command)."""
        argv = [sys.executable, "-m", "pith", "boot", "--net", "tap", *options,
                "--command", command]
        return self.start(argv, stdin=subprocess.PIPE)

    def close(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        pids = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True,
                              text=True).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


@pytest.fixture
def netns() -> Iterator[Netns]:
    if os.geteuid() != 0:
        pytest.skip("needs root: the test makes a network namespace and a TAP device in it "
                    "(without root, see the README's \"network\" section)")
    if not os.path.exists("/dev/net/tun"):
        pytest.skip("this host has no /dev/net/tun (the TUN/TAP driver: modprobe tun)")
    ns = Netns(f"pith-test-{secrets.token_hex(4)}")
    subprocess.run(["ip", "netns", "add", ns.name], check=True, capture_output=True)
    try:
        ns.run(["ip", "link", "set", "lo", "up"]).check_returncode()
        ns.run(["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"])  # a quiet wire
        yield ns
    finally:
        ns.close()


def read_until(proc: subprocess.Popen[str], marker: str, limit: float = LIMIT) -> str:
    """What `proc` printed on stdout up to `marker` and a little after (read straight from
    the fd, unbuffered; fails when it ends or `limit` passes first)."""
    assert proc.stdout is not None
    fd, seen = proc.stdout.fileno(), b""
    end = time.monotonic() + limit
    while marker.encode() not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            break
        seen += chunk
    if marker.encode() in seen:
        return seen.decode()
    proc.kill()
    _, err = proc.communicate()
    raise AssertionError(f"no {marker!r} in {seen.decode()!r}; stderr: {err}")


def finish(proc: subprocess.Popen[str], limit: float = LIMIT) -> tuple[int, str, str]:
    """Close `proc`'s stdin and wait for its end: (status, rest of stdout, stderr)."""
    out, err = proc.communicate(timeout=limit)
    return proc.returncode, out, err
