"""Processes: posix_spawn, waitpid, kill, groups and ids, answered by pm (and tty, uname).

There is no fork on Pith: a program starts another with `posix_spawn`, which pm
turns into a new process running the posix layer (the child inherits fds and
cwd, as fork would, then runs the file actions). `fork` and `exec*` raise
OSError(ENOSYS) saying so (subprocess works: subprocs.py); `system(cmd)` spawns
the shell, `/boot/bin/sh.py -c cmd`, and waits.

`posix_spawn(sys.executable, [python, FILE, …])` runs FILE itself (path FILE,
argv [FILE, …]): the same one process as the host's python would be, named for
its program in pm's table. Signals to oneself are raised at once on the host
(as `kill(getpid(), s)` is synchronous on Linux); others go through pm.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pith
from pith.lib.posix.errors import oserror
from pith.lib.posix.fds import INHERIT, isatty
from pith.lib.posix.services import name_of, pm, services, tty
from pith.protocols import pm as pp
from pith.protocols import tty as tp

__all__ = [
    "PYTHONS", "SHELL", "execv", "fork", "getpgid", "getpgrp", "getpid", "getppid", "getsid",
    "kill", "killpg", "posix_spawn", "posix_spawnp", "setpgid", "setpgrp", "setsid", "system",
    "tcgetpgrp", "tcsetpgrp", "uname", "wait", "waitpid", "which",
]

SHELL = "/boot/bin/sh.py"
PYTHONS = ("/boot/bin/python.py", "/boot/bin/python3.py")  # sys.executable and its twin
MACHINE = os.uname().machine  # the host's (read before install replaces os.uname)


def _action(a: Sequence[Any]) -> pp.FileAction:
    kind = a[0]
    if kind == os.POSIX_SPAWN_OPEN:
        _, fd, path, flags, mode = a
        return pp.OpenAction(fd, name_of(path), flags, mode)
    if kind == os.POSIX_SPAWN_CLOSE:
        return pp.CloseAction(a[1])
    if kind == os.POSIX_SPAWN_DUP2:
        return pp.DupAction(a[1], a[2])
    raise TypeError(f"unknown file_actions identifier: {kind}")


def _actions(file_actions: Iterable[Sequence[Any]] | None) -> list[pp.FileAction]:
    """The spawn's actions, then closing the fds this process keeps from its children."""
    actions = [_action(a) for a in file_actions or ()]
    targets = {a.new if isinstance(a, pp.DupAction) else a.fd
               for a in actions if not isinstance(a, pp.CloseAction)}
    return actions + [pp.CloseAction(fd) for fd in sorted(INHERIT.kept - targets)]


def _env(env: Mapping[Any, Any] | None) -> dict[str, str]:
    items = os.environ if env is None else env
    return {os.fsdecode(k): os.fsdecode(v) for k, v in items.items()}


def posix_spawn(path: Any, argv: Sequence[Any], env: Mapping[Any, Any] | None, *,
                file_actions: Iterable[Sequence[Any]] | None = None,
                setpgroup: int | None = None, resetids: bool = False, setsid: bool = False,
                setsigmask: Iterable[int] = (), setsigdef: Iterable[int] = (),
                scheduler: Any = None) -> int:
    """Start `path` (a Python file in the Pith tree) with `argv` and `env`; its pid.
    (setsigmask, setsigdef: a new Pith process starts with Python's defaults anyway.)"""
    if setsid:
        raise oserror("ENOSYS", "posix_spawn setsid")
    program, args = name_of(path), [os.fsdecode(a) for a in argv]
    if program in (sys.executable, *PYTHONS) and len(args) > 1 and not args[1].startswith("-"):
        program, args = args[1], args[1:]  # python FILE …: run FILE in this one process
    request = pp.Spawn(program, args, _env(env), _actions(file_actions), setpgroup)
    spawned: pp.Spawned = pm(request, path)
    return spawned.pid


def posix_spawnp(path: Any, argv: Sequence[Any], env: Mapping[Any, Any] | None,
                 **kwargs: Any) -> int:
    """posix_spawn after a PATH search: NAME, or NAME.py, in each directory."""
    name = name_of(path)
    if "/" not in name:
        for d in os.get_exec_path(None if env is None else dict(env)):
            for candidate in (os.path.join(d, name), os.path.join(d, name + ".py")):
                if os.path.isfile(candidate):
                    return posix_spawn(candidate, argv, env, **kwargs)
        raise oserror("ENOENT", "", path)
    return posix_spawn(name, argv, env, **kwargs)


HOST_WHICH = shutil.which


def which(cmd: Any, mode: int = os.F_OK | os.X_OK, path: Any = None) -> Any:
    """shutil.which, that finds NAME.py for a NAME too, as posix_spawnp and the shell run it."""
    found = HOST_WHICH(cmd, mode, path)
    if found is None and os.sep not in name_of(cmd) and not name_of(cmd).endswith(".py"):
        found = HOST_WHICH(cmd + (b".py" if isinstance(cmd, bytes) else ".py"), mode, path)
    return found


def system(command: str) -> int:
    """Run `command` with Pith's shell; its wait status."""
    pid = posix_spawn(SHELL, [SHELL, "-c", command], os.environ)
    return waitpid(pid, 0)[1]


def waitpid(pid: int, options: int) -> tuple[int, int]:
    waited: pp.Waited = pm(pp.Wait(pid, bool(options & os.WNOHANG)))
    return waited.pid, waited.status


def wait() -> tuple[int, int]:
    return waitpid(-1, 0)


def kill(pid: int, signo: int) -> None:
    if pid == getpid() and signo:
        signal.raise_signal(signo)
        return
    pm(pp.Kill(pid, int(signo)))


def killpg(pgid: int, signo: int) -> None:
    if pgid <= 0:
        raise oserror("EINVAL")
    pm(pp.Kill(-pgid, int(signo)))


def getpid() -> int:
    return services().pid


def _ids() -> pp.Ids:
    ids: pp.Ids = pm(pp.GetIds())
    return ids


def getppid() -> int:
    return _ids().ppid


def getpgrp() -> int:
    return _ids().pgid


def getpgid(pid: int) -> int:
    got: pp.Pgid = pm(pp.Getpgid(pid))
    return got.pgid


def setpgid(pid: int, pgid: int) -> None:
    pm(pp.Setpgid(pid, pgid))


def setpgrp() -> None:
    setpgid(0, 0)


def getsid(pid: int) -> int:
    return 1  # one session: init's


def setsid() -> int:
    raise oserror("ENOSYS", "setsid")


def tcgetpgrp(fd: int) -> int:
    if not isatty(fd):
        raise oserror("ENOTTY")
    got: tp.Foreground = tty(tp.GetForeground())
    return got.pgid


def tcsetpgrp(fd: int, pgid: int) -> None:
    if not isatty(fd):
        raise oserror("ENOTTY")
    tty(tp.SetForeground(pgid))


def uname() -> os.uname_result:
    return os.uname_result(("Pith", "pith", pith.__version__, f"Pith {pith.__version__}",
                            MACHINE))


def fork() -> int:
    raise OSError(errno.ENOSYS, "Pith has no fork: start programs with os.posix_spawn")


def execv(path: Any, *args: Any) -> None:
    raise OSError(errno.ENOSYS, "Pith has no exec: start programs with os.posix_spawn", path)
