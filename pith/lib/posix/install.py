"""Put the posix layer in place of the host's functions, once, at a user process's start.

`install(caps, pid, tty_out)`: the clients of vfs/pm/tty, the spare kernel
thread, then the `os` functions (fds.py, paths.py, direntry.py, procs.py),
os.environ (putenv does nothing: the environment a child gets is the one
posix_spawn passes), `open`/`io.open`/`input` (the caller makes the standard streams once its fds
0-2 are set: stdio.make_stdio).
Host fast paths that would use real fds go: os.sendfile is removed (so shutil
copies through read and write), the xattr calls answer ENOTSUP (copystat skips
them), `os.supports_dir_fd` is empty (so shutil.rmtree takes the path-based
way), and subprocess's fork_exec and Popen's communicate are Pith's (subprocs.py).
Modules imported before the layer (the zygote pre-imports many) are mended where
they kept a host function: bz2's and tarfile's own name for `open`, tempfile's
`unlink` default. The ids and `pwd` are Pith's one user (users.py); `shutil.which`
finds NAME.py too; `tempfile.TemporaryFile` is a named file removed at close (vfs
cannot keep an unlinked open file). `HOST` keeps the functions replaced, by name.
"""

from __future__ import annotations

import _posixsubprocess
import errno
import os
import select
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable
from typing import Any

from pith.lib.posix import (
    direntry,
    fds,
    paths,
    procs,
    readiness,
    resolver,
    sockets,
    stdio,
    subprocs,
    threads,
    users,
)
from pith.lib.posix.services import connect

__all__ = ["HOST", "install", "install_os"]

HOST: dict[str, Any] = {}  # what the layer replaced: name → the host's function
FDS = ["close", "closerange", "device_encoding", "dup", "dup2", "fstat", "fsync", "ftruncate",
       "get_blocking", "get_inheritable", "get_terminal_size", "isatty", "lseek", "open", "pipe",
       "pread", "pwrite", "read", "readv", "set_blocking", "set_inheritable", "ttyname",
       "write", "writev"]
PATHS = ["access", "chdir", "chmod", "chown", "fchdir", "fchmod", "fchown", "getcwd",
         "getcwdb", "lchown", "link", "listdir", "lstat", "mkdir", "mkfifo", "mknod",
         "readlink", "remove", "rename", "replace", "rmdir", "stat", "statvfs", "symlink",
         "sync", "truncate", "umask", "unlink", "utime"]
PROCS = ["getpgid", "getpgrp", "getpid", "getppid", "getsid", "kill", "killpg", "posix_spawn",
         "posix_spawnp", "setpgid", "setpgrp", "setsid", "system", "tcgetpgrp", "tcsetpgrp",
         "uname", "wait", "waitpid", "fork"]
USERS = ["getuid", "geteuid", "getgid", "getegid", "getgroups"]
ENOSYS = ["execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "execlpe",
          "forkpty", "wait3", "wait4", "waitid", "openpty"]
GONE = ["sendfile", "copy_file_range", "splice"]
XATTRS = ["listxattr", "getxattr", "setxattr", "removexattr"]


def _replace(module: Any, names: list[str]) -> None:
    for name in names:
        HOST.setdefault(name, getattr(os, name, None))
        setattr(os, name, getattr(module, name))


def _unsupported(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSYS, f"os.{name} is not supported on Pith (use os.posix_spawn)")
    refuse.__name__ = name
    return refuse


def _no_xattrs(*args: Any, **kwargs: Any) -> Any:
    """(Pith files have no extended attributes: ENOTSUP, which shutil.copystat expects)"""
    raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))


def _nothing(*args: Any, **kwargs: Any) -> None:
    """(putenv, unsetenv: the environment lives in os.environ alone)"""


def install_os(env: dict[str, str]) -> None:
    """Replace the os module's functions, its environment and the support sets."""
    _replace(fds, FDS)
    _replace(paths, PATHS)
    _replace(procs, PROCS)
    _replace(users, USERS)
    users.install_users()
    shutil.which = procs.which
    os.scandir, os.DirEntry = direntry.scandir, direntry.DirEntry  # type: ignore[assignment,misc]
    os.fdatasync = fds.fsync
    for name in ENOSYS:
        setattr(os, name, _unsupported(name))
    for name in XATTRS:
        setattr(os, name, _no_xattrs)
    for name in GONE:
        if hasattr(os, name):
            delattr(os, name)
    os.supports_dir_fd = set()
    os.supports_fd = {os.stat, os.truncate}
    os.supports_follow_symlinks = {os.stat, os.access, os.chmod, os.chown, os.utime, os.link}
    os.supports_effective_ids = set()
    os.putenv = os.unsetenv = _nothing
    os.environ.clear()
    os.environ.update(env)
    _posixsubprocess.fork_exec = subprocs.fork_exec  # type: ignore[assignment]
    subprocess.Popen._communicate = subprocs.communicate  # type: ignore[attr-defined]


def install_sockets() -> None:
    """socket.socket on inet, its names, select and the selectors on Pith's fds, and the
    os functions on fds that may be a socket's (sockets.py)."""
    socket.socket = socket.SocketType = sockets.Socket  # type: ignore[misc, assignment]
    socket.socketpair = sockets.socketpair  # type: ignore[assignment]
    resolver.install(socket)
    readiness.install(select, selectors)
    os.close = sockets.on_fd(os.close, sockets.close_fd)
    os.read = sockets.on_fd(os.read, sockets.read_fd)
    os.write = sockets.on_fd(os.write, sockets.write_fd)
    os.fstat = sockets.on_fd(os.fstat, sockets.fstat_fd)


def _fix_imported() -> None:
    """Modules imported before the layer (the zygote pre-imports many) that cached host
    facts, or the host's `open` under another name (`from builtins import open as …`)."""
    facts: dict[str, dict[str, Any]] = {
        "shutil": {"_USE_CP_SENDFILE": False, "_use_fd_functions": False},
        "tempfile": {"tempdir": None},
        "subprocess": {"_fork_exec": _posixsubprocess.fork_exec, "_USE_POSIX_SPAWN": False},
        "bz2": {"_builtin_open": stdio.pith_open},
        "tarfile": {"bltn_open": stdio.pith_open}}
    for name, values in facts.items():
        module = sys.modules.get(name)
        for attribute, value in values.items() if module is not None else ():
            setattr(module, attribute, value)
    _fix_defaults()
    tempfile.TemporaryFile = _temporary_file


def _temporary_file(*args: Any, **kwargs: Any) -> Any:
    """tempfile.TemporaryFile: a NamedTemporaryFile, removed when closed (vfs ends a file
    when its last name goes, even if it is open: an unnamed temporary file cannot live)."""
    return tempfile.NamedTemporaryFile(*args, **kwargs)


# Stdlib functions whose default arguments hold an os function (`def close(self,
# unlink=_os.unlink)`): made when the module was imported, so the host's if that was before.
DEFAULTS = [("tempfile", "_TemporaryFileCloser.close"), ("multiprocessing.connection",
                                                         "Connection._close")]


def _fix_defaults() -> None:
    """Those defaults, where a host os function replaced since, get Pith's."""
    pith = {id(f): getattr(os, name) for name, f in HOST.items() if f is not None}
    for module_name, qualname in DEFAULTS:
        f: Any = sys.modules.get(module_name)
        for part in qualname.split(".") if f is not None else ():
            f = getattr(f, part, None)
        if isinstance(f, types.FunctionType) and f.__defaults__:
            f.__defaults__ = tuple(pith.get(id(d), d) for d in f.__defaults__)


def install(caps: dict[str, int], pid: int, env: dict[str, str]) -> None:
    """Make this process a Pith user process (see the module's top)."""
    connect(caps, pid)
    threads.start()
    install_os(env)
    install_sockets()
    _fix_imported()
    stdio.install_open()
    sys.executable = procs.PYTHONS[0]
