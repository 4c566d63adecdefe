"""UDP sockets' receive side: one bounded queue of datagrams per bound socket.

Touches only itself. Entry points: `DatagramQueue.push(data, source)` (False when full:
the datagram is dropped and counted by the caller), `.pop()`, `.ready`.
"""

from __future__ import annotations

from collections import deque
from ipaddress import IPv4Address

__all__ = ["MAX_DATAGRAM", "QUEUE_BYTES", "QUEUE_DATAGRAMS", "DatagramQueue"]

MAX_DATAGRAM = 65507      # 65535 - 20 (IPv4) - 8 (UDP); no fragmentation: the MTU bounds it
QUEUE_DATAGRAMS = 64
QUEUE_BYTES = 256 * 1024

Source = tuple[IPv4Address, int]


class DatagramQueue:
    """Invariant: at most QUEUE_DATAGRAMS datagrams and QUEUE_BYTES bytes are held."""

    def __init__(self) -> None:
        self._queue: deque[tuple[bytes, Source]] = deque()
        self._bytes = 0

    def push(self, data: bytes, source: Source) -> bool:
        if len(self._queue) >= QUEUE_DATAGRAMS or self._bytes + len(data) > QUEUE_BYTES:
            return False
        self._queue.append((data, source))
        self._bytes += len(data)
        return True

    def pop(self) -> tuple[bytes, Source] | None:
        if not self._queue:
            return None
        data, source = self._queue.popleft()
        self._bytes -= len(data)
        return data, source

    @property
    def ready(self) -> bool:
        return bool(self._queue)

    @property
    def held(self) -> int:
        """Bytes queued, unread."""
        return self._bytes
