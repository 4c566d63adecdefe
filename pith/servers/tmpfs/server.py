"""tmpfs: a file system in memory, speaking the fs protocol (its one client is vfs).

Inodes are numbered from ROOT (1) up and never reused, so a number vfs still
holds for a removed file answers ESTALE rather than naming another file. Data,
directories and symlink targets live in dicts; nothing reaches a disk. The
size limit counts file bytes and symlink targets (args `size=64M`, default 64
MiB: past it, ENOSPC); `inodes=N` bounds the number of live inodes. Names are
1..255 UTF-8 bytes. Permission bits are stored and reported, never enforced
(vfs decides who may ask). Times come from `clock` (seconds), injectable.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable

from pith.lib.server import Caller, Server, ServiceError
from pith.lib.syscall import Gate, gate
from pith.protocols import fs
from pith.servers.tmpfs.inode import (
    BLOCK,
    DEFAULT_INODES,
    DEFAULT_SIZE,
    ENTRIES_BUDGET,
    LINK_MAX,
    NAME_MAX,
    SYMLINK_MAX,
    Inode,
    check_io,
    check_name,
    parse_size,
)

__all__ = ["DEFAULT_INODES", "DEFAULT_SIZE", "NAME_MAX", "TmpfsServer"]

class TmpfsServer(Server):
    requests = fs.FsRequest
    endpoint = "tmpfs"

    def __init__(self, caps: dict[str, int], args: tuple[str, ...] = (),
                 gate_of: Callable[[], Gate] = gate, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        super().__init__(caps, args, gate_of)

    def setup(self) -> None:
        opts = dict(a.split("=", 1) for a in self.args if "=" in a)
        self.limit = parse_size(opts.get("size", str(DEFAULT_SIZE)))
        self.max_inodes = int(opts.get("inodes", DEFAULT_INODES))
        self.used = 0  # bytes counted against the limit
        self.inodes: dict[int, Inode] = {}
        self.next_ino = fs.ROOT
        root = self._new(stat.S_IFDIR | 0o755, 2)
        root.parent = root.ino

    # -- helpers ---------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def _new(self, mode: int, nlinks: int) -> Inode:
        if len(self.inodes) >= self.max_inodes:
            raise ServiceError("ENOSPC", "no free inode")
        t = self.now()
        node = Inode(self.next_ino, mode, nlinks, t, t, t)
        self.inodes[node.ino], self.next_ino = node, self.next_ino + 1
        return node

    def get(self, ino: int) -> Inode:
        node = self.inodes.get(ino)
        if node is None:
            raise ServiceError("ESTALE", f"no inode {ino}")
        return node

    def dir(self, ino: int) -> Inode:
        node = self.get(ino)
        if not node.isdir:
            raise ServiceError("ENOTDIR", f"inode {ino} is not a directory")
        return node

    def file(self, ino: int) -> Inode:
        node = self.get(ino)
        if node.isdir:
            raise ServiceError("EISDIR", f"inode {ino} is a directory")
        if not stat.S_ISREG(node.mode):
            raise ServiceError("EINVAL", f"inode {ino} is not a regular file")
        return node

    def child(self, d: Inode, name: str) -> Inode:
        check_name(name)
        if name not in d.entries:
            raise ServiceError("ENOENT", f"no {name!r} in directory {d.ino}")
        return self.inodes[d.entries[name]]

    def fresh(self, d: Inode, name: str) -> None:
        """Refuse unless `name` is a good new name in directory `d`."""
        check_name(name)
        if name in (".", "..") or name in d.entries:
            raise ServiceError("EEXIST", f"{name!r} exists")

    def charge(self, delta: int) -> None:
        if delta > 0 and self.used + delta > self.limit:
            raise ServiceError("ENOSPC", "file system full")
        self.used += delta

    def touch(self, node: Inode, *, m: bool = True) -> None:
        t = self.now()
        node.ctime = t
        if m:
            node.mtime = t

    def add(self, d: Inode, name: str, node: Inode) -> None:
        d.entries[name] = node.ino
        if node.isdir:
            node.parent, d.nlinks = d.ino, d.nlinks + 1
        self.touch(d)

    def drop(self, d: Inode, name: str) -> None:
        """Remove entry `name` from `d`; free its inode at no links."""
        node = self.inodes[d.entries.pop(name)]
        self.touch(d)
        if node.isdir:
            d.nlinks -= 1
            node.nlinks = 0
        else:
            node.nlinks -= 1
            self.touch(node, m=False)
        if node.nlinks == 0:
            self.used -= len(node.data) + len(node.target.encode())
            del self.inodes[node.ino]

    # -- lookups and reads -------------------------------------------------------

    def do_lookup(self, request: fs.Lookup, caller: Caller) -> fs.Attr:
        d = self.dir(request.dir)
        if request.name == ".":
            return d.attr()
        if request.name == "..":
            return self.inodes[d.parent].attr()
        return self.child(d, request.name).attr()

    def do_stat(self, request: fs.Stat, caller: Caller) -> fs.Attr:
        return self.get(request.ino).attr()

    def do_read(self, request: fs.Read, caller: Caller) -> fs.Data:
        node = self.file(request.ino)
        check_io(request.offset, request.size)
        node.atime = self.now()
        return fs.Data(bytes(node.data[request.offset : request.offset + request.size]))

    def do_readlink(self, request: fs.Readlink, caller: Caller) -> fs.Target:
        node = self.get(request.ino)
        if not stat.S_ISLNK(node.mode):
            raise ServiceError("EINVAL", f"inode {request.ino} is not a symlink")
        return fs.Target(node.target)

    def do_readdir(self, request: fs.Readdir, caller: Caller) -> fs.Entries:
        d = self.dir(request.ino)
        if request.start < 0:
            raise ServiceError("EINVAL", "negative start")
        listing = [(".", d.ino), ("..", d.parent), *d.entries.items()]
        out: list[tuple[str, int]] = []
        budget, i = ENTRIES_BUDGET, request.start
        while i < len(listing) and budget >= len(listing[i][0].encode()) + 16:
            budget -= len(listing[i][0].encode()) + 16
            out.append(listing[i])
            i += 1
        return fs.Entries(out, i < len(listing))

    def do_statfs(self, request: fs.Statfs, caller: Caller) -> fs.FsInfo:
        return fs.FsInfo(BLOCK, self.limit // BLOCK, (self.limit - self.used) // BLOCK,
                         self.max_inodes, self.max_inodes - len(self.inodes), NAME_MAX)

    def do_sync(self, request: fs.Sync, caller: Caller) -> fs.Ok:
        return fs.Ok()

    # -- changing files ----------------------------------------------------------

    def do_write(self, request: fs.Write, caller: Caller) -> fs.Written:
        node = self.file(request.ino)
        check_io(request.offset, len(request.data))
        if not request.data:
            return fs.Written(0, node.attr())
        end = request.offset + len(request.data)
        self.charge(max(0, end - len(node.data)))
        if request.offset > len(node.data):
            node.data.extend(bytes(request.offset - len(node.data)))
        node.data[request.offset : end] = request.data
        self.touch(node)
        return fs.Written(len(request.data), node.attr())

    def do_truncate(self, request: fs.Truncate, caller: Caller) -> fs.Attr:
        node = self.file(request.ino)
        if request.size < 0:
            raise ServiceError("EINVAL", "negative size")
        self.charge(request.size - len(node.data))
        if request.size < len(node.data):
            del node.data[request.size :]
        else:
            node.data.extend(bytes(request.size - len(node.data)))
        self.touch(node)
        return node.attr()

    def do_set_attr(self, request: fs.SetAttr, caller: Caller) -> fs.Attr:
        node = self.get(request.ino)
        if request.mode is not None:
            node.mode = stat.S_IFMT(node.mode) | (request.mode & 0o7777)
        node.uid = node.uid if request.uid is None else request.uid
        node.gid = node.gid if request.gid is None else request.gid
        node.atime = node.atime if request.atime is None else request.atime
        node.mtime = node.mtime if request.mtime is None else request.mtime
        node.ctime = self.now()
        return node.attr()

    # -- names ---------------------------------------------------------------------

    def do_create(self, request: fs.Create, caller: Caller) -> fs.Attr:
        d = self.dir(request.dir)
        kind = stat.S_IFMT(request.mode) or stat.S_IFREG
        if kind in (stat.S_IFDIR, stat.S_IFLNK):
            raise ServiceError("EINVAL", "Create makes no directories or symlinks")
        self.fresh(d, request.name)
        node = self._new(kind | (request.mode & 0o7777), 1)
        self.add(d, request.name, node)
        return node.attr()

    def do_mkdir(self, request: fs.Mkdir, caller: Caller) -> fs.Attr:
        d = self.dir(request.dir)
        self.fresh(d, request.name)
        if d.nlinks >= LINK_MAX:
            raise ServiceError("EMLINK", "too many subdirectories")
        node = self._new(stat.S_IFDIR | (request.mode & 0o7777), 2)
        self.add(d, request.name, node)
        return node.attr()

    def do_symlink(self, request: fs.Symlink, caller: Caller) -> fs.Attr:
        d = self.dir(request.dir)
        self.fresh(d, request.name)
        size = len(request.target.encode())
        if not request.target or "\0" in request.target:
            raise ServiceError("ENOENT" if not request.target else "EINVAL", "bad target")
        if size > SYMLINK_MAX:
            raise ServiceError("ENAMETOOLONG", "symlink target too long")
        self.charge(size)
        try:
            node = self._new(stat.S_IFLNK | 0o777, 1)
        except ServiceError:
            self.used -= size
            raise
        node.target = request.target
        self.add(d, request.name, node)
        return node.attr()

    def do_link(self, request: fs.Link, caller: Caller) -> fs.Attr:
        d, node = self.dir(request.dir), self.get(request.ino)
        if node.isdir:
            raise ServiceError("EPERM", "hard links to directories are not allowed")
        if node.nlinks >= LINK_MAX:
            raise ServiceError("EMLINK", "too many links")
        self.fresh(d, request.name)
        node.nlinks += 1
        self.touch(node, m=False)
        self.add(d, request.name, node)
        return node.attr()

    def do_unlink(self, request: fs.Unlink, caller: Caller) -> fs.Ok:
        d = self.dir(request.dir)
        if request.name in (".", ".."):
            raise ServiceError("EISDIR", f"cannot unlink {request.name!r}")
        if self.child(d, request.name).isdir:
            raise ServiceError("EISDIR", f"{request.name!r} is a directory")
        self.drop(d, request.name)
        return fs.Ok()

    def do_rmdir(self, request: fs.Rmdir, caller: Caller) -> fs.Ok:
        d = self.dir(request.dir)
        if request.name in (".", ".."):
            raise ServiceError("EINVAL" if request.name == "." else "ENOTEMPTY", "bad name")
        node = self.child(d, request.name)
        if not node.isdir:
            raise ServiceError("ENOTDIR", f"{request.name!r} is not a directory")
        if node.entries:
            raise ServiceError("ENOTEMPTY", f"{request.name!r} is not empty")
        self.drop(d, request.name)
        return fs.Ok()

    def do_rename(self, request: fs.Rename, caller: Caller) -> fs.Ok:
        src, dst = self.dir(request.src_dir), self.dir(request.dst_dir)
        for name in (request.src_name, request.dst_name):
            if name in (".", ".."):
                raise ServiceError("EBUSY", f"cannot rename {name!r}")
        node = self.child(src, request.src_name)
        check_name(request.dst_name)
        old = dst.entries.get(request.dst_name)
        if old == node.ino:
            return fs.Ok()  # the same file under both names: POSIX does nothing
        if node.isdir and self.within(dst, node):  # first, as Linux (and mfs) check it
            raise ServiceError("EINVAL", "cannot move a directory into itself")
        if old is not None:
            self.check_replace(node, self.inodes[old], request.dst_name)
        if old is not None:
            self.drop(dst, request.dst_name)
        del src.entries[request.src_name]
        if node.isdir:
            src.nlinks -= 1
        self.touch(src)
        self.add(dst, request.dst_name, node)
        self.touch(node, m=False)
        return fs.Ok()

    def check_replace(self, node: Inode, old: Inode, name: str) -> None:
        if node.isdir and not old.isdir:
            raise ServiceError("ENOTDIR", f"{name!r} is not a directory")
        if not node.isdir and old.isdir:
            raise ServiceError("EISDIR", f"{name!r} is a directory")
        if old.isdir and old.entries:
            raise ServiceError("ENOTEMPTY", f"{name!r} is not empty")

    def within(self, d: Inode, node: Inode) -> bool:
        """Whether directory `d` is `node` or below it."""
        while True:
            if d is node:
                return True
            if d.ino == fs.ROOT:
                return False
            d = self.inodes[d.parent]
