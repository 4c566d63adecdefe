"""Names in the Pith file system: the os functions that take a path, answered by vfs.

Paths may be str, bytes or os.PathLike, as in CPython; a function that lists or
reads names answers bytes for a bytes path. `dir_fd` is not supported (None
only: CPython's NotImplementedError otherwise; `os.supports_dir_fd` is empty).

`chmod` and `utime` change the permission bits and the times (whole seconds, as MINIX
keeps them) through vfs's SetAttr; `chown` checks that the file exists (the same
errors as CPython) and changes nothing: Pith has one user.
"""

from __future__ import annotations

import os
import stat as st
import time
from typing import Any

from pith.lib.posix.errors import oserror
from pith.lib.posix.fds import check_fd, fstat, ftruncate
from pith.lib.posix.services import name_of, vfs
from pith.lib.posix.status import stat_result, statvfs_result
from pith.protocols import vfs as vp

__all__ = [
    "access", "chdir", "chmod", "chown", "fchdir", "fchmod", "fchown", "getcwd", "getcwdb",
    "lchown", "link", "listdir", "lstat", "mkdir", "mkfifo", "mknod", "readlink", "remove",
    "rename", "replace", "rmdir", "stat", "statvfs", "symlink", "sync", "truncate", "umask",
    "unlink", "utime",
]


def _no_dir_fd(*dir_fds: int | None) -> None:
    if any(d is not None for d in dir_fds):
        raise NotImplementedError("dir_fd unavailable on this platform")


def _out(path: Any, name: str) -> Any:
    """`name` as bytes when the caller's path was bytes, as CPython answers."""
    return os.fsencode(name) if isinstance(os.fspath(path), bytes) else name


def stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True) -> os.stat_result:
    if isinstance(path, int):
        return fstat(path)
    _no_dir_fd(dir_fd)
    return stat_result(vfs(vp.Stat(name_of(path), follow_symlinks), path))


def lstat(path: Any, *, dir_fd: int | None = None) -> os.stat_result:
    return stat(path, dir_fd=dir_fd, follow_symlinks=False)


def listdir(path: Any = None) -> list[Any]:
    if isinstance(path, int):
        raise oserror("ENOSYS", "listdir of an fd")
    path = "." if path is None else path
    name, more = name_of(path), True
    names: list[str] = []
    while more:
        page = vfs(vp.Listdir(name, len(names)), path)
        names += page.names
        more = page.more and bool(page.names)
    return [_out(path, n) for n in names]


def mkdir(path: Any, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
    _no_dir_fd(dir_fd)
    vfs(vp.Mkdir(name_of(path), mode), path)


def rmdir(path: Any, *, dir_fd: int | None = None) -> None:
    _no_dir_fd(dir_fd)
    vfs(vp.Rmdir(name_of(path)), path)


def unlink(path: Any, *, dir_fd: int | None = None) -> None:
    _no_dir_fd(dir_fd)
    vfs(vp.Unlink(name_of(path)), path)


remove = unlink


def rename(src: Any, dst: Any, *, src_dir_fd: int | None = None,
           dst_dir_fd: int | None = None) -> None:
    _no_dir_fd(src_dir_fd, dst_dir_fd)
    vfs(vp.Rename(name_of(src), name_of(dst)), src, dst)


replace = rename


def link(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None,
         follow_symlinks: bool = True) -> None:
    _no_dir_fd(src_dir_fd, dst_dir_fd)
    vfs(vp.Link(name_of(src), name_of(dst)), src, dst)


def symlink(src: Any, dst: Any, target_is_directory: bool = False, *,
            dir_fd: int | None = None) -> None:
    _no_dir_fd(dir_fd)
    vfs(vp.Symlink(name_of(src), name_of(dst)), src, dst)


def readlink(path: Any, *, dir_fd: int | None = None) -> Any:
    _no_dir_fd(dir_fd)
    return _out(path, vfs(vp.Readlink(name_of(path)), path).target)


def chdir(path: Any) -> None:
    if isinstance(path, int):
        fchdir(path)
    vfs(vp.Chdir(name_of(path)), path)


def fchdir(fd: int) -> None:
    raise oserror("ENOSYS", "fchdir")


def getcwd() -> str:
    cwd: str = vfs(vp.Getcwd()).path
    return cwd


def getcwdb() -> bytes:
    return os.fsencode(getcwd())


def truncate(path: Any, length: int) -> None:
    if isinstance(path, int):
        ftruncate(path, length)
        return
    vfs(vp.Truncate(name_of(path), length), path)


def statvfs(path: Any) -> os.statvfs_result:
    if isinstance(path, int):
        raise oserror("ENOSYS", "fstatvfs")
    return statvfs_result(vfs(vp.Statfs(name_of(path)), path))


def sync() -> None:
    vfs(vp.Sync())


def access(path: Any, mode: int, *, dir_fd: int | None = None, effective_ids: bool = False,
           follow_symlinks: bool = True) -> bool:
    """Exists, and (one user: the owner, group and other bits alike) has a bit for `mode`."""
    try:
        have = stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks).st_mode
    except OSError:
        return False
    wants = [(os.R_OK, 0o444), (os.W_OK, 0o222), (os.X_OK, 0o111)]
    return all(have & bits for flag, bits in wants if mode & flag)


def _exists(path: Any, dir_fd: int | None, follow_symlinks: bool) -> None:
    if isinstance(path, int):
        check_fd(path)
    else:
        stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)


def _set_attr(path: Any, dir_fd: int | None, follow: bool, **attrs: int | None) -> None:
    _no_dir_fd(dir_fd)
    where = path if isinstance(path, int) else name_of(path)
    vfs(vp.SetAttr(where, follow=follow, **attrs), *(() if isinstance(path, int) else (path,)))


def chmod(path: Any, mode: int, *, dir_fd: int | None = None,
          follow_symlinks: bool = True) -> None:
    _set_attr(path, dir_fd, follow_symlinks, mode=int(mode) & 0o7777)


def umask(mask: int) -> int:
    """Set this process's file-creation mask (kept by vfs, inherited by children); the old."""
    masked: vp.Masked = vfs(vp.Umask(int(mask) & 0o777))
    return masked.old


def fchmod(fd: int, mode: int) -> None:
    check_fd(fd)
    _set_attr(fd, None, True, mode=int(mode) & 0o7777)


def chown(path: Any, uid: int, gid: int, *, dir_fd: int | None = None,
          follow_symlinks: bool = True) -> None:
    _exists(path, dir_fd, follow_symlinks)


def lchown(path: Any, uid: int, gid: int) -> None:
    _exists(path, None, False)


def fchown(fd: int, uid: int, gid: int) -> None:
    check_fd(fd)


def utime(path: Any, times: tuple[float, float] | None = None, *,
          ns: tuple[int, int] | None = None, dir_fd: int | None = None,
          follow_symlinks: bool = True) -> None:
    if times is not None and ns is not None:
        raise ValueError("utime: you may specify either 'times' or 'ns' but not both")
    if ns is not None:
        atime, mtime = (int(t // 1_000_000_000) for t in ns)
    elif times is not None:
        atime, mtime = (int(t // 1) for t in times)
    else:
        atime = mtime = int(time.time())
    _set_attr(path, dir_fd, follow_symlinks, atime=atime, mtime=mtime)


def mkfifo(path: Any, mode: int = 0o666, *, dir_fd: int | None = None) -> None:
    raise oserror("ENOSYS", "mkfifo", path)


def mknod(path: Any, mode: int = 0o600, device: int = 0, *, dir_fd: int | None = None) -> None:
    if st.S_ISREG(mode) or st.S_IFMT(mode) == 0:
        _no_dir_fd(dir_fd)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode & 0o7777))
        return
    raise oserror("ENOSYS", "mknod", path)
