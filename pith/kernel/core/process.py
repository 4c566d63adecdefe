"""Processes: an address space (a host process) with a CSpace and threads.

Creation needs the spawn control cap; the new process gets derived copies of
the caps its creator names, in slots 0..n-1, and the creator gets a cap to
the new process (READ: status and watch; WRITE: kill).

Death, in this order, whatever its cause (host exit, kill, last thread gone):
1. every thread's pending syscall is withdrawn (it gets no answer: it is gone);
2. every caller waiting on a Reply the process held gets SERVER_DIED;
3. every cap it held is revoked (what was derived from it goes too) and
   deleted, destroying the objects whose last cap that was;
4. its watchers (death notifications) are signalled;
5. StopProcess tells the host to end the host process.
Afterwards no action names the process or its threads. The dead Process
object stays while caps name it, so its creator can read the exit status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import (
    ApplyPriority,
    Created,
    Done,
    Error,
    ProcessState,
    SignalProcess,
    StartProcess,
    StopProcess,
)
from pith.kernel.core.control import SchedControl, SpawnControl
from pith.kernel.core.cspace import Cap, CSpace, derive
from pith.kernel.core.errors import (
    CSpaceFull,
    ErrorCode,
    InvalidArgument,
    NotDerivable,
    ProcessDead,
    TooManyCaps,
)
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.notification import Notification, check_bits, signal
from pith.kernel.core.reply import Reply
from pith.kernel.core.rights import (
    ALL,
    MAX_ARGS,
    MAX_CAPS_PER_SPAWN,
    MAX_NAME,
    MAX_WATCHERS,
    READ,
    WRITE,
)
from pith.kernel.core.syscalls import (
    ProcessCreate,
    ProcessKill,
    ProcessSignal,
    ProcessStatus,
    ProcessWatch,
    SetPriority,
)

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = [
    "Process", "do_process_create", "do_process_kill", "do_process_signal", "do_process_status",
    "do_process_watch", "do_set_priority", "kill"
]


class Process(KernelObject):
    __slots__ = ("alive", "cspace", "name", "status", "threads", "watchers")
    kind = "process"

    def __init__(self, oid: int, name: str, cspace_size: int) -> None:
        super().__init__(oid)
        self.name = name
        self.cspace = CSpace(self, cspace_size)
        self.threads: dict[int, Thread] = {}
        self.alive = True
        self.status: int | None = None
        self.watchers: list[tuple[Notification, int]] = []

    def destroy(self, k: Kernel) -> None:
        if not self.alive:
            k.objects.pop(self.oid, None)  # reap: nobody can ask for the status any more

    def describe(self) -> tuple[object, ...]:
        caps = tuple(
            (
                slot,
                cap.obj.oid,
                cap.rights,
                cap.badge,
                cap.parent and (cap.parent.cspace and cap.parent.cspace.owner.oid, cap.parent.slot),
                cap.obj.describe() if cap.obj.kind == "reply" else None,
            )
            for slot, cap in sorted(self.cspace.slots.items())
        )
        threads = tuple(_describe_thread(t) for t in self.threads.values())
        watchers = tuple((n.oid, bits) for n, bits in self.watchers)
        return (self.oid, self.kind, self.ncaps, self.name, self.alive, self.status,
                caps, threads, watchers)


def _describe_thread(t: Thread) -> tuple[object, ...]:
    on = t.on and t.on.oid
    sending = t.state.value in ("send", "call")
    out = sending and (t.out_msg, tuple(c.slot for c in t.out_caps), t.out_badge, t.out_grant)
    return (t.tid, t.state.value, on, t.deadline, t.token, t.bound and t.bound.oid, out)


def kill(k: Kernel, p: Process, status: int) -> None:
    """Process `p` dies with `status` (see the module docstring for the order)."""
    if not p.alive:
        return
    p.alive, p.status = False, status
    for t in list(p.threads.values()):
        k.withdraw(t)
        if t.bound is not None:
            t.bound.bound = None
            t.bound = None
        del k.threads[t.tid]
    p.threads.clear()
    slots = p.cspace.slots
    for cap in list(slots.values()):
        reply = cap.obj
        if isinstance(reply, Reply) and reply.caller is not None:
            caller, reply.caller = reply.caller, None
            k.resume(caller, Error(ErrorCode.SERVER_DIED, f"server process {p.oid} died"))
    for slot in sorted(slots):
        held = slots.get(slot)
        if held is not None:  # (revoking an earlier slot may have deleted it)
            k.revoke(held)
            k.delete_cap(held)
    for n, bits in p.watchers:
        if n.ncaps:
            signal(k, n, bits)
    p.watchers.clear()
    k.out.append(StopProcess(p.oid))
    if p.ncaps == 0:
        k.objects.pop(p.oid, None)


def _process(k: Kernel, t: Thread, slot: int, need: int) -> Process:
    p = k.lookup(t, slot, Process, need).obj
    assert isinstance(p, Process)
    return p


def do_process_create(k: Kernel, t: Thread, c: ProcessCreate) -> None:
    k.lookup(t, c.spawn, SpawnControl, WRITE)
    name = c.name
    if not (0 < len(name) <= MAX_NAME and name.isprintable()):
        raise InvalidArgument(f"a process name is 1..{MAX_NAME} printable characters")
    if len(c.program) > MAX_NAME * 4 or len(c.args) > MAX_ARGS or sum(map(len, c.args)) > 65536:
        raise InvalidArgument(f"program over {MAX_NAME * 4} characters or arguments too long")
    if len(c.caps) > MAX_CAPS_PER_SPAWN:
        raise TooManyCaps(f"{len(c.caps)} caps for a new process, at most {MAX_CAPS_PER_SPAWN}")
    if len(c.caps) > k.cspace_size:
        raise CSpaceFull(f"{len(c.caps)} caps do not fit a CSpace of {k.cspace_size} slots")
    caps = [k.lookup(t, slot) for slot in c.caps]
    if any(cap.obj.kind == "reply" for cap in caps):
        raise NotDerivable("a Reply capability cannot be given to a new process")
    slot = t.process.cspace.first_free()
    p = k.new_process(name)
    for i, cap in enumerate(caps):
        p.cspace.put(derive(cap, cap.rights, cap.badge), i)
    t.process.cspace.put(Cap(p, ALL, 0, None), slot)
    first = k.new_thread(p)
    k.out.append(StartProcess(p.oid, first.tid, name, c.program, c.args, c.collocated))
    k.resume(t, Created(slot, p.oid))


def do_process_kill(k: Kernel, t: Thread, c: ProcessKill) -> None:
    p = _process(k, t, c.slot, WRITE)
    if not p.alive:
        raise ProcessDead(f"process {p.oid} is already dead")
    if not -(2**31) <= c.status < 2**31:
        raise InvalidArgument("an exit status is a 32-bit integer")
    kill(k, p, c.status)
    if t.process is not p:
        k.resume(t, Done())


def do_process_signal(k: Kernel, t: Thread, c: ProcessSignal) -> None:
    p = _process(k, t, c.slot, WRITE)
    if not 1 <= c.signo <= 64 or c.signo in (9, 19):
        raise InvalidArgument(f"signal {c.signo}: 1..64 but SIGSTOP and SIGKILL (process_kill)")
    if not p.alive:
        raise ProcessDead(f"process {p.oid} is already dead")
    k.out.append(SignalProcess(p.oid, c.signo))
    k.resume(t, Done())


def do_process_watch(k: Kernel, t: Thread, c: ProcessWatch) -> None:
    p = _process(k, t, c.slot, READ)
    n = k.lookup(t, c.notification, Notification, WRITE).obj
    assert isinstance(n, Notification)
    bits = check_bits(c.bits)
    if len(p.watchers) >= MAX_WATCHERS:
        raise InvalidArgument(f"process {p.oid} already has {MAX_WATCHERS} watchers")
    if p.alive:
        p.watchers.append((n, bits))
    else:
        signal(k, n, bits)
    k.resume(t, Done())


def do_process_status(k: Kernel, t: Thread, c: ProcessStatus) -> None:
    p = _process(k, t, c.slot, READ)
    k.resume(t, ProcessState(p.oid, p.alive, p.status))


def do_set_priority(k: Kernel, t: Thread, c: SetPriority) -> None:
    k.lookup(t, c.sched, SchedControl, WRITE)
    p = _process(k, t, c.process, WRITE)
    if not -20 <= c.priority <= 19:
        raise InvalidArgument(f"priority must be -20..19, not {c.priority}")
    if not p.alive:
        raise ProcessDead(f"process {p.oid} is dead")
    k.out.append(ApplyPriority(p.oid, c.priority))
    k.resume(t, Done())
