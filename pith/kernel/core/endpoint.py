"""Endpoints: synchronous rendezvous, and the syscalls send, call, recv, reply_recv.

An endpoint holds two FIFO queues: threads waiting to send (SEND or CALL,
with their message) and threads waiting to receive (RECV). A message moves
only when a sender meets a receiver; whichever arrives second completes the
rendezvous at once. A call turns into a wait on a fresh Reply whose cap the
receiver gets.

Invariants: at most one of the two queues is non-empty; every thread in
`senders` is in SEND or CALL with `on` = this endpoint, every thread in
`receivers` is in RECV with `on` = this endpoint. Destroying the endpoint
ends every queued syscall with OBJECT_GONE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Created, Done, Error, Received, Signalled
from pith.kernel.core.errors import CSpaceFull, ErrorCode, Timeout
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.message import check_message, give_caps
from pith.kernel.core.reply import Reply, answer, check_reply
from pith.kernel.core.rights import GRANT, READ, WRITE
from pith.kernel.core.syscalls import Call, EndpointCreate, Recv, ReplyRecv, Send
from pith.kernel.core.thread import State, check_timeout

CALL, SEND, RECV, REPLY = State.CALL, State.SEND, State.RECV, State.REPLY

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["Endpoint", "do_call", "do_endpoint_create", "do_recv", "do_reply_recv", "do_send"]


class Endpoint(KernelObject):
    __slots__ = ("receivers", "senders")
    kind = "endpoint"

    def __init__(self, oid: int) -> None:
        super().__init__(oid)
        self.senders: dict[Thread, None] = {}
        self.receivers: dict[Thread, None] = {}

    def destroy(self, k: Kernel) -> None:
        for t in [*self.senders, *self.receivers]:
            k.withdraw(t)
            k.resume(t, Error(ErrorCode.OBJECT_GONE, f"endpoint {self.oid} was destroyed"))

    def describe(self) -> tuple[object, ...]:
        return (
            self.oid,
            self.kind,
            self.ncaps,
            tuple(t.tid for t in self.senders),
            tuple(t.tid for t in self.receivers),
        )


def do_endpoint_create(k: Kernel, t: Thread, c: EndpointCreate) -> None:
    ep, slot = k.create(t, Endpoint)
    k.resume(t, Created(slot, ep.oid))


def _transfer(k: Kernel, s: Thread, r: Thread) -> None:
    """Move `s`'s outgoing message to `r`; both are out of the queues."""
    cspace = r.process.cspace
    slots = give_caps(s.out_caps, cspace) if s.out_caps else ()
    msg, badge = s.out_msg, s.out_badge
    s.out_msg, s.out_caps = b"", ()
    reply_slot = None
    if s.state is CALL:
        reply = Reply(k.new_id(), s, s.out_grant)
        reply_slot = cspace.first_free()
        cspace.put(reply.cap, reply_slot)
        s.state, s.on = REPLY, reply  # keeps its deadline: it bounds the whole call
    else:
        k.resume(s, Done())
    kind = "send" if reply_slot is None else "call"
    k.counts[kind] += 1
    if k.tracing:
        k.record(kind, s.process.oid, r.process.oid, badge, len(msg))
    k.resume(r, Received(msg, badge, slots, reply_slot))


def do_send(k: Kernel, t: Thread, c: Send | Call) -> None:
    """send and call: rendezvous with the first receiver, or queue."""
    cap = k.lookup(t, c.slot, Endpoint, WRITE)
    grant = cap.rights & GRANT != 0
    caps = check_message(k, t, c.msg, c.caps, grant)
    check_timeout(c.timeout)
    state = CALL if type(c) is Call else SEND
    ep = cap.obj
    assert isinstance(ep, Endpoint)
    if ep.receivers:
        r = next(iter(ep.receivers))
        if r.process.cspace.free() < len(caps) + (state is CALL):
            raise CSpaceFull(f"no room in the receiver's CSpace (process {r.process.oid})")
    elif c.timeout == 0:
        raise Timeout(f"no receiver waiting on endpoint {ep.oid}")
    t.out_msg, t.out_caps, t.out_badge, t.out_grant = c.msg, caps, cap.badge, grant
    if ep.receivers:
        del ep.receivers[r]
        t.state = state
        _transfer(k, t, r)
        if state is CALL and c.timeout is not None and t.on is not None:
            k.block(t, REPLY, t.on, c.timeout)  # the timeout bounds the whole call
    else:
        ep.senders[t] = None
        k.block(t, state, ep, c.timeout)


do_call = do_send


def _check_recv(t: Thread, ep: Endpoint, timeout: float | None, spare: int = 0) -> None:
    """Raise if a receive by `t` on `ep` would fail now (`spare`: slots freed first)."""
    check_timeout(timeout)
    if t.bound is not None and t.bound.word:
        return
    if ep.senders:
        s = next(iter(ep.senders))
        if t.process.cspace.free() + spare < len(s.out_caps) + (s.state is CALL):
            raise CSpaceFull(f"no room in the CSpace of process {t.process.oid}")
    elif timeout == 0:
        raise Timeout(f"no sender waiting on endpoint {ep.oid}")


def _recv(k: Kernel, t: Thread, ep: Endpoint, timeout: float | None) -> None:
    bound = t.bound
    if bound is not None and bound.word:
        bits, bound.word = bound.word, 0
        k.resume(t, Signalled(bits))
    elif ep.senders:
        s = next(iter(ep.senders))
        del ep.senders[s]
        _transfer(k, s, t)
    else:
        ep.receivers[t] = None
        k.block(t, RECV, ep, timeout)


def do_recv(k: Kernel, t: Thread, c: Recv) -> None:
    ep = k.lookup(t, c.slot, Endpoint, READ).obj
    assert isinstance(ep, Endpoint)
    _check_recv(t, ep, c.timeout)
    _recv(k, t, ep, c.timeout)


def do_reply_recv(k: Kernel, t: Thread, c: ReplyRecv) -> None:
    reply, caps = check_reply(k, t, c.reply, c.msg, c.caps)
    ep = k.lookup(t, c.slot, Endpoint, READ).obj
    assert isinstance(ep, Endpoint)
    caller = reply.caller
    assert caller is not None
    spare = 1 - (len(caps) if caller.process is t.process else 0)
    _check_recv(t, ep, c.timeout, spare)
    answer(k, reply, c.msg, caps)
    _recv(k, t, ep, c.timeout)
