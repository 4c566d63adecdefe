"""inet's server, its handlers driven directly (no kernel): ownership, blocking calls
answered when the engine says so, timeouts, Forget, names, ping, bad requests."""

from __future__ import annotations

from itertools import count
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pith.kernel.core.errors import InvalidSlot
from pith.lib.server import Caller, Failure, ServiceError
from pith.protocols import eth as ep
from pith.protocols import inet as ip
from pith.servers.inet.server import InetServer

_decoder = msgspec.msgpack.Decoder(ip.InetReply | ep.Taken | Failure)
_slots = count(100)


class Replies:
    """A stand-in gate: records deferred answers by reply slot."""

    def __init__(self) -> None:
        self.sent: dict[int, Any] = {}
        self.gone: set[int] = set()

    def reply(self, slot: int, msg: bytes) -> None:
        assert slot not in self.sent, "answered twice"
        if slot in self.gone:
            raise InvalidSlot(f"slot {slot} is empty")
        self.sent[slot] = _decoder.decode(msg)

    def cap_info(self, slot: int) -> None:
        if slot in self.gone:
            raise InvalidSlot(f"slot {slot} is empty")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class World:
    def __init__(self, *args: str) -> None:
        self.replies = Replies()
        self.clock = Clock()
        self.inet = InetServer({}, args, gate_of=lambda: self.replies)  # type: ignore[arg-type, return-value]
        self.inet.clock = self.clock

    def send(self, request: msgspec.Struct, badge: int = 1001) -> tuple[int, Any]:
        """Dispatch; (the reply slot, the decoded reply or None when deferred)."""
        slot = next(_slots)
        out = self.inet.dispatch(msgspec.msgpack.encode(request), Caller(badge, slot))
        return slot, None if out is None else _decoder.decode(out)

    def __call__(self, request: msgspec.Struct, badge: int = 1001) -> Any:
        _, reply = self.send(request, badge)
        assert reply is not None, f"{request} was deferred"
        if isinstance(reply, Failure):
            raise ServiceError(reply.error, reply.message)
        return reply

    def err(self, request: msgspec.Struct, badge: int = 1001) -> str:
        with pytest.raises(ServiceError) as e:
            self(request, badge)
        return e.value.error

    def answered(self, slot: int) -> Any:
        return self.replies.sent.get(slot)

    def later(self, seconds: float) -> None:
        self.clock.now += seconds
        self.inet.timed_out()

    def listener(self, port: int = 8000, badge: int = 1001) -> int:
        s = self(ip.Socket(ip.STREAM), badge).sock
        self(ip.Bind(s, "127.0.0.1", port), badge)
        self(ip.Listen(s), badge)
        return int(s)

    def connected(self, port: int = 8000) -> tuple[int, int, int]:
        """A listener (badge 1001), a client socket connected to it (badge 1002) and the
        accepted one (badge 1001)."""
        lst = self.listener(port)
        c = self(ip.Socket(ip.STREAM), 1002).sock
        slot, reply = self.send(ip.Connect(c, "127.0.0.1", port), 1002)
        assert reply is None or isinstance(reply, ip.Done)
        assert reply is not None or isinstance(self.answered(slot), ip.Done)
        a = self(ip.Accept(lst)).sock
        return lst, c, a


def test_a_tcp_echo_over_the_loopback() -> None:
    w = World()
    _, c, a = w.connected()
    assert w(ip.Send(c, b"hello"), 1002).count == 5
    assert w(ip.Recv(a, 100)).data == b"hello"
    assert w(ip.GetPeer(a)).port == w(ip.GetName(c), 1002).port


def test_recv_waits_until_data_comes() -> None:
    w = World()
    _, c, a = w.connected()
    slot, reply = w.send(ip.Recv(a, 100))
    assert reply is None and w.answered(slot) is None
    w(ip.Send(c, b"late"), 1002)
    assert w.answered(slot) == ip.Data(b"late")


def test_accept_waits_for_a_connection() -> None:
    w = World()
    lst = w.listener()
    slot, reply = w.send(ip.Accept(lst))
    assert reply is None
    c = w(ip.Socket(ip.STREAM), 1002).sock
    w.send(ip.Connect(c, "127.0.0.1", 8000), 1002)
    got = w.answered(slot)
    assert isinstance(got, ip.Accepted) and got.host == "127.0.0.1"
    w(ip.Send(got.sock, b"x"))  # the accepted socket is the acceptor's


def test_a_timeout_is_etimedout_and_zero_is_eagain() -> None:
    w = World()
    _, _, a = w.connected()
    assert w.err(ip.Recv(a, 10, timeout=0)) == "EAGAIN"
    slot, reply = w.send(ip.Recv(a, 10, timeout=2.0))
    assert reply is None
    deadline = w.inet.deadline()
    assert deadline is not None and deadline <= w.clock.now + 2.0
    w.later(1.0)
    assert w.answered(slot) is None
    w.later(1.5)
    assert w.answered(slot) == Failure("ETIMEDOUT", "timed out")


def test_connect_to_a_closed_port_is_refused() -> None:
    w = World()
    c = w(ip.Socket(ip.STREAM)).sock
    slot, reply = w.send(ip.Connect(c, "127.0.0.1", 9))
    got = reply if reply is not None else w.answered(slot)
    assert isinstance(got, Failure) and got.error == "ECONNREFUSED"


def test_a_second_bind_of_a_port_is_eaddrinuse() -> None:
    w = World()
    w.listener(8000)
    s = w(ip.Socket(ip.STREAM)).sock
    assert w.err(ip.Bind(s, "127.0.0.1", 8000)) == "EADDRINUSE"


def test_another_badges_socket_is_ebadf() -> None:
    w = World()
    _, _, a = w.connected()
    for request in (ip.Recv(a, 1), ip.Send(a, b"x"), ip.Close(a), ip.GetName(a),
                    ip.Poll([ip.Interest(a)]), ip.SetOption(a, "nodelay", 1)):
        assert w.err(request, badge=1002) == "EBADF"
    assert w.err(ip.Recv(999, 1)) == "EBADF"


def test_udp_echo_over_the_loopback() -> None:
    w = World()
    server = w(ip.Socket(ip.DGRAM)).sock
    w(ip.Bind(server, "127.0.0.1", 5353))
    client = w(ip.Socket(ip.DGRAM), 1002).sock
    slot, reply = w.send(ip.RecvFrom(server, 100))
    assert reply is None
    w(ip.SendTo(client, b"ping", "127.0.0.1", 5353), 1002)
    got = w.answered(slot)
    assert isinstance(got, ip.Datagram) and got.data == b"ping"
    w(ip.SendTo(server, b"pong", got.host, got.port))
    assert w(ip.RecvFrom(client, 100), 1002).data == b"pong"


def test_poll_answers_when_a_socket_is_ready() -> None:
    w = World()
    _, c, a = w.connected()
    assert w(ip.Poll([ip.Interest(a)], timeout=0)).socks == []
    write = w(ip.Poll([ip.Interest(a, read=False, write=True)], timeout=0)).socks
    assert write == [ip.SocketReady(a, False, True)]
    slot, reply = w.send(ip.Poll([ip.Interest(a)], timeout=10))
    assert reply is None
    w(ip.Send(c, b"!"), 1002)
    assert w.answered(slot) == ip.Ready([ip.SocketReady(a, True, False)])
    slot, _ = w.send(ip.Poll([ip.Interest(c)], timeout=3), 1002)
    w.later(3.5)
    assert w.answered(slot) == ip.Ready([])


def test_forget_closes_a_dead_process_sockets_and_drops_its_calls() -> None:
    w = World()
    _, c, a = w.connected()
    slot, _ = w.send(ip.Recv(c, 10), 1002)
    assert w.err(ip.Forget(1002), badge=1001) == "EPERM"
    w(ip.Forget(1002), badge=1)
    assert w.answered(slot) is None  # (nobody to answer)
    assert w.err(ip.Recv(c, 10), 1002) == "EBADF"
    assert w(ip.Recv(a, 10)).data == b""  # the peer saw the close
    owners = {r.owner for r in w(ip.Connections()).connections}
    assert 1002 not in owners


def test_close_answers_another_threads_call_on_the_socket() -> None:
    w = World()
    _, _, a = w.connected()
    slot, _ = w.send(ip.Recv(a, 10))
    w(ip.Close(a))
    assert isinstance(w.answered(slot), Failure) and w.answered(slot).error == "EBADF"


def test_a_caller_gone_before_its_answer_changes_nothing() -> None:
    w = World()
    _, c, a = w.connected()
    slot, _ = w.send(ip.Recv(a, 10))
    w.replies.gone.add(slot)
    w(ip.Send(c, b"x"), 1002)
    assert w(ip.Recv(a, 10)).data == b"x"  # (the data stayed for the next reader)


def test_names_resolve_without_dns_on_the_loopback() -> None:
    w = World()
    assert w(ip.Resolve("localhost")).addresses == ["127.0.0.1"]
    assert w(ip.Resolve("10.1.2.3")).addresses == ["10.1.2.3"]
    assert w.err(ip.Resolve("example.org")) == "ENOENT"


def test_ping_the_loopback() -> None:
    w = World()
    slot, reply = w.send(ip.Echo("127.0.0.1", 7, 56))
    got = reply if reply is not None else w.answered(slot)
    assert isinstance(got, ip.EchoReply) and got.seq == 7 and got.size == 56
    assert w.err(ip.Echo("10.9.9.9", 1)) == "ENETUNREACH"


def test_interfaces_statistics_connections() -> None:
    w = World()
    w.connected()
    assert [i.name for i in w(ip.Interfaces()).interfaces] == ["lo"]
    assert w(ip.Statistics()).counters["inet.sockets"] == 3
    states = sorted(r.state for r in w(ip.Connections()).connections)
    assert states == ["ESTABLISHED", "ESTABLISHED", "LISTEN"]


def test_bad_requests_get_a_clear_error_and_change_nothing() -> None:
    w = World()
    assert w.err(ip.Socket("raw")) == "EPROTONOSUPPORT"
    s = w(ip.Socket(ip.STREAM)).sock
    assert w.err(ip.Bind(s, "not an address", 1)) == "EINVAL"
    assert w.err(ip.Bind(s, "127.0.0.1", 70000)) == "EINVAL"
    assert w.err(ip.Bind(s, "10.0.0.1", 80)) == "EADDRNOTAVAIL"
    assert w.err(ip.SetOption(s, "bogus", 1)) == "ENOPROTOOPT"
    assert w.err(ip.Recv(s, -1)) == "EINVAL"
    assert w.err(ip.Shutdown(s, "x")) == "EINVAL"
    assert w.err(ep.Frames([b"x"])) == "EPERM"  # (no eth: nobody sends frames)
    _, reply = w.send(ip.Socket(ip.STREAM), 1001)
    assert isinstance(reply, ip.Opened)
    out = w.inet.dispatch(b"\x93garbage", Caller(1001, 1))
    assert out is not None and _decoder.decode(out).error == "EINVAL"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_request_decoding_never_breaks_inet(data: bytes) -> None:
    w = World()
    out = w.inet.dispatch(data, Caller(1001, 1))
    assert out is None or _decoder.decode(out) is not None
    assert w(ip.Resolve("localhost")).addresses == ["127.0.0.1"]


_requests = st.one_of(
    st.builds(ip.Socket, st.sampled_from([ip.STREAM, ip.DGRAM, "x"])),
    st.builds(ip.Bind, st.integers(-1, 5), st.sampled_from(["127.0.0.1", "0.0.0.0", "x"]),
              st.integers(-1, 70000)),
    st.builds(ip.Listen, st.integers(-1, 5), st.integers(-5, 500)),
    st.builds(ip.Accept, st.integers(-1, 5), st.just(0.0)),
    st.builds(ip.Connect, st.integers(-1, 5), st.sampled_from(["127.0.0.1", "8.8.8.8"]),
              st.integers(0, 70000), st.just(0.0)),
    st.builds(ip.Send, st.integers(-1, 5), st.binary(max_size=100), st.just(0.0)),
    st.builds(ip.Recv, st.integers(-1, 5), st.integers(-1, 100000), st.just(0.0)),
    st.builds(ip.SendTo, st.integers(-1, 5), st.binary(max_size=50),
              st.sampled_from(["127.0.0.1", "300.1.1.1"]), st.integers(-1, 70000)),
    st.builds(ip.Close, st.integers(-1, 5)),
    st.builds(ip.Shutdown, st.integers(-1, 5), st.sampled_from(["r", "w", "rw", ""])),
    st.builds(ip.Poll, st.lists(st.builds(ip.Interest, st.integers(-1, 5)), max_size=3),
              st.just(0.0)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_requests, max_size=30))
def test_fuzz_well_formed_requests_are_answered_or_refused(requests: list[Any]) -> None:
    w = World()
    for request in requests:
        slot, reply = w.send(request, 1001)
        assert reply is not None or w.answered(slot) is not None
    w(ip.Forget(1001), badge=1)
    assert w(ip.Statistics()).counters["inet.sockets"] == 0
