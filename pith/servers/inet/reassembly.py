"""The receive side of one TCP connection: the bytes in order, not yet read, and the
out-of-order segments held until the gap before them fills.

Touches only itself. Sequence numbers are 32-bit and wrap; `seq_diff` is the signed
distance the rest of the engine uses too. Entry points: `ReceiveQueue.add(seq, data)`,
`.read(n)`, `.nxt` (RCV.NXT), `.space` (what the window may offer), `.buffered`.

Invariants: `len(data) + (bytes held out of order) <= capacity`, because only bytes within
[nxt, nxt + space) are ever kept; out-of-order pieces never overlap and are at most
MAX_HOLES, so memory stays bounded whatever a peer sends.
"""

from __future__ import annotations

__all__ = ["MAX_HOLES", "ReceiveQueue", "seq_add", "seq_diff"]

_MASK = 0xFFFFFFFF
MAX_HOLES = 64  # out-of-order pieces kept; beyond, new ones are dropped (the peer resends)


def seq_diff(a: int, b: int) -> int:
    """a - b as a signed distance in sequence space (RFC 9293 3.4: modulo 2**32)."""
    return ((a - b + 0x80000000) & _MASK) - 0x80000000


def seq_add(a: int, n: int) -> int:
    return (a + n) & _MASK


class ReceiveQueue:
    def __init__(self, nxt: int, capacity: int) -> None:
        self.nxt = nxt & _MASK          # RCV.NXT: the next byte expected
        self.capacity = capacity
        self.data = bytearray()         # in order, unread
        self._held: list[tuple[int, bytes]] = []  # (offset past nxt, bytes), sorted, disjoint
        self.dropped = 0                # out-of-order pieces refused (MAX_HOLES)

    @property
    def space(self) -> int:
        return self.capacity - len(self.data)

    @property
    def has_holes(self) -> bool:
        return bool(self._held)

    @property
    def buffered(self) -> int:
        return len(self.data) + sum(len(b) for _, b in self._held)

    def add(self, seq: int, data: bytes) -> bool:
        """Keep the part of `data` (starting at `seq`) that lies in [nxt, nxt + space).
        Returns True if nxt advanced (the piece, or a gap it filled, was in order)."""
        offset = seq_diff(seq, self.nxt)
        if offset < 0:
            data, offset = data[-offset:], 0
        data = data[: max(0, self.space - offset)]
        if not data:
            return False
        if offset > 0:
            self._hold(offset, data)
            return False
        self._advance(data)
        while self._held and self._held[0][0] <= 0:
            off, piece = self._held.pop(0)
            self._advance(piece[-off:] if off else piece)
        return True

    def read(self, n: int) -> bytes:
        out = bytes(self.data[:n])
        del self.data[:n]
        return out

    def _advance(self, data: bytes) -> None:
        """Append in-order bytes; shift the held pieces' offsets by as much."""
        self.data += data
        self.nxt = seq_add(self.nxt, len(data))
        shifted = []
        for off, piece in self._held:
            off -= len(data)
            if off + len(piece) > 0:
                shifted.append((off, piece))
        self._held = shifted

    def _hold(self, offset: int, data: bytes) -> None:
        """Merge [offset, offset+len) into the disjoint, sorted held pieces."""
        pieces = sorted([*self._held, (offset, data)], key=lambda p: p[0])
        merged: list[tuple[int, bytes]] = []
        for off, piece in pieces:
            if merged and off <= merged[-1][0] + len(merged[-1][1]):
                last_off, last = merged[-1]
                tail = piece[last_off + len(last) - off:]
                merged[-1] = (last_off, last + tail)
            else:
                merged.append((off, piece))
        if len(merged) > MAX_HOLES:
            self.dropped += 1
            return
        self._held = merged
