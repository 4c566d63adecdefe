"""The façade: ARP and ICMP answers, UDP, the loopback, socket errors by errno, bounds
(SYN floods, a peer that stops reading), and fuzz: nothing a wire brings raises."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pith.servers.inet import wire
from pith.servers.inet.errors import (
    WOULD_BLOCK,
    AddressInUse,
    AddressNotAvailable,
    BadDescriptor,
    ConnectionRefused,
    NetworkUnreachable,
    NotConnected,
    TimedOut,
)
from pith.servers.inet.retransmit import RTO_MAX, RTO_MIN, RtoEstimator
from pith.servers.inet.stack import Config, SockKind, Stack
from pith.servers.inet.tcp import State, TcpConfig
from tests.servers.inet.harness import IP_A, IP_B, MAC_A, MAC_B, Net, pair

US = IPv4Address(IP_B)
PEER = IPv4Address(IP_A)


def stack_b() -> Stack:
    return Stack(Config(mac=MAC_B, address=IPv4Interface(IP_B + "/24"), seed=2))


def frame_from_peer(proto: int, payload: bytes) -> bytes:
    ip = wire.build_ipv4(wire.Ipv4(PEER, US, proto, payload))
    return wire.build_ethernet(wire.Ethernet(MAC_B, MAC_A, wire.ETHERTYPE_IPV4, ip))


def tcp_from_peer(seg: wire.Tcp) -> bytes:
    return frame_from_peer(wire.PROTO_TCP, wire.build_tcp(seg, PEER, US))


def learn_peer(stack: Stack) -> None:
    req = wire.Arp(wire.ARP_REQUEST, MAC_A, PEER, b"\0" * 6, US)
    stack.receive_frame(0.0, wire.build_ethernet(wire.Ethernet(
        wire.BROADCAST_MAC, MAC_A, wire.ETHERTYPE_ARP, wire.build_arp(req))))
    stack.poll(0.0)


def out_tcp(frames: list[bytes]) -> list[wire.Tcp]:
    segs = []
    for f in frames:
        eth = wire.parse_ethernet(f)
        if eth.ethertype == wire.ETHERTYPE_IPV4:
            ip = wire.parse_ipv4(eth.payload)
            if ip.proto == wire.PROTO_TCP:
                segs.append(wire.parse_tcp(ip.payload, ip.src, ip.dst))
    return segs


# --- ARP and ICMP -----------------------------------------------------------------------------

def test_arp_request_for_us_gets_a_reply() -> None:
    s = stack_b()
    req = wire.Arp(wire.ARP_REQUEST, MAC_A, PEER, b"\0" * 6, US)
    s.receive_frame(0.0, wire.build_ethernet(wire.Ethernet(
        wire.BROADCAST_MAC, MAC_A, wire.ETHERTYPE_ARP, wire.build_arp(req))))
    (frame,) = s.poll(0.0)
    expected = wire.build_ethernet(wire.Ethernet(MAC_A, MAC_B, wire.ETHERTYPE_ARP, wire.build_arp(
        wire.Arp(wire.ARP_REPLY, MAC_B, US, MAC_A, PEER))))
    assert frame == expected
    assert s.arp is not None and s.arp.lookup(1.0, PEER) == MAC_A


def test_sending_to_an_unknown_neighbour_asks_arp_and_gives_up() -> None:
    s = stack_b()
    u = s.open(SockKind.DGRAM)
    s.sendto(u, b"hi", (IP_A, 9))
    (req,) = s.poll(0.0)
    arp = wire.parse_arp(wire.parse_ethernet(req).payload)
    assert arp.op == wire.ARP_REQUEST and arp.tpa == PEER
    assert len(s.poll(1.0)) == 1 and len(s.poll(2.0)) == 1   # asked three times in all
    assert s.poll(3.0) == [] and s.next_deadline() is None and s.arp and s.arp.dropped == 1


def test_ping_is_answered() -> None:
    s = stack_b()
    learn_peer(s)
    echo = wire.build_icmp(wire.Icmp(wire.ICMP_ECHO_REQUEST, 0, b"\x12\x34\x00\x01", b"ping"))
    s.receive_frame(0.0, frame_from_peer(wire.PROTO_ICMP, echo))
    (frame,) = s.poll(0.0)
    ip = wire.parse_ipv4(wire.parse_ethernet(frame).payload)
    assert (ip.src, ip.dst) == (US, PEER)
    assert wire.parse_icmp(ip.payload) == wire.Icmp(0, 0, b"\x12\x34\x00\x01", b"ping")


def test_udp_to_a_closed_port_is_port_unreachable() -> None:
    s = stack_b()
    learn_peer(s)
    s.receive_frame(0.0, frame_from_peer(wire.PROTO_UDP, wire.build_udp(
        wire.Udp(5000, 9, b"x"), PEER, US)))
    (frame,) = s.poll(0.0)
    icmp = wire.parse_icmp(wire.parse_ipv4(wire.parse_ethernet(frame).payload).payload)
    assert (icmp.type, icmp.code) == (3, 3)


# --- UDP and the loopback ---------------------------------------------------------------------

def test_udp_between_two_stacks() -> None:
    a, b = pair()
    net = Net([a, b])
    ub = b.open(SockKind.DGRAM)
    b.bind(ub, ("0.0.0.0", 53))
    ua = a.open(SockKind.DGRAM)
    assert a.sendto(ua, b"query", (IP_B, 53)) == 5
    net.run_until(lambda: b.readiness(ub).readable)
    data, source = b.recvfrom(ub, 100)  # type: ignore[misc]
    assert data == b"query" and source[0] == IP_A
    b.sendto(ub, b"answer", source)
    net.run_until(lambda: a.readiness(ua).readable)
    assert a.recv(ua, 100) == b"answer" and a.recv(ua, 100) is WOULD_BLOCK


def test_loopback_tcp_without_eth() -> None:
    s = Stack(Config())
    listener = s.open(SockKind.STREAM)
    s.bind(listener, ("127.0.0.1", 8000))
    s.listen(listener)
    c = s.open(SockKind.STREAM)
    assert s.connect(c, ("127.0.0.1", 8000)) is WOULD_BLOCK
    assert s.poll(0.0) == []           # nothing leaves by eth
    assert s.connect(c, ("127.0.0.1", 8000)) is None
    got = s.accept(listener)
    assert got is not WOULD_BLOCK
    server, peer = got
    assert peer == s.getsockname(c)
    s.send(c, b"GET / HTTP/1.0\r\n\r\n")
    s.poll(0.01)
    assert s.recv(server, 100) == b"GET / HTTP/1.0\r\n\r\n"
    s.send(server, b"x" * 100_000)
    received = bytearray()
    for i in range(100):
        s.poll(0.01 * i)
        while (data := s.recv(c, 1 << 20)) not in (WOULD_BLOCK, b""):
            received += data  # type: ignore[operator]
        r = s.send(server, b"")
        assert r is not None
    assert len(received) == 65536     # the send buffer took that much of the 100,000
    s.close(server)
    s.close(c)
    s.poll(1.0)
    states = {st for _, st in s.connections()}
    assert states <= {State.TIME_WAIT}
    s.poll(100.0)
    assert s.connections() == [] and s.next_deadline() is None


def test_a_udp_ping_pong_on_loopback_and_its_readiness_events() -> None:
    s = Stack(Config())
    u1, u2 = s.open(SockKind.DGRAM), s.open(SockKind.DGRAM)
    s.bind(u1, ("127.0.0.1", 7))
    s.sendto(u2, b"echo", ("127.0.0.1", 7))
    s.poll(0.0)
    assert [e.sock for e in s.events() if e.readable] == [u1]


# --- errors by name --------------------------------------------------------------------------

def test_connect_to_a_closed_port_is_refused() -> None:
    s = Stack(Config())
    c = s.open(SockKind.STREAM)
    s.connect(c, ("127.0.0.1", 9))
    s.poll(0.0)
    with pytest.raises(ConnectionRefused) as e:
        s.connect(c, ("127.0.0.1", 9))
    assert e.value.errno == "ECONNREFUSED"


def test_connect_to_a_silent_host_times_out() -> None:
    a, _ = pair()
    net = Net([a])                   # nobody at 10.0.0.2: ARP goes unanswered
    c = a.open(SockKind.STREAM)
    a.connect(c, (IP_B, 80))
    net.run_until(lambda: a.readiness(c).error is not None)
    with pytest.raises(TimedOut):
        a.connect(c, (IP_B, 80))
    assert net.now == pytest.approx(63.0)


def test_address_errors() -> None:
    s = stack_b()
    t1, t2 = s.open(SockKind.STREAM), s.open(SockKind.STREAM)
    s.bind(t1, ("0.0.0.0", 80))
    with pytest.raises(AddressInUse):
        s.bind(t2, (IP_B, 80))
    with pytest.raises(AddressNotAvailable):
        s.bind(t2, ("10.9.9.9", 80))
    with pytest.raises(NotConnected):
        s.send(t2, b"x")
    with pytest.raises(NetworkUnreachable):
        s.connect(t2, ("192.168.7.7", 80))
    s.close(t1)
    with pytest.raises(BadDescriptor):
        s.send(t1, b"x")
    s.bind(t2, (IP_B, 80))            # free again once closed


# --- bounds -----------------------------------------------------------------------------------

def test_a_syn_flood_is_bounded_by_the_backlog_and_expires() -> None:
    s = stack_b()
    learn_peer(s)
    listener = s.open(SockKind.STREAM)
    s.bind(listener, ("0.0.0.0", 80))
    s.listen(listener, 8)
    for port in range(1000, 1500):
        s.receive_frame(0.0, tcp_from_peer(wire.Tcp(port, 80, port * 7, 0, wire.SYN, 1000)))
    assert len(out_tcp(s.poll(0.0))) == 8
    assert s.stats["tcp.backlog_full"] == 492 and len(s.connections()) == 8
    now = 0.0
    while s.next_deadline() is not None:
        now = s.next_deadline() or 0.0
        s.poll(now)
    assert s.connections() == [] and now == pytest.approx(63.0)


def test_a_peer_that_stops_reading_leaves_memory_bounded() -> None:
    a, b = pair(TcpConfig(send_buffer=16384, recv_buffer=8192))
    net = Net([a, b])
    listener = b.open(SockKind.STREAM)
    b.bind(listener, ("0.0.0.0", 80))
    b.listen(listener)
    c = a.open(SockKind.STREAM)
    a.connect(c, (IP_B, 80))
    net.run_until(lambda: b.readiness(listener).readable)
    b.accept(listener)           # ... and never reads
    sent = 0
    for _ in range(50):
        r = a.send(c, b"y" * 10_000)
        sent += 0 if r is WOULD_BLOCK else r  # type: ignore[operator]
        net.run_for(30.0)
    assert sent == 16384 + 8192
    assert a.readiness(c).error is None and a.state(c) is State.ESTABLISHED  # probing
    (key, _), = a.connections()
    assert len(a._conns[key].tcb.sndbuf) == 16384


# --- fuzz -------------------------------------------------------------------------------------

def _listening_stack() -> Stack:
    s = stack_b()
    learn_peer(s)
    listener = s.open(SockKind.STREAM)
    s.bind(listener, ("0.0.0.0", 80))
    s.listen(listener, 4)
    u = s.open(SockKind.DGRAM)
    s.bind(u, ("0.0.0.0", 53))
    return s


@given(st.binary(max_size=200))
def test_random_bytes_never_raise(frame: bytes) -> None:
    s = _listening_stack()
    s.receive_frame(1.0, frame)
    s.poll(1.0)


@given(st.integers(0, 80), st.integers(0, 255), st.integers(0, 255))
def test_truncated_and_corrupted_frames_never_raise(cut: int, where: int, xor: int) -> None:
    s = _listening_stack()
    good = tcp_from_peer(wire.Tcp(4000, 80, 1, 0, wire.SYN, 1000,
                                  options=wire.TcpOptions(mss=1460, window_scale=7)))
    bad = bytearray(good[:len(good) - cut] if cut < len(good) else b"")
    if bad:
        bad[where % len(bad)] ^= xor
    s.receive_frame(1.0, bytes(bad))
    s.poll(1.0)


_segments = st.builds(
    wire.Tcp, st.sampled_from([4000, 4001]), st.sampled_from([80, 81]),
    st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 63),
    st.integers(0, 65535), st.binary(max_size=64),
    st.builds(wire.TcpOptions, st.none() | st.integers(0, 65535)))


@given(st.lists(st.tuples(_segments, st.floats(0, 5)), max_size=20))
def test_random_valid_segments_never_raise_and_stay_bounded(
        segs: list[tuple[wire.Tcp, float]]) -> None:
    s = _listening_stack()
    now = 0.0
    for seg, dt in segs:
        now += dt
        s.receive_frame(now, tcp_from_peer(seg))
        s.poll(now)
    assert len(s.connections()) <= 4 + 1
    for key, _ in s.connections():
        tcb = s._conns[key].tcb
        assert tcb.rq is None or tcb.rq.buffered <= tcb.config.recv_buffer
    while (t := s.next_deadline()) is not None and t < now + 1000:
        now = max(now, t)
        s.poll(now)


# --- RFC 6298 -----------------------------------------------------------------------------------

def test_rto_estimator() -> None:
    r = RtoEstimator()
    assert r.rto == 1.0                       # 2.1: before any sample
    r.sample(0.5)                             # 2.2: SRTT = R, RTTVAR = R/2
    assert (r.srtt, r.rttvar, r.rto) == (0.5, 0.25, 1.5)
    r.sample(0.5)                             # 2.3
    assert r.rttvar == pytest.approx(0.1875) and r.rto == pytest.approx(0.5 + 0.75)
    for _ in range(10):
        r.backoff()
    assert r.rto == RTO_MAX                   # 5.5, bounded
    r.sample(0.001)
    assert r.rto >= RTO_MIN
