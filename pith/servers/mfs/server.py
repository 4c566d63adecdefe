"""mfs: the MINIX v3 file system server. It speaks the fs protocol to vfs and blk to the disk.

All the file-system logic is `MinixFS` (fs.py, with its buffer cache); this
file is only the server: one handler per fs-protocol request, each a call into
MinixFS, with its FsError turned into the protocol's errno-named Failure. The
disk is reached through the blk driver's endpoint (`uses = ["blk"]`), bulk
data through a shared Memory buffer; and so is vfs's file data, when vfs attaches one
(`Attach`, then `ReadShared`/`WriteShared`: the fs protocol's shared requests).

Nothing acknowledged is lost when mfs dies: every request that changes the
file system writes its dirty blocks through to blk before it is answered (the
cache still serves reads); `Sync` and `Stop` also make them durable (fsync).
Bitmaps come first on disk, so a crash in the middle of a write-through can
leave blocks or inodes marked in use that nothing uses; when mfs starts it
checks the image and frees such leaks (and only if that is all that is wrong).

A live update (`service update mfs`) quiesces it with the framework's `Prepare`:
mfs answers it only between requests (it is single-threaded), and its `stop()`
flushes and fsyncs; it hands over no state (the new mfs mounts the image it
left clean), and vfs's requests wait in the endpoint's queue meanwhile.
"""

from __future__ import annotations

import contextlib
import mmap
import sys
from collections.abc import Callable
from typing import TypeVar

import msgspec

from pith.kernel.core.errors import KernelError
from pith.lib.server import Caller, Server, ServiceError
from pith.protocols import fs as fp
from pith.protocols.blk import BlkDevice
from pith.servers.mfs.check import reclaim_leaks
from pith.servers.mfs.fs import FsError, MinixFS

__all__ = ["MfsServer"]

T = TypeVar("T")
R = TypeVar("R")


def _fs(action: Callable[[], T]) -> T:
    try:
        return action()
    except FsError as e:
        raise ServiceError(e.error, str(e)) from None


REMOVING = ("do_unlink", "do_rmdir", "do_rename")  # changes that take names away


def _changes(handler: Callable[[MfsServer, R, Caller], T]) -> Callable[[MfsServer, R, Caller], T]:
    """A handler that changes the file system: write through to blk before answering, in
    the order that leaves a crash at most leaks (MinixFS.write_through)."""

    def through(self: MfsServer, request: R, caller: Caller) -> T:
        try:
            return handler(self, request, caller)
        finally:
            self.fs.write_through(removing=handler.__name__ in REMOVING)

    return through


class MfsServer(Server):
    requests = fp.FsRequest | fp.SharedRequest
    endpoint = "mfs"

    def setup(self) -> None:
        self.buffers: dict[int, tuple[int, int, mmap.mmap]] = {}  # badge -> (slot, object,
        # its mapping)
        disk = BlkDevice(self.caps["blk"], gate_of=self.gate_of)
        freed = reclaim_leaks(disk)
        if freed:
            print(f"mfs: freed {freed} inodes and zones leaked by an earlier crash",
                  file=sys.stderr)
        self.fs = _fs(lambda: MinixFS.mount(disk))

    def stop(self) -> None:
        """Sync; then free what a write-through cut short left marked on the disk (a
        failed blk call, say: the cache rolled back, the disk kept a bitmap block), so
        the image is left fsck-clean, not only after mfs's next start."""
        self.fs.sync()
        freed = reclaim_leaks(BlkDevice(self.caps["blk"], gate_of=self.gate_of))
        if freed:
            print(f"mfs: freed {freed} inodes and zones a failed write left marked",
                  file=sys.stderr)

    def save(self) -> None:
        """A live update hands nothing over: after `stop()` all of it is on the disk."""
        return None

    def do_lookup(self, r: fp.Lookup, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.lookup(r.dir, r.name))

    def do_stat(self, r: fp.Stat, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.stat(r.ino))

    def do_read(self, r: fp.Read, c: Caller) -> fp.Data:
        if not 0 <= r.size <= fp.MAX_IO:
            raise ServiceError("EINVAL", f"read of {r.size} bytes, at most {fp.MAX_IO}")
        return fp.Data(_fs(lambda: self.fs.read(r.ino, r.offset, r.size)))

    @_changes
    def do_write(self, r: fp.Write, c: Caller) -> fp.Written:
        count = _fs(lambda: self.fs.write(r.ino, r.offset, r.data))
        return fp.Written(count, _fs(lambda: self.fs.stat(r.ino)))

    @_changes
    def do_truncate(self, r: fp.Truncate, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.truncate(r.ino, r.size))

    @_changes
    @_changes
    def do_set_attr(self, r: fp.SetAttr, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.set_attr(r.ino, r.mode, r.uid, r.gid, r.atime, r.mtime))

    @_changes
    def do_create(self, r: fp.Create, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.create(r.dir, r.name, r.mode))

    @_changes
    def do_mkdir(self, r: fp.Mkdir, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.mkdir(r.dir, r.name, r.mode))

    @_changes
    def do_symlink(self, r: fp.Symlink, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.symlink(r.dir, r.name, r.target))

    def do_attach(self, r: fp.Attach, c: Caller) -> fp.Ok:
        """Map the Memory cap sent along as this caller's buffer (replacing an older one)."""
        if len(c.caps) != 1:
            raise ServiceError("EINVAL", "Attach carries exactly one Memory cap")
        g = self.gate_of()
        try:
            obj = g.cap_info(c.caps[0]).object
            buffer = g.memory_map(c.caps[0], writable=True)
        except KernelError as e:
            with contextlib.suppress(KernelError):
                g.cap_delete(c.caps[0])
            raise ServiceError("EINVAL", f"Attach: not a writable Memory cap: {e}") from None
        self._detach(c.badge)
        self.buffers[c.badge] = (c.caps[0], obj, buffer)
        return fp.Ok()

    def _detach(self, badge: int) -> None:
        """Unmap `badge`'s older buffer and delete its cap, if it is still there (a vfs that
        died took it: the kernel revoked it, and the slot may hold another cap since)."""
        old = self.buffers.pop(badge, None)
        if old is not None:
            old[2].close()
            with contextlib.suppress(KernelError):
                self.gate_of().cap_delete_if(old[0], old[1])

    def _buffer(self, size: int, c: Caller) -> memoryview:
        """The first `size` bytes of the caller's buffer (ESTALE: none attached)."""
        found = self.buffers.get(c.badge)
        if found is None:  # (mfs restarted since: vfs attaches again)
            raise ServiceError("ESTALE", "no buffer attached")
        if size > len(found[2]):
            raise ServiceError("EINVAL", f"{size} bytes: the buffer holds {len(found[2])}")
        return memoryview(found[2])[:size]

    def do_read_shared(self, r: fp.ReadShared, c: Caller) -> fp.Moved:
        with self._buffer(r.size, c) as out:
            return fp.Moved(_fs(lambda: self.fs.read_into(r.ino, r.offset, r.size, out)))

    @_changes
    def do_write_shared(self, r: fp.WriteShared, c: Caller) -> fp.Written:
        with self._buffer(r.size, c) as data:
            count = _fs(lambda: self.fs.write(r.ino, r.offset, bytes(data)))
        return fp.Written(count, _fs(lambda: self.fs.stat(r.ino)))

    def do_readlink(self, r: fp.Readlink, c: Caller) -> fp.Target:
        return fp.Target(_fs(lambda: self.fs.readlink(r.ino)))

    @_changes
    def do_link(self, r: fp.Link, c: Caller) -> fp.Attr:
        return _fs(lambda: self.fs.link(r.dir, r.name, r.ino))

    @_changes
    def do_unlink(self, r: fp.Unlink, c: Caller) -> fp.Ok:
        _fs(lambda: self.fs.unlink(r.dir, r.name))
        return fp.Ok()

    @_changes
    def do_rmdir(self, r: fp.Rmdir, c: Caller) -> fp.Ok:
        _fs(lambda: self.fs.rmdir(r.dir, r.name))
        return fp.Ok()

    @_changes
    def do_rename(self, r: fp.Rename, c: Caller) -> fp.Ok:
        _fs(lambda: self.fs.rename(r.src_dir, r.src_name, r.dst_dir, r.dst_name))
        return fp.Ok()

    def do_readdir(self, r: fp.Readdir, c: Caller) -> fp.Entries:
        entries, more = _fs(lambda: self.fs.readdir(r.ino, r.start))
        return fp.Entries(list(entries), more)

    def do_sync(self, r: fp.Sync, c: Caller) -> fp.Ok:
        _fs(self.fs.sync)
        return fp.Ok()

    def do_statfs(self, r: fp.Statfs, c: Caller) -> fp.FsInfo:
        # cacheable: only vfs changes this file system, and what was answered is on the
        # disk (written through), so it outlives this process
        return msgspec.structs.replace(_fs(self.fs.statfs), cacheable=True, shared=True)
