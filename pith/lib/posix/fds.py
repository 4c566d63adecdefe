"""File descriptors: Pith's fd numbers are vfs's, and these are the os functions on them.

As CPython (PEP 446), fds a process makes are not inherited by the programs it
spawns: `open` adds O_CLOEXEC (except when the fd it gets is 0, 1 or 2: a process
that opens its standard fds, as init does, means them for its children too),
`pipe` asks for close-on-exec ends, and `dup`'s new fd is non-inheritable. vfs
knows close-on-exec only from Open and Pipe, so
`Inheritance` keeps, for the rest (`dup`, `set_inheritable(fd, False)`), the fds
vfs would pass on but this process does not want to: `posix_spawn` closes those
in the child. `set_inheritable(fd, True)` on a close-on-exec fd re-makes it with
Dup + Dup2 (which clear the flag, on the same open file).

Blocking: every fd is blocking (`set_blocking(fd, False)` is accepted and does
nothing). A write larger than one message is sent in pieces and answered with
the count written, as a blocking write to a file is; a read of a regular file
larger than one message is read in pieces too (Linux gives a file's bytes in full).
Reads and writes of more than SHARED_FROM bytes go through the data buffer this process
shares with vfs (buffer.py: a Memory object, vp.MAX_SHARED bytes a call, no message
copies); smaller ones, and any while the buffer is busy, in messages.
`open` with O_TMPFILE is EOPNOTSUPP (a file system without it: tempfile falls back).
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import signal
import stat
from collections.abc import Iterable
from typing import Any

from pith.lib.posix import buffer
from pith.lib.posix.errors import oserror
from pith.lib.posix.services import name_of, tty, vfs
from pith.lib.posix.status import stat_result
from pith.protocols import tty as tp
from pith.protocols import vfs as vp

__all__ = [
    "INHERIT",
    "Inheritance",
    "close",
    "closerange",
    "device_encoding",
    "dup",
    "dup2",
    "fstat",
    "fsync",
    "ftruncate",
    "get_blocking",
    "get_inheritable",
    "get_terminal_size",
    "isatty",
    "lseek",
    "open",
    "pipe",
    "pread",
    "pwrite",
    "read",
    "readv",
    "set_blocking",
    "set_inheritable",
    "ttyname",
    "write",
    "writev",
]

TMPFILE = os.O_TMPFILE & ~os.O_DIRECTORY  # (its own bit of O_TMPFILE: Pith has no unnamed files)
CHUNK = vp.MAX_READ  # bytes of data in one Write request (fits one kernel message)
SHARED_FROM = vp.MAX_READ  # reads and writes larger than one message use the shared buffer


class Inheritance:
    """Which fds are not to be inherited, beyond what vfs knows (see the module's top)."""

    def __init__(self) -> None:
        self.cloexec: set[int] = set()  # close-on-exec in vfs (Open with O_CLOEXEC, Pipe)
        self.kept: set[int] = set()  # inheritable in vfs, but not wanted in children

    def made(self, fd: int, cloexec: bool) -> None:
        self.forget(fd)
        (self.cloexec if cloexec else self.kept).add(fd)

    def forget(self, fd: int) -> None:
        self.cloexec.discard(fd)
        self.kept.discard(fd)

    def inheritable(self, fd: int) -> bool:
        return fd not in self.cloexec and fd not in self.kept


INHERIT = Inheritance()


def _no_dir_fd(dir_fd: int | None) -> None:
    if dir_fd is not None:
        raise NotImplementedError("dir_fd unavailable on this platform")


def open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
    _no_dir_fd(dir_fd)
    if flags & TMPFILE == TMPFILE:
        raise oserror("EOPNOTSUPP", "O_TMPFILE", path)  # (tempfile then makes a named file)
    flags |= vp.O_CLOEXEC
    fd: int = vfs(vp.Open(name_of(path), flags, mode), path).fd
    INHERIT.made(fd, cloexec=True)
    if fd <= 2:
        set_inheritable(fd, True)  # a standard fd opened anew is meant for children too
    return fd


def close(fd: int) -> None:
    vfs(vp.Close(fd))
    INHERIT.forget(fd)


def closerange(low: int, high: int) -> None:
    for fd in range(max(low, 0), min(high, 1025)):  # (vfs: at most 1024 fds)
        with contextlib.suppress(OSError):
            close(fd)


def read(fd: int, size: int) -> bytes:
    """Up to `size` bytes; from a regular file all of them unless the file ends first, as
    Linux reads (one Read message holds MAX_READ: a bigger read of a file takes several)."""
    if size < 0:
        raise ValueError("negative size")  # (CPython: OSError EINVAL from the host call)
    if size > SHARED_FROM:
        with buffer.borrowed() as shared:
            if shared is not None:
                return _read_shared(fd, size, shared)
    data: bytes = vfs(vp.Read(fd, min(size, vp.MAX_READ))).data
    if len(data) < vp.MAX_READ or size <= vp.MAX_READ or not stat.S_ISREG(fstat(fd).st_mode):
        return data  # (a pipe or terminal answers what it has: a short read is normal)
    pieces, got = [data], len(data)
    while got < size and pieces[-1]:
        pieces.append(vfs(vp.Read(fd, min(size - got, vp.MAX_READ))).data)
        got += len(pieces[-1])
    return b"".join(pieces)


def _read_shared(fd: int, size: int, shared: mmap.mmap) -> bytes:
    """`read` through the shared buffer: a file in calls of up to the buffer's size; a
    pipe or terminal answers in a message (Data), what it has."""
    pieces: list[bytes] = []
    got = 0
    while True:
        want = min(size - got, len(shared))
        reply = buffer.call(vp.ReadShared(fd, want))
        if isinstance(reply, vp.Data):
            return reply.data
        pieces.append(shared[:reply.count])
        got += reply.count
        if reply.count < want or got >= size:
            return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def readv(fd: int, buffers: Iterable[Any]) -> int:
    views = [memoryview(b).cast("B") for b in buffers]
    data = read(fd, sum(len(v) for v in views))
    at = 0
    for v in views:
        piece = data[at:at + len(v)]
        v[:len(piece)] = piece
        at += len(piece)
    return len(data)


def write(fd: int, data: Any) -> int:
    view = memoryview(data).cast("B")
    if len(view) > SHARED_FROM:
        with buffer.borrowed() as shared:
            if shared is not None:
                return _write_shared(fd, view, shared)
    done = 0
    while True:
        piece = bytes(view[done:done + CHUNK])
        try:
            count: int = vfs(vp.Write(fd, piece)).count
        except BrokenPipeError:
            _sigpipe()
            raise
        done += count
        if count < len(piece) or done >= len(view):
            return done


def _write_shared(fd: int, view: memoryview, shared: mmap.mmap) -> int:
    """`write` through the shared buffer, in calls of up to the buffer's size."""
    done = 0
    while True:
        n = min(len(view) - done, len(shared))
        shared[:n] = view[done:done + n]
        try:
            count: int = buffer.call(vp.WriteShared(fd, n)).count
        except BrokenPipeError:
            _sigpipe()
            raise
        done += count
        if count < n or done >= len(view):
            return done


def _sigpipe() -> None:
    """A write to a pipe nobody reads: as Linux, SIGPIPE to the writer, which dies of
    it unless it ignores or catches it (CPython ignores it: then EPIPE is raised)."""
    if signal.getsignal(signal.SIGPIPE) is not signal.SIG_IGN:
        signal.raise_signal(signal.SIGPIPE)  # (SIG_DFL: the process ends here, at once)


def writev(fd: int, buffers: Iterable[Any]) -> int:
    return write(fd, b"".join(bytes(memoryview(b)) for b in buffers))


def lseek(fd: int, position: int, how: int) -> int:
    offset: int = vfs(vp.Seek(fd, position, how)).offset
    return offset


def pread(fd: int, size: int, offset: int) -> bytes:
    """read at `offset`, the fd's position kept (not atomic: Pith has no pread)."""
    here = lseek(fd, 0, os.SEEK_CUR)
    try:
        lseek(fd, offset, os.SEEK_SET)
        return read(fd, size)
    finally:
        lseek(fd, here, os.SEEK_SET)


def pwrite(fd: int, data: Any, offset: int) -> int:
    here = lseek(fd, 0, os.SEEK_CUR)
    try:
        lseek(fd, offset, os.SEEK_SET)
        return write(fd, data)
    finally:
        lseek(fd, here, os.SEEK_SET)


def fstat(fd: int) -> os.stat_result:
    return stat_result(vfs(vp.Fstat(fd)))


def fsync(fd: Any) -> None:
    fd = fd if isinstance(fd, int) else fd.fileno()
    fstat(fd)  # (EBADF for a bad fd, as fsync)
    vfs(vp.Sync())


def ftruncate(fd: int, length: int) -> None:
    vfs(vp.Truncate(fd, length))


def dup(fd: int) -> int:
    new: int = vfs(vp.Dup(fd)).fd
    INHERIT.made(new, cloexec=False)
    return new


def dup2(fd: int, fd2: int, inheritable: bool = True) -> int:
    new: int = vfs(vp.Dup2(fd, fd2)).fd
    INHERIT.forget(new)
    if not inheritable:
        INHERIT.made(new, cloexec=False)
    return new


def pipe() -> tuple[int, int]:
    p = vfs(vp.Pipe(cloexec=True))
    INHERIT.made(p.read, cloexec=True)
    INHERIT.made(p.write, cloexec=True)
    return p.read, p.write


def get_inheritable(fd: int) -> bool:
    fstat(fd)
    return INHERIT.inheritable(fd)


def set_inheritable(fd: int, inheritable: bool) -> None:
    fstat(fd)
    if not inheritable:
        if INHERIT.inheritable(fd):
            INHERIT.made(fd, cloexec=False)
        return
    if fd in INHERIT.cloexec:  # Dup and Dup2 clear close-on-exec: the same file, inheritable
        spare = vfs(vp.Dup(fd)).fd
        try:
            vfs(vp.Dup2(spare, fd))
        finally:
            vfs(vp.Close(spare))
    INHERIT.forget(fd)


def get_blocking(fd: int) -> bool:
    fstat(fd)
    return True


def set_blocking(fd: int, blocking: bool) -> None:
    fstat(fd)  # (every Pith fd blocks; asking for non-blocking changes nothing)


def isatty(fd: int) -> bool:
    """True for /dev/tty and /dev/console: vfs's character devices with typed input."""
    try:
        st = vfs(vp.Fstat(fd))
    except OSError:
        return False
    return stat.S_ISCHR(st.mode) and st.ino in (vp.DEV_TTY, vp.DEV_CONSOLE)


def ttyname(fd: int) -> str:
    if not isatty(fd):
        raise oserror("ENOTTY")
    return "/dev/tty"


def device_encoding(fd: int) -> None:
    return None


def get_terminal_size(fd: int = 1) -> os.terminal_size:
    if not isatty(fd):
        raise oserror("ENOTTY")
    size: tp.Size = tty(tp.WindowSize())
    return os.terminal_size((size.columns, size.lines))


def check_fd(fd: int) -> None:
    """EBADF unless `fd` is open."""
    if fd < 0:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    fstat(fd)
