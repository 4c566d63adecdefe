"""File data through Memory: the buffers vfs shares with processes and with file systems.

A process's large reads and writes do not travel in messages (docs/design.md, "File data
through Memory"): the process sends vfs a Memory object once (`Share`), and
`ReadShared`/`WriteShared` move bytes between it and a file. `Shares` holds those
buffers by badge. The kernel revokes vfs's cap when the process dies (it revokes every
cap derived from a dying process's), so the Memory object dies with the process; vfs
unmaps it with the process's other state (`Forget`), and deletes its cap when the
process shares a newer one (checked to name the same object still: a revoked cap's slot
may hold another since). Between vfs and a `shared` file system (mfs), `FsData` is one
Memory buffer per mount, attached once (fs `Attach`), again after the file system
restarted (it answers ESTALE). vfs copies between the two buffers: one copy in vfs, none
in the kernel, and one request a buffer's worth of data.

What it may touch: the kernel's Memory syscalls through `gate_of`, the file system
through `Mount.call`. Entry points: `Shares` (`share`, `get`, `drop`), `FsData`
(`read`, `write`), `read_into`, `write_from`.
"""

from __future__ import annotations

import contextlib
import mmap
from collections.abc import Callable
from typing import TYPE_CHECKING

from pith.kernel.core.errors import KernelError
from pith.kernel.core.rights import READ, WRITE
from pith.lib.server import ServiceError
from pith.lib.syscall import Gate
from pith.protocols import fs
from pith.protocols.vfs import MAX_SHARED

if TYPE_CHECKING:
    from pith.servers.vfs.paths import Loc, Mount

__all__ = ["FS_BUFFER", "FsData", "Shares", "read_into", "write_from"]

FS_BUFFER = 1 << 20  # bytes of the buffer vfs attaches to each shared file system


class Shares:
    """The buffers processes shared with vfs, by badge."""

    def __init__(self, gate_of: Callable[[], Gate]) -> None:
        self.gate_of = gate_of
        self.buffers: dict[int, tuple[int, int, mmap.mmap]] = {}  # (slot, object, map)

    def share(self, badge: int, slot: int) -> None:
        """Map Memory `slot` (sent by `badge`) writable as its buffer, replacing an older
        one; EINVAL if it is no writable Memory of at most MAX_SHARED bytes (the server
        deletes a cap it did not keep)."""
        g = self.gate_of()
        try:
            obj = g.cap_info(slot).object
            buffer = g.memory_map(slot, writable=True)
        except KernelError as e:
            raise ServiceError("EINVAL", f"Share: not a writable Memory cap: {e}") from None
        size = len(buffer)
        if size > MAX_SHARED:
            buffer.close()
            raise ServiceError("EINVAL", f"Share: {size} bytes, at most {MAX_SHARED}")
        self.drop(badge)
        self.buffers[badge] = (slot, obj, buffer)

    def get(self, badge: int, size: int) -> memoryview:
        """The first `size` bytes (at most the buffer's) of `badge`'s buffer; ESTALE if it
        shared none (vfs restarted since: it shares again)."""
        found = self.buffers.get(badge)
        if found is None:
            raise ServiceError("ESTALE", "no buffer shared with vfs")
        if size < 0:
            raise ServiceError("EINVAL", "negative size")
        return memoryview(found[2])[:size]

    def drop(self, badge: int) -> None:
        """Forget `badge`'s buffer: unmapped, its cap deleted if it is still there."""
        found = self.buffers.pop(badge, None)
        if found is not None:
            found[2].close()
            with contextlib.suppress(KernelError):
                self.gate_of().cap_delete_if(found[0], found[1])


class FsData:
    """vfs's buffer for one mount of a `shared` file system, made and attached on first use."""

    def __init__(self, mount: Mount, gate_of: Callable[[], Gate], size: int = FS_BUFFER) -> None:
        self.mount, self.gate_of, self.size = mount, gate_of, size
        self.memory: int | None = None
        self.buffer: mmap.mmap | None = None

    def _attach(self) -> mmap.mmap:
        g = self.gate_of()
        if self.buffer is None:
            self.memory = g.memory_create(self.size)
            self.buffer = g.memory_map(self.memory, writable=True)
        assert self.memory is not None
        grant = g.cap_copy(self.memory, READ | WRITE)
        try:
            self.mount.attach(grant)
        finally:
            with contextlib.suppress(KernelError):
                g.cap_delete(grant)
        return self.buffer

    def _call(self, request: fs.ReadShared | fs.WriteShared) -> tuple[mmap.mmap, object]:
        """The buffer and the file system's answer; attached first if need be, and again,
        with the request re-issued once, if the file system lost it (ESTALE)."""
        buffer = self.buffer if self.buffer is not None else self._attach()
        try:
            return buffer, self.mount.call(request)
        except ServiceError as e:
            if e.error != "ESTALE":
                raise
        buffer = self._attach()
        return buffer, self.mount.call(request)

    def read(self, ino: int, offset: int, out: memoryview) -> int:
        """Up to len(out) (at most `size`) bytes at `offset` into `out`: the count."""
        buffer, moved = self._call(fs.ReadShared(ino, offset, len(out)))
        assert isinstance(moved, fs.Moved)
        count = min(moved.count, len(out))
        out[:count] = memoryview(buffer)[:count]
        return count

    def write(self, ino: int, offset: int, data: memoryview) -> int:
        """`data` (at most `size` bytes) at `offset`: the count written."""
        if self.buffer is None:
            self._attach()
        assert self.buffer is not None
        self.buffer[:len(data)] = data
        _, written = self._call(fs.WriteShared(ino, offset, len(data)))
        assert isinstance(written, fs.Written)
        return written.count


def read_into(loc: Loc, offset: int, out: memoryview) -> int:
    """Up to len(out) bytes of the file at `offset` into `out`: the count (short only at
    the end of the file). Through the mount's FsData if it has one and one fs `Read`
    would not hold it all (measured: a small read is as fast inline), else in `Read`s."""
    data, got = loc.mount.data if len(out) > fs.MAX_IO else None, 0
    while got < len(out):
        want = min(data.size if data else fs.MAX_IO, len(out) - got)
        if data is not None:
            n = data.read(loc.ino, offset + got, out[got:got + want])
        else:
            chunk = loc.mount.call(fs.Read(loc.ino, offset + got, want)).data
            n = len(chunk)
            out[got:got + n] = chunk
        got += n
        if n < want:
            break
    return got


def write_from(loc: Loc, offset: int, data: memoryview) -> int:
    """`data` at `offset` of the file: the count written (short if a later request fails;
    an error if the first does). Through the mount's FsData if it has one and one fs
    `Write` would not hold it all."""
    fsdata, done = loc.mount.data if len(data) > fs.MAX_IO else None, 0
    while done < len(data) or not data:
        want = min(fsdata.size if fsdata else fs.MAX_IO, len(data) - done)
        try:
            if fsdata is not None:
                n = fsdata.write(loc.ino, offset + done, data[done:done + want])
            else:
                n = loc.mount.call(fs.Write(loc.ino, offset + done,
                                            bytes(data[done:done + want]))).count
        except ServiceError:
            if done == 0:
                raise
            break
        done += n
        if not data or n == 0:
            break
    return done
