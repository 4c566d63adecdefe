"""IPv4 addressing for the stack's two interfaces: `lo` (127.0.0.0/8, always there) and
`eth` (one address and prefix, an optional default gateway): which interface and next hop a
destination takes, which addresses are ours, the identification counter.

Touches only itself. No fragmentation: packets are sent with DF set and never larger than
the interface MTU (TCP's MSS sees to it; UDP refuses larger with EMSGSIZE), and fragments
received are dropped and counted. No options are sent; options received are ignored.
Entry points: `Router.route(dst)`, `.is_local(dst, on_loopback)`, `.is_broadcast(dst)`,
`.next_ident()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

__all__ = ["ANY", "LOOPBACK", "Interface", "Route", "Router"]

LOOPBACK = IPv4Network("127.0.0.0/8")
ANY = IPv4Address("0.0.0.0")
_LIMITED_BROADCAST = IPv4Address("255.255.255.255")


class Interface(enum.Enum):
    LO = "lo"
    ETH = "eth"


@dataclass(frozen=True, slots=True)
class Route:
    interface: Interface
    next_hop: IPv4Address      # the destination itself, or the gateway
    source: IPv4Address        # the address a new connection binds to


class Router:
    def __init__(self, address: IPv4Interface | None, gateway: IPv4Address | None) -> None:
        self.address = address
        self.gateway = gateway
        self._ident = 0

    def route(self, dst: IPv4Address) -> Route | None:
        """Loopback for 127/8 and our own address; on-link or via the gateway otherwise."""
        if dst in LOOPBACK:
            return Route(Interface.LO, dst, dst)
        if self.address is None:
            return None
        if dst == self.address.ip:
            return Route(Interface.LO, dst, dst)
        if dst in self.address.network or dst == _LIMITED_BROADCAST:
            return Route(Interface.ETH, dst, self.address.ip)
        if self.gateway is not None:
            return Route(Interface.ETH, self.gateway, self.address.ip)
        return None

    def is_local(self, dst: IPv4Address, on_loopback: bool) -> bool:
        """Is `dst` one of ours? 127/8 counts only on the loopback (RFC 1122 3.2.1.3)."""
        if dst in LOOPBACK:
            return on_loopback
        return self.address is not None and dst == self.address.ip

    def is_broadcast(self, dst: IPv4Address) -> bool:
        return dst == _LIMITED_BROADCAST or (
            self.address is not None and dst == self.address.network.broadcast_address)

    def owns(self, ip: IPv4Address) -> bool:
        """May a socket bind to `ip`?"""
        return ip == ANY or ip in LOOPBACK or (self.address is not None
                                               and ip == self.address.ip)

    def next_ident(self) -> int:
        self._ident = (self._ident + 1) & 0xFFFF
        return self._ident
