"""Block devices and the write-back buffer cache mfs reads and writes them through.

`BlockDevice` is what mfs needs of a disk (the blk driver's client, or a host file
through `FileDevice`). `BufferCache` keeps up to `capacity` blocks in LRU order,
remembers which are dirty and writes them back on eviction or on `sync()` (in
block order, runs of neighbours in one write, then a flush). It also keeps an
undo journal: between `begin()` and `commit()`/`rollback()` the blocks changed
are pinned in memory, so `rollback()` puts back exactly what was there and the
device never saw the abandoned changes.
"""

from __future__ import annotations

import os
import weakref
import zlib
from collections import OrderedDict
from typing import Protocol

from pith.servers.mfs.layout import FsError

__all__ = ["BlockDevice", "BufferCache", "FileDevice"]


class BlockDevice(Protocol):
    """A disk of `blocks` blocks of `block_size` bytes."""

    @property
    def block_size(self) -> int: ...

    @property
    def blocks(self) -> int: ...

    def read(self, block: int, count: int = 1) -> bytes:
        """`count` blocks from `block` on."""
        ...

    def write(self, block: int, data: bytes) -> None:
        """`data` (a whole number of blocks) at `block`."""
        ...

    def flush(self) -> None:
        """Make the writes so far durable."""
        ...


class FileDevice:
    """A block device on a host file (a path, opened here, or an fd the caller owns)."""

    def __init__(self, file: str | os.PathLike[str] | int, block_size: int = 1024,
                 blocks: int | None = None, readonly: bool = False) -> None:
        if isinstance(file, int):
            self._fd = file
            self._owned = False
        else:
            self._fd = os.open(file, os.O_RDONLY if readonly else os.O_RDWR)
            self._owned = True
            self._closer = weakref.finalize(self, os.close, self._fd)  # (if never closed)
        self._block_size = block_size
        self._blocks = os.fstat(self._fd).st_size // block_size if blocks is None else blocks
        self.readonly = readonly
        self.writes = 0  # blocks written, for tests and statistics

    @property
    def block_size(self) -> int:
        return self._block_size

    @property
    def blocks(self) -> int:
        return self._blocks

    def read(self, block: int, count: int = 1) -> bytes:
        if block < 0 or count < 0 or block + count > self._blocks:
            raise FsError("EIO", f"read of blocks {block}..{block + count - 1} past the end "
                                 f"of a {self._blocks}-block device")
        size = count * self._block_size
        data = os.pread(self._fd, size, block * self._block_size)
        if len(data) != size:
            raise FsError("EIO", f"short read at block {block}: {len(data)} of {size} bytes")
        return data

    def write(self, block: int, data: bytes) -> None:
        if self.readonly:
            raise FsError("EROFS", "the device is read-only")
        if len(data) % self._block_size:
            raise FsError("EINVAL", f"write of {len(data)} bytes: not whole blocks")
        count = len(data) // self._block_size
        if block < 0 or block + count > self._blocks:
            raise FsError("EIO", f"write of blocks {block}..{block + count - 1} past the end "
                                 f"of a {self._blocks}-block device")
        view = memoryview(data)
        offset = block * self._block_size
        while view:
            done = os.pwrite(self._fd, view, offset)
            view = view[done:]
            offset += done
        self.writes += count

    def flush(self) -> None:
        if not self.readonly:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._owned and self._fd >= 0:
            self._closer()
            self._fd = -1

    def __enter__(self) -> FileDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# A journal entry: the block's cached bytes and dirtiness before the change (None: not cached).
_Undo = tuple[bytes | None, bool]


class BufferCache:
    """A bounded LRU write-back cache of whole blocks, with nested undo journals.

    Every cached block carries the CRC-32 it had when it was read or last written through
    `write`. A block whose bytes no longer match (memory corrupted: a stray write, a
    flipped bit) is never served and never written to the device: a clean one is read
    again from the device, a dirty one is an error (EIO), so what is on disk stays what
    the file system meant (`corrupted` counts what was caught)."""

    def __init__(self, dev: BlockDevice, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError("cache capacity must be at least one block")
        self.dev = dev
        self.block_size = dev.block_size
        self.blocks = dev.blocks
        self.capacity = capacity
        self._lru: OrderedDict[int, bytes] = OrderedDict()
        self._dirty: set[int] = set()
        self._journal: list[dict[int, _Undo]] = []
        self._pinned: set[int] = set()
        self._sums: dict[int, int] = {}  # block -> CRC-32 of its cached bytes
        self._before: dict[int, bytes | None] = {}  # dirty block -> what it held when clean
        self.hits = 0
        self.misses = 0
        self.corrupted = 0  # cached blocks found changed behind the cache's back

    # -- reading and writing ------------------------------------------------------------
    def _check(self, block: int) -> None:
        if not 0 <= block < self.blocks:
            raise FsError("EIO", f"block {block} is outside the device (0..{self.blocks - 1})")

    def read(self, block: int) -> bytes:
        """The block's contents, from the cache or the device."""
        data = self._lru.get(block)
        if data is not None and self._sound(block, data):
            self.hits += 1
            self._lru.move_to_end(block)
            return data
        self._check(block)
        self.misses += 1
        data = self.dev.read(block)
        if len(data) != self.block_size:
            raise FsError("EIO", f"device returned {len(data)} bytes for block {block}")
        self._lru[block], self._sums[block] = data, zlib.crc32(data)
        self._evict()
        return data

    def read_many(self, blocks: list[int]) -> list[bytes]:
        """The contents of each of `blocks`, as `read` gives them; the ones not cached are
        read from the device first, each run of neighbours in one read (MINIX lays a file
        out mostly contiguous, so a cold read of many blocks is a few device calls)."""
        self.fetch(blocks)
        lru, sums, crc, out = self._lru, self._sums, zlib.crc32, []
        for block in blocks:
            data = lru.get(block)
            if data is None or crc(data) != sums.get(block):
                data = self.read(block)  # (evicted meanwhile, or changed: the slow way)
            else:
                self.hits += 1
                lru.move_to_end(block)
            out.append(data)
        return out

    def fetch(self, blocks: list[int]) -> None:
        """Bring the blocks of `blocks` not cached into the cache, a run of neighbours in
        one device read (a cached block is left as it is)."""
        missing = sorted({b for b in blocks if b not in self._lru})
        i = 0
        while i < len(missing):
            j = i + 1
            while j < len(missing) and missing[j] == missing[j - 1] + 1 and j - i < 256:
                j += 1
            self._check(missing[i])
            self._check(missing[j - 1])
            self._load(missing[i], j - i)
            i = j

    def _load(self, first: int, count: int) -> None:
        data = self.dev.read(first, count)
        size = self.block_size
        if len(data) != count * size:
            raise FsError("EIO", f"device returned {len(data)} bytes for {count} blocks")
        for k in range(count):
            block = data[k * size:(k + 1) * size]
            self.misses += 1
            self._lru[first + k], self._sums[first + k] = block, zlib.crc32(block)
        self._evict()

    def _sound(self, block: int, data: bytes) -> bool:
        """Whether a cached block still has its bytes; a changed clean one is dropped (the
        caller reads it again), a changed dirty one is EIO."""
        if zlib.crc32(data) == self._sums.get(block):
            return True
        self.corrupted += 1
        if block in self._dirty:
            raise FsError("EIO", f"cached block {block} changed in memory before it was written")
        del self._lru[block]
        return False

    def write(self, block: int, data: bytes) -> None:
        """Replace the whole block (in the cache; the device sees it on eviction or sync)."""
        if len(data) != self.block_size:
            raise ValueError(f"block write of {len(data)} bytes")
        self._check(block)
        cached = self._lru.get(block)
        if cached is not None and not self._sound(block, cached):
            cached = None  # (a clean block changed in memory: undo to the device's copy)
        if self._journal:
            top = self._journal[-1]
            if block not in top:
                top[block] = (cached, block in self._dirty)
                self._pinned.add(block)
        if block not in self._dirty:
            self._before[block] = cached
        self._lru[block] = bytes(data)
        self._sums[block] = zlib.crc32(self._lru[block])
        self._lru.move_to_end(block)
        self._dirty.add(block)
        self._evict()

    def dirty_count(self) -> int:
        return len(self._dirty)

    def dirty_blocks(self) -> list[int]:
        return sorted(self._dirty)

    def before(self, block: int) -> bytes:
        """What a dirty block held when it was last clean (what the device has)."""
        old = self._before.get(block)
        return old if old is not None else self.dev.read(block)

    def write_blocks(self, blocks: list[int]) -> None:
        """Write these dirty blocks to the device (ascending, neighbours in one write);
        they are clean then. (For an ordered write-through: see MinixFS.write_through.)"""
        if self._journal:
            raise RuntimeError("write inside a transaction")
        order = sorted(b for b in blocks if b in self._dirty)
        i = 0
        while i < len(order):
            j = i + 1
            while j < len(order) and order[j] == order[j - 1] + 1 and j - i < 256:
                j += 1
            for b in order[i:j]:
                self._sound(b, self._lru[b])
            self.dev.write(order[i], b"".join(self._lru[b] for b in order[i:j]))
            for b in order[i:j]:
                self._dirty.discard(b)
                self._before.pop(b, None)
            i = j

    def __len__(self) -> int:
        return len(self._lru)

    def _evict(self) -> None:
        if len(self._lru) <= self.capacity:
            return
        excess = len(self._lru) - self.capacity
        victims: list[int] = []
        for block in self._lru:
            if block not in self._pinned:
                victims.append(block)
                if len(victims) == excess:
                    break
        for block in victims:
            data = self._lru[block]
            if block in self._dirty:
                self._sound(block, data)
                self.dev.write(block, data)
                self._dirty.discard(block)
                self._before.pop(block, None)
            self._lru.pop(block, None)
            self._sums.pop(block, None)

    def sync(self, flush: bool = True) -> None:
        """Write every dirty block (ascending, neighbours in one write), then flush the
        device unless `flush` is False (written, not yet made durable: mfs's write-through)."""
        if self._journal:
            raise RuntimeError("sync inside a transaction")
        self.write_blocks(list(self._dirty))
        if flush:
            self.dev.flush()

    def drop(self) -> None:
        """Forget every clean block (dirty ones stay)."""
        for block in [b for b in self._lru if b not in self._dirty]:
            del self._lru[block]
            self._sums.pop(block, None)

    # -- undo journal ---------------------------------------------------------------------
    def begin(self) -> None:
        """Start a (possibly nested) transaction."""
        self._journal.append({})

    def commit(self) -> None:
        """Keep the changes since the matching begin()."""
        top = self._journal.pop()
        if self._journal:
            outer = self._journal[-1]
            for block, undo in top.items():
                outer.setdefault(block, undo)
        else:
            self._pinned.clear()
            self._evict()

    def rollback(self) -> None:
        """Undo every block change since the matching begin()."""
        top = self._journal.pop()
        for block, (data, dirty) in top.items():
            if data is None:
                self._lru.pop(block, None)
                self._sums.pop(block, None)
                self._dirty.discard(block)
                self._before.pop(block, None)
            else:
                self._lru[block], self._sums[block] = data, zlib.crc32(data)
                if dirty:
                    self._dirty.add(block)
                else:
                    self._dirty.discard(block)
                    self._before.pop(block, None)
        self._pinned = set().union(*self._journal) if self._journal else set()
        self._evict()
