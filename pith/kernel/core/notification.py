"""Notifications: a 64-bit word of signal bits, and signal, wait, poll, bind, unbind.

signal ORs bits in (the given bits, and the badge of the capability used);
wait blocks until the word is non-zero, returns it and clears it; poll does
the same without blocking. A notification bound to a thread is also seen by
that thread's recv on any endpoint, so a server waits for messages and
interrupts in one place.

Invariants: the word is 0 while a thread waits on it; `bound` and the
thread's `bound` point at each other or are both None; only the bound
thread may wait on a bound notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Created, Done, Error, Signalled
from pith.kernel.core.cspace import Cap
from pith.kernel.core.errors import ErrorCode, InvalidArgument, NotificationBound, Timeout
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.rights import MAX_BITS, READ, WRITE
from pith.kernel.core.syscalls import Bind, NotificationCreate, Poll, Signal, Unbind, Wait
from pith.kernel.core.thread import State, check_timeout

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = [
    "Notification", "check_bits", "do_bind", "do_notification_create", "do_poll", "do_signal",
    "do_unbind", "do_wait", "signal"
]


class Notification(KernelObject):
    __slots__ = ("bound", "waiters", "word")
    kind = "notification"

    def __init__(self, oid: int) -> None:
        super().__init__(oid)
        self.word = 0
        self.waiters: dict[Thread, None] = {}
        self.bound: Thread | None = None

    def destroy(self, k: Kernel) -> None:
        for t in list(self.waiters):
            k.withdraw(t)
            k.resume(t, Error(ErrorCode.OBJECT_GONE, f"notification {self.oid} was destroyed"))
        if self.bound is not None:
            self.bound.bound = None
            self.bound = None

    def describe(self) -> tuple[object, ...]:
        bound = self.bound and self.bound.tid
        waiters = tuple(t.tid for t in self.waiters)
        return (self.oid, self.kind, self.ncaps, self.word, waiters, bound)


def signal(k: Kernel, n: Notification, bits: int) -> Thread | None:
    """OR `bits` into `n` and wake its first waiter, or its bound receiver; who woke."""
    n.word |= bits
    if n.waiters:
        t = next(iter(n.waiters))
        del n.waiters[t]
    elif n.bound is not None and n.bound.state is State.RECV:
        t = n.bound
        k.withdraw(t)
    else:
        return None
    word, n.word = n.word, 0
    k.resume(t, Signalled(word))
    return t


def check_bits(bits: int) -> int:
    if not 0 < bits <= MAX_BITS:
        raise InvalidArgument(f"signal bits must be 1..2**64-1, not {bits}")
    return bits


def _notification(k: Kernel, t: Thread, slot: int, need: int) -> tuple[Cap, Notification]:
    cap = k.lookup(t, slot, Notification, need)
    n = cap.obj
    assert isinstance(n, Notification)
    return cap, n


def do_notification_create(k: Kernel, t: Thread, c: NotificationCreate) -> None:
    n, slot = k.create(t, Notification)
    k.resume(t, Created(slot, n.oid))


def do_signal(k: Kernel, t: Thread, c: Signal) -> None:
    cap, n = _notification(k, t, c.slot, WRITE)
    woken = signal(k, n, check_bits(c.bits | cap.badge))
    k.counts["signal"] += 1
    if k.tracing:  # dst: the process woken, 0 if the bits wait for a reader
        k.record("signal", t.process.oid, woken.process.oid if woken else 0, cap.badge, 0)
    k.resume(t, Done())


def _waitable(t: Thread, n: Notification) -> None:
    if n.bound is not None and n.bound is not t:
        raise NotificationBound(f"notification {n.oid} is bound to thread {n.bound.tid}")


def do_wait(k: Kernel, t: Thread, c: Wait) -> None:
    _, n = _notification(k, t, c.slot, READ)
    _waitable(t, n)
    check_timeout(c.timeout)
    if n.word:
        word, n.word = n.word, 0
        k.resume(t, Signalled(word))
    elif c.timeout == 0:
        raise Timeout(f"notification {n.oid} has no bits set")
    else:
        n.waiters[t] = None
        k.block(t, State.WAIT, n, c.timeout)


def do_poll(k: Kernel, t: Thread, c: Poll) -> None:
    _, n = _notification(k, t, c.slot, READ)
    _waitable(t, n)
    word, n.word = n.word, 0
    k.resume(t, Signalled(word))


def do_bind(k: Kernel, t: Thread, c: Bind) -> None:
    _, n = _notification(k, t, c.slot, READ)
    if t.bound is not None:
        raise NotificationBound(f"thread {t.tid} is already bound to {t.bound.oid}")
    if n.bound is not None:
        raise NotificationBound(f"notification {n.oid} is bound to thread {n.bound.tid}")
    if n.waiters:
        raise NotificationBound(f"other threads wait on notification {n.oid}")
    n.bound, t.bound = t, n
    k.resume(t, Done())


def do_unbind(k: Kernel, t: Thread, c: Unbind) -> None:
    if t.bound is None:
        raise InvalidArgument(f"thread {t.tid} has no bound notification")
    t.bound.bound = None
    t.bound = None
    k.resume(t, Done())
