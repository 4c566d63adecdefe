"""bootfs: the read-only boot file system, Pith's own commands at /boot/bin.

As MINIX's boot image or Linux's initramfs, it brings the programs a system
needs to come up, whatever disk it boots: an image made by `mkfs.minix -3`
with no /bin still has a working shell, from /boot/bin (PATH is /bin:/boot/bin).
At start it reads Pith's commands (pith/bin/*.py, part of the Pith package
every process may read) into memory; the tree is fixed from then on:

    /           the root (mounted at /boot)
    /bin        one regular file per command, mode 0755

It speaks the fs protocol like any file system; anything that would change it gets EROFS.
"""

from __future__ import annotations

import stat
import time
from pathlib import Path

from pith.lib.server import Caller, Server, ServiceError
from pith.protocols import fs as fp

__all__ = ["BIN", "BootfsServer"]

BIN = Path(__file__).resolve().parents[2] / "bin"  # pith/bin
BIN_INO = 2  # inode numbers: root 1, bin 2, files from 3 in name order
DIR, FILE = stat.S_IFDIR | 0o555, stat.S_IFREG | 0o755


def commands(source: Path = BIN) -> dict[str, bytes]:
    """Pith's commands by file name (NAME.py), read from `source`."""
    return {p.name: p.read_bytes() for p in sorted(source.glob("*.py"))
            if p.name != "__init__.py"}


class BootfsServer(Server):
    requests = fp.FsRequest
    endpoint = "bootfs"

    def setup(self) -> None:
        self.files = commands()
        self.names = list(self.files)  # file i has inode 3 + i
        self.when = int(time.time())

    def _attr(self, ino: int) -> fp.Attr:
        t = self.when
        if ino in (fp.ROOT, BIN_INO):
            return fp.Attr(ino, DIR, 2, 0, 0, 0, t, t, t)
        return fp.Attr(ino, FILE, 1, 0, 0, len(self._data(ino)), t, t, t)

    def _data(self, ino: int) -> bytes:
        if not 3 <= ino < 3 + len(self.names):
            raise ServiceError("ENOENT", f"no inode {ino} in bootfs")
        return self.files[self.names[ino - 3]]

    def _entries(self, ino: int) -> list[tuple[str, int]]:
        if ino == fp.ROOT:
            return [(".", fp.ROOT), ("..", fp.ROOT), ("bin", BIN_INO)]
        if ino == BIN_INO:
            return [(".", BIN_INO), ("..", fp.ROOT),
                    *((name, 3 + i) for i, name in enumerate(self.names))]
        self._data(ino)  # ENOENT for an inode that is not there
        raise ServiceError("ENOTDIR", f"inode {ino} is not a directory")

    # --- the fs protocol -------------------------------------------------------------------

    def do_lookup(self, r: fp.Lookup, c: Caller) -> fp.Attr:
        for name, ino in self._entries(r.dir):
            if name == r.name:
                return self._attr(ino)
        raise ServiceError("ENOENT", f"no {r.name} in /boot")

    def do_stat(self, r: fp.Stat, c: Caller) -> fp.Attr:
        return self._attr(r.ino)

    def do_read(self, r: fp.Read, c: Caller) -> fp.Data:
        if r.ino in (fp.ROOT, BIN_INO):
            raise ServiceError("EISDIR", "a directory")
        if r.offset < 0 or not 0 <= r.size <= fp.MAX_IO:
            raise ServiceError("EINVAL", "bad offset or size")
        return fp.Data(self._data(r.ino)[r.offset:r.offset + r.size])

    def do_readdir(self, r: fp.Readdir, c: Caller) -> fp.Entries:
        if r.start < 0:
            raise ServiceError("EINVAL", "bad start")
        return fp.Entries(self._entries(r.ino)[r.start:], False)

    def do_readlink(self, r: fp.Readlink, c: Caller) -> fp.Target:
        self._attr(r.ino)
        raise ServiceError("EINVAL", "no symlinks in /boot")

    def do_statfs(self, r: fp.Statfs, c: Caller) -> fp.FsInfo:
        size = sum(len(d) for d in self.files.values())
        return fp.FsInfo(1024, -(-size // 1024), 0, 2 + len(self.files), 0, 255,
                         cacheable=True)  # (read-only: nothing ever changes)

    def do_sync(self, r: fp.Sync, c: Caller) -> fp.Ok:
        return fp.Ok()

    def _read_only(self, r: object, c: Caller) -> fp.Ok:
        raise ServiceError("EROFS", "/boot is read-only")

    do_write = do_truncate = do_set_attr = do_create = do_mkdir = _read_only
    do_symlink = do_link = do_unlink = do_rmdir = do_rename = _read_only
