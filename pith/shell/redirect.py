"""Redirections: expand them into steps, then apply the steps in this process (saving the
fds to restore) or turn them into posix_spawn file actions for a child.

Entry points: plan(sh, redirs) -> list[Step] (raises RedirError with dash's message),
apply(steps) -> saved (for restore), restore(saved), spawn_actions(steps) -> (actions,
fds the parent closes after the spawn).
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pith.shell.errors import ShellError
from pith.shell.expand import expand_string
from pith.shell.nodes import Redir
from pith.shell.spawn import Action

if TYPE_CHECKING:
    from pith.shell.run import Shell

__all__ = ["RedirError", "Step", "apply", "plan", "restore", "spawn_actions"]

FLAGS = {
    "<": os.O_RDONLY,
    ">": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    ">|": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    ">>": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "<>": os.O_RDWR | os.O_CREAT,
}
PIPE_LIMIT = 60000


class RedirError(ShellError):
    """A redirection failed (status 2; a special builtin's failure ends a script)."""


@dataclass
class Step:
    kind: str  # 'open' (path, flags), 'dup' (src), 'close', 'data' (text to feed)
    fd: int
    path: str = ""
    flags: int = 0
    src: int = -1
    data: str = ""


def _fd_open(fd: int) -> bool:
    try:
        os.close(os.dup(fd))
        return True
    except OSError:
        return False


def _is_file(path: str) -> bool:
    """An existing regular file (which `set -C` keeps `>` from truncating)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _why(e: OSError) -> str:
    return {2: "No such file", 13: "Permission denied", 21: "Is a directory",
            20: "Not a directory"}.get(e.errno or 0, e.strerror or str(e))


def plan(sh: Shell, redirs: list[Redir]) -> list[Step]:
    steps: list[Step] = []
    defined: set[int] = set()
    for r in redirs:
        if r.heredoc is not None:
            from pith.shell.expand import expand_string as _exp

            steps.append(Step("data", r.fd, data=_exp(sh, r.heredoc.body)))
        elif r.op in ("<&", ">&"):
            target = expand_string(sh, r.target.parts if r.target else [])
            if target == "-":
                steps.append(Step("close", r.fd))
            elif target.isdigit():
                src = int(target)
                if src not in defined and not _fd_open(src):
                    raise RedirError(f"{src}: Bad file descriptor")
                steps.append(Step("dup", r.fd, src=src))
            else:
                raise RedirError("Syntax error: Bad fd number")
        else:
            path = expand_string(sh, r.target.parts if r.target else [])
            flags = FLAGS[r.op]
            if r.op == ">" and "C" in sh.st.options and _is_file(path):
                raise RedirError(f"cannot create {path}: File exists")
            try:
                os.close(os.open(path, flags, 0o666))
            except OSError as e:
                if r.op == "<":
                    raise RedirError(f"cannot open {path}: {_why(e)}") from None
                why = "Directory nonexistent" if e.errno == 2 else _why(e)
                raise RedirError(f"cannot create {path}: {why}") from None
            steps.append(Step("open", r.fd, path=path, flags=flags & ~os.O_TRUNC))
        defined.add(r.fd)
    return steps


def _feed(data: str) -> int:
    """A pipe's read end holding `data` (here-documents; bodies up to ~60 KB)."""
    raw = data.encode("utf-8", "surrogateescape")
    if len(raw) > PIPE_LIMIT:
        raise RedirError("here-document too large")
    r, w = os.pipe()
    try:
        while raw:
            raw = raw[os.write(w, raw):]
    finally:
        os.close(w)
    return r


def apply(steps: list[Step]) -> list[tuple[int, int]]:
    """Carry out the steps here; returns (fd, saved copy or -1) pairs for restore()."""
    saved: list[tuple[int, int]] = []
    seen: set[int] = set()
    try:
        for s in steps:
            if s.fd not in seen:
                seen.add(s.fd)
                try:
                    saved.append((s.fd, os.dup(s.fd)))
                except OSError:
                    saved.append((s.fd, -1))
            _apply_one(s)
    except OSError as e:
        restore(saved)
        raise RedirError(f"{e.strerror}") from None
    return saved


def apply_forever(steps: list[Step]) -> None:
    for s in steps:
        _apply_one(s)


def _apply_one(s: Step) -> None:
    if s.kind == "close":
        with contextlib.suppress(OSError):
            os.close(s.fd)
        return
    if s.kind == "dup":
        if s.src != s.fd:
            os.dup2(s.src, s.fd)
        return
    tmp = _feed(s.data) if s.kind == "data" else os.open(s.path, s.flags, 0o666)
    if tmp != s.fd:
        os.dup2(tmp, s.fd)
        os.close(tmp)
    else:
        os.set_inheritable(tmp, True)


def restore(saved: list[tuple[int, int]]) -> None:
    for fd, copy in reversed(saved):
        if copy >= 0:
            os.dup2(copy, fd)
            os.close(copy)
        else:
            with contextlib.suppress(OSError):
                os.close(fd)


def spawn_actions(steps: list[Step]) -> tuple[list[Action], list[int]]:
    actions: list[Action] = []
    to_close: list[int] = []
    for s in steps:
        if s.kind == "close":
            actions.append((os.POSIX_SPAWN_CLOSE, s.fd))
        elif s.kind == "dup":
            actions.append((os.POSIX_SPAWN_DUP2, s.src, s.fd))
        elif s.kind == "open":
            actions.append((os.POSIX_SPAWN_OPEN, s.fd, s.path, s.flags, 0o666))
        else:
            r = _feed(s.data)
            to_close.append(r)
            actions.append((os.POSIX_SPAWN_DUP2, r, s.fd))
            if r != s.fd:
                actions.append((os.POSIX_SPAWN_CLOSE, r))
    return actions, to_close
