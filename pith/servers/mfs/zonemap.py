"""The zone map: which zone holds each block of a file (i_zone: 7 direct zones, then a
single, a double and a triple indirect block of 256 zone numbers each).

It reads, allocates and frees zones and indirect blocks through the cache and the bitmaps
(`Allocation`), and changes `inode.zones` in memory only: the caller writes the inode. Each
indirect block it dirties is recorded in `_pointers`, for the ordered write-through. Writes
stop at the double-indirect tree (EFBIG); reads and frees go through all four levels. Entry
points: `_bmap` (read), `_bmap_many` (a run of blocks, each indirect block read once),
`_bmap_alloc` (write), `_free_from` (truncate, release), `_mapped`
(the mapped blocks, holes skipped), `_zero_tail`; `ZERO_BLOCK`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from pith.servers.mfs.allocation import Allocation
from pith.servers.mfs.layout import BLOCK_SIZE, NR_DIRECT, ZONES_PER_BLOCK, FsError, Inode

__all__ = ["ZERO_BLOCK", "ZoneMap"]

ZERO_BLOCK = bytes(BLOCK_SIZE)
_U32 = struct.Struct("<I")
_TABLE = struct.Struct(f"<{ZONES_PER_BLOCK}I")  # an indirect block's zone numbers
# i_zone slot -> (first file block it maps, levels of indirection)
_TREES = ((7, NR_DIRECT, 1), (8, NR_DIRECT + ZONES_PER_BLOCK, 2),
          (9, NR_DIRECT + ZONES_PER_BLOCK + ZONES_PER_BLOCK**2, 3))


def _path(n: int) -> tuple[int, list[int]]:
    """File block n -> (i_zone slot, indices in the indirect blocks on the way)."""
    if n < NR_DIRECT:
        return n, []
    for slot, base, levels in _TREES:
        span = ZONES_PER_BLOCK**levels
        if n < base + span:
            rel = n - base
            return slot, [(rel // ZONES_PER_BLOCK**k) % ZONES_PER_BLOCK
                          for k in range(levels - 1, -1, -1)]
    raise FsError("EFBIG", f"file block {n} is past the largest MINIX file")


class ZoneMap(Allocation):
    """File block -> zone, for the inodes of a mounted file system."""

    _pointers: set[int]  # dirty indirect blocks

    def _bmap(self, inode: Inode, n: int) -> int:
        """The zone holding file block n, or 0 for a hole."""
        slot, path = _path(n)
        zone = inode.zones[slot]
        for index in path:
            if zone == 0:
                return 0
            self._check_zone(zone)
            zone = _U32.unpack_from(self.cache.read(zone), index * 4)[0]
        if zone:
            self._check_zone(zone)
        return zone

    def _bmap_many(self, inode: Inode, first: int, count: int) -> list[int]:
        """The zones of file blocks first..first+count-1 (0 for a hole), as `_bmap` gives
        them, reading each indirect block on the way once per run of blocks it maps."""
        out = list(inode.zones[first:min(first + count, NR_DIRECT)])
        n, end = first + len(out), first + count
        while n < end:
            slot, path = _path(n)
            leaf, k = self._leaf(inode.zones[slot], path[:-1]), path[-1]
            take = min(ZONES_PER_BLOCK - k, end - n)
            out += leaf[k:k + take] if leaf else [0] * take
            n += take
        low, high = self.sb.first_data_zone, self.sb.zones
        for zone in out:
            if zone and not low <= zone < high:
                self._check_zone(zone)
        return out

    def _leaf(self, zone: int, path: list[int]) -> tuple[int, ...] | None:
        """The zone numbers in the last indirect block on `path` from `zone` (None: a hole)."""
        for index in path:
            if zone == 0:
                return None
            self._check_zone(zone)
            zone = _U32.unpack_from(self.cache.read(zone), index * 4)[0]
        if zone == 0:
            return None
        self._check_zone(zone)
        return _TABLE.unpack(self.cache.read(zone))

    def _bmap_alloc(self, inode: Inode, n: int) -> tuple[int, bool]:
        """The zone for file block n, allocating it and any indirect block on the way
        (updates inode.zones in memory; the caller writes the inode). (zone, newly made)."""
        slot, path = _path(n)
        if slot == 9:
            raise FsError("EFBIG", "Pith does not write through triple-indirect zones")
        fresh = False
        zone = inode.zones[slot]
        if zone == 0:
            zone = self._alloc_zone()
            fresh = True
            inode.zones[slot] = zone
            if path:
                self.cache.write(zone, ZERO_BLOCK)
                self._pointers.add(zone)
        for depth, index in enumerate(path):
            self._check_zone(zone)
            block = self.cache.read(zone)
            child = _U32.unpack_from(block, index * 4)[0]
            fresh = child == 0
            if fresh:
                child = self._alloc_zone()
                if depth + 1 < len(path):
                    self.cache.write(child, ZERO_BLOCK)
                    self._pointers.add(child)
                data = bytearray(block)
                _U32.pack_into(data, index * 4, child)
                self.cache.write(zone, bytes(data))
                self._pointers.add(zone)
            zone = child
        self._check_zone(zone)
        return zone, fresh

    def _free_from(self, inode: Inode, first: int) -> None:
        """Free every data block from file block `first` on, and the indirect blocks left
        empty."""
        for slot in range(NR_DIRECT):
            if slot >= first and inode.zones[slot]:
                self._free_zone(inode.zones[slot])
                inode.zones[slot] = 0
        for slot, base, levels in _TREES:
            if inode.zones[slot] and self._trim(inode.zones[slot], levels, base, first):
                inode.zones[slot] = 0

    def _trim(self, zone: int, levels: int, base: int, first: int) -> bool:
        """Free what indirect block `zone` (mapping file blocks from `base`) holds from
        file block `first` on; True when the block itself was freed."""
        span = ZONES_PER_BLOCK ** (levels - 1)
        if first >= base + span * ZONES_PER_BLOCK:
            return False
        self._check_zone(zone)
        entries = list(struct.unpack(f"<{ZONES_PER_BLOCK}I", self.cache.read(zone)))
        changed = False
        for i, child in enumerate(entries):
            child_base = base + i * span
            if child == 0 or child_base + span <= first:
                continue
            if levels == 1:
                self._check_zone(child)
                self._free_zone(child)
                gone = True
            else:
                gone = self._trim(child, levels - 1, child_base, first)
            if gone:
                entries[i] = 0
                changed = True
        if not any(entries):
            self._free_zone(zone)
            return True
        if changed:
            self.cache.write(zone, struct.pack(f"<{ZONES_PER_BLOCK}I", *entries))
        return False

    def _mapped(self, inode: Inode, limit: int) -> Iterator[tuple[int, int]]:
        """(file block, zone) of each mapped block below `limit`, skipping holes whole."""
        for n in range(min(NR_DIRECT, limit)):
            if inode.zones[n]:
                self._check_zone(inode.zones[n])
                yield n, inode.zones[n]
        for slot, base, levels in _TREES:
            if base >= limit:
                return
            if inode.zones[slot]:
                yield from self._mapped_tree(inode.zones[slot], levels, base, limit)

    def _mapped_tree(self, zone: int, levels: int, base: int,
                     limit: int) -> Iterator[tuple[int, int]]:
        self._check_zone(zone)
        span = ZONES_PER_BLOCK ** (levels - 1)
        entries = struct.unpack(f"<{ZONES_PER_BLOCK}I", self.cache.read(zone))
        for i, child in enumerate(entries):
            first = base + i * span
            if first >= limit:
                return
            if child and levels == 1:
                self._check_zone(child)
                yield first, child
            elif child:
                yield from self._mapped_tree(child, levels - 1, first, limit)

    def _zero_tail(self, inode: Inode, size: int) -> None:
        """Zero the bytes of the block holding offset `size` from there on."""
        n, lo = divmod(size, BLOCK_SIZE)
        if not lo:
            return
        zone = self._bmap(inode, n)
        if zone:
            block = self.cache.read(zone)
            if any(block[lo:]):
                self.cache.write(zone, block[:lo] + bytes(BLOCK_SIZE - lo))
