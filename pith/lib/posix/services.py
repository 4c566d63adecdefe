"""This process's clients of vfs, pm and tty, and the calls that turn refusals into OSError.

`connect(caps, pid)` is done once, by install; `vfs(request, *names)`,
`pm(...)` and `tty(...)` are how every other module of the layer asks. A
request answered EINTR (a console read cut by ^C) is asked again, as CPython
does after EINTR (PEP 475): a Python signal handler that raised has already
propagated by then, and one that did not lets the call go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import msgspec

from pith.kernel.core.errors import KernelError
from pith.lib.posix.errors import oserror, raise_for
from pith.lib.server import Client, ServiceError
from pith.protocols import pm as pp
from pith.protocols import tty as tp
from pith.protocols import vfs as vp

__all__ = ["Services", "connect", "name_of", "pm", "services", "tty", "vfs"]


@dataclass
class Services:
    """The caps of a user process, as clients; its pid (pm's: it never changes)."""

    vfs: Client
    pm: Client | None
    tty: Client | None
    pid: int
    caps: dict[str, int]  # the caps table itself, by name (a program may call others: rs)


_now: list[Services] = []


def connect(caps: dict[str, int], pid: int) -> Services:
    """Make this process's clients from its caps table ("vfs", and "pm", "tty" if given)."""
    s = Services(Client(caps["vfs"], vp.VfsReply),
                 Client(caps["pm"], pp.PmReply) if "pm" in caps else None,
                 Client(caps["tty"], tp.TtyReply) if "tty" in caps else None, pid, dict(caps))
    _now[:] = [s]
    return s


def services() -> Services:
    if not _now:
        raise RuntimeError("the posix layer is not installed in this process")
    return _now[0]


def name_of(path: Any) -> str:
    """A path argument (str, bytes or os.PathLike) as the str vfs takes; TypeError as CPython."""
    name = os.fspath(path)
    return os.fsdecode(name) if isinstance(name, bytes) else name


def _ask(client: Client | None, what: str, request: msgspec.Struct, names: tuple[Any, ...]) -> Any:
    if client is None:
        raise oserror("ENOSYS", f"no {what} in this process's caps", *names)
    while True:
        try:
            return client.call(request)
        except ServiceError as e:
            if e.error != "EINTR":
                raise raise_for(e, *names) from None
        except KernelError as e:
            raise raise_for(e, *names) from None


def vfs(request: msgspec.Struct, *names: Any) -> Any:
    """Ask vfs; a refusal is raised as OSError with `names` as its file names."""
    return _ask(services().vfs, "vfs", request, names)


def pm(request: msgspec.Struct, *names: Any) -> Any:
    """Ask pm (ENOSYS when this process was not given pm)."""
    return _ask(services().pm, "process manager", request, names)


def tty(request: msgspec.Struct) -> Any:
    """Ask the tty driver (ENOSYS without it)."""
    return _ask(services().tty, "terminal driver", request, ())
