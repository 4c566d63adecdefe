"""The façade of the engine: one `Stack` per host, sans-I/O.

Frames and socket calls go in; frames for the Ethernet device, answers and readiness come
out. It never reads a clock (every time is the `now` it is given), opens a socket or starts a
thread. The server around it loops: feed `receive_frame(now, frame)` for each frame read,
make the socket calls its clients ask for, then `poll(now)` (timers, the loopback, the
output: frames to write), answer blocked callers from `events()`, and sleep until
`next_deadline()` or the device is readable.

Entry points: `Stack(Config)`, `receive_frame`, `poll`, `next_deadline`, `events`,
`readiness`, the socket calls `open bind listen accept connect send sendto recv
recvfrom shutdown close set_nodelay getsockname getpeername`, `echo` (ping: its answers
gather in `echoes`) and `table()` (every socket and connection, for netstat). A call that
would block returns `WOULD_BLOCK` and changes nothing; a refusal raises a `NetError` named
for its errno.
Bad input never raises: it is dropped and counted in `stats`.

Bounds (memory stays bounded whatever arrives): `max_sockets` sockets, `max_connections`
TCBs (TIME-WAIT and orphans included; a SYN beyond is dropped), a listener's SYN-RECEIVED
plus accept queue <= its backlog (<= 128), the TCB and ARP bounds of their modules, and at
most LOOPBACK_BUDGET loopback packets handled per poll.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import struct
from collections import Counter, deque
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface

from pith.servers.inet.arp import ArpTable
from pith.servers.inet.errors import (
    WOULD_BLOCK,
    AddressInUse,
    AddressNotAvailable,
    BadDescriptor,
    InvalidArgument,
    IsConnected,
    MessageTooLong,
    NetworkUnreachable,
    NoBufferSpace,
    NotConnected,
    OperationNotSupported,
    WouldBlock,
)
from pith.servers.inet.icmp import echo_reply, port_unreachable
from pith.servers.inet.ipv4 import ANY, Interface, Router
from pith.servers.inet.tcp import State, Tcb, TcpConfig
from pith.servers.inet.udp import MAX_DATAGRAM, DatagramQueue
from pith.servers.inet.wire import (
    ACK,
    BROADCAST_MAC,
    ETHERTYPE_ARP,
    ETHERTYPE_IPV4,
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    RST,
    SYN,
    Ethernet,
    Icmp,
    Ipv4,
    Malformed,
    Tcp,
    Udp,
    build_arp,
    build_ethernet,
    build_icmp,
    build_ipv4,
    build_tcp,
    build_udp,
    parse_arp,
    parse_ethernet,
    parse_icmp,
    parse_ipv4,
    parse_tcp,
    parse_udp,
)

__all__ = ["Address", "Config", "EchoAnswer", "Readiness", "Row", "SockKind", "Stack"]

Address = tuple[str, int]
_Key = tuple[IPv4Address, int, IPv4Address, int]   # local ip, local port, remote ip, port
_EPHEMERAL = range(32768, 61000)
MAX_BACKLOG = 128
LOOPBACK_BUDGET = 10_000
MAX_ECHOES = 64     # echo replies kept for `echo`'s callers, the oldest dropped first


class SockKind(enum.Enum):
    STREAM = "tcp"
    DGRAM = "udp"


@dataclass(frozen=True, slots=True)
class Config:
    mac: bytes = b"\x02\x00\x00\x00\x00\x01"
    address: IPv4Interface | None = None      # eth's address and prefix; None: loopback only
    gateway: IPv4Address | None = None
    mtu: int = 1500
    loopback_mtu: int = 16384
    seed: int = 0                             # the ISS secret and the first ephemeral port
    tcp: TcpConfig = field(default_factory=TcpConfig)
    max_sockets: int = 1024
    max_connections: int = 4096


@dataclass(frozen=True, slots=True)
class Readiness:
    sock: int
    readable: bool
    writable: bool
    error: str | None       # the errno name a call would raise now, if any


@dataclass(frozen=True, slots=True)
class EchoAnswer:
    """An ICMP echo reply that arrived: who answered, the echo's identifier and sequence."""

    src: str
    ident: int
    seq: int
    size: int
    ttl: int
    at: float


@dataclass(frozen=True, slots=True)
class Row:
    """One line of netstat: a socket or a connection (sock None: one without a socket)."""

    proto: str
    local: Address
    remote: Address
    state: str
    sock: int | None
    recv_q: int = 0
    send_q: int = 0


@dataclass
class _Socket:
    kind: SockKind
    local: tuple[IPv4Address, int] | None = None
    remote: tuple[IPv4Address, int] | None = None
    conn: _Key | None = None                       # TCP: its connection
    backlog: int = 0                               # TCP: > 0 when listening
    pending: set[_Key] = field(default_factory=set)          # listening: SYN-RECEIVED
    ready: deque[_Key] = field(default_factory=deque)        # listening: to accept
    datagrams: DatagramQueue = field(default_factory=DatagramQueue)
    nodelay: bool = False
    shut_read: bool = False


@dataclass
class _Conn:
    tcb: Tcb
    sock: int | None = None         # the socket that owns it, once connected or accepted
    listener: int | None = None     # the listening socket it came from, until accepted


class Stack:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.router = Router(config.address, config.gateway)
        self.arp = ArpTable(config.mac, config.address.ip) if config.address else None
        self.stats: Counter[str] = Counter()
        self._secret = hashlib.blake2s(struct.pack("!q", config.seed)).digest()
        self._next_port = _EPHEMERAL.start + config.seed % len(_EPHEMERAL)
        self._clock = 0.0
        self._sockets: dict[int, _Socket] = {}
        self._next_sock = 1 + ((config.seed & 0xFFFFFFFF) << 16)  # (a restarted stack's new
        # seed gives numbers its predecessor's clients never held)
        self._conns: dict[_Key, _Conn] = {}
        self._tcp_bound: dict[tuple[IPv4Address, int], int] = {}
        self._udp_bound: dict[tuple[IPv4Address, int], int] = {}
        self._dirty: set[_Key] = set()
        self._touched: set[int] = set()
        self._loop: deque[bytes] = deque()
        self._out: list[bytes] = []
        self.echoes: deque[EchoAnswer] = deque(maxlen=MAX_ECHOES)

    # --- frames in, frames out ------------------------------------------------------------------

    def receive_frame(self, now: float, frame: bytes) -> None:
        """One Ethernet frame from the device. Never raises: bad input is counted."""
        self._clock = now
        try:
            eth = parse_ethernet(frame)
            if eth.dst not in (self.config.mac, BROADCAST_MAC):
                self.stats["eth.not_ours"] += 1
            elif eth.ethertype == ETHERTYPE_ARP:
                self._arp_input(now, eth)
            elif eth.ethertype == ETHERTYPE_IPV4 and self.config.address is not None:
                self._ip_input(now, eth.payload, on_loopback=False)
            else:
                self.stats["eth.unknown_type"] += 1
        except Malformed as bad:
            self.stats[bad.counter] += 1

    def poll(self, now: float) -> list[bytes]:
        """Run what is due at `now`: timers, output owed, the loopback. The frames to write."""
        self._clock = now
        for key, conn in list(self._conns.items()):
            deadline = conn.tcb.next_deadline()
            if deadline is not None and deadline <= now:
                conn.tcb.on_timer(now)
                self._dirty.add(key)
        if self.arp is not None:
            for ip in self.arp.on_timer(now):
                self._send_arp_request(ip)
        budget = LOOPBACK_BUDGET
        while self._dirty or (self._loop and budget):
            while self._dirty:
                self._flush(now, self._dirty.pop())
            while self._loop and budget:
                budget -= 1
                try:
                    self._ip_input(now, self._loop.popleft(), on_loopback=True)
                except Malformed as bad:
                    self.stats[bad.counter] += 1
        out, self._out = self._out, []
        return out

    def next_deadline(self) -> float | None:
        """When poll() must next run (a time already past if work is owed); None: never."""
        if self._dirty or self._loop:
            return self._clock
        times = [t for c in self._conns.values() if (t := c.tcb.next_deadline()) is not None]
        if self.arp is not None and (t := self.arp.next_deadline()) is not None:
            times.append(t)
        return min(times) if times else None

    def events(self) -> list[Readiness]:
        """The readiness of every socket something happened to since the last call."""
        touched, self._touched = self._touched, set()
        return [self.readiness(s) for s in sorted(touched) if s in self._sockets]

    def readiness(self, sock: int) -> Readiness:
        s = self._socket(sock)
        if s.kind is SockKind.DGRAM:
            return Readiness(sock, s.datagrams.ready, True, None)
        if s.backlog:
            return Readiness(sock, bool(s.ready), False, None)
        if s.conn is None:
            return Readiness(sock, False, False, None)
        tcb = self._conns[s.conn].tcb
        error = tcb.error.errno if tcb.error is not None else None
        return Readiness(sock, tcb.readable or s.shut_read, tcb.writable, error)

    # --- socket calls ------------------------------------------------------------------------

    def open(self, kind: SockKind) -> int:
        if len(self._sockets) >= self.config.max_sockets:
            raise NoBufferSpace()
        sock = self._next_sock
        self._next_sock += 1
        self._sockets[sock] = _Socket(kind)
        return sock

    def bind(self, sock: int, address: Address) -> None:
        s = self._socket(sock)
        if s.local is not None:
            raise InvalidArgument()
        ip, port = self._address(address)
        if not self.router.owns(ip):
            raise AddressNotAvailable()
        s.local = self._claim(s.kind, ip, port, sock)

    def listen(self, sock: int, backlog: int = 16) -> None:
        s = self._socket(sock)
        if s.kind is not SockKind.STREAM or s.conn is not None:
            raise OperationNotSupported() if s.kind is SockKind.DGRAM else InvalidArgument()
        if s.local is None:
            s.local = self._claim(s.kind, ANY, 0, sock)
        s.backlog = min(max(backlog, 1), MAX_BACKLOG)

    def accept(self, sock: int) -> tuple[int, Address] | WouldBlock:
        s = self._socket(sock)
        if not s.backlog:
            raise InvalidArgument()
        while s.ready:
            key = s.ready.popleft()
            conn = self._conns.get(key)
            if conn is None:
                continue
            new = self.open(SockKind.STREAM)
            child = self._sockets[new]
            child.local, child.remote, child.conn = (key[0], key[1]), (key[2], key[3]), key
            child.nodelay = s.nodelay
            conn.tcb.nodelay = s.nodelay
            conn.sock, conn.listener = new, None
            return new, (str(key[2]), key[3])
        return WOULD_BLOCK

    def connect(self, sock: int, address: Address) -> WouldBlock | None:
        """TCP: WOULD_BLOCK while the handshake runs; None once established; the failure
        (ECONNREFUSED, ETIMEDOUT ...) when it failed. UDP: sets the default destination."""
        s = self._socket(sock)
        ip, port = self._address(address)
        if s.kind is SockKind.DGRAM:
            if s.local is None:
                s.local = self._claim(s.kind, self._source(ip), 0, sock)
            s.remote = (ip, port)
            return None
        if s.backlog:
            raise InvalidArgument()
        if s.conn is not None:
            return self._connect_status(s, (ip, port))
        if port == 0:
            raise InvalidArgument()
        source = self._source(ip)
        if s.local is None:
            s.local = self._claim(s.kind, source, 0, sock)
        local_ip = s.local[0] if s.local[0] != ANY else source
        key = (local_ip, s.local[1], ip, port)
        if key in self._conns:
            raise AddressInUse()
        if len(self._conns) >= self.config.max_connections:
            raise NoBufferSpace()
        tcb = self._new_tcb(key)
        tcb.nodelay = s.nodelay
        tcb.open_active(self._clock)
        self._conns[key] = _Conn(tcb, sock=sock)
        s.conn, s.remote = key, (ip, port)
        self._dirty.add(key)
        return WOULD_BLOCK

    def _connect_status(self, s: _Socket, dst: tuple[IPv4Address, int]) -> WouldBlock | None:
        tcb = self._tcb(s)
        if s.remote != dst:
            raise IsConnected()
        if tcb.error is not None:
            raise tcb.error
        if tcb.established_once:
            return None
        if tcb.state is State.CLOSED:
            raise NotConnected()
        return WOULD_BLOCK

    def send(self, sock: int, data: bytes) -> int | WouldBlock:
        s = self._socket(sock)
        if s.kind is SockKind.DGRAM:
            if s.remote is None:
                raise NotConnected()
            return self._sendto(sock, s, data, s.remote)
        tcb = self._tcb(s)
        result = tcb.send(data)
        self._dirty.add(self._key(s))
        return result

    def sendto(self, sock: int, data: bytes, address: Address) -> int:
        s = self._socket(sock)
        if s.kind is SockKind.STREAM:
            raise IsConnected() if s.conn is not None else NotConnected()
        return self._sendto(sock, s, data, self._address(address))

    def recv(self, sock: int, n: int) -> bytes | WouldBlock:
        s = self._socket(sock)
        if n < 0:
            raise InvalidArgument()
        if s.kind is SockKind.DGRAM:
            got = self.recvfrom(sock, n)
            return got if isinstance(got, WouldBlock) else got[0]
        tcb = self._tcb(s)
        if s.shut_read:
            return b""
        result = tcb.recv(n)
        self._dirty.add(self._key(s))
        return result

    def recvfrom(self, sock: int, n: int) -> tuple[bytes, Address] | WouldBlock:
        s = self._socket(sock)
        if s.kind is SockKind.STREAM:
            data = self.recv(sock, n)
            assert s.remote is not None
            return data if isinstance(data, WouldBlock) else (data, (str(s.remote[0]),
                                                                      s.remote[1]))
        got = s.datagrams.pop()
        if got is None:
            return WOULD_BLOCK
        data, (ip, port) = got
        return data[:n], (str(ip), port)

    def shutdown(self, sock: int, how: str) -> None:
        """how: "r" (SHUT_RD), "w" (SHUT_WR) or "rw"."""
        s = self._socket(sock)
        if how not in ("r", "w", "rw"):
            raise InvalidArgument()
        if s.kind is SockKind.DGRAM or s.conn is None:
            raise NotConnected()
        tcb = self._tcb(s)
        if "r" in how:
            s.shut_read = True
        if "w" in how:
            tcb.shutdown()
        self._dirty.add(self._key(s))
        self._touched.add(sock)

    def close(self, sock: int) -> None:
        """The socket goes now; its connection lingers (FIN, TIME-WAIT) without it."""
        s = self._socket(sock)
        del self._sockets[sock]
        if s.local is not None:
            table = self._tcp_bound if s.kind is SockKind.STREAM else self._udp_bound
            if table.get(s.local) == sock:
                del table[s.local]
        for key in [*s.pending, *s.ready]:       # a listener: its unaccepted connections
            conn = self._conns.get(key)
            if conn is not None:
                conn.tcb.abort()
                conn.listener = None
                self._dirty.add(key)
        if s.conn is not None and s.conn in self._conns:
            conn = self._conns[s.conn]
            conn.sock = None
            conn.tcb.close(self._clock)
            self._dirty.add(s.conn)

    def set_nodelay(self, sock: int, on: bool) -> None:
        """TCP_NODELAY: Nagle's algorithm off (on=True) or on."""
        s = self._socket(sock)
        if s.kind is not SockKind.STREAM:
            raise OperationNotSupported()
        s.nodelay = on
        if s.conn is not None and s.conn in self._conns:
            self._conns[s.conn].tcb.nodelay = on
            self._dirty.add(s.conn)

    def getsockname(self, sock: int) -> Address:
        s = self._socket(sock)
        if s.conn is not None:
            return str(s.conn[0]), s.conn[1]
        return (str(s.local[0]), s.local[1]) if s.local else ("0.0.0.0", 0)

    def getpeername(self, sock: int) -> Address:
        s = self._socket(sock)
        if s.remote is None:
            raise NotConnected()
        return str(s.remote[0]), s.remote[1]

    def state(self, sock: int) -> State | None:
        """The TCP state of a socket's connection (for tests and `netstat`)."""
        s = self._socket(sock)
        return self._conns[s.conn].tcb.state if s.conn in self._conns else None

    def connections(self) -> list[tuple[_Key, State]]:
        return [(k, c.tcb.state) for k, c in self._conns.items()]

    def table(self) -> list[Row]:
        """Every socket not connected (listeners, UDP, unconnected TCP) and every TCP
        connection (orphans, TIME-WAIT's included)."""
        rows: list[Row] = []
        for sock, s in sorted(self._sockets.items()):
            if s.conn is not None and s.conn in self._conns:
                continue
            local = (str(s.local[0]), s.local[1]) if s.local else ("0.0.0.0", 0)
            remote = (str(s.remote[0]), s.remote[1]) if s.remote else ("0.0.0.0", 0)
            state = "" if s.kind is SockKind.DGRAM else ("LISTEN" if s.backlog else "CLOSED")
            rows.append(Row(s.kind.value, local, remote, state, sock,
                            s.datagrams.held))
        for key, conn in self._conns.items():
            tcb = conn.tcb
            rows.append(Row("tcp", (str(key[0]), key[1]), (str(key[2]), key[3]),
                            tcb.state.name, conn.sock,
                            len(tcb.rq.data) if tcb.rq is not None else 0, len(tcb.sndbuf)))
        return rows

    def echo(self, dst: Address, ident: int, seq: int, payload: bytes) -> None:
        """Send an ICMP echo request (ping); its reply, if any comes, joins `echoes`."""
        ip, _ = self._address((dst[0], 0))
        source = self._source(ip)
        rest = struct.pack("!HH", ident & 0xFFFF, seq & 0xFFFF)
        self._send_ip(source, ip, PROTO_ICMP, build_icmp(Icmp(ICMP_ECHO_REQUEST, 0, rest,
                                                              payload)))

    # --- helpers of the socket calls ------------------------------------------------------------

    def _socket(self, sock: int) -> _Socket:
        s = self._sockets.get(sock)
        if s is None:
            raise BadDescriptor()
        return s

    def _tcb(self, s: _Socket) -> Tcb:
        if s.conn is None or s.conn not in self._conns:
            raise NotConnected()
        return self._conns[s.conn].tcb

    def _key(self, s: _Socket) -> _Key:
        assert s.conn is not None
        return s.conn

    def _address(self, address: Address) -> tuple[IPv4Address, int]:
        try:
            ip, port = IPv4Address(address[0]), int(address[1])
        except (ValueError, TypeError, IndexError) as e:
            raise InvalidArgument() from e
        if not 0 <= port <= 0xFFFF:
            raise InvalidArgument()
        return ip, port

    def _source(self, dst: IPv4Address) -> IPv4Address:
        route = self.router.route(dst)
        if route is None:
            raise NetworkUnreachable()
        return route.source

    def _claim(self, kind: SockKind, ip: IPv4Address, port: int,
               sock: int) -> tuple[IPv4Address, int]:
        """Bind (ip, port) to `sock`; port 0 picks an ephemeral one. EADDRINUSE if taken
        (connections without a socket, TIME-WAIT's included, never hold a port: as
        SO_REUSEADDR always on)."""
        table = self._tcp_bound if kind is SockKind.STREAM else self._udp_bound

        def taken(p: int) -> bool:
            return any(bp == p and (bip in (ip, ANY) or ip == ANY)
                       for bip, bp in table)

        if port == 0:
            for _ in range(len(_EPHEMERAL)):
                candidate = self._next_port
                self._next_port = _EPHEMERAL.start + (
                    self._next_port + 1 - _EPHEMERAL.start) % len(_EPHEMERAL)
                if not taken(candidate) and not any(k[1] == candidate for k in self._conns):
                    port = candidate
                    break
            else:
                raise AddressInUse()
        elif taken(port):
            raise AddressInUse()
        table[(ip, port)] = sock
        return ip, port

    def _new_tcb(self, key: _Key) -> Tcb:
        """RFC 6528: ISS = a keyed hash of the connection plus a 4-microsecond clock."""
        digest = hashlib.blake2s(b"%s %d %s %d" % (key[0].packed, key[1], key[2].packed,
                                                   key[3]), key=self._secret).digest()
        iss = int.from_bytes(digest[:4], "big") + int(self._clock * 250_000)
        route = self.router.route(key[2])
        lo = route is not None and route.interface is Interface.LO
        mss = (self.config.loopback_mtu if lo else self.config.mtu) - 40   # tcp.mss ignored
        return Tcb(dataclasses.replace(self.config.tcp, mss=mss), key[1], key[3], iss)

    def _sendto(self, sock: int, s: _Socket, data: bytes,
                dst: tuple[IPv4Address, int]) -> int:
        if len(data) > MAX_DATAGRAM:
            raise MessageTooLong()
        route = self.router.route(dst[0])
        if route is None:
            raise NetworkUnreachable()
        mtu = self.config.loopback_mtu if route.interface is Interface.LO else self.config.mtu
        if len(data) + 28 > mtu:
            raise MessageTooLong()
        if s.local is None:
            s.local = self._claim(s.kind, ANY, 0, sock)
        src = s.local[0] if s.local[0] != ANY else route.source
        payload = build_udp(Udp(s.local[1], dst[1], data), src, dst[0])
        self._send_ip(src, dst[0], PROTO_UDP, payload)
        return len(data)

    # --- the layers below -------------------------------------------------------------------

    def _arp_input(self, now: float, eth: Ethernet) -> None:
        if self.arp is None:
            self.stats["arp.no_address"] += 1
            return
        reply, released = self.arp.receive(now, parse_arp(eth.payload))
        if reply is not None:
            self._out.append(build_ethernet(Ethernet(reply.tha, self.config.mac,
                                                     ETHERTYPE_ARP, build_arp(reply))))
        for mac, packet in released:
            self._out.append(build_ethernet(Ethernet(mac, self.config.mac, ETHERTYPE_IPV4,
                                                     packet)))

    def _send_arp_request(self, ip: IPv4Address) -> None:
        assert self.arp is not None
        self._out.append(build_ethernet(Ethernet(BROADCAST_MAC, self.config.mac, ETHERTYPE_ARP,
                                                 build_arp(self.arp.request(ip)))))

    def _ip_input(self, now: float, data: bytes, on_loopback: bool) -> None:
        ip = parse_ipv4(data)
        if ip.more_fragments or ip.fragment_offset:
            self.stats["ip.fragment_dropped"] += 1
            return
        broadcast = self.router.is_broadcast(ip.dst)
        if not (self.router.is_local(ip.dst, on_loopback) or broadcast):
            self.stats["ip.not_ours"] += 1
            return
        if ip.proto == PROTO_TCP and not broadcast:
            self._tcp_input(now, ip, parse_tcp(ip.payload, ip.src, ip.dst))
        elif ip.proto == PROTO_UDP:
            self._udp_input(ip, data, parse_udp(ip.payload, ip.src, ip.dst), broadcast)
        elif ip.proto == PROTO_ICMP and not broadcast:
            icmp = parse_icmp(ip.payload)
            reply = echo_reply(icmp)
            if icmp.type == ICMP_ECHO_REPLY and len(icmp.rest) == 4:
                ident, seq = struct.unpack("!HH", icmp.rest)
                self.echoes.append(EchoAnswer(str(ip.src), ident, seq, len(icmp.payload),
                                              ip.ttl, now))
            if reply is not None:
                self.stats["icmp.echo"] += 1
                self._send_ip(ip.dst, ip.src, PROTO_ICMP, build_icmp(reply))
        else:
            self.stats["ip.unknown_protocol"] += 1

    def _send_ip(self, src: IPv4Address, dst: IPv4Address, proto: int, payload: bytes) -> None:
        packet = build_ipv4(Ipv4(src, dst, proto, payload, ident=self.router.next_ident()))
        route = self.router.route(dst)
        if route is None:
            self.stats["ip.no_route"] += 1
            return
        if route.interface is Interface.LO:
            self.stats["lo.packets"] += 1  # (ifconfig's and /proc/net/dev's counts for lo)
            self.stats["lo.bytes"] += len(packet)
            self._loop.append(packet)
            return
        assert self.arp is not None
        if self.router.is_broadcast(dst):
            mac: bytes | None = BROADCAST_MAC
        else:
            mac, ask = self.arp.resolve(self._clock, route.next_hop, packet)
            if ask:
                self._send_arp_request(route.next_hop)
        if mac is not None:
            self._out.append(build_ethernet(Ethernet(mac, self.config.mac, ETHERTYPE_IPV4,
                                                     packet)))

    def _udp_input(self, ip: Ipv4, raw: bytes, udp: Udp, broadcast: bool) -> None:
        sock = self._udp_bound.get((ip.dst, udp.dst_port), self._udp_bound.get(
            (ANY, udp.dst_port)))
        if sock is None:
            self.stats["udp.no_port"] += 1
            if not broadcast:
                self._send_ip(ip.dst, ip.src, PROTO_ICMP,
                              build_icmp(port_unreachable(raw, len(raw) - len(ip.payload))))
            return
        s = self._sockets[sock]
        if s.remote is not None and s.remote != (ip.src, udp.src_port):
            self.stats["udp.not_connected_peer"] += 1
        elif s.datagrams.push(udp.payload, (ip.src, udp.src_port)):
            self._touched.add(sock)
        else:
            self.stats["udp.queue_full"] += 1

    def _tcp_input(self, now: float, ip: Ipv4, seg: Tcp) -> None:
        key = (ip.dst, seg.dst_port, ip.src, seg.src_port)
        conn = self._conns.get(key)
        if conn is not None and conn.tcb.state is State.TIME_WAIT and seg.flags & SYN \
                and not seg.flags & (ACK | RST) and conn.tcb.rq is not None \
                and (seg.seq - conn.tcb.rq.nxt) & 0x80000000 == 0 and seg.seq != conn.tcb.rq.nxt:
            del self._conns[key]    # a new incarnation (RFC 9293 3.6.1, as RFC 6191 without TS)
            self.stats["tcp.time_wait_reused"] += 1
            conn = None
        if conn is not None:
            conn.tcb.segment_arrives(now, seg)
            self._dirty.add(key)
            return
        listener = self._tcp_bound.get((ip.dst, seg.dst_port), self._tcp_bound.get(
            (ANY, seg.dst_port)))
        s = self._sockets.get(listener) if listener is not None else None
        if s is not None and s.backlog:
            self._listen_input(now, listener, s, key, seg)  # type: ignore[arg-type]
        else:
            self._refuse(ip, seg, "tcp.no_port")

    def _listen_input(self, now: float, sock: int, s: _Socket, key: _Key, seg: Tcp) -> None:
        """RFC 9293 3.10.7.2: LISTEN takes only a bare SYN."""
        if seg.flags & RST:
            return
        if seg.flags & ACK:
            self._refuse_key(key, seg)
            return
        if not seg.flags & SYN:
            return
        if len(s.pending) + len(s.ready) >= s.backlog:
            self.stats["tcp.backlog_full"] += 1
            return
        if len(self._conns) >= self.config.max_connections:
            self.stats["tcp.too_many_connections"] += 1
            return
        tcb = self._new_tcb(key)
        tcb.open_passive(now, seg)
        self._conns[key] = _Conn(tcb, listener=sock)
        s.pending.add(key)
        self._dirty.add(key)

    def _refuse(self, ip: Ipv4, seg: Tcp, counter: str) -> None:
        self.stats[counter] += 1
        self._refuse_key((ip.dst, seg.dst_port, ip.src, seg.src_port), seg)

    def _refuse_key(self, key: _Key, seg: Tcp) -> None:
        """The RST for a segment no connection takes (RFC 9293 3.10.7.1)."""
        if seg.flags & RST:
            return
        if seg.flags & ACK:
            rst = Tcp(key[1], key[3], seg.ack, 0, RST, 0)
        else:
            rst = Tcp(key[1], key[3], 0, (seg.seq + seg.seg_len) & 0xFFFFFFFF, RST | ACK, 0)
        self._send_ip(key[0], key[2], PROTO_TCP, build_tcp(rst, key[0], key[2]))

    def _flush(self, now: float, key: _Key) -> None:
        """Send what a connection owes; then settle its place (accept queue, forgetting)."""
        conn = self._conns.get(key)
        if conn is None:
            return
        for seg in conn.tcb.output(now):
            self._send_ip(key[0], key[2], PROTO_TCP, build_tcp(seg, key[0], key[2]))
        tcb = conn.tcb
        if conn.sock is not None:
            self._touched.add(conn.sock)
        if conn.listener is not None:
            owner = self._sockets.get(conn.listener)
            if owner is None:
                conn.listener = None
            elif key in owner.pending and tcb.established_once:
                owner.pending.discard(key)
                owner.ready.append(key)
                self._touched.add(conn.listener)
        if tcb.finished and conn.sock is None:
            owner = self._sockets.get(conn.listener) if conn.listener is not None else None
            if owner is not None:
                owner.pending.discard(key)
                if key in owner.ready:
                    owner.ready.remove(key)
            del self._conns[key]

