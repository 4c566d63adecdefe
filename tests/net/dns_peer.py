"""A host peer that answers DNS A queries (RFC 1035) on UDP port 53 of its namespace: each
NAME=ADDRESS argument is a record; any other name is NXDOMAIN. Prints "ready" once bound,
then serves until killed or LIMIT seconds passed.  python dns_peer.py NAME=ADDRESS...
"""

from __future__ import annotations

import socket
import struct
import sys
import time
from ipaddress import IPv4Address

LIMIT = 120.0  # seconds


def question(packet: bytes) -> tuple[str, int]:
    """The first question's name and where the question ends."""
    at, labels = 12, []
    while packet[at]:
        labels.append(packet[at + 1:at + 1 + packet[at]].decode())
        at += 1 + packet[at]
    return ".".join(labels), at + 5


def reply(packet: bytes, records: dict[str, str]) -> bytes:
    ident, flags = struct.unpack_from("!HH", packet)
    name, end = question(packet)
    address = records.get(name.lower())
    rcode, count = (0, 1) if address else (3, 0)  # NOERROR, NXDOMAIN
    head = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100) | rcode, 1, count, 0, 0)
    out = head + packet[12:end]
    if address:
        out += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + IPv4Address(address).packed
    return out


def main() -> None:
    records = dict(a.lower().split("=", 1) for a in sys.argv[1:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 53))
    print("ready", flush=True)
    end = time.monotonic() + LIMIT
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            packet, peer = s.recvfrom(4096)
        except TimeoutError:
            break
        try:
            s.sendto(reply(packet, records), peer)
        except (IndexError, struct.error, UnicodeDecodeError):
            continue  # (not a query we read: no answer)


if __name__ == "__main__":
    main()
