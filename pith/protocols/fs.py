"""The file-system protocol: what vfs asks of a file-system server (mfs, tmpfs, procfs).

vfs is the only client. It walks paths itself, one component at a time, with
`Lookup`; every other request names inodes by number. A file system answers
with `Attr` (an inode's metadata), `Data`, `Entries`, `Target`, `Written`,
`FsInfo` or `Ok`, or refuses with the framework's `Failure(error, message)`,
where `error` is a POSIX errno name ("ENOENT", "EEXIST", "ENOTDIR", "EISDIR",
"ENOTEMPTY", "ENOSPC", "ENAMETOOLONG", "EINVAL", "EFBIG", "EMLINK", "EROFS",
"EIO"). A refused request changes nothing.

Data moves inline, at most MAX_IO bytes a request; vfs splits larger reads and
writes. A file system that answers `Statfs` with `shared=True` (mfs) also moves file data
through a Memory buffer: vfs sends one with `Attach` (the cap along), then `ReadShared`
fills it from its start (answered `Moved`) and `WriteShared` writes from it (answered
`Written`), as many bytes as the buffer holds. A file system that lost the buffer (it
restarted) answers ESTALE, and vfs attaches again. Names are str (1..60 UTF-8 bytes on
MINIX v3; "/" and NUL never).
Modes are POSIX st_mode values (file type bits included).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = [
    "MAX_IO",
    "ROOT",
    "Attach",
    "Attr",
    "Create",
    "Data",
    "Entries",
    "FsInfo",
    "FsReply",
    "FsRequest",
    "Link",
    "Lookup",
    "Mkdir",
    "Moved",
    "Ok",
    "Read",
    "ReadShared",
    "Readdir",
    "Readlink",
    "Rename",
    "Rmdir",
    "SetAttr",
    "SharedRequest",
    "Stat",
    "Statfs",
    "Symlink",
    "Sync",
    "Target",
    "Truncate",
    "Unlink",
    "Write",
    "WriteShared",
    "Written",
]

MAX_IO = 48 * 1024  # bytes of file data in one request or reply
ROOT = 1  # the root directory's inode number on every Pith file system

# What a request's numbers may be, checked when it is decoded (a request out of range is
# EINVAL before any handler runs): inode numbers, uids and times fit MINIX's 32 bits, a
# mode is st_mode's 16, offsets and sizes are not negative and fit an off_t.
Ino = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
Id = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
Time = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]
Mode = Annotated[int, msgspec.Meta(ge=0, le=0o177777)]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class Attr(msgspec.Struct, frozen=True, tag=True):
    """An inode's metadata (times in whole seconds since the epoch)."""

    ino: int
    mode: int
    nlinks: int
    uid: int
    gid: int
    size: int
    atime: int
    mtime: int
    ctime: int


class Lookup(msgspec.Struct, frozen=True, tag=True):
    dir: Ino
    name: str


class Stat(msgspec.Struct, frozen=True, tag=True):
    ino: Ino


class Read(msgspec.Struct, frozen=True, tag=True):
    ino: Ino
    offset: Count
    size: Count


class Write(msgspec.Struct, frozen=True, tag=True):
    ino: Ino
    offset: Count
    data: bytes


class Attach(msgspec.Struct, frozen=True, tag=True):
    """Use the Memory cap sent along as vfs's file-data buffer (`shared` file systems)."""


class ReadShared(msgspec.Struct, frozen=True, tag=True):
    """Read: up to `size` bytes at `offset` into the attached buffer, from its start."""

    ino: Ino
    offset: Count
    size: Count


class WriteShared(msgspec.Struct, frozen=True, tag=True):
    """Write: the first `size` bytes of the attached buffer at `offset`."""

    ino: Ino
    offset: Count
    size: Count


class Truncate(msgspec.Struct, frozen=True, tag=True):
    ino: Ino
    size: Count


class SetAttr(msgspec.Struct, frozen=True, tag=True):
    """Change mode permission bits, owner or times; None leaves a field as it is."""

    ino: Ino
    mode: Mode | None = None
    uid: Id | None = None
    gid: Id | None = None
    atime: Time | None = None
    mtime: Time | None = None


class Create(msgspec.Struct, frozen=True, tag=True):
    """A new regular file (or other non-directory) `name` in `dir`, with `mode`."""

    dir: Ino
    name: str
    mode: Mode


class Mkdir(msgspec.Struct, frozen=True, tag=True):
    dir: Ino
    name: str
    mode: Mode


class Symlink(msgspec.Struct, frozen=True, tag=True):
    dir: Ino
    name: str
    target: str


class Readlink(msgspec.Struct, frozen=True, tag=True):
    ino: Ino


class Link(msgspec.Struct, frozen=True, tag=True):
    """A new name `name` in `dir` for the existing non-directory `ino`."""

    dir: Ino
    name: str
    ino: Ino


class Unlink(msgspec.Struct, frozen=True, tag=True):
    """Remove the non-directory `name` from `dir`."""

    dir: Ino
    name: str


class Rmdir(msgspec.Struct, frozen=True, tag=True):
    """Remove the empty directory `name` from `dir`."""

    dir: Ino
    name: str


class Rename(msgspec.Struct, frozen=True, tag=True):
    """POSIX rename: replaces an existing target of a compatible kind."""

    src_dir: Ino
    src_name: str
    dst_dir: Ino
    dst_name: str


class Readdir(msgspec.Struct, frozen=True, tag=True):
    """Directory entries from index `start` on ("." and ".." included)."""

    ino: Ino
    start: Count = 0


class Sync(msgspec.Struct, frozen=True, tag=True):
    """Write every dirty buffer to the device."""


class Statfs(msgspec.Struct, frozen=True, tag=True):
    pass


class Data(msgspec.Struct, frozen=True, tag=True):
    data: bytes


class Moved(msgspec.Struct, frozen=True, tag=True):
    """`count` bytes are in the attached buffer (fewer than asked: the file ended)."""

    count: int


class Written(msgspec.Struct, frozen=True, tag=True):
    count: int
    attr: Attr


class Entries(msgspec.Struct, frozen=True, tag=True):
    """(name, inode) pairs; `more` when the directory has entries past these."""

    entries: list[tuple[str, int]]
    more: bool


class Target(msgspec.Struct, frozen=True, tag=True):
    target: str


class FsInfo(msgspec.Struct, frozen=True, tag=True):
    block_size: int
    blocks: int
    free_blocks: int
    inodes: int
    free_inodes: int
    name_max: int
    # True: names and attributes change only through vfs's requests and survive this
    # server's restart, so vfs may cache them (pith/servers/vfs/names.py)
    cacheable: bool = False
    shared: bool = False  # True: Attach, ReadShared and WriteShared are served


class Ok(msgspec.Struct, frozen=True, tag=True):
    pass


FsRequest = (
    Lookup | Stat | Read | Write | Truncate | SetAttr | Create | Mkdir | Symlink | Readlink
    | Link | Unlink | Rmdir | Rename | Readdir | Sync | Statfs
)
SharedRequest = Attach | ReadShared | WriteShared  # served by a `shared` file system
FsReply = Attr | Data | Moved | Written | Entries | Target | FsInfo | Ok
