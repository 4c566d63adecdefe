"""echo: the smallest useful server — it says back what it is told, and counts.

The example user space of the kernel host: a client calls it through an
endpoint, and the same class runs isolated or collocated. Protocol: `Echo`
answered by `Echoed`; `Stats` answered by `Counted`; `Crash` and `Hang` are
never answered (the server dies, or stops answering anything).

In a live update (`service update echo`) its count goes over to the new code
through ds (`save`/`restore`), if it has a ds cap; a crash loses it.
"""

from __future__ import annotations

import os
import threading

import msgspec

from pith.lib.server import Caller, Server, ServiceError

__all__ = ["Counted", "Crash", "Echo", "EchoServer", "Echoed", "Hang", "Stats"]


class Echo(msgspec.Struct, frozen=True, tag=True):
    text: str


class Stats(msgspec.Struct, frozen=True, tag=True):
    pass


class Crash(msgspec.Struct, frozen=True, tag=True):
    """Die at once, as a faulty driver would (for tests and demonstrations)."""

    status: int = 70


class Hang(msgspec.Struct, frozen=True, tag=True):
    """Stop answering anything, for ever, as a deadlocked driver would (tests, demos)."""


class Echoed(msgspec.Struct, frozen=True, tag=True):
    text: str
    badge: int  # who asked, as the server sees it


class Counted(msgspec.Struct, frozen=True, tag=True):
    requests: int
    start_reason: str = "fresh"  # why this server process started (fresh, restart, update)


class EchoServer(Server):
    requests = Echo | Stats | Crash | Hang
    endpoint = "echo"
    count = 0  # requests echoed so far

    def do_echo(self, request: Echo, caller: Caller) -> Echoed:
        if "\0" in request.text:
            raise ServiceError("EINVAL", "text with a NUL byte")
        self.count += 1
        return Echoed(request.text, caller.badge)

    def do_stats(self, request: Stats, caller: Caller) -> Counted:
        return Counted(self.count, self.start_reason)

    def save(self) -> bytes | None:
        return str(self.count).encode() if "ds" in self.caps else None

    def restore(self, state: bytes) -> None:
        self.count = int(state)

    def do_crash(self, request: Crash, caller: Caller) -> Counted:
        os._exit(request.status)

    def do_hang(self, request: Hang, caller: Caller) -> Counted:
        threading.Event().wait()  # never set
        raise AssertionError("unreachable")
