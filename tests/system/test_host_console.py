"""A user process holds no host fd of the console: it reads and writes the console only
through vfs and tty. (Every process is forked with the kernel's fds 0-2; the posix layer
puts dead pipes there before the program runs.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

PROBE = """
import posix
print("host read:", posix.read(0, 100))
for fd in (1, 2):
    try:
        posix.write(fd, b"LEAKED past tty\\n")
    except OSError as e:
        print("host write:", e.strerror)
print("through vfs:", input())
"""


def test_a_user_process_cannot_use_the_hosts_console_fds(tmp_path: Path) -> None:
    line = f"python -c '{PROBE}'"
    done = subprocess.run([sys.executable, "-m", "pith", "boot", "--image",
                           str(tmp_path / "disk.img"), "--command", line],
                          cwd=ROOT, input=b"typed by the user\n", capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert b"LEAKED" not in done.stdout + done.stderr
    assert done.stdout == (b"host read: b''\nhost write: Broken pipe\nhost write: Broken pipe\n"
                           b"through vfs: typed by the user\n")
