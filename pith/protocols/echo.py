"""The echo protocol: say back what is told, and count. Served by pith/servers/echo.

Called by the example programs and the tests. `Echo` is answered by `Echoed`;
`Stats` by `Counted`; `Crash` and `Hang` are never answered (the server dies,
or stops answering anything).
"""

from __future__ import annotations

import msgspec

__all__ = ["Counted", "Crash", "Echo", "Echoed", "Hang", "Stats"]


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
