"""Programs that misbehave: the system keeps running and the shell reports their status.

Each runs on a booted Pith (the default manifest, every server isolated) from its
disk image, and the same program runs on the host with python, for the expected
status and output: an exception nobody catches, sys.exit(N), a missing file, a
20 MiB flood of stdout (into wc, and into a pipe closed early by head).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pith.tools.mkfs import make_image
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / "programs"

LINE = ("python /p/raises.py; echo raises=$?; python /p/exits.py 42; echo exits=$?; "
        "python /p/missing.py; echo missing=$?; python /p/floods.py | wc -c; echo floods=$?; "
        "python /p/floods.py | head -c 5 | wc -c; ps | grep -c floods; echo alive")


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bad")
    shutil.copytree(PROGRAMS, tmp / "src" / "p")
    image = tmp / "disk.img"
    make_image(image, 64 << 20, tmp / "src").dev.close()  # type: ignore[attr-defined]
    return image


def test_misbehaving_programs_leave_the_system_running(image: Path) -> None:
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", LINE]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    host = subprocess.run(["sh", "-c", LINE.replace("/p/", f"{PROGRAMS}/")
                           .replace("python ", f"{sys.executable} ")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "raises=1", "exiting", "exits=42", "missing=1", str(20 * 1024 * 1024), "floods=0", "5",
        "0", "alive"]
    assert done.stdout == host.stdout.replace(f"{PROGRAMS}/", "/p/")
    assert "ValueError: something went wrong" in done.stderr
    assert "FileNotFoundError: [Errno 2] No such file or directory: '/no/such/file'" in done.stderr


def test_arguments_too_long_for_one_message_are_e2big_as_on_linux(image: Path) -> None:
    """80 KB of arguments do not fit Pith's 64 KiB messages (Linux allows 2 MB): the spawn
    fails with E2BIG, the shell says so with status 126 as dash does, and goes on."""
    line = "cat $(seq 20000); echo status $?; echo still here"
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command", line]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "status 126\nstill here\n"
    assert done.stderr == "sh: cat: Argument list too long\n"
