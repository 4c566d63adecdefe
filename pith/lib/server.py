"""The server framework: a server is a class of handlers; the framework owns the loop.

A server declares `requests`, a union of tagged msgspec Structs, and one
handler per request type, `do_<snake_case_type>(request, caller)`, which
returns the reply (a Struct), raises `ServiceError`, or returns `DEFER` and
answers later with `answer(caller, reply)` (a terminal read waiting for a key,
say). Bad input — bytes that do not decode to a request — gets a `Failure`
reply and changes nothing.

`Runner` is the receive loop as a state machine (first syscall; then, for each
result, the next syscall), so the same server runs:
- isolated: `serve()` drives the runner over this thread's gate;
- collocated: the kernel host drives the runner itself, in the kernel process;
- in a unit test: call `dispatch()` or the handler directly, no kernel at all.

Clients use `Client(slot, responses).call(request)`, which raises
`ServiceError` for a `Failure` reply. Every server also understands `Stop`:
it calls `stop()` (flush what it holds), answers `Stopped` and its loop ends;
rs sends it at shutdown before killing what is left. And every server answers
`Ping` with `Pong`: rs's heartbeat, which a hung server misses.

Timers. A server that must act at a time of its own (inet's TCP retransmissions, a deferred
call's timeout) returns that time (time.monotonic()) from `deadline()`; the runner then
receives with a timeout, and calls `timed_out()` when it passes with no request. Both the
isolated loop and the kernel host's collocated runner go through `Runner`, so it works the same
in either mode. `deadline()` is asked again after every request.

`Inject(kind)` is `pith inject`'s fault hook (pith/lib/fault.py): a server accepts it only
on a cap badged `INJECT_BADGE`, which rs mints from the endpoint it keeps, and arms that
fault on itself (or, for corrupt-state, commits it at once). Anyone else gets EPERM.
(Whoever holds an unbadged cap could mint that badge too: in Pith those are the system
servers rs granted the endpoint to, never a user process, whose caps are badged.)
A reply that does not decode makes `Client.call` raise `BadReply` (EBADMSG), a
`ServiceError`, rather than a decoder's exception.

What a client sends never ends a server: `Stop` and `Prepare` (which do end it) are
refused (EPERM) from badges USER_BADGES and up (user processes, whose caps pm badges
1000 + pid, and rs's command); rs asks them on its own unbadged caps. A reply that
would not fit one kernel message (a client asked for more than that) is answered
`Failure("EOVERFLOW")` instead, where the kernel would refuse the reply and the
server's loop would end; so is one holding an int MessagePack cannot carry.

Restarts and live update. rs starts every server with a last argument
`start=fresh|restart|update`, which the framework takes off `args` and keeps as
`self.start_reason` (set before `setup()`): fresh (the first start, `service
start`), restart (after a crash, a missed heartbeat, `service restart`), update
(a live update, or its rollback). For a live update rs sends `Prepare`: a
server with deferred requests still unanswered refuses (EBUSY); otherwise the
framework calls `save()` (a server that does not define it refuses: ENOTSUP)
and stashes the bytes it returns in ds (key
`STATE_KEY` of pith.protocols.ds; the server needs a `ds` cap), calls `stop()`
(flush), answers `Prepared` and its loop ends, as with `Stop`. Requests that
arrive meanwhile wait in the endpoint's queue for the new code. A server
started for an update gets that state, after `setup()`, in `restore()`.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import msgspec

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Error, Received, Result, Signalled
from pith.kernel.core.errors import ErrorCode, KernelError, error_for
from pith.kernel.core.rights import MAX_MESSAGE, MAX_TIMEOUT
from pith.lib import debug
from pith.lib.debug import Debug, Debugged
from pith.lib.fault import HOOK_KINDS, Fault, corrupt_state
from pith.lib.syscall import Gate, gate

__all__ = [
    "DEFER", "INJECT_BADGE", "START_REASONS", "USER_BADGES", "BadReply", "Caller", "Client",
    "Failure", "Inject", "Injected", "Ping", "Pong", "Prepare", "Prepared", "Runner", "Server",
    "ServiceError", "Stop", "Stopped", "serve",
]


class Failure(msgspec.Struct, frozen=True, tag=True):
    """A refused request: `error` names the condition (e.g. "EINVAL"), `message` says what."""

    error: str
    message: str


class Stop(msgspec.Struct, frozen=True, tag=True):
    """Every server understands this one: finish up (`stop()`), answer, and end."""


class Stopped(msgspec.Struct, frozen=True, tag=True):
    pass


class Ping(msgspec.Struct, frozen=True, tag=True):
    """Every server answers this one at once: rs's heartbeat."""


class Pong(msgspec.Struct, frozen=True, tag=True):
    pass


INJECT_BADGE = 2**63 - 1  # the badge of rs's fault-injection caps (the highest badge)
USER_BADGES = 1000  # badges from here up are user processes' (pm's BADGE_BASE) and commands'


class Inject(msgspec.Struct, frozen=True, tag=True):
    """Every server understands this one, from INJECT_BADGE only: arm the fault `kind`."""

    kind: str


class Injected(msgspec.Struct, frozen=True, tag=True):
    kind: str
    detail: str = ""  # what corrupt-state did


class Prepare(msgspec.Struct, frozen=True, tag=True):
    """Every server understands this one: save state to ds, finish up, answer, and end
    (rs's first step of a live update)."""


class Prepared(msgspec.Struct, frozen=True, tag=True):
    saved: int  # bytes of state handed over through ds


START_REASONS = ("fresh", "restart", "update")


class ServiceError(Exception):
    """Raised by a handler to refuse a request, and by `Client.call` on a `Failure`."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error, self.message = error, message


class BadReply(ServiceError):
    """Raised by `Client.call` for a reply that does not decode (a server gone wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__("EBADMSG", message)


class _Defer:
    def __repr__(self) -> str:
        return "DEFER"


DEFER: Any = _Defer()  # a handler's "no reply now"


class Caller(msgspec.Struct, frozen=True):
    """Who sent a request: the badge of their cap, the caps they sent, the Reply slot."""

    badge: int
    reply: int | None
    caps: tuple[int, ...] = ()


_encode = msgspec.msgpack.Encoder().encode
_ENDING = (Stop, Prepare)  # the requests that end a server


class Server:
    """Base of every server. Subclasses set `requests` and define `do_*` handlers."""

    requests: ClassVar[Any]
    endpoint: ClassVar[str] = ""  # the name of the endpoint it serves, in its caps table
    _decoder: ClassVar[msgspec.msgpack.Decoder[Any]]
    _handlers: ClassVar[dict[type, str]]
    stopped = False  # set once it has answered Stop: the loop ends
    fault: Fault | None = None  # armed by Inject
    debug_next: Caller | None = None  # rs's Debug(next=True), answered after the next request

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "requests" in cls.__dict__:
            framework = (Stop, Ping, Inject, Prepare, Debug)
            cls._decoder = msgspec.msgpack.Decoder(
                cls.requests | Stop | Ping | Inject | Prepare | Debug)
            kinds = getattr(cls.requests, "__args__", (cls.requests,))
            cls._handlers = {k: "do_" + _snake(k.__name__) for k in (*kinds, *framework)}
            missing = [h for h in cls._handlers.values() if not hasattr(cls, h)]
            if missing:
                raise TypeError(f"{cls.__name__} has no handler {', '.join(missing)}")

    def __init__(self, caps: dict[str, int], args: tuple[str, ...] = (),
                 gate_of: Callable[[], Gate] = gate) -> None:
        self.start_reason = "fresh"
        if args and args[-1].startswith("start=") and args[-1][6:] in START_REASONS:
            self.start_reason, args = args[-1][6:], args[:-1]
        self.caps, self.args, self.gate_of = caps, args, gate_of
        self._deferred: set[int] = set()  # Reply slots of deferred requests not yet answered
        self._current: int | None = None  # the Reply slot of the request being handled
        self.setup()
        if self.start_reason == "update" and "ds" in self.caps:
            from pith.protocols.ds import STATE_KEY, Ds  # (it imports this module)
            state = Ds(self.caps["ds"], gate_of).fetch(STATE_KEY)
            if state is not None:
                self.restore(state)

    def setup(self) -> None:
        """Make the server's state (override; called once, before the first request)."""

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        """Decode, handle, encode: the reply's bytes, or None when deferred."""
        try:
            request = self._decoder.decode(msg)
        except msgspec.MsgspecError as e:
            return _encode(Failure("EINVAL", f"bad request: {e}"))
        if isinstance(request, _ENDING) and caller.badge >= USER_BADGES:
            return _encode(Failure("EPERM", f"only rs may {type(request).__name__.lower()} "
                                   "a server"))
        fault = self.fault
        if fault is not None:
            fault.before()
        self._current = caller.reply  # (until a handler answers it itself)
        handler = getattr(self, self._handlers[type(request)])
        try:
            if self.debug_next is not None and not isinstance(request, (Ping, Debug)):
                reply = self._debugged(handler, request, caller)
            else:
                reply = handler(request, caller)
        except ServiceError as e:
            reply = Failure(e.error, e.message)
        if reply is DEFER:
            if self._current is not None:
                self._deferred.add(self._current)
            return None
        if fault is None:
            return _fitting(reply)
        out, spent = fault.after(_fitting(reply))
        if spent:
            self.fault = None
        return out

    def answer(self, caller: Caller, reply: msgspec.Struct, caps: tuple[int, ...] = ()) -> None:
        """Send a deferred reply now (with `caps`, if the caller's cap has GRANT)."""
        assert caller.reply is not None
        if caps:
            self.gate_of().reply(caller.reply, _fitting(reply), caps)
        else:
            self.gate_of().reply(caller.reply, _fitting(reply))
        self._deferred.discard(caller.reply)
        if caller.reply == self._current:
            self._current = None

    def deadline(self) -> float | None:
        """When `timed_out()` must next run (time.monotonic()); None: never (override)."""
        return None

    def timed_out(self) -> None:
        """`deadline()` passed with no request received (override to act on it)."""

    def signalled(self, bits: int) -> None:
        """The bound notification fired (interrupts, deaths); override to react."""

    def stop(self) -> None:
        """Finish up before the server ends (flush, say); override as needed."""

    def save(self) -> bytes | None:
        """The state to hand over to the new code in a live update; None: nothing to hand
        over. Override it to allow live updates: by default a server refuses (ENOTSUP), for
        only the server knows whether state would be lost (vfs's descriptors, tmpfs's files)."""
        raise ServiceError("ENOTSUP", f"{type(self).__name__} has no save(): its state "
                           "would be lost, so it takes no live update")

    def restore(self, state: bytes) -> None:
        """Take back what `save()` handed over (override; called after `setup()`)."""

    def do_prepare(self, request: Prepare, caller: Caller) -> Prepared:
        waiting = self._unanswered()
        if waiting:
            raise ServiceError("EBUSY", f"{waiting} deferred requests are not answered yet")
        state = self.save()
        if state is not None:
            if "ds" not in self.caps:
                raise ServiceError("ENOSYS", "state to hand over, but no ds cap to stash it")
            from pith.protocols.ds import STATE_KEY, Ds
            Ds(self.caps["ds"], self.gate_of).stash(STATE_KEY, state)
        self.stop()
        self.stopped = True
        return Prepared(len(state or b""))

    def _unanswered(self) -> int:
        """Deferred requests whose callers still wait (a gone caller's Reply is gone)."""
        for reply in list(self._deferred):
            try:
                self.gate_of().cap_info(reply)
            except KernelError:
                self._deferred.discard(reply)
        return len(self._deferred)

    def do_stop(self, request: Stop, caller: Caller) -> Stopped:
        self.stop()
        self.stopped = True
        return Stopped()

    def do_ping(self, request: Ping, caller: Caller) -> Pong:
        return Pong()

    def do_debug(self, request: Debug, caller: Caller) -> Debugged:
        """pdb in this server, on the host terminal (pith/lib/debug.py); rs's badge only."""
        if caller.badge != INJECT_BADGE:
            raise ServiceError("EPERM", "only rs starts a debugger in a server")
        if request.next:
            self.debug_next = caller
            return DEFER  # type: ignore[no-any-return]
        debug.session(self, self.endpoint or type(self).__name__)
        return Debugged()

    def _debugged(self, handler: Callable[[Any, Caller], Any], request: Any,
                  caller: Caller) -> Any:
        """The next request after Debug(next=True): its handler under pdb; then rs hears."""
        waiting, self.debug_next = self.debug_next, None
        try:
            return debug.run_traced(self.endpoint or type(self).__name__, handler, request,
                                    caller)
        finally:
            if waiting is not None and waiting.reply is not None:
                with contextlib.suppress(KernelError):
                    self.answer(waiting, Debugged())

    def do_inject(self, request: Inject, caller: Caller) -> Injected:
        if caller.badge != INJECT_BADGE:
            raise ServiceError("EPERM", "only rs injects faults")
        if request.kind not in HOOK_KINDS:
            raise ServiceError("EINVAL", f"no fault kind {request.kind!r}: {HOOK_KINDS}")
        if request.kind == "corrupt-state":
            return Injected(request.kind, corrupt_state(self, random.Random()))
        self.fault = Fault(request.kind)
        return Injected(request.kind)


@dataclass
class Runner:
    """The receive loop of `server` on endpoint `slot`, one syscall at a time."""

    server: Server
    slot: int
    pending: list[sc.SyscallRequest] = field(default_factory=list)

    def first(self) -> sc.SyscallRequest:
        return sc.Recv(self.slot, self._timeout())

    def step(self, result: Result) -> sc.SyscallRequest:
        if type(result) is Received:  # (the common case first)
            reply = self.server.dispatch(result.msg, Caller(result.badge, result.reply,
                                                            result.caps))
            if reply is not None and result.reply is not None:
                timeout = self._timeout()
                if self.server.stopped or timeout == 0:  # (a ReplyRecv that would time out
                    return sc.Reply(result.reply, reply)  # at once would not reply either)
                return sc.ReplyRecv(result.reply, self.slot, reply, timeout=timeout)
        elif isinstance(result, Signalled):
            self.server.signalled(result.bits)
        elif isinstance(result, Error) and result.code == ErrorCode.TIMEOUT:
            self.server.timed_out()
        elif isinstance(result, Error) and result.code not in (1, 13):
            raise error_for(result.code, result.detail)  # (1, 13: the caller went away)
        return sc.Recv(self.slot, self._timeout())

    def _timeout(self) -> float | None:
        """The receive's timeout: until the server's deadline (None: no deadline)."""
        deadline = self.server.deadline()
        if deadline is None:
            return None
        return min(MAX_TIMEOUT, max(0.0, deadline - time.monotonic()))


def serve(server: Server, slot: int) -> None:
    """Run `server` on endpoint `slot` over this thread's gate, for ever."""
    runner, g = Runner(server, slot), gate()
    call = runner.first()
    while True:
        result, _ = g.invoke(call)
        if server.stopped:
            return
        call = runner.step(result)


class Client:
    """Calls a server's endpoint with typed requests; decodes its typed replies."""

    def __init__(self, slot: int, responses: Any, gate_of: Callable[[], Gate] = gate) -> None:
        self.slot, self.gate_of = slot, gate_of
        self._decoder = msgspec.msgpack.Decoder(responses | Failure)

    def call(self, request: msgspec.Struct, timeout: float | None = None,
             caps: tuple[int, ...] = ()) -> Any:
        """Send `request` (and `caps`, which needs GRANT); the decoded reply."""
        replied = self.gate_of().call(self.slot, _encode(request), caps, timeout)
        try:
            reply = self._decoder.decode(replied.msg)
        except msgspec.MsgspecError as e:
            raise BadReply(f"undecodable reply to {type(request).__name__}: {e}") from None
        if isinstance(reply, Failure):
            raise ServiceError(reply.error, reply.message)
        return reply


def _fitting(reply: msgspec.Struct) -> bytes:
    """`reply` encoded, or an EOVERFLOW Failure if it would not fit one kernel message
    (or holds a number MessagePack cannot carry: an int past 64 bits)."""
    try:
        out = _encode(reply)
    except (OverflowError, msgspec.EncodeError) as e:
        return _encode(Failure("EOVERFLOW", f"the {type(reply).__name__} reply cannot be "
                               f"encoded: {e}"))
    if len(out) <= MAX_MESSAGE:
        return out
    return _encode(Failure("EOVERFLOW", f"the {type(reply).__name__} reply would be "
                           f"{len(out)} bytes, over the {MAX_MESSAGE}-byte message limit"))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
