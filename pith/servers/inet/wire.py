"""The packet formats on the wire: Ethernet II, ARP, IPv4, ICMP, UDP and TCP, and the
Internet checksum (RFC 1071).

Pure functions and frozen records; it touches nothing but its arguments. Every `parse_*`
checks lengths, versions and checksums and raises `Malformed(counter)` on bad input (the
counter names what was wrong, for `Stack.stats`); no other exception leaves a parser. Every
`build_*` is the exact inverse for the fields it knows: `build_x(parse_x(b)) == b` for a
well-formed `b` whose options are the ones this module writes (TCP options in Linux's order:
MSS, SACK-permitted, timestamps, NOP, window scale).

Entry points: `checksum`, `parse_ethernet`/`build_ethernet`, `parse_arp`/`build_arp`,
`parse_ipv4`/`build_ipv4`, `parse_icmp`/`build_icmp`, `parse_udp`/`build_udp`,
`parse_tcp`/`build_tcp`; the records `Ethernet`, `Arp`, `Ipv4`, `Icmp`, `Udp`, `Tcp`,
`TcpOptions`; the TCP flag bits `FIN SYN RST PSH ACK URG`.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass, field
from ipaddress import IPv4Address

__all__ = [
    "ACK", "ARP_REPLY", "ARP_REQUEST", "BROADCAST_MAC", "ETHERTYPE_ARP", "ETHERTYPE_IPV4",
    "FIN", "ICMP_DEST_UNREACHABLE", "ICMP_ECHO_REPLY", "ICMP_ECHO_REQUEST", "PROTO_ICMP",
    "PROTO_TCP", "PROTO_UDP", "PSH", "RST", "SYN", "URG", "Arp", "Ethernet", "Icmp", "Ipv4",
    "Malformed", "Tcp", "TcpOptions", "Udp", "build_arp", "build_ethernet", "build_icmp",
    "build_ipv4", "build_tcp", "build_udp", "checksum", "parse_arp", "parse_ethernet",
    "parse_icmp", "parse_ipv4", "parse_tcp", "parse_udp", "pseudo_header",
]

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
BROADCAST_MAC = b"\xff" * 6
ARP_REQUEST, ARP_REPLY = 1, 2
PROTO_ICMP, PROTO_TCP, PROTO_UDP = 1, 6, 17
ICMP_ECHO_REPLY, ICMP_DEST_UNREACHABLE, ICMP_ECHO_REQUEST = 0, 3, 8
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

_ETH = struct.Struct("!6s6sH")
_ARP = struct.Struct("!HHBBH6s4s6s4s")
_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_ICMP = struct.Struct("!BBH4s")
_UDP = struct.Struct("!HHHH")
_TCP = struct.Struct("!HHIIBBHHH")
_PSEUDO = struct.Struct("!4s4sBBH")
_LITTLE = sys.byteorder == "little"


class Malformed(Exception):
    """A frame or header that is not what it claims; `counter` names the reason."""

    def __init__(self, counter: str) -> None:
        super().__init__(counter)
        self.counter = counter


def checksum(data: bytes, initial: int = 0) -> int:
    """The Internet checksum of `data` (RFC 1071): the ones' complement of the ones'
    complement sum of its 16-bit big-endian words; a buffer that includes its own correct
    checksum sums to 0. `initial` is a partial sum to continue (a pseudo-header's)."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(array("H", data))  # native order: the sum is byte-order independent
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    if _LITTLE:
        total = ((total & 0xFF) << 8) | (total >> 8)
    total += initial
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src: IPv4Address, dst: IPv4Address, proto: int, length: int) -> int:
    """The partial (un-complemented) sum of the IPv4 pseudo-header UDP and TCP cover."""
    return ~checksum(_PSEUDO.pack(src.packed, dst.packed, 0, proto, length)) & 0xFFFF


# --- Ethernet II ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ethernet:
    dst: bytes          # 6 bytes
    src: bytes          # 6 bytes
    ethertype: int
    payload: bytes


def parse_ethernet(frame: bytes) -> Ethernet:
    if len(frame) < _ETH.size:
        raise Malformed("eth.short")
    dst, src, ethertype = _ETH.unpack_from(frame)
    return Ethernet(dst, src, ethertype, bytes(frame[_ETH.size:]))


def build_ethernet(eth: Ethernet) -> bytes:
    return _ETH.pack(eth.dst, eth.src, eth.ethertype) + eth.payload


# --- ARP (RFC 826, Ethernet/IPv4 only) ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class Arp:
    op: int             # ARP_REQUEST or ARP_REPLY
    sha: bytes          # sender hardware address
    spa: IPv4Address    # sender protocol address
    tha: bytes          # target hardware address (zero in a request)
    tpa: IPv4Address    # target protocol address


def parse_arp(data: bytes) -> Arp:
    if len(data) < _ARP.size:
        raise Malformed("arp.short")
    htype, ptype, hlen, plen, op, sha, spa, tha, tpa = _ARP.unpack_from(data)
    if (htype, ptype, hlen, plen) != (1, ETHERTYPE_IPV4, 6, 4) or op not in (1, 2):
        raise Malformed("arp.unsupported")
    return Arp(op, sha, IPv4Address(spa), tha, IPv4Address(tpa))


def build_arp(arp: Arp) -> bytes:
    return _ARP.pack(1, ETHERTYPE_IPV4, 6, 4, arp.op, arp.sha, arp.spa.packed, arp.tha,
                     arp.tpa.packed)


# --- IPv4 (RFC 791) -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ipv4:
    src: IPv4Address
    dst: IPv4Address
    proto: int
    payload: bytes
    ttl: int = 64
    ident: int = 0
    dont_fragment: bool = True
    more_fragments: bool = False
    fragment_offset: int = 0    # in 8-byte units
    tos: int = 0
    options: bytes = b""        # kept as read; never interpreted


def parse_ipv4(data: bytes) -> Ipv4:
    """An IPv4 packet; bytes past the total length (Ethernet padding) are dropped."""
    if len(data) < _IPV4.size:
        raise Malformed("ip.short")
    vihl, tos, total, ident, frag, ttl, proto, _, src, dst = _IPV4.unpack_from(data)
    ihl = (vihl & 0x0F) * 4
    if vihl >> 4 != 4:
        raise Malformed("ip.version")
    if ihl < 20 or total < ihl or total > len(data):
        raise Malformed("ip.length")
    if checksum(data[:ihl]) != 0:
        raise Malformed("ip.checksum")
    return Ipv4(IPv4Address(src), IPv4Address(dst), proto, bytes(data[ihl:total]), ttl, ident,
                bool(frag & 0x4000), bool(frag & 0x2000), frag & 0x1FFF, tos,
                bytes(data[20:ihl]))


def build_ipv4(ip: Ipv4) -> bytes:
    if len(ip.options) % 4:
        raise ValueError("IPv4 options must be a multiple of 4 bytes")
    ihl = 20 + len(ip.options)
    frag = ((0x4000 if ip.dont_fragment else 0) | (0x2000 if ip.more_fragments else 0)
            | ip.fragment_offset)
    header = _IPV4.pack(0x40 | ihl // 4, ip.tos, ihl + len(ip.payload), ip.ident, frag, ip.ttl,
                        ip.proto, 0, ip.src.packed, ip.dst.packed) + ip.options
    csum = checksum(header)
    return header[:10] + csum.to_bytes(2, "big") + header[12:] + ip.payload


# --- ICMP (RFC 792) -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Icmp:
    type: int
    code: int
    rest: bytes         # the 4 bytes after the checksum: identifier and sequence for echo
    payload: bytes


def parse_icmp(data: bytes) -> Icmp:
    if len(data) < _ICMP.size:
        raise Malformed("icmp.short")
    if checksum(data) != 0:
        raise Malformed("icmp.checksum")
    type_, code, _, rest = _ICMP.unpack_from(data)
    return Icmp(type_, code, rest, bytes(data[_ICMP.size:]))


def build_icmp(icmp: Icmp) -> bytes:
    body = _ICMP.pack(icmp.type, icmp.code, 0, icmp.rest) + icmp.payload
    return body[:2] + checksum(body).to_bytes(2, "big") + body[4:]


# --- UDP (RFC 768) --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Udp:
    src_port: int
    dst_port: int
    payload: bytes


def parse_udp(data: bytes, src: IPv4Address, dst: IPv4Address) -> Udp:
    if len(data) < _UDP.size:
        raise Malformed("udp.short")
    sport, dport, length, csum = _UDP.unpack_from(data)
    if length < _UDP.size or length > len(data):
        raise Malformed("udp.length")
    data = data[:length]
    if csum and checksum(data, pseudo_header(src, dst, PROTO_UDP, length)) != 0:
        raise Malformed("udp.checksum")
    return Udp(sport, dport, bytes(data[_UDP.size:]))


def build_udp(udp: Udp, src: IPv4Address, dst: IPv4Address) -> bytes:
    length = _UDP.size + len(udp.payload)
    body = _UDP.pack(udp.src_port, udp.dst_port, length, 0) + udp.payload
    csum = checksum(body, pseudo_header(src, dst, PROTO_UDP, length)) or 0xFFFF
    return body[:6] + csum.to_bytes(2, "big") + body[8:]


# --- TCP (RFC 9293; options RFC 7323, RFC 2018) ------------------------------------------

@dataclass(frozen=True, slots=True)
class TcpOptions:
    mss: int | None = None
    window_scale: int | None = None
    sack_permitted: bool = False
    timestamps: tuple[int, int] | None = None   # (TSval, TSecr)


@dataclass(frozen=True, slots=True)
class Tcp:
    src_port: int
    dst_port: int
    seq: int
    ack: int
    flags: int
    window: int
    payload: bytes = b""
    options: TcpOptions = field(default_factory=TcpOptions)
    urgent: int = 0

    @property
    def seg_len(self) -> int:
        """SEG.LEN: the payload plus one for each of SYN and FIN."""
        return len(self.payload) + (1 if self.flags & SYN else 0) + (1 if self.flags & FIN else 0)


def _parse_options(raw: bytes) -> TcpOptions:
    mss = wscale = None
    sack = False
    ts: tuple[int, int] | None = None
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            raise Malformed("tcp.options")
        length = raw[i + 1]
        body = raw[i + 2:i + length]
        if kind == 2 and length == 4:
            mss = int.from_bytes(body, "big")
        elif kind == 3 and length == 3:
            wscale = body[0]
        elif kind == 4 and length == 2:
            sack = True
        elif kind == 8 and length == 10:
            ts = (int.from_bytes(body[:4], "big"), int.from_bytes(body[4:], "big"))
        i += length     # unknown kinds are skipped by their length (RFC 9293 3.1)
    return TcpOptions(mss, wscale, sack, ts)


def _build_options(opt: TcpOptions) -> bytes:
    out = b""
    if opt.mss is not None:
        out += struct.pack("!BBH", 2, 4, opt.mss)
    if opt.sack_permitted and opt.timestamps is not None:
        out += struct.pack("!BBBBII", 4, 2, 8, 10, *opt.timestamps)
    elif opt.sack_permitted:
        out += b"\x01\x01\x04\x02"
    elif opt.timestamps is not None:
        out += struct.pack("!BBBBII", 1, 1, 8, 10, *opt.timestamps)
    if opt.window_scale is not None:
        out += struct.pack("!BBBB", 1, 3, 3, opt.window_scale)
    return out


def parse_tcp(data: bytes, src: IPv4Address, dst: IPv4Address) -> Tcp:
    if len(data) < _TCP.size:
        raise Malformed("tcp.short")
    sport, dport, seq, ack, offset, flags, window, _, urgent = _TCP.unpack_from(data)
    header = (offset >> 4) * 4
    if header < 20 or header > len(data):
        raise Malformed("tcp.offset")
    if checksum(data, pseudo_header(src, dst, PROTO_TCP, len(data))) != 0:
        raise Malformed("tcp.checksum")
    options = _parse_options(bytes(data[20:header]))
    return Tcp(sport, dport, seq, ack, flags & 0x3F, window, bytes(data[header:]), options,
               urgent)


def build_tcp(seg: Tcp, src: IPv4Address, dst: IPv4Address) -> bytes:
    options = _build_options(seg.options)
    header = 20 + len(options)
    body = _TCP.pack(seg.src_port, seg.dst_port, seg.seq, seg.ack, (header // 4) << 4,
                     seg.flags, seg.window, 0, seg.urgent) + options + seg.payload
    csum = checksum(body, pseudo_header(src, dst, PROTO_TCP, len(body)))
    return body[:16] + csum.to_bytes(2, "big") + body[18:]
