"""The inet protocol: sockets, names and counters, served by the TCP/IP server (pith/servers/inet).

Called by the posix layer's `socket` module (pith/lib/posix/sockets.py), by the network
commands (`ifconfig`, `netstat`, `ping`, `host`, procfs's /proc/net) and by pm (`Forget`).
The eth driver's frames arrive on the same endpoint as `Frames` (pith/protocols/eth.py).

A caller is known by the badge on its inet cap (pm mints a process's inet cap with the
badge of its other caps): a socket belongs to the badge that opened it, and any other badge
naming it gets EBADF. Sockets are small integers of inet's own, not file descriptors.

Blocking. A call that cannot finish now (Accept with nothing queued, Connect during the
handshake, Recv with no data, Send on a full buffer, Poll with nothing ready) waits in inet
for at most `timeout` seconds: None waits for ever, 0 does not wait (EAGAIN at once, as a
non-blocking socket), t > 0 fails with ETIMEDOUT and the message "timed out" when t passes
(the posix layer raises socket.timeout). A call that waited and failed changed nothing.

Replies are `Opened`, `Done`, `Accepted`, `Sent`, `Data`, `Datagram`, `Name`, `Ready`,
`Resolved`, `InterfaceList`, `Counters`, `ConnectionList` or `EchoReply`, or the framework's
`Failure(error, message)` with a POSIX errno name (ECONNREFUSED, ECONNRESET, EADDRINUSE,
ETIMEDOUT, EPIPE, ENOTCONN, EBADF, EINVAL, EAGAIN, ENOENT for a name not found …).
`Forget` is for pm (badges 1..SYSTEM_BADGES-1).

Data in one Send is at most MAX_DATA bytes, and a Recv answers at most that (the library
loops), so every message fits one kernel message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from pith.lib.server import Client
from pith.lib.syscall import Gate, gate

__all__ = [
    "DGRAM", "MAX_DATA", "MAX_POLL", "OPTIONS", "STREAM", "SYSTEM_BADGES",
    "Accept", "Accepted", "Bind", "Close", "Connect", "ConnectionInfo", "ConnectionList",
    "Connections", "Counters", "Data", "Datagram", "Done", "Echo", "EchoReply", "Forget",
    "GetName", "GetPeer", "Inet", "InetReply", "InetRequest", "Interest", "InterfaceInfo",
    "InterfaceList", "Interfaces", "Listen", "Name", "Opened", "Poll", "Ready",
    "Recv", "RecvFrom", "Resolve", "Resolved", "Send", "SendTo", "Sent", "SetOption", "Shutdown",
    "Socket", "SocketReady", "Statistics",
]

STREAM, DGRAM = "tcp", "udp"  # Socket kinds
MAX_DATA = 56 * 1024  # bytes of data in one Send, Recv, SendTo or RecvFrom
MAX_POLL = 1024  # sockets in one Poll
SYSTEM_BADGES = 1000  # badges 1..999 may send Forget
# SetOption names (the posix layer maps SOL_SOCKET/IPPROTO_TCP options to these)
OPTIONS = ("nodelay", "reuseaddr", "keepalive", "rcvbuf", "sndbuf", "broadcast")


# -- sockets -----------------------------------------------------------------------


class Socket(msgspec.Struct, frozen=True, tag=True):
    """A new socket of `kind` (STREAM or DGRAM), answered `Opened`."""

    kind: str


class Bind(msgspec.Struct, frozen=True, tag=True):
    sock: int
    host: str  # a dotted quad; "0.0.0.0": every address
    port: int  # 0: an ephemeral one


class Listen(msgspec.Struct, frozen=True, tag=True):
    sock: int
    backlog: int = 16


class Accept(msgspec.Struct, frozen=True, tag=True):
    """The next connection of a listening socket: `Accepted`, a new socket of the caller's."""

    sock: int
    timeout: float | None = None


class Connect(msgspec.Struct, frozen=True, tag=True):
    """TCP: answered `Done` once established (or the failure); UDP: the default peer."""

    sock: int
    host: str
    port: int
    timeout: float | None = None


class Send(msgspec.Struct, frozen=True, tag=True):
    """Answered `Sent(count)` once at least one byte is taken (all of it if it fits)."""

    sock: int
    data: bytes
    timeout: float | None = None


class Recv(msgspec.Struct, frozen=True, tag=True):
    """At most `size` bytes (<= MAX_DATA): `Data`, b"" at the end of the stream."""

    sock: int
    size: int
    timeout: float | None = None


class SendTo(msgspec.Struct, frozen=True, tag=True):
    sock: int
    data: bytes
    host: str
    port: int


class RecvFrom(msgspec.Struct, frozen=True, tag=True):
    sock: int
    size: int
    timeout: float | None = None


class Shutdown(msgspec.Struct, frozen=True, tag=True):
    sock: int
    how: str  # "r", "w" or "rw"


class Close(msgspec.Struct, frozen=True, tag=True):
    sock: int


class SetOption(msgspec.Struct, frozen=True, tag=True):
    """One of OPTIONS: nodelay acts; the others are accepted (and remembered) only."""

    sock: int
    name: str
    value: int


class GetName(msgspec.Struct, frozen=True, tag=True):
    sock: int


class GetPeer(msgspec.Struct, frozen=True, tag=True):
    sock: int


class Interest(msgspec.Struct, frozen=True):
    sock: int
    read: bool = True
    write: bool = False


class Poll(msgspec.Struct, frozen=True, tag=True):
    """select()'s and poll()'s call: answered `Ready` with the sockets of `socks` (the
    caller's) that are ready for what they ask (or have an error: always reported) once one
    is, or with none at the timeout."""

    socks: list[Interest]
    timeout: float | None = None


class Forget(msgspec.Struct, frozen=True, tag=True):
    """(pm) Close all of `badge`'s sockets: the process is gone."""

    badge: int


# -- names and the state of the stack -----------------------------------------------


class Resolve(msgspec.Struct, frozen=True, tag=True):
    """getaddrinfo's look-up past /etc/hosts (which the caller's library reads, as glibc's
    does): a dotted quad as it is, "localhost", then DNS (an A query over UDP to the
    configured server). ENOENT: no such name (or no DNS server to ask)."""

    name: str
    timeout: float | None = 5.0


class Interfaces(msgspec.Struct, frozen=True, tag=True):
    pass


class Statistics(msgspec.Struct, frozen=True, tag=True):
    pass


class Connections(msgspec.Struct, frozen=True, tag=True):
    pass


class Echo(msgspec.Struct, frozen=True, tag=True):
    """An ICMP echo request to `host` (the `ping` command): `EchoReply` when the answer
    comes, ETIMEDOUT at the timeout. (Named Echo: the framework's heartbeat is `Ping`.)"""

    host: str
    seq: int
    size: int = 56
    timeout: float = 1.0


# -- replies -----------------------------------------------------------------------


class Opened(msgspec.Struct, frozen=True, tag=True):
    sock: int


class Done(msgspec.Struct, frozen=True, tag=True):
    pass


class Accepted(msgspec.Struct, frozen=True, tag=True):
    sock: int
    host: str
    port: int


class Sent(msgspec.Struct, frozen=True, tag=True):
    count: int


class Data(msgspec.Struct, frozen=True, tag=True):
    data: bytes


class Datagram(msgspec.Struct, frozen=True, tag=True):
    data: bytes
    host: str
    port: int


class Name(msgspec.Struct, frozen=True, tag=True):
    host: str
    port: int


class SocketReady(msgspec.Struct, frozen=True):
    sock: int
    readable: bool
    writable: bool
    error: str | None = None  # the errno name a call would fail with now


class Ready(msgspec.Struct, frozen=True, tag=True):
    socks: list[SocketReady]


class Resolved(msgspec.Struct, frozen=True, tag=True):
    name: str  # the canonical name
    addresses: list[str]


class InterfaceInfo(msgspec.Struct, frozen=True):
    name: str  # "lo" or "eth0"
    address: str  # "10.0.2.15/24"
    mac: str  # "02:00:00:00:00:01" ("" for lo)
    mtu: int
    up: bool
    rx_packets: int = 0
    rx_bytes: int = 0
    tx_packets: int = 0
    tx_bytes: int = 0
    dropped: int = 0


class InterfaceList(msgspec.Struct, frozen=True, tag=True):
    interfaces: list[InterfaceInfo]
    gateway: str = ""
    dns: str = ""


class Counters(msgspec.Struct, frozen=True, tag=True):
    counters: dict[str, int]


class ConnectionInfo(msgspec.Struct, frozen=True):
    proto: str  # "tcp" or "udp"
    local: str  # "127.0.0.1:8000"
    remote: str  # "0.0.0.0:0" when none
    state: str  # "LISTEN", "ESTABLISHED", "TIME_WAIT" … ("" for udp)
    owner: int = 0  # the badge that owns the socket (0: a connection without one)
    recv_q: int = 0
    send_q: int = 0


class ConnectionList(msgspec.Struct, frozen=True, tag=True):
    connections: list[ConnectionInfo]


class EchoReply(msgspec.Struct, frozen=True, tag=True):
    host: str
    seq: int
    size: int
    ttl: int
    rtt: float  # seconds


InetRequest = (
    Socket | Bind | Listen | Accept | Connect | Send | Recv | SendTo | RecvFrom | Shutdown
    | Close | SetOption | GetName | GetPeer | Poll | Forget | Resolve | Interfaces
    | Statistics | Connections | Echo
)
InetReply = (
    Opened | Done | Accepted | Sent | Data | Datagram | Name | Ready | Resolved | InterfaceList
    | Counters | ConnectionList | EchoReply
)

_SLACK = 5.0  # the kernel-side timeout of a call is the request's plus this


class Inet:
    """A typed client of inet on cap `slot`. Every method raises `ServiceError` (its
    `error` the errno name) for a refusal; a call with a timeout is also bounded in the
    kernel (the timeout plus _SLACK), so a dead inet is an error, never a hang."""

    def __init__(self, slot: int, gate_of: Callable[[], Gate] = gate) -> None:
        self.client = Client(slot, InetReply, gate_of)

    def call(self, request: msgspec.Struct, timeout: float | None = None) -> Any:
        wait = None if timeout is None else timeout + _SLACK
        return self.client.call(request, timeout=wait)

    def socket(self, kind: str) -> int:
        return int(self.call(Socket(kind), 0.0).sock)

    def bind(self, sock: int, host: str, port: int) -> None:
        self.call(Bind(sock, host, port), 0.0)

    def listen(self, sock: int, backlog: int = 16) -> None:
        self.call(Listen(sock, backlog), 0.0)

    def accept(self, sock: int, timeout: float | None = None) -> tuple[int, str, int]:
        got: Accepted = self.call(Accept(sock, timeout), timeout)
        return got.sock, got.host, got.port

    def connect(self, sock: int, host: str, port: int, timeout: float | None = None) -> None:
        self.call(Connect(sock, host, port, timeout), timeout)

    def send(self, sock: int, data: bytes, timeout: float | None = None) -> int:
        return int(self.call(Send(sock, data[:MAX_DATA], timeout), timeout).count)

    def recv(self, sock: int, size: int, timeout: float | None = None) -> bytes:
        return bytes(self.call(Recv(sock, min(size, MAX_DATA), timeout), timeout).data)

    def sendto(self, sock: int, data: bytes, host: str, port: int) -> int:
        return int(self.call(SendTo(sock, data, host, port), 0.0).count)

    def recvfrom(self, sock: int, size: int,
                 timeout: float | None = None) -> tuple[bytes, str, int]:
        got: Datagram = self.call(RecvFrom(sock, min(size, MAX_DATA), timeout), timeout)
        return got.data, got.host, got.port

    def shutdown(self, sock: int, how: str) -> None:
        self.call(Shutdown(sock, how), 0.0)

    def close(self, sock: int) -> None:
        self.call(Close(sock), 0.0)

    def set_option(self, sock: int, name: str, value: int) -> None:
        self.call(SetOption(sock, name, value), 0.0)

    def getsockname(self, sock: int) -> tuple[str, int]:
        got: Name = self.call(GetName(sock), 0.0)
        return got.host, got.port

    def getpeername(self, sock: int) -> tuple[str, int]:
        got: Name = self.call(GetPeer(sock), 0.0)
        return got.host, got.port

    def poll(self, socks: list[Interest],
             timeout: float | None = None) -> list[SocketReady]:
        return list(self.call(Poll(socks, timeout), timeout).socks)

    def resolve(self, name: str, timeout: float = 5.0) -> list[str]:
        return list(self.call(Resolve(name, timeout), timeout).addresses)

    def interfaces(self) -> InterfaceList:
        got: InterfaceList = self.call(Interfaces(), 0.0)
        return got

    def statistics(self) -> dict[str, int]:
        return dict(self.call(Statistics(), 0.0).counters)

    def connections(self) -> list[ConnectionInfo]:
        return list(self.call(Connections(), 0.0).connections)

    def echo(self, host: str, seq: int, size: int = 56, timeout: float = 1.0) -> EchoReply:
        got: EchoReply = self.call(Echo(host, seq, size, timeout), timeout)
        return got
