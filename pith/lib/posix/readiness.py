"""select.select, select.poll and the selectors on Pith's fds: sockets, files, pipes, console.

Sockets' readiness is inet's (`Poll`, which blocks in inet until one is ready or the
timeout). Any other fd is vfs's and counts as ready at once for what it is asked (a
regular file always is; a pipe or the console may then block in its read, as a program
that selects on them alone would see only on Pith — said in docs/posix.md). With no
socket among the fds the call does not wait. epoll, devpoll and kqueue are not offered,
so `selectors.DefaultSelector` is the poll one.
Entry points: `select`, `Poll`, `install(select_module, selectors_module)`.
"""

from __future__ import annotations

import math
import select as host_select
from collections.abc import Iterable
from typing import Any

from pith.lib.posix import sockets
from pith.lib.posix.errors import oserror
from pith.protocols import inet as ip

__all__ = ["Poll", "install", "select"]

POLLIN, POLLOUT, POLLPRI = host_select.POLLIN, host_select.POLLOUT, host_select.POLLPRI
POLLERR, POLLHUP, POLLNVAL = host_select.POLLERR, host_select.POLLHUP, host_select.POLLNVAL


def _fd(obj: Any) -> int:
    """An fd or an object with fileno(), as select takes them."""
    fd = obj if isinstance(obj, int) else obj.fileno()
    if not isinstance(fd, int):
        raise TypeError("fileno() returned a non-integer")
    if fd < 0:
        raise ValueError(f"file descriptor cannot be a negative integer ({fd})")
    return fd


def _ready(want: dict[int, tuple[bool, bool]],
           timeout: float | None) -> dict[int, tuple[bool, bool, bool]]:
    """fd → (readable, writable, error) for the fds of `want` that are ready, waiting up to
    `timeout` seconds (None: for ever) for one socket when nothing else is."""
    now = {fd: (r, w, False) for fd, (r, w) in want.items()
           if not sockets.is_socket(fd) and (r or w)}
    interests = [ip.Interest(sockets._open[fd], r, w) for fd, (r, w) in want.items()
                 if sockets.is_socket(fd)]
    if not interests:
        return now
    fds = {sockets._open[fd]: fd for fd in want if sockets.is_socket(fd)}
    wait = 0.0 if now else timeout
    got = sockets._ask(lambda: sockets.inet().poll(interests, wait))
    for s in got:
        now[fds[s.sock]] = (s.readable, s.writable, s.error is not None)
    return now


def select(rlist: Iterable[Any], wlist: Iterable[Any], xlist: Iterable[Any],
           timeout: float | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """select.select: the objects of each list that are ready."""
    rlist, wlist, xlist = list(rlist), list(wlist), list(xlist)
    if timeout is not None:
        if not isinstance(timeout, int | float) or math.isnan(timeout):
            raise TypeError("timeout must be a float or None")
        if timeout < 0:
            raise ValueError("timeout must be non-negative")
    want: dict[int, tuple[bool, bool]] = {}
    for obj in rlist:
        want[_fd(obj)] = (True, want.get(_fd(obj), (False, False))[1])
    for obj in wlist:
        want[_fd(obj)] = (want.get(_fd(obj), (False, False))[0], True)
    for obj in xlist:
        want.setdefault(_fd(obj), (False, False))
    ready = _ready(want, timeout)
    none = (False, False, False)
    readable = [o for o in rlist if ready.get(_fd(o), none)[0] or ready.get(_fd(o), none)[2]]
    writable = [o for o in wlist if ready.get(_fd(o), none)[1] or ready.get(_fd(o), none)[2]]
    return readable, writable, []


class Poll:
    """select.poll's object on Pith's fds."""

    def __init__(self) -> None:
        self._fds: dict[int, int] = {}

    def register(self, fd: Any, eventmask: int = POLLIN | POLLPRI | POLLOUT) -> None:
        self._fds[_fd(fd)] = eventmask

    def modify(self, fd: Any, eventmask: int) -> None:
        if _fd(fd) not in self._fds:
            raise oserror("ENOENT")
        self._fds[_fd(fd)] = eventmask

    def unregister(self, fd: Any) -> None:
        del self._fds[_fd(fd)]

    def poll(self, timeout: float | None = None) -> list[tuple[int, int]]:
        """(fd, events) for the ready fds; `timeout` in milliseconds (None or < 0: for ever)."""
        seconds = None if timeout is None or timeout < 0 else timeout / 1000.0
        want = {fd: (bool(m & (POLLIN | POLLPRI)), bool(m & POLLOUT))
                for fd, m in self._fds.items()}
        out = []
        for fd, (readable, writable, error) in _ready(want, seconds).items():
            events = (POLLIN if readable else 0) | (POLLOUT if writable else 0)
            events |= POLLERR if error else 0
            if events:
                out.append((fd, events))
        return out


def install(select_module: Any, selectors_module: Any) -> None:
    """Put select, poll and the selectors that use them in place of the host's."""
    select_module.select = select
    select_module.poll = Poll
    for name in ("epoll", "devpoll", "kqueue", "kevent"):
        if hasattr(select_module, name):
            delattr(select_module, name)
    selectors_module.PollSelector._selector_cls = Poll
    selectors_module.DefaultSelector = selectors_module.PollSelector
    for name in ("EpollSelector", "DevpollSelector", "KqueueSelector"):
        if hasattr(selectors_module, name):
            delattr(selectors_module, name)
