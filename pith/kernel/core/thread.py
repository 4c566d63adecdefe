"""Threads: flows of control, each with its own gate to the kernel.

A thread is IDLE (running in user space, no syscall pending) or blocked in
exactly one syscall. `on` names what it is blocked on:

    SEND, CALL  queued on endpoint `on` with its outgoing message (out_*)
    RECV        queued on endpoint `on` (and woken by its bound notification)
    REPLY       its call was received; waiting on Reply `on`
    WAIT        queued on notification `on`

Invariants: state is IDLE iff on is None; a thread is in at most one queue,
and the queue is the one of `on`; `token` changes on every block and resume,
so a stale timeout entry for an earlier wait is recognised and ignored.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from pith.kernel.core.actions import Created
from pith.kernel.core.errors import InvalidArgument
from pith.kernel.core.rights import MAX_THREADS, MAX_TIMEOUT
from pith.kernel.core.syscalls import ThreadCreate

if TYPE_CHECKING:
    from pith.kernel.core.cspace import Cap
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.kobject import KernelObject
    from pith.kernel.core.notification import Notification
    from pith.kernel.core.process import Process

__all__ = ["State", "Thread", "check_timeout", "do_thread_create"]


class State(enum.Enum):
    IDLE = "idle"
    SEND = "send"
    CALL = "call"
    RECV = "recv"
    REPLY = "reply"
    WAIT = "wait"


class Thread:
    """A thread of a process. `tid` is never reused."""

    __slots__ = ("bound", "deadline", "on", "out_badge", "out_caps", "out_grant", "out_msg",
                 "process", "state", "tid", "token")

    def __init__(self, tid: int, process: Process) -> None:
        self.tid = tid
        self.process = process
        self.state = State.IDLE
        self.on: KernelObject | None = None
        self.deadline: float | None = None
        self.token = 0
        self.bound: Notification | None = None
        # the outgoing message while in SEND or CALL (badge and grant taken at send time)
        self.out_msg = b""
        self.out_caps: tuple[Cap, ...] = ()
        self.out_badge = 0
        self.out_grant = False


def do_thread_create(k: Kernel, t: Thread, c: ThreadCreate) -> None:
    p = t.process
    if len(p.threads) >= MAX_THREADS:
        raise InvalidArgument(f"process {p.oid} already has {MAX_THREADS} threads")
    new = k.new_thread(p)
    k.start_thread(new)
    k.resume(t, Created(None, new.tid))


def check_timeout(timeout: float | None) -> None:
    """A timeout is None (for ever) or 0..MAX_TIMEOUT seconds (not NaN, not infinite)."""
    if timeout is not None and not 0 <= timeout <= MAX_TIMEOUT:
        raise InvalidArgument(f"a timeout is None or 0..{MAX_TIMEOUT:g} seconds, not {timeout}")
