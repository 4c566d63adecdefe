"""This process's data buffer, shared with vfs: how large reads and writes skip messages.

Made on first use (`borrowed()`): a Memory object of vp.MAX_SHARED bytes, mapped
writable here and sent to vfs once (`Share`, the cap along); `ReadShared` and
`WriteShared` then move up to that many bytes a call (docs/vfs.md, "Data"). Rules:
- One thread at a time: a thread that finds it busy (another's read waits on a pipe, say)
  gets None and uses messages, as does a process whose vfs refused it (no GRANT on its
  vfs cap, say), for good.
- A call cut short by anything but an OSError (^C's KeyboardInterrupt, while vfs may
  still be using the buffer) retires it: the next use makes a fresh one, so no late write
  of vfs's lands in bytes a later call reads, and no write takes bytes meant for another.
- vfs restarted (it answers ESTALE): `call` shares the buffer again and asks once more.
The kernel frees the Memory object when its last cap goes: this process's at its death,
vfs's when it forgets the process (pm's `Forget`) or is given a newer buffer.
Entry points: `borrowed()`, `call(request)`.
"""

from __future__ import annotations

import errno
import mmap
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import msgspec

from pith.kernel.core.errors import KernelError
from pith.lib.posix.errors import raise_for
from pith.lib.posix.services import services, vfs
from pith.lib.server import ServiceError
from pith.lib.syscall import gate
from pith.protocols import vfs as vp

__all__ = ["borrowed", "call"]

_lock = threading.Lock()  # held by the thread using the buffer
_now: list[tuple[int, mmap.mmap]] = []  # (the Memory cap's slot, its mapping), once made
_retired: list[int] = []  # slots of buffers retired, to delete at the next make
_refused: list[bool] = []  # vfs refused a buffer: messages for good


@contextmanager
def borrowed() -> Iterator[mmap.mmap | None]:
    """The buffer, for this thread alone until the block ends; None: use messages."""
    if _refused or not _lock.acquire(blocking=False):
        yield None
        return
    try:
        buffer = _now[0][1] if _now else _make()
        try:
            yield buffer
        except OSError:
            raise
        except BaseException:
            if _now:
                _retired.append(_now.pop()[0])  # (its mapping goes with the last reference)
            raise
    finally:
        _lock.release()


def call(request: msgspec.Struct) -> Any:
    """Ask vfs `request` (ReadShared or WriteShared); shared again if vfs lost the buffer."""
    try:
        return vfs(request)
    except OSError as e:
        if e.errno != errno.ESTALE or not _now:
            raise
    _share(_now[0][0])
    return vfs(request)


def _make() -> mmap.mmap | None:
    g = gate()
    for old in _retired:
        with suppress(KernelError):
            g.cap_delete(old)
    _retired.clear()
    slot: int | None = None
    try:
        slot = g.memory_create(vp.MAX_SHARED)
        buffer = g.memory_map(slot, writable=True)
        services().vfs.call(vp.Share(), caps=(slot,))
    except (KernelError, ServiceError):
        _refused.append(True)
        if slot is not None:
            with suppress(KernelError):
                g.cap_delete(slot)
        return None
    _now[:] = [(slot, buffer)]
    return buffer


def _share(slot: int) -> None:
    try:
        services().vfs.call(vp.Share(), caps=(slot,))
    except (KernelError, ServiceError) as e:
        raise raise_for(e) from None
