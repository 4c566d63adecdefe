"""blk's server: the block driver. It holds the disk image as a Device cap, and nothing else.

It serves the blk protocol (pith/protocols/blk.py): blocks move between the disk and a
client's attached Memory buffer, never through messages. Out-of-range requests are
refused and change nothing.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Callable

from pith.kernel.core.errors import KernelError
from pith.lib.server import Caller, Server, ServiceError
from pith.protocols.blk import (
    BLOCK_SIZE,
    Attach,
    Flush,
    Geometry,
    Info,
    ReadBlocks,
    Transferred,
    WriteBlocks,
)

__all__ = ["BlkServer"]


class BlkServer(Server):
    requests = Attach | ReadBlocks | WriteBlocks | Flush | Geometry
    endpoint = "blk"

    def setup(self) -> None:
        self.fd = self.gate_of().device_open(self.caps["disk"], writable=True)
        self.blocks = os.fstat(self.fd).st_size // BLOCK_SIZE
        self.buffers: dict[int, mmap.mmap] = {}  # badge -> the client's transfer buffer
        self.slots: dict[int, tuple[int, int]] = {}  # badge -> its cap's (slot, object)

    def do_attach(self, request: Attach, caller: Caller) -> Transferred:
        """Map the client's Memory; an older buffer of the same badge (an mfs that
        restarted) is unmapped and its cap deleted, if the slot still names it (the kernel
        revoked it if its holder died, and the slot may hold another cap since)."""
        if len(caller.caps) != 1:
            raise ServiceError("EINVAL", "Attach carries exactly one Memory cap")
        g = self.gate_of()
        obj = g.cap_info(caller.caps[0]).object
        buffer = g.memory_map(caller.caps[0], writable=True)
        old = self.buffers.pop(caller.badge, None)
        if old is not None:
            old.close()
        slot = self.slots.pop(caller.badge, None)
        if slot is not None:
            with contextlib.suppress(KernelError):
                g.cap_delete_if(*slot)
        self.buffers[caller.badge] = buffer
        self.slots[caller.badge] = (caller.caps[0], obj)
        return Transferred(len(buffer) // BLOCK_SIZE)

    def _span(self, block: int, count: int, offset: int, caller: Caller) -> memoryview:
        buffer = self.buffers.get(caller.badge)
        if buffer is None:  # (or blk restarted since: the client attaches again)
            raise ServiceError("ESTALE", "no buffer attached")
        if count < 1 or block < 0 or block + count > self.blocks:
            raise ServiceError("EINVAL", f"blocks {block}..{block + count - 1} of {self.blocks}")
        end = offset + count * BLOCK_SIZE
        if offset < 0 or end > len(buffer):
            raise ServiceError("EINVAL", f"buffer bytes {offset}..{end} of {len(buffer)}")
        return memoryview(buffer)[offset:end]

    def _move(self, request: ReadBlocks | WriteBlocks, caller: Caller,
              io: Callable[[int, list[memoryview], int], int]) -> Transferred:
        """Blocks between the disk and the caller's buffer, by `io` (preadv or pwritev)."""
        span = self._span(request.block, request.count, request.offset, caller)
        with span:
            done = io(self.fd, [span], request.block * BLOCK_SIZE)
        if done != request.count * BLOCK_SIZE:
            raise ServiceError("EIO", f"short transfer at block {request.block}")
        return Transferred(request.count)

    def do_read_blocks(self, request: ReadBlocks, caller: Caller) -> Transferred:
        return self._move(request, caller, os.preadv)

    def do_write_blocks(self, request: WriteBlocks, caller: Caller) -> Transferred:
        return self._move(request, caller, os.pwritev)

    def do_flush(self, request: Flush, caller: Caller) -> Transferred:
        os.fsync(self.fd)
        return Transferred(0)

    def do_geometry(self, request: Geometry, caller: Caller) -> Info:
        return Info(BLOCK_SIZE, self.blocks)
