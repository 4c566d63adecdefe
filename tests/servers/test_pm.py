"""pm booted for real: spawn, wait, kill, groups, orphans, SIGCHLD, init — as its clients see it.

Each test boots examples/system.toml with pm's runtime set to tests/servers/pm_runtime.py,
a stand-in for the posix runtime that acts out its argv; rs has pm run it as init
with the command line, and init's status is the boot's.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.kernel.host.conftest import (
    ROOT,
    no_leaks,  # noqa: F401  (the leak check)
)

RUNTIME = ROOT / "tests" / "servers" / "pm_runtime.py"


def boot(tmp_path: Path, code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Boot the system with init running `code` (pm_runtime's `py`); its output."""
    text = (ROOT / "examples" / "system.toml").read_text()
    text += f'args = ["runtime={RUNTIME}:main"]\n'  # (pm's section is the last)
    manifest = tmp_path / "system.toml"
    manifest.write_text(text)
    line = f"py {shlex.quote(textwrap.dedent(code))}"
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", str(manifest), "--command", line]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def said(done: subprocess.CompletedProcess[str]) -> list[str]:
    return done.stdout.splitlines()


def test_spawn_wait_and_the_exit_status(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        import os
        ids = pm.call(pp.GetIds())
        out("ids", ids.pid, ids.ppid, ids.pgid)
        c = spawn("exit", "3")
        w = pm.call(pp.Wait(c))
        out("exit", w.pid == c, os.WIFEXITED(w.status), os.WEXITSTATUS(w.status))
        try:
            pm.call(pp.Wait())
        except ServiceError as e:
            out("wait", e.error)
        status = 7
    """)
    assert said(done) == ["1: ids 1 0 1", "1: exit True True 3", "1: wait ECHILD"], done.stderr
    assert done.returncode == 7


def test_a_missing_or_unrunnable_program_fails_the_spawn(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        for path in ["/nope.py", "/boot", "nope.py"]:
            try:
                spawn("exit", "0", path=path)
            except ServiceError as e:
                out(path, e.error)
        out([(r.pid, r.ppid, r.pgid, r.state, r.argv[:2]) for r in pm.call(pp.Processes()).rows])
    """)
    assert said(done) == ["1: /nope.py ENOENT", "1: /boot EACCES", "1: nope.py ENOENT",
                          "1: [(1, 0, 1, 'R', ['init', '-c'])]"], done.stderr


def test_nohang_zombies_and_kill_statuses(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        import os, time
        s = spawn("sleep")
        out("nohang", pm.call(pp.Wait(s, nohang=True)))
        pm.call(pp.Kill(s, 0))  # it exists
        pm.call(pp.Kill(s, 15))
        w = pm.call(pp.Wait(s))
        out("term", w.pid == s, os.WIFSIGNALED(w.status), os.WTERMSIG(w.status))
        s = spawn("sleep")
        pm.call(pp.Kill(s, 9))
        out("kill", os.WTERMSIG(pm.call(pp.Wait(s)).status))
        z = spawn("exit", "4")
        deadline = time.monotonic() + 30
        while pm.call(pp.Processes()).rows[-1].state != "Z" and time.monotonic() < deadline:
            pass
        out("zombie", [(r.pid == z, r.ppid, r.state) for r in pm.call(pp.Processes()).rows])
        out("reaped", os.WEXITSTATUS(pm.call(pp.Wait(-1, nohang=True)).status))
        out("table", [r.pid for r in pm.call(pp.Processes()).rows])
        for target in (z, 99):
            try:
                pm.call(pp.Kill(target, 15))
            except ServiceError as e:
                out("gone", e.error)
    """)
    assert said(done) == [
        "1: nohang Waited(pid=0, status=0)", "1: term True True 15", "1: kill 9",
        "1: zombie [(False, 0, 'R'), (True, 1, 'Z')]", "1: reaped 4", "1: table [1]",
        "1: gone ESRCH", "1: gone ESRCH",
    ], done.stderr


def test_groups_orphans_and_sigchld(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        import os
        a = spawn("sleep", pgroup=0)
        b = spawn("sleep", pgroup=a)
        c = spawn("sleep")
        out("groups", pm.call(pp.Getpgid(a)).pgid == a, pm.call(pp.Getpgid(b)).pgid == a,
            pm.call(pp.Getpgid(c)).pgid)
        pm.call(pp.Kill(-a, 15))
        out("group", sorted(pm.call(pp.Wait(-a)).pid for _ in range(2)) == sorted([a, b]))
        try:
            pm.call(pp.Wait(-a, nohang=True))
        except ServiceError as e:
            out("group gone", e.error)
        pm.call(pp.Setpgid(c, 0))
        pm.call(pp.Kill(-c, 9))
        out("setpgid", os.WTERMSIG(pm.call(pp.Wait(c)).status))
        # a middle process starts a grandchild and exits with its pid: init inherits it
        m = spawn("py", "status = spawn('sleep')")
        g = os.WEXITSTATUS(pm.call(pp.Wait(m)).status)
        out("orphan", [(r.pid == g, r.ppid) for r in pm.call(pp.Processes()).rows])
        pm.call(pp.Kill(g, 9))
        out("reaped", pm.call(pp.Wait()).pid == g, len(sigchld) >= 4)
    """)
    assert said(done) == [
        "1: groups True True 1", "1: group True", "1: group gone ECHILD", "1: setpgid 9",
        "1: orphan [(False, 0), (True, 1)]", "1: reaped True True",
    ], done.stderr


def test_children_inherit_and_bad_requests_are_refused(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        from pith.lib.syscall import gate
        from pith.lib.server import Client, Failure
        import msgspec
        try:
            pm.call(pp.Kill(1, 15))
        except ServiceError as e:
            out("init", e.error)
        try:
            pm.call(pp.RunInit("/boot/bin/init.py", ["init"], {}))
        except ServiceError as e:
            out("runinit", e.error)
        for bad in (b"garbage", msgspec.msgpack.encode({"type": "Kill", "pid": "x"})):
            reply = gate().call(CAPS["pm"], bad).msg
            out("bad", msgspec.msgpack.decode(reply, type=Failure).error)
        for req in (pp.Kill(1, 99), pp.Kill(1, 19), pp.Setpgid(1, -2), pp.Getpgid(42)):
            try:
                pm.call(req)
            except ServiceError as e:
                out(type(req).__name__, e.error)
        child = spawn("py", "out(pm.call(pp.GetIds()))")
        pm.call(pp.Wait(child))
        out("table", [r.pid for r in pm.call(pp.Processes()).rows])
        spawn("sleep")  # left running: pm kills it when the system stops
    """)
    assert said(done) == [
        "1: init EPERM", "1: runinit EPERM", "1: bad EINVAL", "1: bad EINVAL",
        "1: Kill EINVAL", "1: Kill EINVAL", "1: Setpgid EINVAL", "1: Getpgid ESRCH",
        "2: Ids(pid=2, ppid=1, pgid=1)", "1: table [1]",
    ], done.stderr
    assert done.returncode == 0


def test_init_killed_by_a_signal_ends_the_boot_with_128_plus_it(tmp_path: Path) -> None:
    done = boot(tmp_path, "import os; os.kill(os.getpid(), 15)")
    assert done.returncode == 128 + 15, done.stderr


class FakeGate:
    """Just enough of a gate for pm to set up; any other syscall would fail the test."""

    def cap_mint(self, slot: int, rights: int, badge: int) -> int:
        return 99

    def notification_create(self) -> int:
        return 98

    def bind(self, slot: int) -> None:
        pass

    def call(self, slot: int, msg: bytes, caps: tuple[int, ...] = (),
             timeout: float | None = None) -> object:
        """pm's one call at set-up: vfs ForgetUsers, answered Done."""
        import msgspec

        from pith.kernel.core.actions import Replied
        from pith.protocols import vfs as vp

        assert msgspec.msgpack.decode(msg, type=vp.VfsRequest) == vp.ForgetUsers()
        return Replied(msgspec.msgpack.encode(vp.Done()), ())


def test_callers_that_are_no_process_of_pms_are_refused_and_nothing_changes() -> None:
    import msgspec

    from pith.lib.server import Caller, Failure
    from pith.protocols import pm as pp
    from pith.servers.pm.server import PmServer

    pm = PmServer({"vfs": 1, "pm": 2, "spawn": 3}, (), lambda: FakeGate())  # type: ignore[arg-type, return-value]
    requests = [pp.Spawn("/x.py", ["x"], {}), pp.Wait(), pp.GetIds(), pp.Setpgid(0, 0),
                pp.Kill(1, 15), pp.RunInit("/x.py", ["x"], {})]
    for badge in (1005, 1000, 0, 7):
        for request in requests:
            if badge < pp.BADGE_BASE and isinstance(request, pp.Kill | pp.RunInit):
                continue  # (system callers may kill; rs, badge 0, starts init)
            reply = pm.dispatch(msgspec.msgpack.encode(request), Caller(badge, None))
            assert reply is not None
            assert msgspec.msgpack.decode(reply, type=Failure).error == "EPERM", (badge, request)
    assert pm.procs == {} and pm.waiters == [] and pm.next_pid == 1


def test_proc_lists_pms_processes(tmp_path: Path) -> None:
    done = boot(tmp_path, """
        def cat(path):
            fd = vfs.call(vp.Open(path)).fd
            data = vfs.call(vp.Read(fd, 4096)).data
            vfs.call(vp.Close(fd))
            return data
        s = spawn("sleep", "a b")
        out(sorted(vfs.call(vp.Listdir("/proc")).names))
        out(cat(f"/proc/{s}/status").decode().splitlines())
        out(cat(f"/proc/{s}/cmdline"))
        pm.call(pp.Kill(s, 9))
        pm.call(pp.Wait(s))
        out(sorted(vfs.call(vp.Listdir("/proc")).names))
    """)
    assert said(done) == [
        "1: ['1', '2', 'ipc', 'services']",
        "1: ['Name:\\tt', 'State:\\tR (running)', 'Pid:\\t2', 'PPid:\\t1', 'Pgid:\\t1']",
        "1: b't\\x00sleep\\x00a b\\x00'",
        "1: ['1', 'ipc', 'services']",
    ], done.stderr


class SpawningGate(FakeGate):
    """A gate whose vfs finds every program and whose kernel refuses to make processes."""

    def __init__(self) -> None:
        self.sent: list[object] = []
        self.deleted: list[int] = []

    def call(self, slot: int, msg: bytes, caps: tuple[int, ...] = (),
             timeout: float | None = None) -> object:
        import msgspec

        from pith.kernel.core.actions import Replied
        from pith.protocols import vfs as vp

        request = msgspec.msgpack.decode(msg, type=vp.VfsRequest)
        self.sent.append(request)
        reply = vp.Status(1, 5, 0o100644, 1, 0, 0, 10, 0, 0, 0) \
            if isinstance(request, vp.Stat) else vp.Done()
        return Replied(msgspec.msgpack.encode(reply), ())

    def cap_delete(self, slot: int) -> None:
        self.deleted.append(slot)

    def process_create(self, *args: object) -> object:
        from pith.kernel.core.errors import CSpaceFull

        raise CSpaceFull("no free slot in the CSpace of process 9")


def _pm_with(procs: int) -> tuple[object, SpawningGate]:
    from pith.servers.pm.server import PmServer, Proc

    fake = SpawningGate()
    pm = PmServer({"vfs": 1, "pm": 2, "spawn": 3}, (), lambda: fake)  # type: ignore[arg-type, return-value]
    for pid in range(1, procs + 1):
        pm.procs[pid] = Proc(pid, 0 if pid == 1 else 1, 1, ["p", "x" * 60000], 100 + pid)
    pm.next_pid = procs + 1
    return pm, fake


def _failure(pm: object, request: object, badge: int = 1001) -> str:
    import msgspec

    from pith.lib.server import Caller, Failure

    reply = pm.dispatch(msgspec.msgpack.encode(request), Caller(badge, None))  # type: ignore[attr-defined]
    return str(msgspec.msgpack.decode(reply, type=Failure).error)


def test_a_spawn_past_the_process_limit_or_refused_by_the_kernel_is_eagain() -> None:
    from pith.protocols import pm as pp
    from pith.protocols import vfs as vp
    from pith.servers.pm.server import MAX_PROCS

    pm, fake = _pm_with(MAX_PROCS)  # (zombies count: a fork bomb of exits that nobody waits)
    assert _failure(pm, pp.Spawn("/bin/true.py", ["true"], {})) == "EAGAIN"
    assert fake.sent == [vp.ForgetUsers()]  # refused before anything was asked of vfs
    pm, fake = _pm_with(3)
    assert _failure(pm, pp.Spawn("/bin/true.py", ["true"], {})) == "EAGAIN"  # CSpaceFull
    assert vp.Forget(1004) in fake.sent  # the child's inherited fds were dropped again
    assert fake.deleted == [99, 99, 99]  # and its minted caps
    assert sorted(pm.procs) == [1, 2, 3] and pm.next_pid == 4  # type: ignore[attr-defined]


def test_the_process_table_fits_one_message_whatever_the_argvs() -> None:
    import msgspec

    from pith.kernel.core.rights import MAX_MESSAGE
    from pith.lib.server import Caller
    from pith.protocols import pm as pp

    pm, _ = _pm_with(40)  # 40 processes with 60 KB argvs
    reply = pm.dispatch(msgspec.msgpack.encode(pp.Processes()), Caller(1001, None))  # type: ignore[attr-defined]
    assert reply is not None and len(reply) <= MAX_MESSAGE
    table = msgspec.msgpack.decode(reply, type=pp.ProcessTable)
    assert [r.pid for r in table.rows] == list(range(1, 41))
    assert all(r.argv[0] == "p" and r.argv[1].startswith("xxx") for r in table.rows)


def test_stop_signals_are_refused_for_want_of_job_control() -> None:
    import signal

    from pith.protocols import pm as pp

    pm, _ = _pm_with(2)  # a child that could freeze its parent, the shell
    for signo in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        assert _failure(pm, pp.Kill(1, signo), badge=1002) == "EINVAL"
        assert _failure(pm, pp.Kill(0, signo), badge=1002) == "EINVAL"


class AbandonedGate(SpawningGate):
    """Every process is alive, and every Reply is gone (its caller's thread ended)."""

    def process_status(self, slot: int) -> object:
        from pith.kernel.core.actions import ProcessState

        return ProcessState(slot - 100, True, None)

    def process_signal(self, slot: int, signo: int) -> None:
        pass

    def reply(self, reply: int, msg: bytes, caps: tuple[int, ...] = ()) -> None:
        from pith.kernel.core.errors import InvalidSlot

        raise InvalidSlot(f"slot {reply} is empty")


def test_a_wait_cut_short_by_a_signal_leaves_the_zombie_for_the_next_wait() -> None:
    import msgspec

    from pith.lib.server import DEFER, Caller
    from pith.protocols import pm as pp
    from pith.servers.pm.server import PmServer, Proc

    fake = AbandonedGate()
    pm = PmServer({"vfs": 1, "pm": 2, "spawn": 3}, (), lambda: fake)  # type: ignore[arg-type, return-value]
    parent, child = Proc(1, 0, 1, ["sh"], 101), Proc(2, 1, 1, ["sleep"], 102)
    pm.procs = {1: parent, 2: child}
    assert pm.do_wait(pp.Wait(2), Caller(1001, 50)) is DEFER  # then SIGALRM ends that thread
    pm._died(child, 0)  # answering the gone Reply fails: pm goes on
    assert pm.waiters == [] and 2 in pm.procs and fake.deleted == []
    reply = pm.dispatch(msgspec.msgpack.encode(pp.Wait(2)), Caller(1001, None))
    assert msgspec.msgpack.decode(reply or b"", type=pp.Waited) == pp.Waited(2, 0)
    assert 2 not in pm.procs and fake.deleted == [102]


class SignalGate(AbandonedGate):
    def __init__(self) -> None:
        super().__init__()
        self.signals: list[tuple[int, int]] = []

    def process_signal(self, slot: int, signo: int) -> None:
        self.signals.append((slot, signo))


def test_ending_signals_are_followed_by_sigcont_so_a_stopped_process_gets_them() -> None:
    import signal

    from pith.lib.server import Caller
    from pith.protocols import pm as pp
    from pith.servers.pm.server import PmServer, Proc

    fake = SignalGate()
    pm = PmServer({"vfs": 1, "pm": 2, "spawn": 3}, (), lambda: fake)  # type: ignore[arg-type, return-value]
    pm.procs = {1: Proc(1, 0, 1, ["sh"], 101), 2: Proc(2, 1, 1, ["stopped"], 102)}
    pm.do_kill(pp.Kill(2, signal.SIGINT), Caller(2, None))  # (tty's ^C)
    pm.do_kill(pp.Kill(2, signal.SIGUSR1), Caller(1001, None))
    assert fake.signals == [(102, signal.SIGINT), (102, signal.SIGCONT), (102, signal.SIGUSR1)]
