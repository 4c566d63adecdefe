"""vfs's name and attribute cache: one per mount of a file system that allows it.

What it keeps: `(dir, name) -> ino` (0: the name is absent, a negative entry) and
`ino -> Attr`, learned from the file system's own answers to `Lookup`, `Stat` and the
requests that make files. A cached `Lookup` or `Stat` is answered with no call.

Why it stays true: vfs is the only client of every file system (only it holds their
caps), so nothing changes a file system but vfs's own requests. Before each request
is sent, `forget` drops what it may change: a file's attributes for Write (and
WriteShared), Truncate and SetAttr; everything for a request that changes names
(Create, Mkdir, Symlink, Link, Unlink, Rmdir, Rename) or one it does not know. A file
system whose contents change by themselves (procfs) or do not survive its restart
(tmpfs) answers `Statfs` with `cacheable=False` and gets no cache; mfs and bootfs keep
what they answered across a restart (mfs writes through before it answers), and a
request re-issued to a restarted server empties the cache anyway (`Mount.call`).

Entry points: `answer` (a reply from the cache, or None), `forget`, `learn`, `clear`.
"""

from __future__ import annotations

from typing import Any

from pith.lib.server import ServiceError
from pith.protocols import fs

__all__ = ["MAX_NAMES", "NameCache"]

MAX_NAMES = 8192  # entries of each kind a mount keeps; past it the cache starts again

_READS = (fs.Lookup, fs.Stat, fs.Read, fs.Readdir, fs.Readlink, fs.Statfs, fs.Sync,
          fs.Attach, fs.ReadShared)
_ATTR_CHANGES = (fs.Write, fs.WriteShared, fs.Truncate, fs.SetAttr)
_MAKES = (fs.Create, fs.Mkdir, fs.Symlink)


class NameCache:
    def __init__(self) -> None:
        self.names: dict[tuple[int, str], int] = {}  # (dir, name) -> ino; 0: no such name
        self.attrs: dict[int, fs.Attr] = {}
        self.hits = self.misses = 0

    def clear(self) -> None:
        self.names.clear()
        self.attrs.clear()

    def answer(self, request: Any) -> fs.Attr | None:
        """The cached reply to a Lookup or Stat; None: ask the file system.
        A negative entry raises ENOENT, as the file system would."""
        if isinstance(request, fs.Lookup):
            ino = self.names.get((request.dir, request.name))
            if ino == 0:
                self.hits += 1
                raise ServiceError("ENOENT", f"no {request.name!r} in directory {request.dir}")
            attr = None if ino is None else self.attrs.get(ino)
        elif isinstance(request, fs.Stat):
            attr = self.attrs.get(request.ino)
        else:
            return None
        if attr is None:
            self.misses += 1
        else:
            self.hits += 1
        return attr

    def forget(self, request: Any) -> None:
        """Before `request` is sent: drop what it may change."""
        if isinstance(request, _READS):
            return
        if isinstance(request, _ATTR_CHANGES):
            self.attrs.pop(request.ino, None)
        else:
            self.clear()

    def learn(self, request: Any, reply: Any) -> None:
        """After the file system answered `request` with `reply`."""
        if not isinstance(reply, fs.Attr):
            return
        if len(self.names) >= MAX_NAMES or len(self.attrs) >= MAX_NAMES:
            self.clear()
        if isinstance(request, (fs.Lookup, *_MAKES)):
            self.names[request.dir, request.name] = reply.ino
            self.attrs[reply.ino] = reply
        elif isinstance(request, fs.Stat):
            self.attrs[reply.ino] = reply

    def refused(self, request: Any, error: ServiceError) -> None:
        """The file system refused `request`: remember an absent name."""
        if isinstance(request, fs.Lookup) and error.error == "ENOENT":
            if len(self.names) >= MAX_NAMES:
                self.clear()
            self.names[request.dir, request.name] = 0
        elif not isinstance(request, _READS):
            self.clear()  # (a change that failed half-way: trust nothing)
