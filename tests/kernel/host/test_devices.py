"""Devices epoll refuses (a regular file, /dev/null) are always ready: each arming fires at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.kernel.host.conftest import ROOT

PROGRAM = textwrap.dedent("""
    import os
    from pith.lib.syscall import gate
    g = gate()
    irq = g.notification_create()
    for name in ("file", "null"):
        fd = g.device_open(CAPS[name])
        for _ in range(3):  # each arming fires at once; reading does not stop it
            g.device_irq(CAPS[name], irq, 0b100)
            assert g.wait(irq, timeout=10) == 0b100
            print(name, os.read(fd, 4), flush=True)
        os.close(fd)
    g.device_irq(CAPS["file"], None)  # disarmed: nothing fires
    assert g.poll(irq) == 0
""")

KERNEL = """
import os, sys
from pith.kernel.host import boot
devices = {"file": os.open(sys.argv[1], os.O_RDONLY), "null": os.open("/dev/null", os.O_RDONLY)}
sys.exit(boot("pith.programs.python:main", ("-c", sys.argv[2]), devices))
"""


def test_a_file_or_dev_null_device_is_always_ready(tmp_path: Path) -> None:
    (tmp_path / "input").write_bytes(b"abcdef")
    done = subprocess.run([sys.executable, "-c", KERNEL, str(tmp_path / "input"), PROGRAM],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "file b'abcd'", "file b'ef'", "file b''", "null b''", "null b''", "null b''"]
