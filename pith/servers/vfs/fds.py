"""File descriptors: per-process tables of slots, each naming a shared open-file description.

An open-file description (`File` on a file system, `PipeEnd` on a pipe,
`Terminal` on /dev/tty or /dev/console) holds the offset and flags; dup, dup2
and Inherit make more slots naming the same description (sharing its offset),
and `refs` counts them. The last slot's close releases the description (for a
pipe end: the pipe loses a reader or a writer). A slot's own flag is close-on-exec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pith.lib.server import ServiceError
from pith.protocols.vfs import O_ACCMODE, O_RDONLY, O_WRONLY
from pith.servers.vfs.paths import Loc
from pith.servers.vfs.pipes import Answers, Pipe

__all__ = ["MAX_FDS", "Description", "File", "PipeEnd", "Proc", "Slot", "Terminal"]

MAX_FDS = 1024


@dataclass(eq=False)
class File:
    loc: Loc
    flags: int
    offset: int = 0
    refs: int = 0

    @property
    def readable(self) -> bool:
        return self.flags & O_ACCMODE != O_WRONLY

    @property
    def writable(self) -> bool:
        return self.flags & O_ACCMODE != O_RDONLY

    def release(self) -> Answers:
        return []


@dataclass(eq=False)
class PipeEnd:
    pipe: Pipe
    writing: bool
    refs: int = 0

    @property
    def readable(self) -> bool:
        return not self.writing

    @property
    def writable(self) -> bool:
        return self.writing

    def release(self) -> Answers:
        return self.pipe.close(self.writing)


@dataclass(eq=False)
class Terminal(File):
    """The console: reads wait for typed input, writes go to the tty driver; no offset."""

    err: bool = False  # /dev/console: output to the host's stderr


Description = File | PipeEnd


@dataclass(eq=False)
class Slot:
    desc: Description
    cloexec: bool = False


@dataclass(eq=False)
class Proc:
    """One client's state: its fd table and working directory."""

    cwd: Loc
    fds: dict[int, Slot] = field(default_factory=dict)
    umask: int = 0o022  # the file-creation mask (as a Linux login's)

    def get(self, fd: int) -> Description:
        if fd not in self.fds:
            raise ServiceError("EBADF", f"fd {fd} is not open")
        return self.fds[fd].desc

    def free(self, count: int = 1) -> list[int]:
        """The `count` lowest free fds (EMFILE if there are not so many)."""
        out = [fd for fd in range(len(self.fds) + count) if fd not in self.fds][:count]
        if len(out) < count or out[-1] >= MAX_FDS:
            raise ServiceError("EMFILE", "too many open files")
        return out

    def put(self, fd: int, desc: Description, cloexec: bool = False) -> int:
        desc.refs += 1
        self.fds[fd] = Slot(desc, cloexec)
        return fd

    def close(self, fd: int) -> Answers:
        self.get(fd)
        desc = self.fds.pop(fd).desc
        desc.refs -= 1
        return desc.release() if desc.refs == 0 else []

    def copy(self) -> Proc:
        child = Proc(self.cwd, umask=self.umask)
        for fd, slot in self.fds.items():
            child.put(fd, slot.desc, slot.cloexec)
        return child
