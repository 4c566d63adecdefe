"""Kill the default system's servers from the host, one after another, while a shell uses
them: each comes back and the shell's next command gives the right answer. A server
stopped from the host (SIGSTOP: a hang) misses its heartbeat and is restarted too.

pm and vfs are left out: their death starts a new session (tests/system/test_terminal.py).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from pith.tools.mkfs import BIN
from tests.kernel.host.conftest import Running, named, no_leaks  # noqa: F401

LS_SIZE = (BIN / "ls.py").stat().st_size
# One round per line of input: a read through mfs and blk, a write and read on tmpfs, a
# command from /boot/bin on bootfs, /proc/services from procfs (which asks rs and pm).
ROUND = ('echo ready; while read n; do echo "$n" > /tmp/f; '
         'echo "$n $(cat /bin/ls.py | wc -c) $(cat /tmp/f) $(grep -c "^mfs " /proc/services)"'
         '; done')
KILLED = ("blk", "mfs", "tmpfs", "bootfs", "procfs", "ds", "tty")


def expect(pith: Running, n: int) -> None:
    pith.say(f"{n}\n".encode())
    assert pith.line(timeout=30) == f"{n} {LS_SIZE} {n} 1\n".encode()


def test_each_server_killed_from_the_host_comes_back(tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", ROUND]
    with Running(argv) as pith:
        assert pith.line(timeout=60) == b"ready\n"
        expect(pith, 0)
        for n, name in enumerate(KILLED, 1):
            os.kill(named(f"pith:{name}"), signal.SIGKILL)
            expect(pith, n)
        stopped = named("pith:mfs")
        os.kill(stopped, signal.SIGSTOP)  # hung: rs's heartbeat finds it (period + timeout)
        expect(pith, len(KILLED) + 1)
        assert named("pith:mfs") != stopped
        _, err = pith.finish()  # (it closes the input: the loop ends, and the boot)
    assert pith.kernel.returncode == 0, err
    for name in KILLED:
        assert f"service {name} died (status -9); restarting it".encode() in err
    assert b"service mfs missed its heartbeat; killing it" in err
