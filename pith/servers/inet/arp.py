"""ARP (RFC 826) for one Ethernet interface: the cache, the packets waiting for an answer,
and the answers to requests for our address.

Touches only itself; time is an argument. Entry points: `ArpTable.receive(now, arp)` (learn,
and maybe a reply to send), `.resolve(now, ip, packet)` (a MAC, or the packet is held and
perhaps a request is owed), `.on_timer(now)` (requests to repeat), `.next_deadline()`.

Bounds: MAX_ENTRIES cached addresses (the oldest goes), MAX_WAITING addresses being resolved
with at most PACKETS_PER_HOST packets each (more are dropped, counted by the caller); an
unanswered address is given up after TRIES requests a RETRY apart, its packets dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from pith.servers.inet.wire import ARP_REPLY, ARP_REQUEST, Arp

__all__ = ["ENTRY_LIFETIME", "MAX_ENTRIES", "ArpTable"]

ENTRY_LIFETIME = 60.0
MAX_ENTRIES = 256
MAX_WAITING = 64
PACKETS_PER_HOST = 8
RETRY = 1.0
TRIES = 3


@dataclass
class _Waiting:
    packets: list[bytes] = field(default_factory=list)
    tries: int = 1
    next_at: float = 0.0


class ArpTable:
    def __init__(self, mac: bytes, ip: IPv4Address) -> None:
        self.mac, self.ip = mac, ip
        self.entries: dict[IPv4Address, tuple[bytes, float]] = {}   # ip -> (mac, expires)
        self.waiting: dict[IPv4Address, _Waiting] = {}
        self.dropped = 0

    def lookup(self, now: float, ip: IPv4Address) -> bytes | None:
        entry = self.entries.get(ip)
        if entry is None or entry[1] <= now:
            return None
        return entry[0]

    def receive(self, now: float, arp: Arp) -> tuple[Arp | None, list[tuple[bytes, bytes]]]:
        """RFC 826's algorithm: update a known sender, add it if we are the target; answer
        a request for our address. Returns (reply or None, [(mac, packet) now sendable])."""
        for_us = arp.tpa == self.ip
        released: list[tuple[bytes, bytes]] = []
        known = arp.spa in self.entries or arp.spa in self.waiting
        sane = arp.sha != b"\0" * 6 and not arp.sha[0] & 1 and int(arp.spa) != 0
        if (known or for_us) and sane:
            self._learn(now, arp.spa, arp.sha)
            waiting = self.waiting.pop(arp.spa, None)
            if waiting is not None:
                released = [(arp.sha, p) for p in waiting.packets]
        reply = None
        if for_us and arp.op == ARP_REQUEST:
            reply = Arp(ARP_REPLY, self.mac, self.ip, arp.sha, arp.spa)
        return reply, released

    def resolve(self, now: float, ip: IPv4Address, packet: bytes) -> tuple[bytes | None, bool]:
        """(mac, False) if known; else (None, ask): the packet is held (or dropped when the
        bounds are reached) and `ask` says a request must go out now."""
        mac = self.lookup(now, ip)
        if mac is not None:
            return mac, False
        waiting = self.waiting.get(ip)
        if waiting is None:
            if len(self.waiting) >= MAX_WAITING:
                self.dropped += 1
                return None, False
            self.waiting[ip] = _Waiting([packet], 1, now + RETRY)
            return None, True
        if len(waiting.packets) >= PACKETS_PER_HOST:
            self.dropped += 1
        else:
            waiting.packets.append(packet)
        return None, False

    def request(self, ip: IPv4Address) -> Arp:
        return Arp(ARP_REQUEST, self.mac, self.ip, b"\0" * 6, ip)

    def on_timer(self, now: float) -> list[IPv4Address]:
        """The addresses to ask again; those asked TRIES times are given up."""
        again = []
        for ip, waiting in list(self.waiting.items()):
            if waiting.next_at > now:
                continue
            if waiting.tries >= TRIES:
                self.dropped += len(waiting.packets)
                del self.waiting[ip]
                continue
            waiting.tries += 1
            waiting.next_at = now + RETRY
            again.append(ip)
        for ip, (_, expires) in list(self.entries.items()):
            if expires <= now:
                del self.entries[ip]
        return again

    def next_deadline(self) -> float | None:
        times = [w.next_at for w in self.waiting.values()]
        return min(times) if times else None

    def _learn(self, now: float, ip: IPv4Address, mac: bytes) -> None:
        if ip not in self.entries and len(self.entries) >= MAX_ENTRIES:
            del self.entries[min(self.entries, key=lambda k: self.entries[k][1])]
        self.entries[ip] = (mac, now + ENTRY_LIFETIME)
