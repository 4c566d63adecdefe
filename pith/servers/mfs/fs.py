"""MinixFS: the MINIX v3 file system on a block device, through a write-back buffer cache.

The operations map one to one onto pith.protocols.fs (Lookup -> `lookup`, Stat ->
`stat`, ...): they name inodes by number, return `Attr`/`FsInfo` records and refuse
with `FsError(errno_name, message)`. A refused operation changes nothing: every
mutation runs in a cache transaction that is rolled back on any error (a write that
runs out of space part way returns the short count instead, as POSIX write does).
Reads never write (no atime updates), so a corrupt image is never written to by
looking at it. Entry points: `MinixFS.format`, `MinixFS.mount`, `FsError`.
"""

from __future__ import annotations

import functools
import stat
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from pith.protocols.fs import Attr, FsInfo
from pith.servers.mfs.cache import BlockDevice, BufferCache
from pith.servers.mfs.layout import (
    BITS_PER_BLOCK,
    BLOCK_SIZE,
    DIRENT_SIZE,
    DIRENTS_PER_BLOCK,
    INODES_PER_BLOCK,
    LINK_MAX,
    MAX_FIRST_DATA_ZONE,
    NAME_MAX,
    NR_DIRECT,
    ROOT_INO,
    SYMLINK_MAX,
    ZONES_PER_BLOCK,
    FsError,
    Inode,
    Superblock,
    pack_dirent,
    unpack_dirent,
    upper,
)

__all__ = ["READDIR_MAX", "FsError", "MinixFS"]

READDIR_MAX = 512  # entries in one readdir answer (fits fs.MAX_IO with 60-byte names)
ZERO_BLOCK = bytes(BLOCK_SIZE)
_U32 = struct.Struct("<I")
_EMPTY_DIR_SIZE = 2 * DIRENT_SIZE
# i_zone slot -> (first file block it maps, levels of indirection)
_TREES = ((7, NR_DIRECT, 1), (8, NR_DIRECT + ZONES_PER_BLOCK, 2),
          (9, NR_DIRECT + ZONES_PER_BLOCK + ZONES_PER_BLOCK**2, 3))

P = ParamSpec("P")
R = TypeVar("R")


def _guard(method: Callable[Concatenate[MinixFS, P], R]) -> Callable[Concatenate[MinixFS, P], R]:
    """Turn a decoding failure on a corrupt image into FsError("EIO"), never another kind."""

    @functools.wraps(method)
    def wrapper(self: MinixFS, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except FsError:
            raise
        except (struct.error, UnicodeError, IndexError, ValueError, OverflowError,
                RecursionError) as exc:
            raise FsError("EIO", f"corrupt file system: {type(exc).__name__}: {exc}") from exc

    return wrapper


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


def _check_int(value: int, what: str, bits: int) -> int:
    if not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise FsError("EINVAL", f"{what} {value!r} out of range")
    return value


class MinixFS:
    """A mounted MINIX v3 file system. Use `format` or `mount`, not the constructor."""

    def __init__(self, dev: BlockDevice, sb: Superblock, now: Callable[[], float] = time.time,
                 cache_blocks: int = 4096) -> None:
        self.dev = dev
        self.sb = sb
        self.cache = BufferCache(dev, cache_blocks)
        self._now = now
        self._zone_hint = 1  # next-fit: zone-bitmap bit after the last allocation
        self._names: set[int] = set()  # dirty blocks holding directory entries
        self._pointers: set[int] = set()  # dirty indirect blocks
        self._inode_hint = 1

    # == making and mounting ================================================================
    @staticmethod
    def geometry(blocks: int, inodes: int | None = None) -> Superblock:
        """The superblock `mkfs.minix -3 [-i inodes] DEV blocks` would write (mkfs.minix.c
        setup_tables())."""
        if blocks < 10:
            raise FsError("EINVAL", f"{blocks} blocks is too small for a file system (min 10)")
        blocks = min(blocks, 4 + (MAX_FIRST_DATA_ZONE - 4) * BITS_PER_BLOCK, 0xFFFFFFFF)
        if inodes is None:
            if blocks > 2048 * 1024:
                inodes = blocks // 16
            elif blocks > 512 * 1024:
                inodes = blocks // 8
            else:
                inodes = blocks // 3
        if inodes < 1:
            raise FsError("EINVAL", f"inode count {inodes} must be positive")
        inodes = upper(inodes, INODES_PER_BLOCK) * INODES_PER_BLOCK
        imap = upper(inodes + 1, BITS_PER_BLOCK)
        iblocks = upper(inodes, INODES_PER_BLOCK)
        rest = blocks - (1 + imap + iblocks)
        if rest <= 0:
            raise FsError("EINVAL", f"{inodes} inodes do not fit in {blocks} blocks")
        zmap = upper(rest, BITS_PER_BLOCK + 1)
        sb = Superblock(ninodes=inodes, imap_blocks=imap, zmap_blocks=zmap,
                        first_data_zone=2 + imap + zmap + iblocks, zones=blocks)
        if sb.first_data_zone > MAX_FIRST_DATA_ZONE:
            raise FsError("EINVAL", f"first data zone at {sb.first_data_zone}, too far (max "
                                    f"{MAX_FIRST_DATA_ZONE}): ask for fewer inodes")
        if sb.first_data_zone + 1 > blocks:
            raise FsError("EINVAL", f"{inodes} inodes leave no data zone in {blocks} blocks")
        return sb

    @classmethod
    def format(cls, dev: BlockDevice, inodes: int | None = None, *,
               now: Callable[[], float] = time.time, uid: int = 0, gid: int = 0,
               cache_blocks: int = 4096) -> MinixFS:
        """Make an empty file system on the whole device (as `mkfs.minix -3`) and mount it."""
        if dev.block_size != BLOCK_SIZE:
            raise FsError("EINVAL", f"device block size {dev.block_size}, MINIX needs {BLOCK_SIZE}")
        sb = cls.geometry(dev.blocks, inodes)
        t = int(now()) & 0xFFFFFFFF
        # Clear the boot block, the tables and the inode table.
        chunk = 256
        for start in range(0, sb.first_data_zone, chunk):
            count = min(chunk, sb.first_data_zone - start)
            dev.write(start, bytes(count * BLOCK_SIZE))
        dev.write(1, sb.pack())
        dev.write(sb.imap_start, cls._fresh_bitmap(sb.imap_blocks, sb.ninodes, used=1))
        dev.write(sb.zmap_start, cls._fresh_bitmap(sb.zmap_blocks, sb.data_zones, used=1))
        root = Inode(mode=stat.S_IFDIR | 0o755, nlinks=2, uid=uid, gid=gid,
                     size=_EMPTY_DIR_SIZE, atime=t, mtime=t, ctime=t)
        root.zones[0] = sb.first_data_zone
        dev.write(sb.itable_start, root.pack().ljust(BLOCK_SIZE, b"\0"))
        dev.write(sb.first_data_zone, (pack_dirent(ROOT_INO, b".")
                                       + pack_dirent(ROOT_INO, b"..")).ljust(BLOCK_SIZE, b"\0"))
        dev.flush()
        return cls.mount(dev, now=now, cache_blocks=cache_blocks)

    @staticmethod
    def _fresh_bitmap(nblocks: int, nbits: int, used: int) -> bytes:
        """A bitmap with bit 0 and bits past `nbits` set, bits 1..used set (the root)."""
        total = nblocks * BITS_PER_BLOCK
        x = (1 << total) - 1
        x &= ~(((1 << nbits) - 1) << 1)
        x |= ((1 << used) - 1) << 1
        return x.to_bytes(nblocks * BLOCK_SIZE, "little")

    @classmethod
    def mount(cls, dev: BlockDevice, *, now: Callable[[], float] = time.time,
              cache_blocks: int = 4096) -> MinixFS:
        """Mount the file system on `dev`; FsError("EINVAL") if it is not a sane MINIX v3 one."""
        if dev.block_size != BLOCK_SIZE:
            raise FsError("EINVAL", f"device block size {dev.block_size}, MINIX needs {BLOCK_SIZE}")
        if dev.blocks < 10:
            raise FsError("EINVAL", f"device of {dev.blocks} blocks is too small")
        sb = Superblock.unpack(dev.read(1))
        sb.validate(dev.blocks)
        fs = cls(dev, sb, now, cache_blocks)
        try:
            if not fs._bit(sb.imap_start, ROOT_INO):
                raise FsError("EINVAL", "root inode is marked free in the inode bitmap")
            root = fs._live(ROOT_INO, from_entry=True)
            if root.kind != stat.S_IFDIR:
                raise FsError("EINVAL", f"root inode is not a directory (mode {root.mode:#o})")
        except FsError as exc:
            if exc.error == "EINVAL":
                raise
            raise FsError("EINVAL", f"cannot mount: {exc.message}") from exc
        return fs

    # == protocol operations =================================================================
    @_guard
    def lookup(self, dir: int, name: str) -> Attr:
        dinode = self._dir(dir)
        hit = self._find(dinode, _encode_name(name))
        if hit is None:
            raise FsError("ENOENT", f"no entry {name!r} in directory {dir}")
        return self._attr(hit[1], self._live(hit[1], from_entry=True))

    @_guard
    def stat(self, ino: int) -> Attr:
        return self._attr(ino, self._live(ino))

    @_guard
    def read(self, ino: int, offset: int, size: int) -> bytes:
        inode = self._live(ino)
        if inode.kind == stat.S_IFDIR:
            raise FsError("EISDIR", f"inode {ino} is a directory")
        if offset < 0 or size < 0:
            raise FsError("EINVAL", f"bad offset {offset} or size {size}")
        end = min(inode.size, offset + size)
        if offset >= end:
            return b""
        out = bytearray()
        for n in range(offset // BLOCK_SIZE, (end - 1) // BLOCK_SIZE + 1):
            zone = self._bmap(inode, n)
            block = self.cache.read(zone) if zone else ZERO_BLOCK
            base = n * BLOCK_SIZE
            out += block[max(offset, base) - base:min(end, base + BLOCK_SIZE) - base]
        return bytes(out)

    @_guard
    def write(self, ino: int, offset: int, data: bytes) -> int:
        with self._txn():
            inode = self._regular(ino)
            if offset < 0:
                raise FsError("EINVAL", f"negative offset {offset}")
            if not data:
                return 0
            limit = self.sb.max_file_size
            if offset >= limit:
                raise FsError("EFBIG", f"offset {offset} is past the largest file ({limit})")
            data = bytes(data[:limit - offset])
            if offset > inode.size:
                self._zero_tail(inode, inode.size)
            done = 0
            while done < len(data):
                pos = offset + done
                n, lo = divmod(pos, BLOCK_SIZE)
                count = min(BLOCK_SIZE - lo, len(data) - done)
                saved = list(inode.zones)
                self.cache.begin()
                try:
                    zone, fresh = self._bmap_alloc(inode, n)
                except FsError as exc:
                    self.cache.rollback()
                    inode.zones = saved
                    if exc.error == "ENOSPC" and done:
                        break
                    raise
                self.cache.commit()
                if count == BLOCK_SIZE:
                    self.cache.write(zone, data[done:done + count])
                else:
                    old = ZERO_BLOCK if fresh else self.cache.read(zone)
                    self.cache.write(zone, old[:lo] + data[done:done + count] + old[lo + count:])
                done += count
            inode.size = max(inode.size, offset + done)
            inode.mtime = inode.ctime = self._time()
            self._iput(ino, inode)
            return done

    @_guard
    def truncate(self, ino: int, size: int) -> Attr:
        with self._txn():
            inode = self._regular(ino)
            if size < 0:
                raise FsError("EINVAL", f"negative size {size}")
            if size > self.sb.max_file_size:
                raise FsError("EFBIG", f"size {size} is past the largest file "
                                       f"({self.sb.max_file_size})")
            if size < inode.size:
                self._free_from(inode, upper(size, BLOCK_SIZE))
            self._zero_tail(inode, min(size, inode.size))
            inode.size = size
            inode.mtime = inode.ctime = self._time()
            self._iput(ino, inode)
            return self._attr(ino, inode)

    @_guard
    def set_attr(self, ino: int, mode: int | None = None, uid: int | None = None,
                 gid: int | None = None, atime: int | None = None,
                 mtime: int | None = None) -> Attr:
        with self._txn():
            inode = self._live(ino)
            if mode is not None:
                inode.mode = stat.S_IFMT(inode.mode) | (_check_int(mode, "mode", 32) & 0o7777)
            if uid is not None:
                inode.uid = _check_int(uid, "uid", 16)
            if gid is not None:
                inode.gid = _check_int(gid, "gid", 16)
            if atime is not None:
                inode.atime = _check_int(atime, "atime", 32)
            if mtime is not None:
                inode.mtime = _check_int(mtime, "mtime", 32)
            inode.ctime = self._time()
            self._iput(ino, inode)
            return self._attr(ino, inode)

    @_guard
    def create(self, dir: int, name: str, mode: int) -> Attr:
        with self._txn():
            _check_int(mode, "mode", 16)
            kind = stat.S_IFMT(mode) or stat.S_IFREG
            if kind == stat.S_IFDIR:
                raise FsError("EINVAL", "create cannot make a directory (use mkdir)")
            if kind == stat.S_IFLNK:
                raise FsError("EINVAL", "create cannot make a symlink (use symlink)")
            if not Inode(mode=kind).known_kind:
                raise FsError("EINVAL", f"unknown file type in mode {mode:#o}")
            dinode, raw = self._new_entry(dir, name)
            t = self._time()
            ino = self._alloc_inode()
            inode = Inode(mode=kind | (mode & 0o7777), nlinks=1, atime=t, mtime=t, ctime=t)
            self._iput(ino, inode)
            self._add_entry(dinode, raw, ino)
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            return self._attr(ino, inode)

    @_guard
    def mkdir(self, dir: int, name: str, mode: int) -> Attr:
        with self._txn():
            _check_int(mode, "mode", 32)
            dinode, raw = self._new_entry(dir, name)
            if dinode.nlinks >= LINK_MAX:
                raise FsError("EMLINK", f"directory {dir} has {dinode.nlinks} links (max "
                                        f"{LINK_MAX})")
            t = self._time()
            ino = self._alloc_inode()
            zone = self._alloc_zone()
            self.cache.write(zone, (pack_dirent(ino, b".") + pack_dirent(dir, b".."))
                             .ljust(BLOCK_SIZE, b"\0"))
            inode = Inode(mode=stat.S_IFDIR | (mode & 0o7777), nlinks=2, size=_EMPTY_DIR_SIZE,
                          atime=t, mtime=t, ctime=t)
            inode.zones[0] = zone
            self._iput(ino, inode)
            self._add_entry(dinode, raw, ino)
            dinode.nlinks += 1
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            return self._attr(ino, inode)

    @_guard
    def symlink(self, dir: int, name: str, target: str) -> Attr:
        with self._txn():
            if not isinstance(target, str):
                raise FsError("EINVAL", "a symlink target must be a string")
            body = target.encode("utf-8", "surrogateescape")
            if not body:
                raise FsError("ENOENT", "empty symlink target")
            if b"\0" in body:
                raise FsError("EINVAL", "symlink target contains NUL")
            if len(body) > SYMLINK_MAX:
                raise FsError("ENAMETOOLONG", f"symlink target of {len(body)} bytes "
                                              f"(at most {SYMLINK_MAX})")
            dinode, raw = self._new_entry(dir, name)
            t = self._time()
            ino = self._alloc_inode()
            zone = self._alloc_zone()
            self.cache.write(zone, body.ljust(BLOCK_SIZE, b"\0"))
            inode = Inode(mode=stat.S_IFLNK | 0o777, nlinks=1, size=len(body),
                          atime=t, mtime=t, ctime=t)
            inode.zones[0] = zone
            self._iput(ino, inode)
            self._add_entry(dinode, raw, ino)
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            return self._attr(ino, inode)

    @_guard
    def readlink(self, ino: int) -> str:
        inode = self._live(ino)
        if inode.kind != stat.S_IFLNK:
            raise FsError("EINVAL", f"inode {ino} is not a symlink")
        if not 0 < inode.size <= SYMLINK_MAX:
            raise FsError("EIO", f"symlink inode {ino} has a bad size {inode.size}")
        zone = self._bmap(inode, 0)
        body = self.cache.read(zone)[:inode.size] if zone else b""
        if not body or b"\0" in body:
            raise FsError("EIO", f"symlink inode {ino} has a corrupt target")
        return body.decode("utf-8", "surrogateescape")

    @_guard
    def link(self, dir: int, name: str, ino: int) -> Attr:
        with self._txn():
            inode = self._live(ino)
            if inode.kind == stat.S_IFDIR:
                raise FsError("EPERM", f"inode {ino} is a directory: no hard links to those")
            if inode.nlinks >= LINK_MAX:
                raise FsError("EMLINK", f"inode {ino} has {inode.nlinks} links (max {LINK_MAX})")
            dinode, raw = self._new_entry(dir, name)
            t = self._time()
            self._add_entry(dinode, raw, ino)
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            inode = self._iget(ino)
            inode.nlinks += 1
            inode.ctime = t
            self._iput(ino, inode)
            return self._attr(ino, inode)

    @_guard
    def unlink(self, dir: int, name: str) -> None:
        with self._txn():
            dinode = self._dir(dir)
            raw = _encode_name(name)
            if raw in (b".", b".."):
                raise FsError("EISDIR", f"{name!r} is a directory")
            slot, ino = self._must_find(dir, dinode, raw)
            inode = self._live(ino, from_entry=True)
            if inode.kind == stat.S_IFDIR:
                raise FsError("EISDIR", f"{name!r} is a directory (use rmdir)")
            t = self._time()
            self._set_entry(dinode, slot, 0, b"")
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            self._drop_link(ino, inode, t)

    @_guard
    def rmdir(self, dir: int, name: str) -> None:
        with self._txn():
            dinode = self._dir(dir)
            raw = _encode_name(name)
            if raw == b".":
                raise FsError("EINVAL", "cannot remove '.'")
            if raw == b"..":
                raise FsError("ENOTEMPTY", "cannot remove '..'")
            slot, ino = self._must_find(dir, dinode, raw)
            inode = self._live(ino, from_entry=True)
            if inode.kind != stat.S_IFDIR:
                raise FsError("ENOTDIR", f"{name!r} is not a directory")
            self._must_be_empty(ino, inode)
            t = self._time()
            self._set_entry(dinode, slot, 0, b"")
            dinode.nlinks -= 1
            dinode.mtime = dinode.ctime = t
            self._iput(dir, dinode)
            self._release(ino, inode)

    @_guard
    def rename(self, src_dir: int, src_name: str, dst_dir: int, dst_name: str) -> None:
        with self._txn():
            sd = self._dir(src_dir)
            dd = sd if dst_dir == src_dir else self._dir(dst_dir)
            sraw, draw = _encode_name(src_name), _encode_name(dst_name)
            if sraw in (b".", b"..") or draw in (b".", b".."):
                raise FsError("EINVAL", "cannot rename '.' or '..'")
            s_slot, s_ino = self._must_find(src_dir, sd, sraw)
            s_inode = self._live(s_ino, from_entry=True)
            is_dir = s_inode.kind == stat.S_IFDIR
            target = self._find(dd, draw)
            if target is not None and target[1] == s_ino:
                return  # both names are the same file: POSIX says do nothing
            moving = is_dir and src_dir != dst_dir
            if moving and self._is_ancestor(s_ino, dst_dir):
                raise FsError("EINVAL", "cannot move a directory into itself")
            t_inode: Inode | None = None
            if target is not None:
                t_inode = self._live(target[1], from_entry=True)
                t_is_dir = t_inode.kind == stat.S_IFDIR
                if is_dir and not t_is_dir:
                    raise FsError("ENOTDIR", f"{dst_name!r} is not a directory")
                if not is_dir and t_is_dir:
                    raise FsError("EISDIR", f"{dst_name!r} is a directory")
                if t_is_dir:
                    self._must_be_empty(target[1], t_inode)
            elif moving and dd.nlinks >= LINK_MAX:
                raise FsError("EMLINK", f"directory {dst_dir} has {dd.nlinks} links")
            t = self._time()
            if target is not None:
                self._set_entry(dd, target[0], s_ino, draw)
            else:
                self._add_entry(dd, draw, s_ino)
            self._set_entry(sd, s_slot, 0, b"")
            if target is not None and t_inode is not None:
                if t_inode.kind == stat.S_IFDIR:
                    dd.nlinks -= 1
                    self._release(target[1], t_inode)
                else:
                    self._drop_link(target[1], t_inode, t)
            if moving:
                self._set_entry(s_inode, 1, dst_dir, b"..")
                sd.nlinks -= 1
                dd.nlinks += 1
            sd.mtime = sd.ctime = dd.mtime = dd.ctime = t
            self._iput(src_dir, sd)
            if dd is not sd:
                self._iput(dst_dir, dd)
            s_inode = self._iget(s_ino) if s_ino in (src_dir, dst_dir) else s_inode
            s_inode.ctime = t
            self._iput(s_ino, s_inode)

    @_guard
    def readdir(self, ino: int, start: int = 0,
                limit: int = READDIR_MAX) -> tuple[list[tuple[str, int]], bool]:
        """Live entries from the `start`th on ("." and ".." first), at most `limit`."""
        dinode = self._dir(ino)
        if start < 0 or limit < 1:
            raise FsError("EINVAL", f"bad readdir start {start} or limit {limit}")
        out: list[tuple[str, int]] = []
        for index, (_slot, child, raw) in enumerate(self._entries(dinode)):
            if index >= start:
                if len(out) == limit:
                    return out, True
                out.append((_decode_name(raw), child))
        return out, False

    @_guard
    def statfs(self) -> FsInfo:
        sb = self.sb
        return FsInfo(block_size=BLOCK_SIZE, blocks=sb.zones,
                      free_blocks=self._count_clear(sb.zmap_start, sb.data_zones),
                      inodes=sb.ninodes,
                      free_inodes=self._count_clear(sb.imap_start, sb.ninodes),
                      name_max=NAME_MAX)

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

    # == inodes ==============================================================================
    def _time(self) -> int:
        return min(max(int(self._now()), 0), 0xFFFFFFFF)

    @contextmanager
    def _txn(self) -> Iterator[None]:
        self.cache.begin()
        try:
            yield
        except BaseException:
            self.cache.rollback()
            raise
        self.cache.commit()

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

    # == bitmaps =============================================================================
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

    # == block maps ==========================================================================
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

    # == directories =========================================================================
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
