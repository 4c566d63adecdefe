"""ICMP (RFC 792): the answers the stack gives — echo replies, and port unreachable for a
UDP datagram nobody listens for. Pure functions; entry points `echo_reply`,
`port_unreachable`.
"""

from __future__ import annotations

from pith.servers.inet.wire import ICMP_DEST_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, Icmp

__all__ = ["echo_reply", "port_unreachable"]

_PORT_UNREACHABLE = 3


def echo_reply(request: Icmp) -> Icmp | None:
    """The reply to an echo request (same identifier, sequence and data); None otherwise."""
    if request.type != ICMP_ECHO_REQUEST or request.code != 0:
        return None
    return Icmp(ICMP_ECHO_REPLY, 0, request.rest, request.payload)


def port_unreachable(ip_packet: bytes, ihl: int) -> Icmp:
    """Destination unreachable, code 3: quoting the IP header and 8 bytes of the datagram."""
    return Icmp(ICMP_DEST_UNREACHABLE, _PORT_UNREACHABLE, b"\0" * 4, ip_packet[:ihl + 8])
