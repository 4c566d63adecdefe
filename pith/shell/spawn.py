"""Starting programs: PATH lookup, posix_spawn with fd actions, and starting the shell itself.

Entry points: find_program(name, path) -> Found | error status, shell_argv() (how to run a
new shell: [sys.executable, sh.py]), spawn(argv, env, actions, pgroup) -> pid.
Only posix_spawn is used — no fork — so this runs the same on Linux and inside Pith.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import sys
from dataclasses import dataclass

__all__ = ["Action", "Found", "NotFound", "find_program", "set_shell_path", "shell_argv", "spawn",
           "wait_status"]

Action = tuple[int, ...] | tuple[int, int, str, int, int]

_SHELL_PATH: list[str] = []
# Signals a child must get back at their defaults (Python ignores SIGPIPE and SIGXFSZ).
DEFAULT_SIGNALS: set[int] = {signal.SIGPIPE}
if hasattr(signal, "SIGXFSZ"):
    DEFAULT_SIGNALS.add(signal.SIGXFSZ)


def set_shell_path(path: str) -> None:
    """Record where sh.py is (the entry point tells us; inside Pith it is /boot/bin/sh.py)."""
    _SHELL_PATH[:] = [os.path.abspath(path)]


def shell_argv() -> list[str]:
    """How to start a new shell process."""
    if not _SHELL_PATH:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        set_shell_path(os.path.join(here, "bin", "sh.py"))
    return [sys.executable, _SHELL_PATH[0]]


@dataclass
class Found:
    path: str
    prefix: list[str]  # [sys.executable] for a .py file, [] otherwise


@dataclass
class NotFound:
    status: int  # 127 not found, 126 found but not runnable
    message: str


def _runnable(path: str) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and os.access(path, os.X_OK)


def _is_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _found(path: str) -> Found:
    return Found(path, [sys.executable] if path.endswith(".py") else [])


def find_program(name: str, path: str) -> Found | NotFound:
    if "/" in name:
        if _is_file(name) and (name.endswith(".py") or _runnable(name)):
            return _found(name)
        if os.path.exists(name):
            return NotFound(126, f"{name}: Permission denied")
        if _is_file(name + ".py"):
            return _found(name + ".py")
        return NotFound(127, f"{name}: not found")
    denied = False
    for d in path.split(":"):
        base = os.path.join(d or ".", name)
        if _runnable(base):
            return _found(base)
        if _is_file(base + ".py"):
            return _found(base + ".py")
        denied = denied or _is_file(base)
    if denied:
        return NotFound(126, f"{name}: Permission denied")
    return NotFound(127, f"{name}: not found")


def spawn(argv: list[str], env: dict[str, str], actions: list[Action],
          pgroup: int | None = None, sigdef: set[int] | None = None, path: str = "") -> int:
    """Start the program at `path` (default argv[0]) with these fd actions; returns the pid.
    Raises OSError."""
    kwargs: dict[str, object] = {"file_actions": actions,
                                 "setsigdef": sorted(DEFAULT_SIGNALS | (sigdef or set()))}
    if pgroup is not None:
        kwargs["setpgroup"] = pgroup
    try:
        return _posix_spawn(path or argv[0], argv, env, kwargs)
    except OSError as e:
        if e.errno != errno.ENOEXEC:
            raise
    # A script with no #! line: run it with the shell, as dash does.
    script = [path or argv[0], *argv[1:]]
    return _posix_spawn(sys.executable, [*shell_argv(), *script], env, kwargs)


def _posix_spawn(path: str, argv: list[str], env: dict[str, str],
                 kwargs: dict[str, object]) -> int:
    try:
        return os.posix_spawn(path, argv, env, **kwargs)  # type: ignore[arg-type]
    except (TypeError, NotImplementedError):
        if "setsigdef" not in kwargs:  # an os layer without setsigdef: go without
            raise
        rest = {k: v for k, v in kwargs.items() if k != "setsigdef"}
        return os.posix_spawn(path, argv, env, **rest)  # type: ignore[arg-type]


def wait_status(status: int) -> int:
    """A waitpid status as a shell exit status (128+N for a signal)."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code
