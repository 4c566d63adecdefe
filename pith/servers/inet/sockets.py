"""Who owns each socket, and the callers waiting on sockets: inet's bookkeeping around the
engine (pith/servers/inet/stack.py), which knows sockets but not clients.

Touches only itself. A socket belongs to the badge that opened (or accepted) it; any other
badge naming it gets EBADF, exactly as a socket that does not exist. A blocked call is a
`Waiter`: the caller, the sockets it waits on with what it waits for ("r" readable, "w"
writable; an error always wakes it), its deadline, and `attempt`, the call itself made again
(its reply, or None: still blocked). The server retries a waiter only when one of its
sockets became ready for what it waits for, so a call that would block again is not
retried in a loop.

Entry points: `Owners.own/check/disown/of`, `Waiters.add/ripe/expired/of_badge/of_socket`.
Bounds: MAX_PER_BADGE sockets per badge (EMFILE past it), MAX_WAITERS waiting calls in all
(ENOBUFS past it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pith.lib.server import Caller, ServiceError

__all__ = ["MAX_PER_BADGE", "MAX_WAITERS", "Owners", "Waiter", "Waiters"]

MAX_PER_BADGE = 256
MAX_WAITERS = 4096


class Owners:
    """sock -> badge, and badge -> its socks."""

    def __init__(self) -> None:
        self._owner: dict[int, int] = {}
        self._socks: dict[int, set[int]] = {}

    def room(self, badge: int) -> None:
        if len(self._socks.get(badge, ())) >= MAX_PER_BADGE:
            raise ServiceError("EMFILE", f"{MAX_PER_BADGE} sockets open already")

    def own(self, sock: int, badge: int) -> None:
        self._owner[sock] = badge
        self._socks.setdefault(badge, set()).add(sock)

    def check(self, sock: int, badge: int) -> None:
        """EBADF unless `badge` owns `sock`."""
        if self._owner.get(sock) != badge:
            raise ServiceError("EBADF", f"socket {sock}: no such socket of the caller's")

    def disown(self, sock: int) -> None:
        badge = self._owner.pop(sock, None)
        if badge is not None:
            self._socks[badge].discard(sock)
            if not self._socks[badge]:
                del self._socks[badge]

    def of(self, badge: int) -> list[int]:
        return sorted(self._socks.get(badge, ()))

    def owner(self, sock: int) -> int:
        return self._owner.get(sock, 0)

    def __len__(self) -> int:
        return len(self._owner)


@dataclass
class Waiter:
    caller: Caller
    attempt: Callable[[], Any]  # the call again: its reply, or None while it would block
    on: dict[int, str]  # sock -> "r", "w" or "rw": what it waits for
    deadline: float | None  # time.monotonic(); None: for ever
    expire: Callable[[], Any]  # the reply at the deadline (a timeout Failure, an empty Ready)
    always: bool = False  # retried at every turn (ping, which waits on no socket)
    done: bool = field(default=False, compare=False)


class Waiters:
    def __init__(self) -> None:
        self._all: list[Waiter] = []

    def add(self, waiter: Waiter) -> None:
        if len(self._all) >= MAX_WAITERS:
            raise ServiceError("ENOBUFS", f"{MAX_WAITERS} calls wait in inet already")
        self._all.append(waiter)

    def remove(self, waiter: Waiter) -> None:
        waiter.done = True
        self._all = [w for w in self._all if w is not waiter]

    def ripe(self, ready: dict[int, tuple[bool, bool, bool]]) -> list[Waiter]:
        """The waiters one of whose sockets is ready (readable, writable, error) for what it
        waits for, in the order they came, and those retried always."""
        out = []
        for w in self._all:
            if w.always or any(_wakes(ready.get(s), want) for s, want in w.on.items()):
                out.append(w)
        return out

    def expired(self, now: float) -> list[Waiter]:
        return [w for w in self._all if w.deadline is not None and w.deadline <= now]

    def deadline(self) -> float | None:
        times = [w.deadline for w in self._all if w.deadline is not None]
        return min(times) if times else None

    def of_badge(self, badge: int) -> list[Waiter]:
        return [w for w in self._all if w.caller.badge == badge]

    def of_socket(self, socks: Iterable[int]) -> list[Waiter]:
        gone = set(socks)
        return [w for w in self._all if gone & w.on.keys()]

    def __len__(self) -> int:
        return len(self._all)


def _wakes(state: tuple[bool, bool, bool] | None, want: str) -> bool:
    if state is None:
        return False
    readable, writable, error = state
    return error or ("r" in want and readable) or ("w" in want and writable)
