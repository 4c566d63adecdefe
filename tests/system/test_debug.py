"""`service debug NAME`: pdb inside a running server, on the host's terminal (here a pipe).

The shell asks rs; tty lends the console; pdb stops in tmpfs with `self` the live server;
`c` lets it go on and the shell carries on. With `--next`, pdb starts at the first line of
the next request tmpfs handles (a `cat` from another job), and its end ends the session.
"""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

from tests.kernel.host.conftest import ROOT, no_leaks  # noqa: F401  (the leak check)

LINE = ("echo ready; read x; service debug tmpfs; echo back $?; echo hi > /tmp/x; read y; "
        "{ service debug tmpfs --next; echo end $? > /tmp/end; } & "  # (till it is armed,
        "while ! test -e /tmp/end; do cat /tmp/x > /dev/null; done; "  # cats go through)
        "wait; cat /tmp/end /tmp/x")


class Console:
    """The booted Pith's stdin and merged stdout/stderr, read up to what we wait for."""

    def __init__(self, image: Path) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", LINE],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def until(self, text: bytes, timeout: float = 30) -> bytes:
        """What it printed up to and including `text` (waited for, at most `timeout` s)."""
        assert self.proc.stdout is not None
        out, deadline = b"", time.monotonic() + timeout
        while text not in out:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self.proc.stdout], [], [], left)[0], out
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            assert chunk, out
            out += chunk
        return out

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()


def test_pdb_in_a_running_server(tmp_path: Path) -> None:
    pith = Console(tmp_path / "disk.img")
    try:
        pith.until(b"ready\n")
        pith.say("go")
        assert b"pdb in tmpfs" in pith.until(b"(Pdb tmpfs) ")
        pith.say("p type(self).__name__, sorted(self.caps)")
        assert b"('TmpfsServer', ['tmpfs'])" in pith.until(b"(Pdb tmpfs) ")
        pith.say("c")
        pith.until(b"back 0\n")
        pith.say("go")
        shown = pith.until(b"(Pdb tmpfs) ")
        assert b"its next request" in shown and b"do_" in shown  # (stopped in a handler)
        pith.say("p type(request).__name__ in ('Stat', 'Lookup', 'Read')")
        assert b"True" in pith.until(b"(Pdb tmpfs) ")
        pith.say("c")
        assert pith.until(b"hi\n").endswith(b"end 0\nhi\n")
        assert pith.proc.stdin is not None
        pith.proc.stdin.close()
        assert pith.proc.wait(timeout=30) == 0
    finally:
        if pith.proc.poll() is None:
            pith.proc.kill()
        pith.proc.wait()
        for stream in (pith.proc.stdin, pith.proc.stdout):
            if stream is not None:
                stream.close()
