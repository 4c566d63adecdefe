"""The pm protocol: what a process asks of the process manager (docs/posix.md).

A caller is known by the badge on its pm cap: pm mints every process it starts
its own badge, `BADGE_BASE + pid`, on its pm, vfs and tty caps. Badge 0 (an
unbadged cap: rs) may ask `RunInit`. Replies are `Spawned`, `Waited`, `Done`,
`Ids`, `Pgid` or `ProcessTable`, or the framework's `Failure(error, message)`
with a POSIX errno name ("ECHILD", "ESRCH", "EPERM", "ENOENT", "EINVAL"...).
A refused request changes nothing.

Wait statuses are encoded as Linux's waitpid does, so `os.waitstatus_to_exitcode`
and `os.WIFEXITED`/`os.WEXITSTATUS`/`os.WTERMSIG` work on them unchanged:
exit code n is `n << 8`; death by signal s is `s`.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "BADGE_BASE", "CloseAction", "Done", "DupAction", "FileAction", "GetIds", "Getpgid",
    "Ids", "Kill", "OpenAction", "Pgid", "PmReply", "PmRequest", "ProcessRow",
    "ProcessTable", "Processes", "RunInit", "Setpgid", "Spawn", "SpawnSpec", "Spawned",
    "Wait", "Waited",
]

BADGE_BASE = 1000  # a user process's badge is BADGE_BASE + its pid


# -- posix_spawn file actions: run by the new process itself, in order, before its
#    close-on-exec descriptors are closed and its program starts -----------------


class DupAction(msgspec.Struct, frozen=True, tag=True):
    fd: int
    new: int  # dup2(fd, new)


class CloseAction(msgspec.Struct, frozen=True, tag=True):
    fd: int


class OpenAction(msgspec.Struct, frozen=True, tag=True):
    fd: int  # open(path, flags, mode) then dup2 onto fd
    path: str
    flags: int
    mode: int = 0o666


FileAction = DupAction | CloseAction | OpenAction


# -- requests ---------------------------------------------------------------------


class Spawn(msgspec.Struct, frozen=True, tag=True):
    """Start the Python program in file `path` (in the Pith file system) as a child of
    the caller, which inherits the caller's descriptors and cwd (as fork does)."""

    path: str
    argv: list[str]
    env: dict[str, str]
    actions: list[FileAction] = []
    pgroup: int | None = None  # as posix_spawn's setpgroup: 0 = a new group of its own


class Wait(msgspec.Struct, frozen=True, tag=True):
    """waitpid(pid, WNOHANG if nohang): pid -1 any child, > 0 that child, < -1 group."""

    pid: int = -1
    nohang: bool = False


class Kill(msgspec.Struct, frozen=True, tag=True):
    """kill(pid, signo): pid > 0 a process, 0 the caller's group, < 0 group -pid.
    signo 0 checks that the target exists."""

    pid: int
    signo: int


class Setpgid(msgspec.Struct, frozen=True, tag=True):
    pid: int  # 0: the caller
    pgid: int  # 0: pgid = pid


class Getpgid(msgspec.Struct, frozen=True, tag=True):
    pid: int = 0


class GetIds(msgspec.Struct, frozen=True, tag=True):
    """The caller's pid, parent pid (1 once orphaned... init's pid) and group."""


class Processes(msgspec.Struct, frozen=True, tag=True):
    """The process table (ps, /proc)."""


class RunInit(msgspec.Struct, frozen=True, tag=True):
    """(rs only, badge 0) Start init, the first process, with no descriptors, and
    answer when it has exited, with its wait status."""

    path: str
    argv: list[str]
    env: dict[str, str]


# -- replies ---------------------------------------------------------------------


class Spawned(msgspec.Struct, frozen=True, tag=True):
    pid: int


class Waited(msgspec.Struct, frozen=True, tag=True):
    pid: int  # 0 with nohang and no child has changed state
    status: int  # waitpid-encoded


class Done(msgspec.Struct, frozen=True, tag=True):
    pass


class Ids(msgspec.Struct, frozen=True, tag=True):
    pid: int
    ppid: int
    pgid: int


class Pgid(msgspec.Struct, frozen=True, tag=True):
    pgid: int


class ProcessRow(msgspec.Struct, frozen=True):
    pid: int
    ppid: int
    pgid: int
    state: str  # "R" running, "Z" exited and not yet waited for
    argv: list[str]


class ProcessTable(msgspec.Struct, frozen=True, tag=True):
    rows: list[ProcessRow]


class SpawnSpec(msgspec.Struct, frozen=True):
    """What pm hands a new process (JSON, its argument after the caps table): the
    posix runtime (pith.lib.posix) reads it to set the process up."""

    path: str
    argv: list[str]
    env: dict[str, str]
    pid: int
    ppid: int
    actions: list[FileAction] = []


PmRequest = Spawn | Wait | Kill | Setpgid | Getpgid | GetIds | Processes | RunInit
PmReply = Spawned | Waited | Done | Ids | Pgid | ProcessTable
