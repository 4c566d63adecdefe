"""select.select, select.poll and the selectors on Pith's fds: sockets, files, pipes, console.

Sockets' readiness is inet's (`Poll`, which blocks in inet until one is ready or the
timeout); any other fd's is vfs's (`Readiness`: a file always, a pipe with bytes or no
writer, the console with typed input), which answers at once, so while a select waits on
vfs's fds too it asks vfs again every SLICE seconds (waiting in inet meanwhile, if there
are sockets). epoll, devpoll and kqueue are not offered, so `selectors.DefaultSelector`
is the poll one.
Entry points: `select`, `Poll`, `install(select_module, selectors_module)`.
"""

from __future__ import annotations

import math
import select as host_select
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from pith.lib.posix import sockets
from pith.lib.posix.errors import oserror
from pith.lib.posix.services import vfs
from pith.protocols import inet as ip
from pith.protocols import vfs as vp

__all__ = ["Poll", "install", "select"]

POLLIN, POLLOUT, POLLPRI = host_select.POLLIN, host_select.POLLOUT, host_select.POLLPRI
POLLERR, POLLHUP, POLLNVAL = host_select.POLLERR, host_select.POLLHUP, host_select.POLLNVAL
SLICE = 0.02  # seconds between two looks at vfs's fds while a select waits


class State(NamedTuple):
    """What select and poll report of one fd."""

    readable: bool = False  # data (or a file's bytes) to read
    writable: bool = False  # room to write
    error: bool = False  # a socket's error (POLLERR)
    hangup: bool = False  # the pipe's other end is gone (POLLHUP; select: ready)
    bad: bool = False  # not an open fd (POLLNVAL; select: EBADF)

    def ready(self) -> bool:
        return any(self)


def _fd(obj: Any) -> int:
    """An fd or an object with fileno(), as select takes them."""
    fd = obj if isinstance(obj, int) else obj.fileno()
    if not isinstance(fd, int):
        raise TypeError("fileno() returned a non-integer")
    if fd < 0:
        raise ValueError(f"file descriptor cannot be a negative integer ({fd})")
    return fd


def _vfs_ready(want: dict[int, tuple[bool, bool]], fds: list[int]) -> dict[int, State]:
    """vfs's answer for `fds` (it never waits): the ones with something to report."""
    if not fds:
        return {}
    got: vp.Readied = vfs(vp.Readiness(fds))
    now = {}
    for f in got.fds:
        r, w = want[f.fd]
        state = State(r and f.readable, w and f.writable, False, f.hangup, f.bad)
        if state.ready():
            now[f.fd] = state
    return now


def _sockets_ready(want: dict[int, tuple[bool, bool]], fds: list[int],
                   wait: float | None) -> dict[int, State]:
    """inet's answer for socket `fds`, waiting in inet up to `wait` s for one."""
    interests = [ip.Interest(sockets._open[fd], *want[fd]) for fd in fds]
    by_sock = {sockets._open[fd]: fd for fd in fds}
    got = sockets._ask(lambda: sockets.inet().poll(interests, wait))
    return {by_sock[s.sock]: State(s.readable, s.writable, s.error is not None) for s in got}


def _ready(want: dict[int, tuple[bool, bool]], timeout: float | None) -> dict[int, State]:
    """The fds of `want` (fd → (read?, write?)) that are ready, waiting up to `timeout`
    seconds (None: for ever). Sockets alone: one wait in inet. With vfs's fds among them:
    vfs is asked again every SLICE seconds meanwhile."""
    asked = {fd: rw for fd, rw in want.items() if rw[0] or rw[1]}
    if not asked:  # (select([], [], [], t): a sleep)
        while timeout is None:
            time.sleep(3600)
        time.sleep(timeout)
        return {}
    files = [fd for fd in asked if not sockets.is_socket(fd)]
    socks = [fd for fd in asked if sockets.is_socket(fd)]
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        now = _vfs_ready(asked, files)
        left = None if end is None else max(0.0, end - time.monotonic())
        wait = 0.0 if now else left if not files else SLICE if left is None else min(SLICE, left)
        if socks:
            now |= _sockets_ready(asked, socks, wait)
        elif not now and wait:
            time.sleep(wait)
        if now or left == 0.0:
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
    if any(state.bad for state in ready.values()):
        raise oserror("EBADF")
    none = State()
    readable = [o for o in rlist if (s := ready.get(_fd(o), none)).readable or s.error
                or s.hangup]
    writable = [o for o in wlist if (s := ready.get(_fd(o), none)).writable or s.error
                or s.hangup]
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
        for fd, s in _ready(want, seconds).items():
            events = (POLLIN if s.readable else 0) | (POLLOUT if s.writable else 0)
            events |= (POLLERR if s.error else 0) | (POLLHUP if s.hangup else 0)
            events |= POLLNVAL if s.bad else 0
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
