"""Boot to the Pith shell on a real terminal (tmux) and use it as a person would.

Boot, see the prompt, run a pipeline, edit a line with backspace, ^C a
`sleep 100` and get the prompt back, ^D to shut down — and the host terminal's
settings are what they were before.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.system.tmux import Terminal

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "$ "

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    """A terminal running `pith boot` on a fresh image, at its first prompt; the stty
    settings before and after are saved in tmp_path (before, after). Afterwards, every
    process the boot started must be gone."""
    image = tmp_path / "disk.img"
    pith = f"{sys.executable} -m pith boot --image {image}"
    line = (f"sh -c 'stty -g > {tmp_path}/before; {pith}; echo \"[status $?]\"; "
            f"stty -g > {tmp_path}/after'")
    term = Terminal.start(line, str(ROOT))
    started: set[int] = set()
    try:
        term.wait_for(lambda s: prompt_count(s) >= 1, timeout=60)
        started = pith_pids(term.server_pid())
        assert len(started) >= 10  # boot, kernel, zygote, rs, 8 servers, init, sh
        yield term, tmp_path
        started |= pith_pids(term.server_pid())
    finally:
        term.close()
    wait_until_gone(started)


def pith_pids(under: int | None = None) -> set[int]:
    """Host processes named pith:* (setproctitle), and `pith boot` itself; only those
    descending from process `under` if given (a test's own tmux server)."""
    parents, found = {}, set()
    for proc in Path("/proc").iterdir():
        try:
            line = (proc / "cmdline").read_bytes()
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if line.startswith(b"pith:") or b"pith\0boot" in line:
            found.add(int(proc.name))
    if under is None:
        return found
    return {p for p in found if _descends(p, under, parents)}


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid != ancestor:
        pid = parents[pid]
    return pid == ancestor


def wait_until_gone(pids: set[int], timeout: float = 20) -> None:
    """Wait until none of `pids` lives on (they die with the kernel, through the tmux
    pane's hang-up), bounded."""
    deadline = time.monotonic() + timeout
    while left := pids & pith_pids():
        assert time.monotonic() < deadline, f"processes left behind: {left}"
        time.sleep(0.05)  # (a poll interval: there is no event for another process's end)


def prompt_count(screen: str) -> int:
    return sum(1 for line in screen.splitlines() if line.startswith(PROMPT))


def test_boot_to_a_prompt_run_a_pipeline_and_shut_down_with_ctrl_d(
        session: tuple[Terminal, Path]) -> None:
    term, tmp = session
    term.type("echo hello pith | tr a-z A-Z | cat")
    term.wait_for("HELLO PITH")
    term.wait_for(lambda s: prompt_count(s) >= 2)
    term.keys("C-d")
    screen = term.wait_for("[status 0]")
    assert "Traceback" not in screen
    term.wait_for(lambda _: (tmp / "after").exists() and (tmp / "after").read_text() != "")
    assert (tmp / "after").read_text() == (tmp / "before").read_text()


def test_backspace_edits_the_line_before_it_runs(session: tuple[Terminal, Path]) -> None:
    term, _ = session
    term.keys("echo abcx", literal=True)
    term.keys("BSpace")
    term.keys("d", literal=True)
    term.keys("Enter")
    screen = term.wait_for(lambda s: prompt_count(s) >= 2)
    assert "\nabcd\n" in screen
    term.type("exit")
    term.wait_for("[status 0]")


def test_ctrl_c_stops_the_foreground_job_and_the_prompt_comes_back(
        session: tuple[Terminal, Path]) -> None:
    term, tmp = session
    term.type("sleep 100")
    term.wait_for("sleep 100")
    term.keys("C-c")
    term.wait_for(lambda s: prompt_count(s) >= 2, timeout=20)
    term.type("echo after $?")
    term.wait_for("after 130")
    term.type("exit 3")
    term.wait_for("[status 3]")
    term.wait_for(lambda _: (tmp / "after").exists() and (tmp / "after").read_text() != "")
    assert (tmp / "after").read_text() == (tmp / "before").read_text()


def test_the_tty_driver_crashes_while_the_shell_waits_and_the_session_goes_on(
        session: tuple[Terminal, Path]) -> None:
    term, tmp = session
    term.type("x=kept")
    term.wait_for(lambda s: prompt_count(s) >= 2)
    tty = [p for p in pith_pids(term.server_pid()) if cmdline_of(p).startswith("pith:tty")]
    assert len(tty) == 1
    os.kill(tty[0], signal.SIGKILL)  # the shell is waiting in a read of /dev/tty
    term.wait_for("restarting it")  # rs, on the console
    term.wait_for(lambda _: any(cmdline_of(p).startswith("pith:tty")
                                for p in pith_pids(term.server_pid()) if p != tty[0]))
    term.type("echo $x again")
    term.wait_for("kept again")
    term.keys("C-d")
    term.wait_for("[status 0]")
    term.wait_for(lambda _: (tmp / "after").exists() and (tmp / "after").read_text() != "")
    assert (tmp / "after").read_text() == (tmp / "before").read_text()


def cmdline_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.parametrize("server", ["vfs", "pm"])
def test_when_vfs_or_pm_dies_the_system_runs_on_with_a_new_session(
        session: tuple[Terminal, Path], server: str) -> None:
    """vfs and pm hold every user process's state, so their death ends the session; rs
    restarts the server and starts a new session, and the disk's data is all there."""
    term, _ = session
    term.type("echo saved > /kept; echo written")
    term.wait_for("\nwritten")
    victim = [p for p in pith_pids(term.server_pid())
              if cmdline_of(p).startswith(f"pith:{server}")]
    assert len(victim) == 1
    os.kill(victim[0], signal.SIGKILL)
    term.wait_for("starting a new session")
    term.wait_for(lambda s: s.rstrip().endswith(PROMPT.rstrip()), timeout=30)
    term.type("cat /kept")
    term.wait_for("\nsaved")
    term.type("exit 4")
    term.wait_for("[status 4]")
