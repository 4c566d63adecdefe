"""Directories: the entries of a directory inode (64-byte slots: u32 inode, a 60-byte name),
and the names in them.

Entries are found by a scan of the mapped blocks (`_entries`, which checks each entry as it
reads it), added in the first free slot past '..' (growing the directory, which never
shrinks) and removed by writing inode 0 into the slot. Directory blocks are written through
the cache and the zone map; each existing block whose entries change is recorded in `_names`,
for the ordered write-through (a new one is data). The directory's inode is changed in
memory only: the caller writes it. Entry points: `_encode_name`/`_decode_name`, `_find`,
`_must_find`, `_new_entry`, `_must_be_empty`, `_add_entry`, `_set_entry`, `_is_ancestor`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pith.servers.mfs.inodes import Inodes
from pith.servers.mfs.layout import (
    DIRENT_SIZE,
    DIRENTS_PER_BLOCK,
    NAME_MAX,
    ROOT_INO,
    FsError,
    Inode,
    pack_dirent,
    unpack_dirent,
    upper,
)
from pith.servers.mfs.zonemap import ZERO_BLOCK

__all__ = ["Directories"]


def _encode_name(name: str) -> bytes:
    if not isinstance(name, str):
        raise FsError("EINVAL", "a name must be a string")
    raw = name.encode("utf-8", "surrogateescape")
    if not raw:
        raise FsError("EINVAL", "empty name")
    if b"/" in raw or b"\0" in raw:
        raise FsError("EINVAL", f"name {name!r} contains '/' or NUL")
    if len(raw) > NAME_MAX:
        raise FsError("ENAMETOOLONG", f"name of {len(raw)} bytes (at most {NAME_MAX})")
    return raw


def _decode_name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class Directories(Inodes):
    """The directories of a mounted file system."""

    _names: set[int]  # dirty blocks holding directory entries

    def _entries(self, dinode: Inode) -> Iterator[tuple[int, int, bytes]]:
        """(slot, inode, name) of each live entry."""
        slots = dinode.size // DIRENT_SIZE
        for n, zone in self._mapped(dinode, upper(slots, DIRENTS_PER_BLOCK)):
            block = self.cache.read(zone)
            for j in range(min(DIRENTS_PER_BLOCK, slots - n * DIRENTS_PER_BLOCK)):
                ino, raw = unpack_dirent(block, j * DIRENT_SIZE)
                if ino:
                    if ino > self.sb.ninodes:
                        raise FsError("EIO", f"corrupt directory entry {raw!r}: inode {ino} "
                                             f"out of range")
                    if not raw:
                        raise FsError("EIO", f"corrupt directory entry: inode {ino} "
                                             f"without a name")
                    yield n * DIRENTS_PER_BLOCK + j, ino, raw

    def _find(self, dinode: Inode, raw: bytes) -> tuple[int, int] | None:
        for slot, ino, name in self._entries(dinode):
            if name == raw:
                return slot, ino
        return None

    def _must_find(self, dir: int, dinode: Inode, raw: bytes) -> tuple[int, int]:
        hit = self._find(dinode, raw)
        if hit is None:
            raise FsError("ENOENT", f"no entry {_decode_name(raw)!r} in directory {dir}")
        return hit

    def _new_entry(self, dir: int, name: str) -> tuple[Inode, bytes]:
        dinode = self._dir(dir)
        raw = _encode_name(name)
        if raw in (b".", b"..") or self._find(dinode, raw) is not None:
            raise FsError("EEXIST", f"{name!r} exists in directory {dir}")
        return dinode, raw

    def _must_be_empty(self, ino: int, inode: Inode) -> None:
        for slot, _child, raw in self._entries(inode):
            if slot >= 2 or raw not in (b".", b".."):
                raise FsError("ENOTEMPTY", f"directory {ino} is not empty")

    def _add_entry(self, dinode: Inode, raw: bytes, ino: int) -> None:
        """Put (ino, raw) in the first free slot past '..', growing the directory if needed
        (updates dinode in memory; the caller writes it)."""
        used = {slot for slot, _i, _n in self._entries(dinode)}
        slots = dinode.size // DIRENT_SIZE
        slot = next((s for s in range(2, slots) if s not in used), slots)
        if (slot + 1) * DIRENT_SIZE > self.sb.max_file_size:
            raise FsError("ENOSPC", "directory is at its largest size")
        self._set_entry(dinode, slot, ino, raw)
        dinode.size = max(dinode.size, (slot + 1) * DIRENT_SIZE)

    def _set_entry(self, dinode: Inode, slot: int, ino: int, raw: bytes) -> None:
        n, j = divmod(slot, DIRENTS_PER_BLOCK)
        zone, fresh = self._bmap_alloc(dinode, n)
        data = bytearray(ZERO_BLOCK if fresh else self.cache.read(zone))
        data[j * DIRENT_SIZE:(j + 1) * DIRENT_SIZE] = pack_dirent(ino, raw)
        self.cache.write(zone, bytes(data))
        if not fresh:  # (a new directory block is data: written before what points to it)
            self._names.add(zone)

    def _is_ancestor(self, ino: int, dir: int) -> bool:
        """Whether directory `ino` is `dir` or one of its ancestors (following '..')."""
        current = dir
        for _ in range(self.sb.ninodes + 1):
            if current == ino:
                return True
            if current == ROOT_INO:
                return False
            hit = self._find(self._dir(current), b"..")
            if hit is None:
                raise FsError("EIO", f"directory {current} has no '..'")
            current = hit[1]
        raise FsError("EIO", "loop in the '..' chain")
