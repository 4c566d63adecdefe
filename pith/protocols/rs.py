"""The rs protocol: what the `service` command, procfs and `pith inject` ask of rs.

rs serves it on its own endpoint ("rs"), on its second thread (pith/servers/rs).
Requests: `Services`, `Processes`, `IpcCounts` (what procfs shows); `Restart`,
`StopService`, `StartService`, `Update`, `DebugService` (the `service` command);
`InjectFault` (only from the command rs runs, badge COMMAND_BADGE). Replies are
`ServiceTable`, `ProcessTable`, `Counts` or the framework's `Injected`, or
`Failure(error, message)` with a POSIX errno name.
"""

from __future__ import annotations

import msgspec

from pith.lib.server import Injected

__all__ = [
    "COMMAND_BADGE", "Counts", "DebugService", "InjectFault", "IpcCounts", "ProcessTable",
    "Processes", "Restart", "RsReply", "RsRequest", "ServiceRow", "ServiceTable", "Services",
    "StartService", "StopService", "Update",
]

COMMAND_BADGE = 1000  # the badge on the caps of the command rs runs


class Services(msgspec.Struct, frozen=True, tag=True):
    """The services rs supervises."""


class Processes(msgspec.Struct, frozen=True, tag=True):
    """The processes rs started that are running."""


class IpcCounts(msgspec.Struct, frozen=True, tag=True):
    """The kernel's IPC counts since boot."""


class Restart(msgspec.Struct, frozen=True, tag=True):
    """`service restart NAME`: stop it now and start it again."""

    name: str


class StopService(msgspec.Struct, frozen=True, tag=True):
    """`service stop NAME`: stop it (Stop, then kill) and do not restart it."""

    name: str


class StartService(msgspec.Struct, frozen=True, tag=True):
    """`service start NAME`: start a stopped (or given-up) service again."""

    name: str


class DebugService(msgspec.Struct, frozen=True, tag=True):
    """`service debug NAME [--next]`: pdb in the server, on the host terminal
    (pith/lib/debug.py); answered when the session is over."""

    name: str
    next: bool = False


class InjectFault(msgspec.Struct, frozen=True, tag=True):
    """`pith inject`: have service `name` commit fault `kind` (pith/lib/fault.py)."""

    name: str
    kind: str


class Update(msgspec.Struct, frozen=True, tag=True):
    """`service update NAME [--code PROGRAM]`: a live update, to PROGRAM ("module:Class"
    or "/host/file.py:Class") or to the same program's code on disk."""

    name: str
    program: str | None = None


class ServiceRow(msgspec.Struct, frozen=True):
    name: str
    pid: int
    mode: str
    state: str  # running, dead, failed (rs gave up)
    restarts: int
    last_failure: str


class ServiceTable(msgspec.Struct, frozen=True, tag=True):
    rows: list[ServiceRow]


class ProcessTable(msgspec.Struct, frozen=True, tag=True):
    rows: list[tuple[int, str, str]]  # pid, name, kind (service or command)


class Counts(msgspec.Struct, frozen=True, tag=True):
    counts: dict[str, int]


RsReply = ServiceTable | ProcessTable | Counts | Injected
RsRequest = (Services | Processes | IpcCounts | Restart | StopService | StartService | Update
             | InjectFault | DebugService)
