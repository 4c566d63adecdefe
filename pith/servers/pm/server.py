"""pm, the process manager: Pith's user processes, their parents, groups and deaths.

pm starts every user process with the kernel's process_create (it holds the
`spawn` cap) as `self.runtime` (the posix runtime, "pith.lib.posix.run:main";
arg `runtime=module:attr` changes it), with args (caps table, SpawnSpec as
JSON). A process's caps carry the badge BADGE_BASE + pid: "vfs", "pm", and
"tty", "rs", "inet" if pm holds them; that badge is how pm, vfs and inet know the caller.
The vfs cap also carries GRANT, so the process can share a data buffer with vfs.

Pids are pm's own, counted from 1 (init's): a process's badge must be minted
before the kernel makes it, so its pid is known before its kernel id is.

A child inherits its parent's fds and cwd (vfs Inherit, before it starts);
every child is watched on bit `pid % 63` of a notification bound to pm's
thread. A death records the waitpid status, closes the dead one's fds (vfs
Forget), closes its sockets (inet Forget, bounded by FORGET_TIMEOUT: a restarting inet
has lost them anyway), hands its children to init, sends SIGCHLD to its parent and answers
a Wait. A zombie stays in the table until waited for (its parent gone: at
once). Kill: a user process may not signal init (EPERM); system callers
(badges below BADGE_BASE: rs, tty) may signal anyone. The stop signals (STOPS) are
refused (EINVAL): with no job control, a stopped process would stay stopped; and
SIGHUP, SIGINT, SIGQUIT, SIGTERM are followed by SIGCONT (ENDING), so a process that
stopped itself still gets them (^C reaches it).

Limits, so that no client can make pm fail: at most MAX_PROCS processes, zombies
included (a spawn past it, or one the kernel refuses, is EAGAIN, as fork's
RLIMIT_NPROC; each process holds one of pm's 1,024 cap slots); a process table
(`Processes`) shortens long argvs to fit one message (TABLE_BUDGET).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from dataclasses import dataclass

import msgspec

from pith.kernel.core.errors import InvalidArgument, KernelError
from pith.kernel.core.rights import GRANT, WRITE
from pith.lib.server import DEFER, Caller, Client, Failure, Server, ServiceError
from pith.lib.start import caps_arg
from pith.protocols import inet as ip
from pith.protocols import pm as pp
from pith.protocols import vfs as vp

__all__ = ["PmServer"]

SYSTEM_BADGE = 1  # pm's own badge at vfs (Inherit, Exec, Forget)
FORGET_TIMEOUT = 2.0  # inet's Forget: inet never waits, so it answers at once if alive
STAT_TIMEOUT = 10.0  # a Stat under /proc would ask procfs, which asks pm: not for ever
RUNTIME = "pith.lib.posix.run:main"
# Signals that would stop a process: Pith has no job control, so nobody would see the
# stop or continue it (a child could freeze its shell with SIGTSTP); refused, as SIGSTOP.
STOPS = frozenset({signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU})
# A process can still stop itself (kill(getpid(), SIGSTOP) goes straight to the host);
# these are followed by SIGCONT, so ^C or a kill still reaches it.
ENDING = frozenset({signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM})
MAX_PROCS = 256  # processes in the table, zombies included
TABLE_BUDGET = 48 * 1024  # bytes of argv text in one ProcessTable reply


@dataclass
class Proc:
    pid: int
    ppid: int  # 0: no parent (init, or an orphan once init is gone)
    pgid: int
    argv: list[str]
    slot: int  # pm's cap to the kernel process
    status: int | None = None  # waitpid-encoded, once it has exited

    @property
    def badge(self) -> int:
        return pp.BADGE_BASE + self.pid


@dataclass
class Waiter:
    caller: Caller
    pid: int  # the waiting process
    target: int  # Wait.pid


def wait_status(host: int) -> int:
    """A kernel exit status (n >= 0 exited, -s killed by signal s) as waitpid encodes it."""
    return (host & 0xFF) << 8 if host >= 0 else -host & 0x7F


class PmServer(Server):
    requests = pp.PmRequest
    endpoint = "pm"

    def setup(self) -> None:
        g = self.gate_of()
        opts = dict(a.split("=", 1) for a in self.args if "=" in a)
        self.runtime = opts.get("runtime", RUNTIME)
        self.procs: dict[int, Proc] = {}
        self.next_pid = 1
        self.init: int | None = None
        self.init_caller: Caller | None = None
        self.waiters: list[Waiter] = []
        self.vfs = Client(g.cap_mint(self.caps["vfs"], WRITE, SYSTEM_BADGE), vp.VfsReply,
                          self.gate_of)
        self.inet = Client(g.cap_mint(self.caps["inet"], WRITE, SYSTEM_BADGE), ip.InetReply,
                           self.gate_of) if "inet" in self.caps else None
        self.death = g.notification_create()
        g.bind(self.death)
        self.vfs.call(vp.ForgetUsers())  # (a pm started again has lost every process)

    # --- who asks ------------------------------------------------------------------

    def _caller(self, caller: Caller) -> Proc:
        p = self.procs.get(caller.badge - pp.BADGE_BASE)
        if p is None or p.status is not None:
            raise ServiceError("EPERM", f"badge {caller.badge} is no process of pm's")
        return p

    def _children(self, parent: int) -> list[Proc]:
        return [p for p in self.procs.values() if p.ppid == parent]

    # --- starting processes ------------------------------------------------------

    def _check_program(self, path: str, badge: int) -> None:
        """ENOENT (or another errno) unless `path`, seen by `badge`, is a regular file."""
        g = self.gate_of()
        slot = g.cap_mint(self.caps["vfs"], WRITE, badge) if badge != SYSTEM_BADGE else None
        try:
            vfs = self.vfs if slot is None else Client(slot, vp.VfsReply, self.gate_of)
            mode = vfs.call(vp.Stat(path), timeout=STAT_TIMEOUT).mode
        except KernelError as e:
            raise ServiceError("EIO", f"vfs did not answer: {e}") from None
        finally:
            if slot is not None:
                g.cap_delete(slot)
        if not stat.S_ISREG(mode):
            raise ServiceError("EACCES", f"{path}: not a regular file")

    def _room(self) -> None:
        if len(self.procs) >= MAX_PROCS:
            raise ServiceError("EAGAIN", f"{MAX_PROCS} processes already (zombies count "
                               "until they are waited for)")

    def _start(self, path: str, argv: list[str], env: dict[str, str],
               actions: list[pp.FileAction], parent: Proc | None, pgroup: int | None) -> Proc:
        g, pid = self.gate_of(), self.next_pid
        badge = pp.BADGE_BASE + pid
        self._room()
        if parent is not None:
            self.vfs.call(vp.Inherit(parent.badge, badge))
        names = [n for n in ("vfs", "pm", "tty", "rs", "inet") if n in self.caps]
        copies: list[int] = []
        spec = pp.SpawnSpec(path, argv, env, pid, parent.pid if parent else 0, actions)
        name = "".join(c if c.isprintable() else "?" for c in os.path.basename(path))
        name = name.removesuffix(".py")[:64] or "process"
        table = caps_arg({n: i for i, n in enumerate(names)})
        try:
            copies += [g.cap_mint(self.caps[n], WRITE | (GRANT if n == "vfs" else 0), badge)
                       for n in names]  # (GRANT: a process shares a data buffer with vfs)
            created = g.process_create(self.caps["spawn"], name, self.runtime,
                                       (table, msgspec.json.encode(spec).decode()),
                                       tuple(copies))
        except KernelError as e:
            if parent is not None:
                with contextlib.suppress(KernelError, ServiceError):
                    self.vfs.call(vp.Forget(badge))
            if isinstance(e, InvalidArgument):
                raise ServiceError("E2BIG", f"arguments too long: {e}") from None
            raise ServiceError("EAGAIN", f"the kernel refused the process: {e}") from None
        finally:
            for slot in copies:
                g.cap_delete(slot)
        assert created.slot is not None
        self.next_pid += 1
        pgid = pid if parent is None or pgroup == 0 else pgroup or parent.pgid
        p = Proc(pid, parent.pid if parent else 0, pgid, argv, created.slot)
        self.procs[pid] = p
        g.process_watch(created.slot, self.death, 1 << (pid % 63))
        return p

    def do_spawn(self, request: pp.Spawn, caller: Caller) -> pp.Spawned:
        parent = self._caller(caller)
        if request.pgroup is not None and request.pgroup < 0:
            raise ServiceError("EINVAL", f"process group {request.pgroup}")
        if request.pgroup and not self._group(request.pgroup):
            raise ServiceError("EPERM", f"no process group {request.pgroup}")
        self._room()
        self._check_program(request.path, parent.badge)
        p = self._start(request.path, request.argv, request.env, request.actions, parent,
                        request.pgroup)
        return pp.Spawned(p.pid)

    def do_run_init(self, request: pp.RunInit, caller: Caller) -> object:
        if caller.badge != 0:
            raise ServiceError("EPERM", "only rs starts init")
        if self.init is not None:
            raise ServiceError("EBUSY", f"init is running (pid {self.init})")
        self._check_program(request.path, SYSTEM_BADGE)
        self.init = self._start(request.path, request.argv, request.env, [], None, 0).pid
        self.init_caller = caller
        return DEFER

    # --- deaths --------------------------------------------------------------------

    def signalled(self, bits: int) -> None:
        g = self.gate_of()
        for p in list(self.procs.values()):
            if p.status is None and bits & 1 << (p.pid % 63):
                state = g.process_status(p.slot)
                if not state.alive:
                    self._died(p, wait_status(state.status or 0))

    def _died(self, p: Proc, status: int) -> None:
        g = self.gate_of()
        p.status = status
        self.waiters = [w for w in self.waiters if w.pid != p.pid]  # (its Reply went with it)
        with contextlib.suppress(KernelError, ServiceError):
            self.vfs.call(vp.Forget(p.badge))
        if self.inet is not None:
            with contextlib.suppress(KernelError, ServiceError):
                self.inet.call(ip.Forget(p.badge), timeout=FORGET_TIMEOUT)
        heir = self.init if self.init is not None and self.init != p.pid else 0
        for child in self._children(p.pid):
            child.ppid = heir
            if child.status is not None:
                self._exited(child)  # a zombie's new parent learns of it (or it is reaped)
        if p.pid == self.init:
            self.init = None
            self._reap(p)
            if self.init_caller is not None:
                self._answer(self.init_caller, pp.Waited(p.pid, status))
                self.init_caller = None
            return
        parent = self.procs.get(p.ppid)
        if parent is not None:
            with contextlib.suppress(KernelError):
                g.process_signal(parent.slot, signal.SIGCHLD)
        self._exited(p)

    def _exited(self, p: Proc) -> None:
        """Zombie `p` is news to its parent: answer a Wait for it, or reap it if orphaned."""
        if p.ppid == 0:
            self._reap(p)
            return
        parent = self.procs[p.ppid]
        if not self.gate_of().process_status(parent.slot).alive:
            return  # (its death, not yet seen, hands p to init)
        for w in list(self.waiters):
            if w.pid == p.ppid and self._matches(p, w.target, parent):
                self.waiters.remove(w)
                if not self._answer(w.caller, pp.Waited(p.pid, p.status or 0)):
                    continue  # (a wait a signal cut short: the zombie stays for the next)
                self._reap(p)
                self._unanswerable(w.pid)
                return

    def _answer(self, caller: Caller, reply: msgspec.Struct) -> bool:
        """Answer a deferred request; False if its caller stopped waiting (a signal ended
        the thread that asked, and its Reply went with it)."""
        try:
            self.answer(caller, reply)
        except KernelError:
            return False
        return True

    def _unanswerable(self, parent: int) -> None:
        """Waits of `parent` that no child can satisfy any more get ECHILD."""
        for w in [w for w in self.waiters if w.pid == parent]:
            if not any(self._matches(c, w.target, self.procs[parent])
                       for c in self._children(parent)):
                self.waiters.remove(w)
                self._answer(w.caller, Failure("ECHILD", "no child to wait for"))

    def _reap(self, p: Proc) -> None:
        del self.procs[p.pid]
        self.gate_of().cap_delete(p.slot)

    # --- waiting -------------------------------------------------------------------

    @staticmethod
    def _matches(child: Proc, target: int, parent: Proc) -> bool:
        if target == -1:
            return True
        if target == 0:
            return child.pgid == parent.pgid
        return child.pid == target if target > 0 else child.pgid == -target

    def do_wait(self, request: pp.Wait, caller: Caller) -> object:
        me = self._caller(caller)
        mine = [c for c in self._children(me.pid) if self._matches(c, request.pid, me)]
        if not mine:
            raise ServiceError("ECHILD", f"no child matches {request.pid}")
        for c in mine:
            if c.status is not None:
                self._reap(c)
                return pp.Waited(c.pid, c.status)
        if request.nohang:
            return pp.Waited(0, 0)
        self.waiters.append(Waiter(caller, me.pid, request.pid))
        return DEFER

    # --- signals and groups --------------------------------------------------------

    def _group(self, pgid: int) -> list[Proc]:
        return [p for p in self.procs.values() if p.pgid == pgid]

    def do_kill(self, request: pp.Kill, caller: Caller) -> pp.Done:
        system = caller.badge < pp.BADGE_BASE
        me = None if system else self._caller(caller)
        pid, signo = request.pid, request.signo
        if not 0 <= signo <= 64 or signo in STOPS:
            raise ServiceError("EINVAL", f"signal {signo}" + (
                ": Pith has no job-control stop" if signo in STOPS else ""))
        if pid > 0:
            targets = [self.procs[pid]] if pid in self.procs else []
            if me is not None and pid == self.init:
                raise ServiceError("EPERM", "init may not be signalled")
        elif pid == -1:
            targets = [p for p in self.procs.values() if p.pid not in (self.init, me and me.pid)]
        elif pid == 0 and me is None:
            raise ServiceError("EINVAL", "a system caller has no process group")
        else:
            group = -pid if pid or me is None else me.pgid
            targets = [p for p in self._group(group) if me is None or p.pid != self.init]
        if not targets:
            raise ServiceError("ESRCH", f"no process {pid}")
        for p in targets:
            self._signal(p, signo)
        return pp.Done()

    def _signal(self, p: Proc, signo: int) -> None:
        if signo == 0 or p.status is not None:  # (a zombie exists, and ignores signals)
            return
        g = self.gate_of()
        with contextlib.suppress(KernelError):  # (dying already: its death is on its way)
            if signo == signal.SIGKILL:
                g.process_kill(p.slot, -signal.SIGKILL)
            else:
                g.process_signal(p.slot, signo)
                if signo in ENDING:  # (as a shell's kill does: one stopped takes it now)
                    g.process_signal(p.slot, signal.SIGCONT)

    def do_setpgid(self, request: pp.Setpgid, caller: Caller) -> pp.Done:
        me = self._caller(caller)
        target = self.procs.get(request.pid or me.pid)
        if target is None or target.status is not None or target.pid not in (
                me.pid, *[c.pid for c in self._children(me.pid)]):
            raise ServiceError("ESRCH", f"no process {request.pid} of the caller's")
        pgid = request.pgid or target.pid
        if request.pgid < 0:
            raise ServiceError("EINVAL", f"process group {request.pgid}")
        if pgid != target.pid and not self._group(pgid):
            raise ServiceError("EPERM", f"no process group {pgid}")
        target.pgid = pgid
        return pp.Done()

    def do_getpgid(self, request: pp.Getpgid, caller: Caller) -> pp.Pgid:
        me = self._caller(caller)
        target = self.procs.get(request.pid or me.pid)
        if target is None:
            raise ServiceError("ESRCH", f"no process {request.pid}")
        return pp.Pgid(target.pgid)

    def do_get_ids(self, request: pp.GetIds, caller: Caller) -> pp.Ids:
        me = self._caller(caller)
        return pp.Ids(me.pid, me.ppid, me.pgid)

    def do_processes(self, request: pp.Processes, caller: Caller) -> pp.ProcessTable:
        budget = TABLE_BUDGET // max(1, len(self.procs))  # (argv bytes a row may show)
        return pp.ProcessTable([pp.ProcessRow(p.pid, p.ppid, p.pgid,
                                              "R" if p.status is None else "Z",
                                              shortened(p.argv, budget))
                                for p in sorted(self.procs.values(), key=lambda p: p.pid)])

    def stop(self) -> None:
        """pm is stopping: no user process outlives it."""
        for p in self.procs.values():
            self._signal(p, signal.SIGKILL)


def shortened(argv: list[str], budget: int) -> list[str]:
    """`argv` cut to about `budget` bytes of text (the last word shown cut short)."""
    out: list[str] = []
    for word in argv:
        if budget <= 0:
            break
        out.append(word.encode()[:budget].decode(errors="ignore"))
        budget -= len(word.encode()) + 1
    return out
