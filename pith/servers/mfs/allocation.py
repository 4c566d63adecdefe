"""Allocation: the inode and zone bitmaps of a MINIX v3 file system.

Bits are read and set through the buffer cache (`cache`) in the blocks the superblock (`sb`)
places; nothing else is touched, and nothing allocated is filled here (the caller fills it).
Inodes are allocated first-fit from inode 1, zones next-fit from the last zone allocated
(`_zone_hint`), wrapping around. Entry points, for the layers above (`ZoneMap`, `Inodes`,
`MinixFS`): `_alloc_inode`, `_alloc_zone`, `_free_zone`, `_bit`/`_set_bit`, `_count_clear`
(statfs) and `_check_zone` (a zone number must lie in the data area, EIO otherwise).
"""

from __future__ import annotations

from pith.servers.mfs.cache import BufferCache
from pith.servers.mfs.layout import BITS_PER_BLOCK, FsError, Superblock, upper

__all__ = ["Allocation"]


class Allocation:
    """The bitmaps of a mounted file system (its state is set up by `MinixFS.__init__`)."""

    sb: Superblock
    cache: BufferCache
    _zone_hint: int

    def _bit(self, start: int, bit: int) -> bool:
        block, index = divmod(bit, BITS_PER_BLOCK)
        return bool(self.cache.read(start + block)[index >> 3] >> (index & 7) & 1)

    def _set_bit(self, start: int, bit: int, value: bool) -> None:
        block, index = divmod(bit, BITS_PER_BLOCK)
        data = bytearray(self.cache.read(start + block))
        if value:
            data[index >> 3] |= 1 << (index & 7)
        else:
            data[index >> 3] &= ~(1 << (index & 7)) & 0xFF
        self.cache.write(start + block, bytes(data))

    def _find_clear(self, start: int, nbits: int, hint: int) -> int | None:
        """The first clear bit in 1..nbits at or after `hint`, wrapping around."""
        hint = hint if 1 <= hint <= nbits else 1
        for lo, hi in ((hint, nbits + 1), (1, hint)):
            bit = lo
            while bit < hi:
                block, index = divmod(bit, BITS_PER_BLOCK)
                free = ~int.from_bytes(self.cache.read(start + block), "little")
                free &= ~((1 << index) - 1) & ((1 << BITS_PER_BLOCK) - 1)
                if free:
                    found = block * BITS_PER_BLOCK + (free & -free).bit_length() - 1
                    if found < hi:
                        return found
                    break
                bit = (block + 1) * BITS_PER_BLOCK
        return None

    def _count_clear(self, start: int, nbits: int) -> int:
        used = 0
        for block in range(upper(nbits + 1, BITS_PER_BLOCK)):
            x = int.from_bytes(self.cache.read(start + block), "little")
            lo = max(1, block * BITS_PER_BLOCK) - block * BITS_PER_BLOCK
            hi = min(nbits + 1, (block + 1) * BITS_PER_BLOCK) - block * BITS_PER_BLOCK
            used += (x >> lo & ((1 << (hi - lo)) - 1)).bit_count()
        return nbits - used

    def _alloc_inode(self) -> int:
        ino = self._find_clear(self.sb.imap_start, self.sb.ninodes, 1)
        if ino is None:
            raise FsError("ENOSPC", "no free inode")
        self._set_bit(self.sb.imap_start, ino, True)
        return ino

    def _alloc_zone(self) -> int:
        """A free zone, next-fit from the last one allocated (the caller fills it)."""
        bit = self._find_clear(self.sb.zmap_start, self.sb.data_zones, self._zone_hint)
        if bit is None:
            raise FsError("ENOSPC", "no free zone")
        self._set_bit(self.sb.zmap_start, bit, True)
        self._zone_hint = bit + 1
        return self.sb.first_data_zone + bit - 1

    def _free_zone(self, zone: int) -> None:
        self._set_bit(self.sb.zmap_start, zone - self.sb.first_data_zone + 1, False)

    def _check_zone(self, zone: int, ino: int | None = None) -> None:
        if not self.sb.first_data_zone <= zone < self.sb.zones:
            owner = f" in inode {ino}" if ino is not None else ""
            raise FsError("EIO", f"corrupt zone number {zone}{owner} (data zones are "
                                 f"{self.sb.first_data_zone}..{self.sb.zones - 1})")
