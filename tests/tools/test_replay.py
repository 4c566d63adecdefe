"""Deterministic replay: a recorded boot replays identically, a mutant core diverges at the
event it changes, and a cut or corrupt recording is refused by name."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pith.kernel.core import Kernel
from pith.kernel.core import actions as act
from pith.kernel.core import syscalls as sc
from pith.kernel.core.errors import ErrorCode
from pith.kernel.core.events import Syscall
from pith.kernel.core.kernel import HANDLERS
from pith.kernel.core.thread import Thread
from pith.tools import replay as tool
from pith.tools.record import MAGIC, Recording, decode_event, entries
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)

LINE = "cat /bin/ls.py | wc -l; ps | wc -l; echo done"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default system's boot plus one shell line, recorded."""
    path = tmp_path_factory.mktemp("rec") / "boot.rec"
    argv = [sys.executable, "-m", "pith", "boot", "--record", str(path), "--command", LINE]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "done"
    yield path


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pith", "replay", *argv], capture_output=True,
                          text=True, timeout=120)


def test_a_recorded_boot_and_command_replay_identically(recording: Path, tmp_path: Path) -> None:
    kinds = {e.kind for e in entries(recording)}
    assert {"boot", "syscall", "tick", "exited"} <= kinds
    done = run(str(recording), "--json", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every action the same" in done.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["divergence"] is None
    assert report["events"] == sum(1 for _ in entries(recording)) > 500


def test_replay_until_shows_the_kernel_at_that_event(recording: Path) -> None:
    done = run(str(recording), "--until", "40")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "after event 40:"
    assert any(line.startswith("process 1 'root' alive") for line in lines)
    assert any(line.startswith("endpoint ") for line in lines)
    assert any("slot    0 spawn" in line for line in lines)
    # the same state a core fed the same 40 events has
    k = Kernel()
    report = tool.replay(recording, 40, k)
    assert report.events == 40 and report.divergence is None
    assert "\n".join(lines[1:]) == tool.dump(k)


def test_a_mutant_core_diverges_at_the_event_it_changes(
        recording: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mutant answers every ProcessStatus with an error: the first divergence is the
    first ProcessStatus of the recording (the shell's `ps` and waits make some)."""
    first = next(e.n for e in entries(recording)
                 if isinstance(ev := decode_event(e), Syscall)
                 and isinstance(ev.call, sc.ProcessStatus))
    original = HANDLERS[sc.ProcessStatus]

    def mutant(k: Kernel, t: Thread, call: sc.ProcessStatus) -> None:
        original(k, t, call)
        k.out[-1] = act.Resume(t.tid, act.Error(ErrorCode.INVALID_ARGUMENT, "mutant"))

    monkeypatch.setitem(HANDLERS, sc.ProcessStatus, mutant)
    report = tool.replay(recording)
    assert report.divergence is not None
    assert report.divergence.n == first
    assert report.events == first
    assert report.divergence.expected != report.divergence.got
    assert tool.main([str(recording)]) == 1


def test_a_cut_recording_is_refused_with_the_entry_it_ends_in(
        recording: Path, tmp_path: Path) -> None:
    data = recording.read_bytes()
    cut = tmp_path / "cut.rec"
    cut.write_bytes(data[:len(data) // 2])
    done = run(str(cut))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"pith: replay: {cut}: cut short in entry ")


def test_a_corrupt_or_foreign_file_is_refused(recording: Path, tmp_path: Path) -> None:
    data = bytearray(recording.read_bytes())
    bad = tmp_path / "bad.rec"
    bad.write_bytes(data[:len(MAGIC) + 4] + b"\xc1" * 64 + data[len(MAGIC) + 68:])
    done = run(str(bad))
    assert done.returncode == 2
    assert f"pith: replay: {bad}: entry 1, at byte 8: corrupt" in done.stderr
    foreign = tmp_path / "foreign.rec"
    foreign.write_text("hello\n")
    done = run(str(foreign))
    assert (done.returncode, done.stderr) == (
        2, f"pith: replay: {foreign}: not a Pith recording (no PITHREC1 header)\n")
    done = run(str(tmp_path / "missing.rec"))
    assert (done.returncode, done.stderr) == (
        2, f"pith: replay: {tmp_path / 'missing.rec'}: No such file or directory\n")
    done = run(str(recording), "--until", "-1")
    assert done.returncode == 2 and "--until: -1: not an event number" in done.stderr


def test_a_recording_core_behaves_as_the_plain_one(tmp_path: Path) -> None:
    """In process, no host: the same calls give the same actions and the same state."""
    plain, rec = Kernel(), Recording(tmp_path / "k.rec", clock=lambda: 0)
    try:
        calls: list[sc.SyscallRequest] = [sc.EndpointCreate(), sc.NotificationCreate(),
                                          sc.CapCopy(4, 7), sc.Call(4, b"x", timeout=0),
                                          sc.CapDelete(6), sc.CapDelete(40)]
        for k in (plain, rec):
            info, start = k.boot("root", ("disk",), "prog", ("a",))
            assert start
            for call in calls:
                k.syscall(info.tid, call)
    finally:
        rec.close()
    assert rec.snapshot() == plain.snapshot()
    replayed = Kernel()
    report = tool.replay(tmp_path / "k.rec", None, replayed)
    assert report.divergence is None and report.events == 1 + len(calls)
    assert replayed.snapshot() == plain.snapshot()
