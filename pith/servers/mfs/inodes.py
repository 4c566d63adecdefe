"""Inodes: the inode table, read and written through the cache, and the checks an inode
passes before it is used.

`_live` is the way to an inode by number: in range (EINVAL), marked in use (ENOENT, EIO
when a directory names it), of a known type, linked, its zones in the data area and its size
sane (EIO otherwise). `_iput` writes the whole 64-byte inode into its block in the cache; a
caller reads it again (`_iget`) where another change may have touched the same block.
Releasing an inode frees its zones (`ZoneMap._free_from`), then its bit. Entry points:
`_iget`, `_iput`, `_live`, `_regular`, `_dir`, `_attr`, `_drop_link`, `_release`.
"""

from __future__ import annotations

import stat

from pith.protocols.fs import Attr
from pith.servers.mfs.layout import DIRENT_SIZE, INODES_PER_BLOCK, FsError, Inode
from pith.servers.mfs.zonemap import ZoneMap

__all__ = ["Inodes"]

_EMPTY_DIR_SIZE = 2 * DIRENT_SIZE  # '.' and '..': the smallest directory


class Inodes(ZoneMap):
    """The inodes of a mounted file system."""

    def _inode_pos(self, ino: int) -> tuple[int, int]:
        if not isinstance(ino, int) or not 1 <= ino <= self.sb.ninodes:
            raise FsError("EINVAL", f"inode number {ino!r} out of range 1..{self.sb.ninodes}")
        block, index = divmod(ino - 1, INODES_PER_BLOCK)
        return self.sb.itable_start + block, index * 64

    def _iget(self, ino: int) -> Inode:
        block, offset = self._inode_pos(ino)
        return Inode.unpack(self.cache.read(block), offset)

    def _iput(self, ino: int, inode: Inode) -> None:
        block, offset = self._inode_pos(ino)
        data = bytearray(self.cache.read(block))
        data[offset:offset + 64] = inode.pack()
        self.cache.write(block, bytes(data))

    def _live(self, ino: int, from_entry: bool = False) -> Inode:
        """An inode in use, checked: ENOENT for a free one asked for by number, EIO for a
        corrupt one (or a free one a directory names)."""
        self._inode_pos(ino)
        if not self._bit(self.sb.imap_start, ino):
            if from_entry:
                raise FsError("EIO", f"a directory names inode {ino}, which is marked free")
            raise FsError("ENOENT", f"inode {ino} is not in use")
        inode = self._iget(ino)
        if inode.nlinks == 0 or not inode.known_kind:
            raise FsError("EIO", f"corrupt inode {ino}: mode {inode.mode:#o}, "
                                 f"{inode.nlinks} links")
        if inode.has_zones:
            for zone in inode.zones:
                if zone:
                    self._check_zone(zone, ino)
            if inode.size > self.sb.max_size:
                raise FsError("EIO", f"corrupt inode {ino}: size {inode.size}")
            if inode.kind == stat.S_IFDIR and (inode.size < _EMPTY_DIR_SIZE
                                                 or inode.zones[0] == 0):
                raise FsError("EIO", f"corrupt directory inode {ino}: size {inode.size}")
        return inode

    def _regular(self, ino: int) -> Inode:
        """The live inode `ino`, which must be a regular file (EISDIR, EINVAL otherwise)."""
        inode = self._live(ino)
        if inode.kind == stat.S_IFDIR:
            raise FsError("EISDIR", f"inode {ino} is a directory")
        if inode.kind != stat.S_IFREG:
            raise FsError("EINVAL", f"inode {ino} is not a regular file")
        return inode
    def _dir(self, ino: int) -> Inode:
        inode = self._live(ino)
        if inode.kind != stat.S_IFDIR:
            raise FsError("ENOTDIR", f"inode {ino} is not a directory")
        return inode

    def _attr(self, ino: int, inode: Inode) -> Attr:
        return Attr(ino=ino, mode=inode.mode, nlinks=inode.nlinks, uid=inode.uid, gid=inode.gid,
                    size=inode.size, atime=inode.atime, mtime=inode.mtime, ctime=inode.ctime)

    def _drop_link(self, ino: int, inode: Inode, t: int) -> None:
        inode = self._iget(ino)  # the caller's copy may predate a change to the same block
        inode.nlinks -= 1
        if inode.nlinks == 0:
            self._release(ino, inode)
        else:
            inode.ctime = t
            self._iput(ino, inode)

    def _release(self, ino: int, inode: Inode) -> None:
        """Free the inode and every zone it holds."""
        if inode.has_zones:
            self._free_from(inode, 0)
        self._iput(ino, Inode())
        self._set_bit(self.sb.imap_start, ino, False)
