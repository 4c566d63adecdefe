"""The blk protocol: a block device. Served by the blk driver (pith/drivers/blk); called by mfs.

Clients see the disk as numbered blocks of BLOCK_SIZE bytes. Bulk data does not
travel in messages: a client first attaches a Memory object (sent as a cap with
`Attach`), then `ReadBlocks` and `WriteBlocks` move blocks between the disk and
that shared buffer, at an offset the request names. `Flush` makes what was
written durable (fsync). Out-of-range requests are refused and change nothing.

`BlkDevice` is the typed client: a block device (read/write/flush) for a file
system server, over this protocol. When blk dies and rs restarts it, the
request in flight fails (SERVER_DIED) or finds no buffer (ESTALE): BlkDevice
attaches its buffer to the new blk and re-issues the request, once.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from pith.kernel.core.errors import ServerDied
from pith.kernel.core.rights import READ, WRITE
from pith.lib.server import Client, ServiceError
from pith.lib.syscall import Gate, gate

__all__ = [
    "BLOCK_SIZE", "Attach", "BlkDevice", "Flush", "Geometry", "Info", "ReadBlocks", "Transferred",
    "WriteBlocks",
]

BLOCK_SIZE = 1024
RETRY_TIMEOUT = 10.0  # seconds a re-issued request waits for a restarted blk


class Attach(msgspec.Struct, frozen=True, tag=True):
    """Use the Memory cap sent along as this client's transfer buffer."""


class ReadBlocks(msgspec.Struct, frozen=True, tag=True):
    """Copy `count` blocks from block `block` on into the buffer at `offset`."""

    block: int
    count: int
    offset: int = 0


class WriteBlocks(msgspec.Struct, frozen=True, tag=True):
    """Copy `count` blocks from the buffer at `offset` to the disk from block `block` on."""

    block: int
    count: int
    offset: int = 0


class Flush(msgspec.Struct, frozen=True, tag=True):
    pass


class Geometry(msgspec.Struct, frozen=True, tag=True):
    pass


class Transferred(msgspec.Struct, frozen=True, tag=True):
    count: int


class Info(msgspec.Struct, frozen=True, tag=True):
    block_size: int
    blocks: int


class BlkDevice:
    """The disk as a block device for a file-system server, through the blk driver."""

    def __init__(self, slot: int, buffer_blocks: int = 64,
                 gate_of: Callable[[], Gate] = gate) -> None:
        self.blk, self.gate_of = Client(slot, Transferred | Info, gate_of), gate_of
        g = gate_of()
        self.memory = g.memory_create(buffer_blocks * BLOCK_SIZE)
        self.buffer = g.memory_map(self.memory, writable=True)
        self._attach()
        info = self.blk.call(Geometry())
        self.block_size, self.blocks = info.block_size, info.blocks
        self.chunk = buffer_blocks

    def _attach(self) -> None:
        g = self.gate_of()
        grant = g.cap_copy(self.memory, READ | WRITE)
        try:
            self.blk.call(Attach(), caps=(grant,))
        finally:
            g.cap_delete(grant)

    def _call(self, request: ReadBlocks | WriteBlocks | Flush) -> None:
        """Call blk; if it died (and rs restarted it), attach again and re-issue once."""
        try:
            self.blk.call(request)
        except (ServerDied, ServiceError) as e:
            if isinstance(e, ServiceError) and e.error != "ESTALE":
                raise
            self._attach()
            self.blk.call(request, timeout=RETRY_TIMEOUT)

    def read(self, block: int, count: int = 1) -> bytes:
        out = bytearray()
        for first in range(block, block + count, self.chunk):
            n = min(self.chunk, block + count - first)
            self._call(ReadBlocks(first, n))
            out += self.buffer[: n * BLOCK_SIZE]
        return bytes(out)

    def write(self, block: int, data: bytes) -> None:
        count = len(data) // BLOCK_SIZE
        for i in range(0, count, self.chunk):
            n = min(self.chunk, count - i)
            self.buffer[: n * BLOCK_SIZE] = data[i * BLOCK_SIZE:(i + n) * BLOCK_SIZE]
            self._call(WriteBlocks(block + i, n))

    def flush(self) -> None:
        self._call(Flush())
