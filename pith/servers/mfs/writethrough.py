"""The ordered write-through: a request's dirty blocks go to the device in an order after
which a crash between any two writes leaves at worst leaks (`write_through` says which).

It touches only the buffer cache (its dirty blocks, their contents before the request, the
device beneath) and the two kinds of dirty block the other layers record: `_names` (blocks of
directory entries, `Directories`) and `_pointers` (indirect blocks, `ZoneMap`). Entry points:
`MinixFS.write_through` (after each request) and `MinixFS.sync` (all, then a flush).
"""

from __future__ import annotations

from pith.servers.mfs.cache import BufferCache
from pith.servers.mfs.layout import Superblock

__all__ = ["WriteThrough"]


class WriteThrough:
    """Writing back the dirty blocks of a mounted file system."""

    sb: Superblock
    cache: BufferCache
    _names: set[int]
    _pointers: set[int]

    def sync(self) -> None:
        """Write every dirty block to the device and flush it."""
        self.cache.sync()
        self._names.clear()
        self._pointers.clear()

    def write_through(self, removing: bool = False) -> None:
        """Write the dirty blocks (not flushed) in an order after which a crash at any
        point leaves at worst leaks, which `reclaim_leaks` frees: a pointer is on the disk
        only after what it points to, and a bit is cleared only after the last pointer.

        1. the bitmaps with only the bits this change sets (OR-ed with the device's);
        2. file data and new directory blocks, then indirect blocks, last allocated first
           (next-fit gives what an indirect block points to a higher number);
        3. inodes and directory entries: inodes first when names come (create, write), the
           entries first when names go (`removing`: unlink, rmdir, rename);
        4. the bitmaps as they are (bits cleared last)."""
        sb, dirty = self.sb, self.cache.dirty_blocks()
        maps = [b for b in dirty if sb.imap_start <= b < sb.itable_start]
        for block in maps:
            old, new = self.cache.before(block), self.cache.read(block)
            union = bytes(a | b for a, b in zip(old, new, strict=True))
            if union != old:
                self.cache.dev.write(block, union)
        inodes = [b for b in dirty if sb.itable_start <= b < sb.first_data_zone]
        names = [b for b in dirty if b in self._names]
        pointers = [b for b in dirty if b in self._pointers and b not in self._names]
        data = [b for b in dirty if b >= sb.first_data_zone and b not in self._names
                and b not in self._pointers]
        self.cache.write_blocks(data)
        for block in sorted(pointers, reverse=True):
            self.cache.write_blocks([block])
        for phase in ((names, inodes) if removing else (inodes, names)):
            self.cache.write_blocks(phase)
        self.cache.write_blocks(maps)
        self.cache.write_blocks(self.cache.dirty_blocks())  # (the superblock, if any)
        self._names.clear()
        self._pointers.clear()
