"""The vfs protocol: what a process asks of vfs (docs/vfs.md).

Every request names files by path or by file descriptor; the caller is known
by the badge on its vfs cap, which keys its fd table and working directory.
Replies are `Done`, `Opened`, `Data`, `Written`, `Position`, `Status`,
`Target`, `Names`, `Cwd`, `Piped` or `FsStatus`, or the framework's
`Failure(error, message)` with a POSIX errno name. A refused request changes
nothing.

`Inherit`, `Exec` and `Forget` are for the process manager, `ConsoleInput` and
`ConsoleFlush` (pith/protocols/tty.py) for the tty driver: they are accepted
only from badges 1..SYSTEM_BADGES-1 (system servers; commands run with badge
1000 and up, and badge 0 — an unbadged cap — is refused too). A process may
send `Exec` for its own badge.

A `Read` answers at most MAX_READ bytes (a short read, as POSIX allows), so
the reply fits one kernel message; a process's library loops. Larger reads and writes
go through a Memory buffer the process shares with vfs: `Share` (the Memory cap along,
at most MAX_SHARED bytes, mapped writable by vfs) once; then `ReadShared` puts a file's
bytes at the buffer's start (answered `Moved`) and `WriteShared` writes the buffer's
first bytes (`Written`), as many as the buffer holds. On a pipe or a terminal they are
`Read` and `Write` (a `ReadShared` is answered `Data`). With no buffer shared (vfs
restarted since) they are ESTALE, and the process shares again. vfs drops the buffer
with the process's other state (`Forget`).
"""

from __future__ import annotations

import msgspec

from pith.protocols.tty import ConsoleFlush, ConsoleInput

__all__ = [
    "DEV_CONSOLE",
    "DEV_NULL",
    "DEV_TTY",
    "DEV_ZERO",
    "MAX_READ",
    "MAX_SHARED",
    "O_ACCMODE",
    "O_APPEND",
    "O_CLOEXEC",
    "O_CREAT",
    "O_DIRECTORY",
    "O_EXCL",
    "O_NOFOLLOW",
    "O_RDONLY",
    "O_RDWR",
    "O_TRUNC",
    "O_WRONLY",
    "SEEK_CUR",
    "SEEK_END",
    "SEEK_SET",
    "SYSTEM_BADGES",
    "Chdir",
    "Close",
    "Cwd",
    "Data",
    "Done",
    "Dup",
    "Dup2",
    "Exec",
    "Forget",
    "ForgetUsers",
    "FsStatus",
    "Fstat",
    "Getcwd",
    "Inherit",
    "Link",
    "Listdir",
    "Mkdir",
    "Moved",
    "Names",
    "Open",
    "Opened",
    "Pipe",
    "Piped",
    "Position",
    "Read",
    "ReadShared",
    "Readlink",
    "Rename",
    "Rmdir",
    "Seek",
    "Share",
    "Stat",
    "Statfs",
    "Status",
    "Symlink",
    "Sync",
    "Target",
    "Truncate",
    "Unlink",
    "VfsReply",
    "VfsRequest",
    "Write",
    "WriteShared",
    "Written",
]

# Open flags: Linux's values, so a process's os.open flags pass unchanged.
O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE = 0, 1, 2, 3
O_CREAT = 0o100
O_EXCL = 0o200
O_TRUNC = 0o1000
O_APPEND = 0o2000
O_DIRECTORY = 0o200000
O_NOFOLLOW = 0o400000
O_CLOEXEC = 0o2000000
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2

MAX_READ = 56 * 1024  # bytes of data in one Data reply
MAX_SHARED = 1 << 20  # bytes of the largest buffer a process may share with vfs
SYSTEM_BADGES = 1000  # badges 1..999 may send Inherit, Exec and Forget
# /dev's inode numbers (vfs serves /dev itself): a console descriptor is a character
# device with inode TTY or CONSOLE
DEV_NULL, DEV_ZERO, DEV_TTY, DEV_CONSOLE = 2, 3, 4, 5


class Open(msgspec.Struct, frozen=True, tag=True):
    path: str
    flags: int = O_RDONLY
    mode: int = 0o666


class Close(msgspec.Struct, frozen=True, tag=True):
    fd: int


class Read(msgspec.Struct, frozen=True, tag=True):
    fd: int
    size: int


class Write(msgspec.Struct, frozen=True, tag=True):
    fd: int
    data: bytes


class Share(msgspec.Struct, frozen=True, tag=True):
    """Use the Memory cap sent along as this process's data buffer (replacing an older)."""


class ReadShared(msgspec.Struct, frozen=True, tag=True):
    """Read up to `size` bytes into the shared buffer, from its start."""

    fd: int
    size: int


class WriteShared(msgspec.Struct, frozen=True, tag=True):
    """Write the shared buffer's first `size` bytes."""

    fd: int
    size: int


class Seek(msgspec.Struct, frozen=True, tag=True):
    fd: int
    offset: int
    whence: int = SEEK_SET


class Stat(msgspec.Struct, frozen=True, tag=True):
    path: str
    follow: bool = True


class Fstat(msgspec.Struct, frozen=True, tag=True):
    fd: int


class Mkdir(msgspec.Struct, frozen=True, tag=True):
    path: str
    mode: int = 0o777


class Rmdir(msgspec.Struct, frozen=True, tag=True):
    path: str


class Unlink(msgspec.Struct, frozen=True, tag=True):
    path: str


class Rename(msgspec.Struct, frozen=True, tag=True):
    old: str
    new: str


class Link(msgspec.Struct, frozen=True, tag=True):
    """A new name `new` for the file `old` (a symlink itself, not followed)."""

    old: str
    new: str


class Symlink(msgspec.Struct, frozen=True, tag=True):
    target: str
    path: str


class Readlink(msgspec.Struct, frozen=True, tag=True):
    path: str


class Listdir(msgspec.Struct, frozen=True, tag=True):
    """The names in a directory ("." and ".." left out), from the `start`th on."""

    path: str
    start: int = 0


class SetAttr(msgspec.Struct, frozen=True, tag=True):
    """chmod and utime: the permission bits, or the access and modification times
    (seconds), of a file named by path (str; symlinks followed if `follow`) or by fd
    (int); None leaves one as it is."""

    file: str | int
    mode: int | None = None
    atime: int | None = None
    mtime: int | None = None
    follow: bool = True


class Umask(msgspec.Struct, frozen=True, tag=True):
    """Set the caller's file-creation mask (creates and mkdirs drop its bits); answered
    with the old one (`Masked`). A child inherits it, as it does its fds and cwd."""

    mask: int


class Truncate(msgspec.Struct, frozen=True, tag=True):
    """Set the size of a file named by path (str, followed) or by fd (int, open to write)."""

    file: str | int
    size: int


class Chdir(msgspec.Struct, frozen=True, tag=True):
    path: str


class Getcwd(msgspec.Struct, frozen=True, tag=True):
    pass


class Dup(msgspec.Struct, frozen=True, tag=True):
    fd: int


class Dup2(msgspec.Struct, frozen=True, tag=True):
    fd: int
    new: int


class Pipe(msgspec.Struct, frozen=True, tag=True):
    cloexec: bool = False


class Sync(msgspec.Struct, frozen=True, tag=True):
    pass


class Statfs(msgspec.Struct, frozen=True, tag=True):
    path: str


class Inherit(msgspec.Struct, frozen=True, tag=True):
    """(pm) Give `child` a copy of `parent`'s fd table and cwd, as fork does."""

    parent: int
    child: int


class Exec(msgspec.Struct, frozen=True, tag=True):
    """(pm) Close `badge`'s close-on-exec descriptors, as exec does."""

    badge: int


class Forget(msgspec.Struct, frozen=True, tag=True):
    """(pm) Close all of `badge`'s descriptors and drop its state, as exit does."""

    badge: int


class ForgetUsers(msgspec.Struct, frozen=True, tag=True):
    """(pm, at its start) Forget every user process (badges from SYSTEM_BADGES up): a pm
    that starts again after a crash has lost them all, and will reuse their badges."""


# -- replies ---------------------------------------------------------------------


class Done(msgspec.Struct, frozen=True, tag=True):
    pass


class Opened(msgspec.Struct, frozen=True, tag=True):
    fd: int


class Masked(msgspec.Struct, frozen=True, tag=True):
    old: int


class Data(msgspec.Struct, frozen=True, tag=True):
    data: bytes  # b"" at end of file


class Written(msgspec.Struct, frozen=True, tag=True):
    count: int


class Moved(msgspec.Struct, frozen=True, tag=True):
    """`count` bytes are at the shared buffer's start (0: end of file)."""

    count: int


class Position(msgspec.Struct, frozen=True, tag=True):
    offset: int


class Status(msgspec.Struct, frozen=True, tag=True):
    """A file's metadata, as os.stat_result has it (times in whole seconds)."""

    dev: int  # the mount's number (0: pipes)
    ino: int
    mode: int
    nlinks: int
    uid: int
    gid: int
    size: int
    atime: int
    mtime: int
    ctime: int


class Target(msgspec.Struct, frozen=True, tag=True):
    target: str


class Names(msgspec.Struct, frozen=True, tag=True):
    names: list[str]
    more: bool  # ask again from start + len(names)


class Cwd(msgspec.Struct, frozen=True, tag=True):
    path: str


class Piped(msgspec.Struct, frozen=True, tag=True):
    read: int
    write: int


class FsStatus(msgspec.Struct, frozen=True, tag=True):
    block_size: int
    blocks: int
    free_blocks: int
    inodes: int
    free_inodes: int
    name_max: int


class Readiness(msgspec.Struct, frozen=True, tag=True):
    """select's question about the caller's fds: which are readable and writable now.
    Answered at once (`Readied`), never waits: the posix layer asks again while it waits."""

    fds: list[int]


class FdReady(msgspec.Struct, frozen=True):
    fd: int
    readable: bool  # there are bytes to read (a pipe's or the console's; a file always)
    writable: bool  # there is room to write
    hangup: bool = False  # a pipe's read end whose writers are all gone (a read ends)
    bad: bool = False  # not an open fd


class Readied(msgspec.Struct, frozen=True, tag=True):
    fds: list[FdReady]


VfsRequest = (
    Open | Close | Read | Write | Seek | Stat | Fstat | Mkdir | Rmdir | Unlink | Rename | Link
    | Symlink | Readlink | Listdir | Truncate | SetAttr | Umask | Chdir | Getcwd | Dup | Dup2
    | Pipe | Sync | Statfs | Inherit | Exec | Forget | ForgetUsers | ConsoleInput | ConsoleFlush
    | Readiness | Share | ReadShared | WriteShared
)
VfsReply = (
    Done | Opened | Data | Written | Position | Status | Target | Names | Cwd | Piped | FsStatus
    | Masked | Readied | Moved
)
