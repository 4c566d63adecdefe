"""echo's server: the smallest useful server — it says back what it is told, and counts.

The example user space of the kernel host: a client calls it through an
endpoint, and the same class runs isolated or collocated. Its protocol is
pith/protocols/echo.py. In a live update (`service update echo`) its count goes
over to the new code through ds (`save`/`restore`), if it has a ds cap; a crash
loses it.
"""

from __future__ import annotations

import os
import threading

from pith.lib.server import Caller, Server, ServiceError
from pith.protocols.echo import Counted, Crash, Echo, Echoed, Hang, Stats

__all__ = ["EchoServer"]


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
