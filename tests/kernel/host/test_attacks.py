"""The sandbox and the kernel, attacked from inside a sandboxed Pith process.

attack_script.py runs as `python -c` in Pith; every attack must be refused,
the process must carry on, and the system must still answer afterwards.
The table of results is in docs/sandbox.md.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.kernel.host.conftest import boot

ATTACKS = [
    "open /etc/passwd", "open /etc/passwd (raw openat)", "write into Pith's code", "socket()",
    "socket (raw)", "connect (raw, on fd 0)", "execve /bin/sh", "fork",
    "clone without CLONE_THREAD (raw)", "ptrace attach the kernel", "process_vm_readv the kernel",
    "kill the kernel", "kill init (raw)", "mount tmpfs", "map a read-only grant writable (kernel)",
    "map a read-only grant writable (mmap)", "name a slot it does not hold",
    "call without the WRITE right", "forge a badge", "send a 65 KiB message",
    "write garbage to its gate", "write a 200 KiB frame to its gate",
    "call while its server dies",
]


@pytest.fixture(scope="module")
def outcome() -> dict[str, str]:
    script = (Path(__file__).parent / "attack_script.py").read_text()
    done = boot(f"python -c {shlex.quote(script)}")
    assert done.returncode == 0, done.stderr
    assert not (Path(__file__).parents[3] / "pith" / "pwned.py").exists()
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    lines["ALIVE"] = "ALIVE memory" if "ALIVE memory" in done.stdout else "dead"
    return lines


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_blocked(outcome: dict[str, str], attack: str) -> None:
    assert outcome.get(attack, "missing").startswith("blocked"), outcome.get(attack)


def test_system_still_runs_after_every_attack(outcome: dict[str, str]) -> None:
    assert outcome["ALIVE"] == "ALIVE memory"
    assert outcome["badge seen by the server"] == "1000"
    assert outcome["after its server died"] == "anyone?"  # rs restarted it
