"""The server framework without a kernel: dispatch, deferral, the runner's steps."""

from __future__ import annotations

import msgspec
import pytest

from pith.kernel.core import syscalls as sc
from pith.kernel.core.actions import Error, Received, Signalled
from pith.kernel.core.errors import ErrorCode, ServerDied
from pith.kernel.core.rights import MAX_MESSAGE
from pith.lib.debug import Debug
from pith.lib.server import (
    DEFER,
    INJECT_BADGE,
    USER_BADGES,
    Caller,
    Failure,
    Prepare,
    Runner,
    Server,
    ServiceError,
    Stop,
    Stopped,
)
from pith.protocols.echo import Echo, Echoed, Stats
from pith.servers.echo.server import EchoServer


class Later(msgspec.Struct, tag=True):
    pass


class Deferring(Server):
    requests = Later
    endpoint = "x"

    def setup(self) -> None:
        self.parked: list[Caller] = []

    def do_later(self, request: Later, caller: Caller) -> object:
        self.parked.append(caller)
        return DEFER

    def signalled(self, bits: int) -> None:
        self.bits = bits


def test_dispatch_decodes_handles_and_encodes() -> None:
    reply = EchoServer({}).dispatch(msgspec.msgpack.encode(Echo("hi")), Caller(7, 1))
    assert reply is not None
    assert msgspec.msgpack.decode(reply, type=Echoed) == Echoed("hi", 7)


def test_bad_bytes_and_refusals_become_failures() -> None:
    server = EchoServer({})
    for msg in (b"", b"\xff\xfe", msgspec.msgpack.encode({"type": "Nope"}),
                msgspec.msgpack.encode(Echo("a\0b"))):
        reply = server.dispatch(msg, Caller(0, 1))
        assert reply is not None
        assert isinstance(msgspec.msgpack.decode(reply, type=Failure), Failure)
    assert server.count == 0


def test_a_server_without_a_handler_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="do_echo"):
        type("Broken", (Server,), {"requests": Echo, "endpoint": "e"})


def test_runner_replies_and_receives_in_one_syscall() -> None:
    runner = Runner(EchoServer({}), slot=3)
    assert runner.first() == sc.Recv(3)
    call = runner.step(Received(msgspec.msgpack.encode(Stats()), 0, (), 5))
    assert isinstance(call, sc.ReplyRecv) and (call.reply, call.slot) == (5, 3)


def test_runner_defers_and_passes_notifications_on() -> None:
    server = Deferring({})
    runner = Runner(server, slot=2)
    assert runner.step(Received(msgspec.msgpack.encode(Later()), 9, (), 4)) == sc.Recv(2)
    assert server.parked == [Caller(9, 4, ())]
    assert runner.step(Signalled(0b101)) == sc.Recv(2)
    assert server.bits == 0b101


def test_runner_goes_on_when_the_caller_is_gone_and_raises_otherwise() -> None:
    runner = Runner(EchoServer({}), slot=1)
    assert runner.step(Error(ErrorCode.INVALID_SLOT, "reply gone")) == sc.Recv(1)
    with pytest.raises(ServerDied):
        runner.step(Error(ErrorCode.SERVER_DIED, "x"))


def test_service_error_carries_its_condition() -> None:
    e = ServiceError("ENOENT", "no such key")
    assert (e.error, e.message, str(e)) == ("ENOENT", "no such key", "ENOENT: no such key")


def test_a_user_process_may_not_stop_or_prepare_a_server() -> None:
    server = EchoServer({})
    for request in (Stop(), Prepare()):
        reply = server.dispatch(msgspec.msgpack.encode(request), Caller(USER_BADGES + 3, 1))
        refused = msgspec.msgpack.decode(reply or b"", type=Failure)
        assert refused.error == "EPERM" and not server.stopped
    reply = server.dispatch(msgspec.msgpack.encode(Stop()), Caller(0, 1))  # rs's own cap
    assert msgspec.msgpack.decode(reply or b"", type=Stopped) == Stopped()
    assert server.stopped


def test_only_rs_starts_a_debugger_and_a_debug_next_waits_for_a_request() -> None:
    server = EchoServer({})
    for badge in (0, 5, USER_BADGES + 3):  # (a system server's cap, a user's: not rs's)
        reply = server.dispatch(msgspec.msgpack.encode(Debug()), Caller(badge, 1))
        assert msgspec.msgpack.decode(reply or b"", type=Failure).error == "EPERM"
    assert server.dispatch(msgspec.msgpack.encode(Debug(next=True)), Caller(INJECT_BADGE, 2)) \
        is None  # (answered once the next request has been handled under pdb)
    assert server.debug_next == Caller(INJECT_BADGE, 2)


class Big(msgspec.Struct, tag=True):
    size: int


class Blob(msgspec.Struct, tag=True):
    data: bytes


class Amplifying(Server):
    """A reply that grows with what the client asks: it must not end the server."""

    requests = Big
    endpoint = "x"

    def do_big(self, request: Big, caller: Caller) -> Blob:
        return Blob(b"x" * request.size)


def test_a_reply_over_the_message_limit_is_an_eoverflow_failure() -> None:
    server = Amplifying({})
    reply = server.dispatch(msgspec.msgpack.encode(Big(MAX_MESSAGE)), Caller(1000, 1))
    assert reply is not None and len(reply) <= MAX_MESSAGE
    assert msgspec.msgpack.decode(reply, type=Failure).error == "EOVERFLOW"
    small = server.dispatch(msgspec.msgpack.encode(Big(10)), Caller(1000, 1))
    assert msgspec.msgpack.decode(small or b"", type=Blob) == Blob(b"x" * 10)


class Position(msgspec.Struct, tag=True):
    offset: int


class Seeking(Server):
    """A reply with an int a client made grow past 64 bits: it must not end the server."""

    requests = Big
    endpoint = "x"

    def do_big(self, request: Big, caller: Caller) -> Position:
        return Position(request.size * 4)


def test_a_reply_that_cannot_be_encoded_is_an_eoverflow_failure() -> None:
    reply = Seeking({}).dispatch(msgspec.msgpack.encode(Big(2**63)), Caller(1000, 1))
    assert msgspec.msgpack.decode(reply or b"", type=Failure).error == "EOVERFLOW"


class Timed(Server):
    """A server with a timer: `due` is its deadline; `fired` counts timed_out() calls."""

    requests = Later
    endpoint = "t"

    def setup(self) -> None:
        self.due: float | None = None
        self.fired = 0

    def do_later(self, request: Later, caller: Caller) -> Stopped:
        return Stopped()

    def deadline(self) -> float | None:
        return self.due

    def timed_out(self) -> None:
        self.fired += 1
        self.due = None


def test_runner_receives_until_the_servers_deadline_and_calls_timed_out() -> None:
    import time

    server = Timed({})
    runner = Runner(server, slot=4)
    assert runner.first() == sc.Recv(4)  # no deadline: no timeout
    server.due = time.monotonic() + 1000
    call = runner.step(Received(msgspec.msgpack.encode(Later()), 0, (), 5))
    assert isinstance(call, sc.ReplyRecv) and call.timeout is not None
    assert 990 < call.timeout <= 1000
    server.due = time.monotonic() - 1  # past: the reply goes alone, then a receive that
    call = runner.step(Received(msgspec.msgpack.encode(Later()), 0, (), 6))  # cannot wait
    assert call == sc.Reply(6, msgspec.msgpack.encode(Stopped()))
    assert runner.step(Received(b"", 0, (), None)) == sc.Recv(4, 0.0)
    assert runner.step(Error(ErrorCode.TIMEOUT, "the timeout passed")) == sc.Recv(4)
    assert server.fired == 1
