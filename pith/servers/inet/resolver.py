"""The stub resolver's formats: a DNS A query (RFC 1035) and what its answer says.

Touches nothing (the server sends the query over one of the engine's UDP sockets).
Entry points: `query(ident, name) -> bytes`, `answer(ident, packet) -> list[str] | None`
(None: not the answer to that query; an empty list: no such name), `literal(name)`.
"""

from __future__ import annotations

import struct
from ipaddress import IPv4Address

__all__ = ["BadName", "answer", "literal", "query"]

_A, _IN = 1, 1


class BadName(ValueError):
    """A name DNS cannot carry (an empty or too long label)."""


def literal(name: str) -> list[str] | None:
    """The addresses of a name that needs no look-up: a dotted quad, localhost."""
    try:
        return [str(IPv4Address(name))]
    except ValueError:
        pass
    if name.lower().rstrip(".") in ("localhost", "localhost.localdomain"):
        return ["127.0.0.1"]
    return None


def query(ident: int, name: str) -> bytes:
    labels = name.rstrip(".").split(".")
    out = bytearray(struct.pack("!HHHHHH", ident & 0xFFFF, 0x0100, 1, 0, 0, 0))  # RD
    for label in labels:
        raw = label.encode("idna") if not label.isascii() else label.encode()
        if not 0 < len(raw) < 64:
            raise BadName(name)
        out += bytes([len(raw)]) + raw
    if len(out) > 12 + 255:
        raise BadName(name)
    return bytes(out + b"\0" + struct.pack("!HH", _A, _IN))


def answer(ident: int, packet: bytes) -> list[str] | None:
    """The A records of the answer to query `ident` (malformed or another's: None)."""
    try:
        got, flags, qd, an, _, _ = struct.unpack_from("!HHHHHH", packet)
        if got != ident & 0xFFFF or not flags & 0x8000:
            return None
        if flags & 0xF:  # RCODE: NXDOMAIN or a failure: no addresses
            return []
        at = 12
        for _ in range(qd):
            at = _skip_name(packet, at) + 4
        found = []
        for _ in range(an):
            at = _skip_name(packet, at)
            kind, klass, _ttl, size = struct.unpack_from("!HHIH", packet, at)
            at += 10
            if kind == _A and klass == _IN and size == 4:
                found.append(str(IPv4Address(packet[at:at + 4])))
            at += size
        return found
    except (struct.error, IndexError, ValueError):
        return None


def _skip_name(packet: bytes, at: int) -> int:
    for _ in range(128):
        length = packet[at]
        if length & 0xC0 == 0xC0:  # a pointer ends the name
            return at + 2
        if length == 0:
            return at + 1
        at += 1 + length
    raise ValueError("a name of too many labels")
