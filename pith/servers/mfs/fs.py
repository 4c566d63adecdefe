"""MinixFS: the MINIX v3 file system on a block device, through a write-back buffer cache.

The operations map one to one onto pith.protocols.fs (Lookup -> `lookup`, Stat ->
`stat`, ...): they name inodes by number, return `Attr`/`FsInfo` records and refuse
with `FsError(errno_name, message)`. A refused operation changes nothing: every
mutation runs in a cache transaction that is rolled back on any error (a write that
runs out of space part way returns the short count instead, as POSIX write does).
Reads never write (no atime updates), so a corrupt image is never written to by
looking at it. Entry points: `MinixFS.format`, `MinixFS.mount`, `FsError`.

`MinixFS` is the façade: it makes and mounts a file system and holds the operations, which
compose the layers it extends, each one a class of its own module extending the one below:
`Allocation` (allocation.py: the inode and zone bitmaps) < `ZoneMap` (zonemap.py: which zone
holds each file block) < `Inodes` (inodes.py: the inode table) < `Directories`
(directories.py: entries and names); and `WriteThrough` (writethrough.py: the ordered
write-through and sync).
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
from pith.servers.mfs.directories import Directories, _decode_name, _encode_name
from pith.servers.mfs.inodes import _EMPTY_DIR_SIZE
from pith.servers.mfs.layout import (
    BITS_PER_BLOCK,
    BLOCK_SIZE,
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
    upper,
)
from pith.servers.mfs.writethrough import WriteThrough
from pith.servers.mfs.zonemap import ZERO_BLOCK

__all__ = ["READDIR_MAX", "FsError", "MinixFS"]

_TRIPLE = NR_DIRECT + ZONES_PER_BLOCK + ZONES_PER_BLOCK**2  # the first triple-indirect block

READDIR_MAX = 512  # entries in one readdir answer (fits fs.MAX_IO with 60-byte names)

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


def _check_int(value: int, what: str, bits: int) -> int:
    if not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise FsError("EINVAL", f"{what} {value!r} out of range")
    return value


class MinixFS(Directories, WriteThrough):
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
        data, lo, count = self._read(ino, offset, size)
        return data[lo:lo + count]

    @_guard
    def read_into(self, ino: int, offset: int, size: int, out: memoryview) -> int:
        """`read`, into `out` (at least as long as what is read): the count."""
        data, lo, count = self._read(ino, offset, size)
        out[:count] = memoryview(data)[lo:lo + count]
        return count

    def _read(self, ino: int, offset: int, size: int) -> tuple[bytes, int, int]:
        """The blocks holding bytes offset..offset+size-1 of the file (to its end), joined;
        where in them the bytes start, and how many there are. Blocks not cached come
        from the device in runs of neighbours, one device read a run (no read-ahead past
        the request: measured, it gained nothing once reads came in runs)."""
        inode = self._live(ino)
        if inode.kind == stat.S_IFDIR:
            raise FsError("EISDIR", f"inode {ino} is a directory")
        if offset < 0 or size < 0:
            raise FsError("EINVAL", f"bad offset {offset} or size {size}")
        end = min(inode.size, offset + size)
        if offset >= end:
            return b"", 0, 0
        first, last = offset // BLOCK_SIZE, (end - 1) // BLOCK_SIZE
        zones = self._bmap_many(inode, first, last - first + 1)
        blocks = self.cache.read_many([z for z in zones if z])
        if len(blocks) < len(zones):  # (holes read as zeros)
            found = iter(blocks)
            blocks = [next(found) if z else ZERO_BLOCK for z in zones]
        return b"".join(blocks), offset - first * BLOCK_SIZE, end - offset

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
            done, first = 0, offset // BLOCK_SIZE
            mapped = self._bmap_many(inode, first, min(-(-(offset + len(data)) // BLOCK_SIZE),
                                                       _TRIPLE) - first)  # (zones there)
            while done < len(data):
                pos = offset + done
                n, lo = divmod(pos, BLOCK_SIZE)
                count = min(BLOCK_SIZE - lo, len(data) - done)
                zone, fresh = (mapped[n - first], False) if n - first < len(mapped) else (0, False)
                if not zone:  # (a block to allocate: alone, so ENOSPC keeps what went before)
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

    # == clock and transactions ==============================================================
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
