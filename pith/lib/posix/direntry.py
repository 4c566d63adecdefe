"""os.scandir on Pith: an iterator of DirEntry objects, as os.walk, shutil, glob and pathlib use.

vfs's Listdir gives names only, so a `DirEntry` asks vfs for its status when first
needed — `lstat` once, then `stat` too only if the entry is a symlink — and keeps it,
as CPython's DirEntry caches what it learns.
"""

from __future__ import annotations

import os
import stat as st
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from pith.lib.posix.errors import oserror
from pith.lib.posix.paths import listdir, lstat, stat

__all__ = ["DirEntry", "ScandirIterator", "scandir"]


class DirEntry:
    """One name in a directory: `name`, `path` (the directory joined with it) and its status."""

    def __init__(self, directory: Any, name: Any) -> None:
        self.name = name
        self.path = os.path.join(directory, name)
        self._lstat: os.stat_result | None = None
        self._stat: os.stat_result | None = None

    def __repr__(self) -> str:
        return f"<DirEntry {self.name!r}>"

    def __fspath__(self) -> Any:
        return self.path

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        if self._lstat is None:
            self._lstat = lstat(self.path)
        if not follow_symlinks or not st.S_ISLNK(self._lstat.st_mode):
            return self._lstat
        if self._stat is None:
            self._stat = stat(self.path)
        return self._stat

    def inode(self) -> int:
        return self.stat(follow_symlinks=False).st_ino

    def _is(self, kind: int, follow_symlinks: bool) -> bool:
        try:
            return st.S_IFMT(self.stat(follow_symlinks=follow_symlinks).st_mode) == kind
        except FileNotFoundError:
            return False

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._is(st.S_IFDIR, follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._is(st.S_IFREG, follow_symlinks)

    def is_symlink(self) -> bool:
        return self._is(st.S_IFLNK, False)

    def is_junction(self) -> bool:
        return False


class ScandirIterator:
    """What scandir returns: an iterator that is also a context manager, with close()."""

    def __init__(self, path: Any) -> None:
        directory = "." if path is None else path
        self._names = iter(listdir(directory))
        self._directory = directory

    def __iter__(self) -> Iterator[DirEntry]:
        return self

    def __next__(self) -> DirEntry:
        return DirEntry(self._directory, next(self._names))

    def close(self) -> None:
        self._names = iter(())

    def __enter__(self) -> ScandirIterator:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def scandir(path: Any = None) -> ScandirIterator:
    if isinstance(path, int):
        raise oserror("ENOSYS", "scandir of an fd")
    return ScandirIterator(path)
