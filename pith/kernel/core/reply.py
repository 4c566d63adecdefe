"""Reply objects: the one-shot right to answer one call.

A call that meets a receiver creates a Reply; its only capability goes to the
receiver, which may answer at once or keep it and answer later (deferred
reply). Answering consumes the capability.

Replies are not in the kernel's `objects` table: they are reached only
through their one cap and their caller, and they are the most frequently
made object (one per call).

Invariant: `caller` is the thread blocked in REPLY on this object, or None once
it is answered, dropped or the caller is gone; while `caller` is set, `cap` is
in the server's CSpace. Outcomes for the caller: the answer; REPLY_DROPPED if
the cap is deleted; SERVER_DIED if the holder dies; TIMEOUT from its deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Done, Error, Replied
from pith.kernel.core.cspace import Cap
from pith.kernel.core.errors import CSpaceFull, ErrorCode
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.message import check_message, give_caps
from pith.kernel.core.rights import WRITE
from pith.kernel.core.syscalls import Reply as ReplyCall

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["Reply", "answer", "check_reply", "do_reply"]


class Reply(KernelObject):
    __slots__ = ("caller", "can_grant", "cap")
    kind = "reply"

    def __init__(self, oid: int, caller: Thread, can_grant: bool) -> None:
        self.oid, self.ncaps = oid, 0
        self.caller: Thread | None = caller
        self.can_grant = can_grant  # the caller's endpoint cap had GRANT
        self.cap = Cap(self, WRITE, 0, None)  # the only cap there will ever be

    def destroy(self, k: Kernel) -> None:
        caller = self.caller
        if caller is not None:
            self.caller = None
            k.resume(caller, Error(ErrorCode.REPLY_DROPPED, "the server dropped the reply"))

    def describe(self) -> tuple[object, ...]:
        return (self.oid, self.kind, self.ncaps, self.caller and self.caller.tid, self.can_grant)


def check_reply(
    k: Kernel, t: Thread, slot: int, msg: bytes, slots: tuple[int, ...]
) -> tuple[Reply, tuple[Cap, ...]]:
    cap = k.lookup(t, slot, Reply)
    reply = cap.obj
    assert isinstance(reply, Reply) and reply.caller is not None
    caps = check_message(k, t, msg, slots, reply.can_grant)
    if caps and reply.caller.process.cspace.free() < len(caps):
        raise CSpaceFull("no room in the caller's CSpace for the caps of the reply")
    return reply, caps


def answer(k: Kernel, reply: Reply, msg: bytes, caps: tuple[Cap, ...]) -> None:
    """Deliver the answer and consume the Reply (after check_reply)."""
    caller, cap = reply.caller, reply.cap
    assert caller is not None and cap.cspace is not None
    reply.caller = None
    holder = cap.cspace.owner.oid
    cap.cspace.take(cap)  # the Reply is consumed: no tree links, nothing waits on it
    slots = give_caps(caps, caller.process.cspace) if caps else ()
    k.counts["reply"] += 1
    if k.tracing:
        k.record("reply", holder, caller.process.oid, 0, len(msg))
    k.resume(caller, Replied(msg, slots))


def do_reply(k: Kernel, t: Thread, c: ReplyCall) -> None:
    reply, caps = check_reply(k, t, c.reply, c.msg, c.caps)
    answer(k, reply, c.msg, caps)
    k.resume(t, Done())
