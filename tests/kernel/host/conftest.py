"""Fixtures for tests that boot Pith: a `pith boot` runner, and the leak check.

The leak check runs around every test in this directory: after the test no
host process named `pith:*` may be left, and the test process may not hold
more fds (sockets, memfds, pipes) than before.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def pith_processes() -> set[int]:
    """Host pids whose name is pith:*."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                comm = Path(f"/proc/{entry}/comm").read_text()
            except OSError:
                continue
            if comm.startswith("pith:"):
                found.add(int(entry))
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
