"""The framework's fault hook (`Inject`) without a kernel: who may inject, and what each
kind does to the next request."""

from __future__ import annotations

import random
import threading

import msgspec
import pytest

from pith.lib import fault
from pith.lib.server import (
    INJECT_BADGE,
    BadReply,
    Caller,
    Client,
    Failure,
    Inject,
    Injected,
    Ping,
    Pong,
)
from pith.protocols.echo import Echo, Echoed
from pith.servers.echo.server import EchoServer

decode = msgspec.msgpack.Decoder(Echoed | Pong | Injected | Failure).decode
encode = msgspec.msgpack.Encoder().encode
RS = Caller(INJECT_BADGE, 1)


def server() -> EchoServer:
    return EchoServer({}, ())


def inject(s: EchoServer, kind: str, caller: Caller = RS) -> object:
    out = s.dispatch(encode(Inject(kind)), caller)
    assert out is not None
    return decode(out)


@pytest.mark.parametrize("badge", [0, 1, 1000, 1001, INJECT_BADGE - 1])
def test_only_rs_badge_may_inject(badge: int) -> None:
    s = server()
    refused = inject(s, "exception", Caller(badge, 1))
    assert isinstance(refused, Failure) and refused.error == "EPERM"
    assert decode(s.dispatch(encode(Echo("hi")), Caller(badge, 1)) or b"") == Echoed("hi", badge)


def test_unknown_kind_is_refused() -> None:
    refused = inject(server(), "meteor")
    assert isinstance(refused, Failure) and refused.error == "EINVAL"


def test_exception_fires_on_the_next_request() -> None:
    s = server()
    assert inject(s, "exception") == Injected("exception")
    with pytest.raises(fault.InjectedFault):
        s.dispatch(encode(Ping()), Caller(0, 1))


def test_deadlock_blocks_the_next_request_for_ever() -> None:
    s = server()
    inject(s, "deadlock")
    worker = threading.Thread(target=s.dispatch, args=(encode(Ping()), Caller(0, 1)),
                              daemon=True)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive()  # (a daemon thread: it goes with the test process)


def test_leak_grows_until_memory_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fault, "LEAK_CHUNK", 1 << 20)
    monkeypatch.setattr(fault, "LEAK_MAX", 4 << 20)
    s = server()
    inject(s, "leak")
    for _ in range(4):
        assert decode(s.dispatch(encode(Ping()), Caller(0, 1)) or b"") == Pong()
    with pytest.raises(MemoryError):
        s.dispatch(encode(Ping()), Caller(0, 1))


def test_corrupt_reply_garbles_one_reply_and_the_client_refuses_it() -> None:
    s = server()
    inject(s, "corrupt-reply")
    garbage = s.dispatch(encode(Echo("hi")), Caller(0, 1))
    assert garbage is not None

    class Replied(msgspec.Struct):
        msg: bytes

    class FakeGate:
        def call(self, *args: object) -> Replied:
            return Replied(garbage)

    client = Client(0, Echoed, lambda: FakeGate())  # type: ignore[arg-type, return-value]
    with pytest.raises(BadReply) as refused:
        client.call(Echo("hi"))
    assert refused.value.error == "EBADMSG" and "Echo" in refused.value.message
    assert decode(s.dispatch(encode(Echo("again")), Caller(0, 1)) or b"") == Echoed("again", 0)


def test_corrupt_state_flips_one_bit_of_held_bytes() -> None:
    cache = {"blocks": {7: b"\x00" * 16}}
    done = fault.corrupt_state(cache, random.Random(1))
    assert "blocks[7]" in done
    assert sum(bin(b).count("1") for b in cache["blocks"][7]) == 1


def test_corrupt_state_drops_a_table_entry_when_no_bytes_are_held() -> None:
    s = server()
    s.__dict__["table"] = {1: "one", 2: "two"}
    done = inject(s, "corrupt-state")
    assert isinstance(done, Injected) and "dropped table" in done.detail
    assert len(s.__dict__["table"]) == 1
