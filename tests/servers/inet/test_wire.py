"""The formats byte by byte: checksums against published values, a Linux SYN with its
options, ARP and ICMP frames, and parsers that refuse what is malformed."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from pith.servers.inet import wire
from pith.servers.inet.wire import (
    ACK,
    SYN,
    Arp,
    Icmp,
    Ipv4,
    Malformed,
    Tcp,
    TcpOptions,
    Udp,
    checksum,
)

A, B = IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2")


def reference_checksum(data: bytes) -> int:
    """RFC 1071 written the slow, obvious way: the oracle for `checksum`."""
    if len(data) % 2:
        data += b"\0"
    total = sum((data[i] << 8) | data[i + 1] for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def test_checksum_rfc1071_example() -> None:
    # RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D


def test_checksum_of_a_known_ipv4_header() -> None:
    # the header on Wikipedia's "IPv4 header checksum" page: its checksum field is b861
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert checksum(header) == 0xB861
    assert checksum(header[:10] + b"\xb8\x61" + header[12:]) == 0


@pytest.mark.parametrize("data", [b"", b"\x01", b"\xff\xff", bytes(range(255)), b"\xff" * 1001])
def test_checksum_matches_the_reference(data: bytes) -> None:
    assert checksum(data) == reference_checksum(data)


# A SYN as Linux sends it: MSS 1460, SACK permitted, timestamps, NOP, window scale 7
LINUX_SYN_TCP = bytes.fromhex(
    "d431" "0050" "12345678" "00000000" "a0" "02" "faf0" "0000" "0000"
    "020405b4" "0402080a000003e800000000" "01030307")


def _with_tcp_checksum(segment: bytes, src: IPv4Address, dst: IPv4Address) -> bytes:
    pseudo = src.packed + dst.packed + b"\0\x06" + len(segment).to_bytes(2, "big")
    csum = reference_checksum(pseudo + segment)
    return segment[:16] + csum.to_bytes(2, "big") + segment[18:]


def test_a_linux_syn_parses_and_builds_byte_exact() -> None:
    golden = _with_tcp_checksum(LINUX_SYN_TCP, A, B)
    seg = wire.parse_tcp(golden, A, B)
    assert (seg.src_port, seg.dst_port, seg.seq, seg.ack) == (54321, 80, 0x12345678, 0)
    assert seg.flags == SYN and seg.window == 64240 and seg.payload == b""
    assert seg.options == TcpOptions(mss=1460, window_scale=7, sack_permitted=True,
                                     timestamps=(1000, 0))
    assert wire.build_tcp(seg, A, B) == golden


def test_the_syn_inside_ethernet_and_ipv4() -> None:
    tcp = _with_tcp_checksum(LINUX_SYN_TCP, A, B)
    ip = wire.build_ipv4(Ipv4(A, B, wire.PROTO_TCP, tcp, ttl=64, ident=0x1C46))
    assert ip[:12] == bytes.fromhex("4500003c1c4640004006")[:10] + ip[10:12]
    assert reference_checksum(ip[:20]) == 0
    frame = wire.build_ethernet(wire.Ethernet(b"\x02" * 6, b"\x04" * 6, 0x0800, ip))
    eth = wire.parse_ethernet(frame)
    back = wire.parse_ipv4(eth.payload)
    assert (back.src, back.dst, back.proto, back.ttl, back.ident) == (A, B, 6, 64, 0x1C46)
    assert back.dont_fragment and wire.parse_tcp(back.payload, A, B).options.mss == 1460


def test_our_own_syn_options() -> None:
    seg = Tcp(1, 2, 3, 0, SYN, 65535, options=TcpOptions(mss=1460))
    raw = wire.build_tcp(seg, A, B)
    assert raw[12] == 0x60 and raw[20:24] == bytes.fromhex("020405b4")
    assert wire.parse_tcp(raw, A, B) == seg


def test_unknown_and_padding_options_are_skipped() -> None:
    body = bytearray(LINUX_SYN_TCP)
    body[26:40] = bytes.fromhex("fe04abcd0101" "0000000000000000")  # unknown, NOPs, end
    seg = wire.parse_tcp(_with_tcp_checksum(bytes(body), A, B), A, B)
    assert seg.options.timestamps is None and seg.options.mss == 1460


def test_arp_request_golden() -> None:
    golden = bytes.fromhex("0001" "0800" "06" "04" "0001" "0200000000aa" "0a000001"
                           "000000000000" "0a000002")
    arp = wire.parse_arp(golden)
    assert arp == Arp(1, bytes.fromhex("0200000000aa"), A, b"\0" * 6, B)
    assert wire.build_arp(arp) == golden


def test_icmp_echo_golden() -> None:
    # type 8, code 0, id 0x1234, seq 1, "abcd": checksum by the reference
    body = bytes.fromhex("08000000" "12340001") + b"abcd"
    golden = body[:2] + reference_checksum(body).to_bytes(2, "big") + body[4:]
    icmp = wire.parse_icmp(golden)
    assert icmp == Icmp(8, 0, bytes.fromhex("12340001"), b"abcd")
    assert wire.build_icmp(icmp) == golden


def test_udp_round_trip_and_zero_checksum() -> None:
    raw = wire.build_udp(Udp(53, 1024, b"hello"), A, B)
    assert raw[4:6] == b"\x00\x0d"
    assert wire.parse_udp(raw, A, B) == Udp(53, 1024, b"hello")
    unchecked = raw[:6] + b"\0\0" + raw[8:]
    assert wire.parse_udp(unchecked, A, B).payload == b"hello"


@pytest.mark.parametrize(("parse", "data", "counter"), [
    (wire.parse_ethernet, b"\0" * 13, "eth.short"),
    (wire.parse_arp, b"\0" * 27, "arp.short"),
    (wire.parse_arp, bytes.fromhex("0006080006040001") + b"\0" * 20, "arp.unsupported"),
    (wire.parse_ipv4, b"\x45" + b"\0" * 18, "ip.short"),
    (wire.parse_ipv4, b"\x65" + b"\0" * 19, "ip.version"),
    (wire.parse_ipv4, bytes.fromhex("450000ff") + b"\0" * 16, "ip.length"),
    (wire.parse_ipv4, bytes.fromhex("4500001400004000401100000a0000010a000002"), "ip.checksum"),
    (wire.parse_icmp, b"\x08\0\0", "icmp.short"),
    (wire.parse_icmp, b"\x08\0\0\0\0\0\0\0", "icmp.checksum"),
])
def test_malformed_input_is_named(parse: object, data: bytes, counter: str) -> None:
    with pytest.raises(Malformed) as bad:
        parse(data)  # type: ignore[operator]
    assert bad.value.counter == counter


def test_bad_tcp_and_udp_checksums_and_lengths() -> None:
    raw = wire.build_tcp(Tcp(1, 2, 3, 4, ACK, 100, b"data"), A, B)
    with pytest.raises(Malformed, match=r"tcp\.checksum"):
        wire.parse_tcp(raw[:-1] + b"X", A, B)
    with pytest.raises(Malformed, match=r"tcp\.checksum"):
        wire.parse_tcp(raw, A, IPv4Address("10.0.0.3"))   # the pseudo-header counts
    with pytest.raises(Malformed, match=r"tcp\.offset"):
        wire.parse_tcp(raw[:12] + b"\xf0" + raw[13:], A, B)
    with pytest.raises(Malformed, match=r"tcp\.short"):
        wire.parse_tcp(raw[:19], A, B)
    udp = wire.build_udp(Udp(1, 2, b"x"), A, B)
    with pytest.raises(Malformed, match=r"udp\.length"):
        wire.parse_udp(udp[:4] + b"\x00\x20" + udp[6:], A, B)
    with pytest.raises(Malformed, match=r"udp\.checksum"):
        wire.parse_udp(udp[:-1] + b"y", A, B)
