"""Mounts and path resolution: from a path to (mount, inode), one Lookup a component
(answered from the mount's name cache when it can be: names.py).

A `Loc` names a file by mount and inode number. The mount table maps a
covered directory (mount, ino) to the mount on it; stepping into a covered
directory lands on the mounted root, and ".." at a mount's root steps from
the directory it covers. ".." at "/" is "/". Symlinks in the middle of a path
are always followed, at its end only when asked; more than MAX_LINKS in one
resolution is ELOOP.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pith.kernel.core.errors import KernelError, ServerDied
from pith.lib.server import ServiceError
from pith.protocols import fs
from pith.servers.vfs.names import NameCache

if TYPE_CHECKING:
    from pith.servers.vfs.shared import FsData

__all__ = ["MAX_LINKS", "NAME_MAX", "PATH_MAX", "FsClient", "Loc", "Mount", "Mounts", "Walk"]

PATH_MAX = 4096
NAME_MAX = 255
MAX_LINKS = 40
RETRY_TIMEOUT = 10.0  # seconds a re-issued request waits for a restarted file system


class FsClient(Protocol):
    def call(self, request: Any, timeout: float | None = None,
             caps: tuple[int, ...] = ()) -> Any: ...


@dataclass(eq=False)
class Mount:
    path: str
    client: FsClient
    dev: int  # 1, 2, … in mount order
    covers: Loc | None = None  # the directory it hides; None for "/"

    cache: NameCache | None = None  # names and attributes, if the file system allows
    data: FsData | None = None  # the file-data buffer, if the file system is `shared`

    def call(self, request: Any) -> Any:
        """One fs-protocol request, answered from the cache when it can be (names.py)."""
        cache = self.cache
        if cache is None:
            return self._call(request)
        cached = cache.answer(request)
        if cached is not None:
            return cached
        cache.forget(request)
        try:
            reply = self._call(request)
        except ServiceError as e:
            cache.refused(request, e)
            raise
        cache.learn(request, reply)
        return reply

    def attach(self, memory: int) -> None:
        """Give a `shared` file system Memory `memory` (a cap sent along) as its buffer."""
        self._call(fs.Attach(), (memory,))

    def _call(self, request: Any, caps: tuple[int, ...] = ()) -> Any:
        """A file system that died on a request is asked again, once (rs restarts it on
        the same endpoint); one that fails again, or is gone, is EIO."""
        extra: dict[str, Any] = {"caps": caps} if caps else {}  # (only a shared file
        # system takes caps: the others' clients need not know of them)
        try:
            return self.client.call(request, **extra)
        except ServerDied:
            if self.cache is not None:
                self.cache.clear()  # (what it answered before may not have been kept)
        except KernelError as e:
            raise ServiceError("EIO", f"file system on {self.path} failed: {e}") from e
        try:
            return self.client.call(request, timeout=RETRY_TIMEOUT, **extra)
        except KernelError as e:
            raise ServiceError("EIO", f"file system on {self.path} failed: {e}") from e


class Loc(NamedTuple):
    mount: Mount
    ino: int


def isdir(attr: fs.Attr) -> bool:
    return stat.S_ISDIR(attr.mode)


def islink(attr: fs.Attr) -> bool:
    return stat.S_ISLNK(attr.mode)


@dataclass
class Mounts:
    """The mount table."""

    root: Mount
    on: dict[tuple[int, int], Mount] = field(default_factory=dict)  # (dev, ino) covered

    def add(self, mount: Mount, covers: Loc) -> None:
        if (covers.mount.dev, covers.ino) in self.on:
            raise ServiceError("EBUSY", f"{mount.path} is already a mount point")
        mount.covers = covers
        self.on[covers.mount.dev, covers.ino] = mount

    def covering(self, loc: Loc) -> Mount | None:
        return self.on.get((loc.mount.dev, loc.ino))

    def enter(self, loc: Loc, attr: fs.Attr) -> tuple[Loc, fs.Attr]:
        """The mounted root if `loc` is covered, else `loc` itself."""
        while (m := self.covering(loc)) is not None:
            loc = Loc(m, fs.ROOT)
            attr = m.call(fs.Stat(fs.ROOT))
        return loc, attr


class Walk:
    """One resolution: counts the symlinks it follows."""

    def __init__(self, mounts: Mounts, cwd: Loc) -> None:
        self.mounts, self.cwd, self.links = mounts, cwd, 0

    def root(self) -> Loc:
        return Loc(self.mounts.root, fs.ROOT)

    def step(self, d: Loc, name: str) -> tuple[Loc, fs.Attr]:
        """Name `name` in directory `d`, crossing mounts both ways."""
        if name == "..":
            while d.ino == fs.ROOT and d.mount.covers is not None:
                d = d.mount.covers
        if len(name.encode()) > NAME_MAX:
            raise ServiceError("ENAMETOOLONG", f"name longer than {NAME_MAX} bytes")
        attr = d.mount.call(fs.Lookup(d.ino, name))
        return self.mounts.enter(Loc(d.mount, attr.ino), attr)

    def follow(self, d: Loc, link: Loc) -> tuple[Loc, fs.Attr]:
        """Where symlink `link`, found in `d`, points."""
        self.links += 1
        if self.links > MAX_LINKS:
            raise ServiceError("ELOOP", "too many levels of symbolic links")
        target = link.mount.call(fs.Readlink(link.ino)).target
        return self.node(target, True, start=d)

    def start(self, path: str, start: Loc | None) -> tuple[Loc, list[str]]:
        if len(path.encode()) > PATH_MAX:
            raise ServiceError("ENAMETOOLONG", f"path longer than {PATH_MAX} bytes")
        if not path:
            raise ServiceError("ENOENT", "empty path")
        if "\0" in path:
            raise ServiceError("EINVAL", "NUL in path")
        if path.startswith("/"):
            return self.root(), [c for c in path.split("/") if c]
        return start or self.cwd, [c for c in path.split("/") if c]

    def dirs(self, d: Loc, names: list[str]) -> Loc:
        """Walk directory names from `d`, following every symlink."""
        for name in names:
            loc, attr = self.step(d, name)
            if islink(attr):
                loc, attr = self.follow(d, loc)
            if not isdir(attr):
                raise ServiceError("ENOTDIR", f"{name!r} is not a directory")
            d = loc
        return d

    def parent(self, path: str, start: Loc | None = None) -> tuple[Loc, str, bool]:
        """(directory, last name, trailing slash); the last name of "/" is "."."""
        d, names = self.start(path, start)
        if not names:
            return d, ".", True
        return self.dirs(d, names[:-1]), names[-1], path.endswith("/")

    def node(self, path: str, follow: bool,
             start: Loc | None = None) -> tuple[Loc, fs.Attr]:
        """The file `path` names (its last symlink followed if `follow` or a trailing "/")."""
        d, name, slash = self.parent(path, start)
        loc, attr = self.step(d, name)
        if islink(attr) and (follow or slash):
            loc, attr = self.follow(d, loc)
        if slash and not isdir(attr):
            raise ServiceError("ENOTDIR", f"{path!r} is not a directory")
        return loc, attr

    def path_of(self, loc: Loc) -> str:
        """The absolute path of directory `loc` (ENOENT once it is removed; ENAMETOOLONG
        past PATH_MAX bytes, as Linux's getcwd: a reply must fit one message)."""
        names: list[str] = []
        size = 0
        while True:
            while loc.ino == fs.ROOT and loc.mount.covers is not None:
                loc = loc.mount.covers
            if loc.ino == fs.ROOT:
                return "/" + "/".join(reversed(names))
            up = Loc(loc.mount, loc.mount.call(fs.Lookup(loc.ino, "..")).ino)
            names.append(self.name_in(up, loc.ino))
            size += len(names[-1].encode()) + 1
            if size > PATH_MAX:
                raise ServiceError("ENAMETOOLONG", f"the path is longer than {PATH_MAX} bytes")
            loc = up

    def name_in(self, d: Loc, ino: int) -> str:
        start, more = 0, True
        while more:
            entries = d.mount.call(fs.Readdir(d.ino, start))
            for name, n in entries.entries:
                if n == ino and name not in (".", ".."):
                    return str(name)
            start, more = start + len(entries.entries), entries.more
        raise ServiceError("ENOENT", "the directory was removed")
