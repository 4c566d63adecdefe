"""Fixtures for tests that boot Pith: a `pith boot` runner, and the leak check.

The leak check runs around every test in this directory: after the test no
host process named `pith:*` may be left, and the test process may not hold
more fds (sockets, memfds, pipes) than before.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pith.tools.inject import host_processes

ROOT = Path(__file__).resolve().parents[3]
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # see pith_processes


def pith_processes() -> set[int]:
    """Live host processes named pith:* that descend from this test process.

    The test process is a child subreaper, so whatever a test leaves behind stays its
    descendant (and other test runs on the machine do not count)."""
    table, me = host_processes(), os.getpid()
    for pid, (ppid, state, _) in table.items():
        if ppid == me and state == "Z" and table[pid][2].startswith("pith:"):
            os.waitpid(pid, 0)  # an orphan that already died: reap it, it is no leak
    found = set()
    for pid, (_, state, name) in table.items():
        ancestor = pid
        while ancestor in table and ancestor != me:
            ancestor = table[ancestor][0]
        if ancestor == me and name.startswith("pith:") and state != "Z":
            found.add(pid)
    return found


def open_fds() -> set[str]:
    fds = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the fd listdir itself used)
            fds.add(f"{fd}->{os.readlink(f'/proc/self/fd/{fd}')}")
    return fds


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    before_procs, before_fds = pith_processes(), open_fds()
    yield
    left = pith_processes() - before_procs
    assert not left, f"host processes left behind: {left}"
    leaked = open_fds() - before_fds
    assert not leaked, f"fds left open: {leaked}"


def boot(command: str, manifest: str = "examples/echo.toml",
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`pith boot --manifest M --command C`, to its end."""
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", manifest, "--command", command]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def named(name: str) -> int:
    """The one host process of this test run called `name` (pith:echo, say)."""
    found = [p for p in pith_processes() if Path(f"/proc/{p}/comm").read_text().strip() == name]
    assert len(found) == 1, found
    return found[0]


def minix_image(path: Path, mib: int) -> Path:
    """A fresh MINIX v3 image of `mib` MiB, made by util-linux mkfs.minix -3."""
    path.write_bytes(bytes(mib << 20))
    subprocess.run(["mkfs.minix", "-3", str(path)], check=True, capture_output=True)
    return path


def boot_argv(code: str, manifest: str | None = None, image: Path | None = None) -> list[str]:
    """`pith boot` running `python -c CODE`, with a manifest (examples/echo.toml if not
    given) and an image if given."""
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", manifest or "examples/echo.toml"]
    argv += ["--image", str(image)] if image else []
    return [*argv, "--command", f"python -c {shlex.quote(code)}"]


class Running:
    """A booted Pith, talked to line by line (for tests that act while it runs)."""

    def __init__(self, argv: list[str]) -> None:
        self.kernel = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def line(self, timeout: float = 60) -> bytes:
        """The next line the command prints, waited for at most `timeout` seconds."""
        out = self.kernel.stdout
        assert out is not None and select.select([out], [], [], timeout)[0], "no output"
        return out.readline()

    def say(self, text: bytes = b"go\n") -> None:
        assert self.kernel.stdin is not None
        self.kernel.stdin.write(text)
        self.kernel.stdin.flush()

    def finish(self, timeout: float = 60) -> tuple[bytes, bytes]:
        """Its remaining output and error, once it has ended."""
        return self.kernel.communicate(timeout=timeout)

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.kernel.poll() is None:
            self.kernel.kill()
        self.kernel.communicate()
