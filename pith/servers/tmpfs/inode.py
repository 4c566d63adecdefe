"""tmpfs's state: its inodes (a file's bytes, a directory's entries, a symlink's target), its
limits, and the checks every request's names and sizes pass. Touched only by tmpfs's server.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field

from pith.lib.server import ServiceError
from pith.protocols import fs

__all__ = [
    "BLOCK", "DEFAULT_INODES", "DEFAULT_SIZE", "ENTRIES_BUDGET", "LINK_MAX", "NAME_MAX",
    "SYMLINK_MAX", "Inode", "check_io", "check_name", "parse_size",
]

DEFAULT_SIZE = 64 * 1024 * 1024
DEFAULT_INODES = 65536
NAME_MAX = 255
SYMLINK_MAX = 4095
LINK_MAX = 65000
BLOCK = 4096
ENTRIES_BUDGET = 32 * 1024  # bytes of names in one Entries reply
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


@dataclass(eq=False)
class Inode:
    ino: int
    mode: int
    nlinks: int
    atime: int
    mtime: int
    ctime: int
    data: bytearray = field(default_factory=bytearray)  # a regular file's bytes
    entries: dict[str, int] = field(default_factory=dict)  # a directory's, without . and ..
    parent: int = fs.ROOT  # a directory's ".."
    target: str = ""  # a symlink's
    uid: int = 0
    gid: int = 0

    @property
    def isdir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    def size(self) -> int:
        if self.isdir:
            return len(self.entries) + 2
        return len(self.target.encode()) if stat.S_ISLNK(self.mode) else len(self.data)

    def attr(self) -> fs.Attr:
        return fs.Attr(self.ino, self.mode, self.nlinks, self.uid, self.gid, self.size(),
                       self.atime, self.mtime, self.ctime)


def parse_size(text: str) -> int:
    """"64M" -> 67108864; plain numbers are bytes."""
    unit = text[-1:].upper() if text[-1:].isalpha() else ""
    if unit not in _UNITS:
        raise ValueError(f"bad size {text!r}")
    return int(text[: len(text) - len(unit)]) * _UNITS[unit]


def check_name(name: str) -> None:
    if not name or "/" in name or "\0" in name:
        raise ServiceError("EINVAL", f"bad name {name!r}")
    if len(name.encode()) > NAME_MAX:
        raise ServiceError("ENAMETOOLONG", f"name longer than {NAME_MAX} bytes")


def check_io(offset: int, size: int) -> None:
    if offset < 0 or size < 0:
        raise ServiceError("EINVAL", "negative offset or size")
    if size > fs.MAX_IO:
        raise ServiceError("EINVAL", f"more than {fs.MAX_IO} bytes in one request")
