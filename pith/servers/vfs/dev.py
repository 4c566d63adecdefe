"""/dev: a small file system served inside vfs, mounted like any other (an `FsClient`).

    null     reads end of file at once; writes are swallowed
    zero     reads zeros; writes are swallowed
    tty      the console (character devices, mode S_IFCHR|0o666): vfs itself serves
    console  their reads (typed input, console.py) and writes (tty `Output`)

It answers fs-protocol requests as a file system would, so path resolution, Stat,
Listdir and Fstat need nothing special; only opening `tty` or `console` makes a
`Terminal` description instead of a `File` (server.py). Names are fixed: creating,
removing or renaming anything here is EROFS.
"""

from __future__ import annotations

import stat
import time
from typing import Any

from pith.lib.server import ServiceError
from pith.protocols import fs
from pith.protocols import vfs as vp

__all__ = ["CONSOLE", "NODES", "NULL", "TTY", "ZERO", "DevFs"]

NULL, ZERO, TTY, CONSOLE = vp.DEV_NULL, vp.DEV_ZERO, vp.DEV_TTY, vp.DEV_CONSOLE
NODES = {"null": NULL, "zero": ZERO, "tty": TTY, "console": CONSOLE}
CHAR = stat.S_IFCHR | 0o666
DIR = stat.S_IFDIR | 0o755


class DevFs:
    def __init__(self) -> None:
        self.born = int(time.time())

    def attr(self, ino: int) -> fs.Attr:
        if ino == fs.ROOT:
            return fs.Attr(ino, DIR, 2, 0, 0, 0, self.born, self.born, self.born)
        if ino not in NODES.values():
            raise ServiceError("ESTALE", f"no inode {ino} in /dev")
        return fs.Attr(ino, CHAR, 1, 0, 0, 0, self.born, self.born, self.born)

    def call(self, request: Any, timeout: float | None = None,
             caps: tuple[int, ...] = ()) -> Any:
        """One fs-protocol request, answered at once."""
        match request:
            case fs.Lookup(dir=fs.ROOT, name="." | ".."):
                return self.attr(fs.ROOT)
            case fs.Lookup(dir=fs.ROOT, name=name) if name in NODES:
                return self.attr(NODES[name])
            case fs.Lookup(dir=fs.ROOT, name=name):
                raise ServiceError("ENOENT", f"no /dev/{name}")
            case fs.Lookup():
                raise ServiceError("ENOTDIR", "not a directory")
            case fs.Stat(ino=ino):
                return self.attr(ino)
            case fs.Readdir(ino=fs.ROOT, start=start):
                entries = [(".", fs.ROOT), ("..", fs.ROOT), *NODES.items()]
                return fs.Entries(entries[start:], False)
            case fs.Read(ino=ino, size=size) if ino in (NULL, ZERO):
                return fs.Data(bytes(size) if ino == ZERO else b"")
            case fs.Write(ino=ino, data=data) if ino in (NULL, ZERO):
                return fs.Written(len(data), self.attr(ino))
            case fs.Truncate(ino=ino) if ino in (NULL, ZERO):
                return fs.Ok()
            case fs.Statfs():
                return fs.FsInfo(4096, 0, 0, len(NODES) + 1, 0, 255)
            case fs.Sync():
                return fs.Ok()
            case fs.Readlink():
                raise ServiceError("EINVAL", "not a symlink")
            case fs.Read() | fs.Write() | fs.Truncate() | fs.Readdir():
                raise ServiceError("EINVAL", "not for this device")
        raise ServiceError("EROFS", "/dev's names are fixed")
