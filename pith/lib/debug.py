"""pdb inside a running server, on the host terminal: what `service debug NAME` does.

rs asks tty to lend it the host terminal (tty puts the terminal back in cooked mode and
leaves its input alone), stops heartbeating the server, and sends it `Debug` on a cap
minted with rs's own badge. The framework's handler runs pdb in the server's thread,
reading the host's fd 0 and writing to its fd 1 (every server process keeps the
kernel's): the server is stopped, its state live.

- `Debug()`: pdb stops in a frame where `self` is the server: `p self.…`, change what
  you like, `c` ends the session.
- `Debug(next=True)`: the answer waits for the server's next request, whose handler
  runs under pdb from its first line (`n`, `s`, `b`, `p request`); its end ends the
  session.

Breakpoints live only as long as the session (pdb's `runcall`), so tty gets its input
back whole when rs hands the terminal back. Requests that come meanwhile wait in the
endpoint's queue. A collocated server cannot be debugged this way: it would stop the
kernel.
"""

from __future__ import annotations

import pdb
from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ["Debug", "Debugged", "run_traced", "session"]


class Debug(msgspec.Struct, frozen=True, tag=True):
    """rs to a server: start pdb now, or (`next`) on the next request."""

    next: bool = False


class Debugged(msgspec.Struct, frozen=True, tag=True):
    """The session is over."""


def _debugger(name: str) -> pdb.Pdb:
    stdin = open(0, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115  (the host's)
    debugger = pdb.Pdb(stdin=stdin, stdout=stdout, nosigint=True, readrc=False)
    debugger.prompt = f"(Pdb {name}) "
    return debugger


def _here(self: object) -> None:
    """The session: `self` is the server; `c` ends it."""
    return None


def session(server: object, name: str) -> None:
    """pdb at `_here(server)`, until the user continues."""
    debugger = _debugger(name)
    debugger.message(f"pdb in {name}: `self` is the server, stopped; `c` lets it go on")
    debugger.runcall(_here, server)


def run_traced(name: str, handler: Callable[..., Any], *args: Any) -> Any:
    """`handler(*args)` under pdb from its first line; its result."""
    debugger = _debugger(name)
    debugger.message(f"pdb in {name}: its next request, {type(args[0]).__name__}")
    return debugger.runcall(handler, *args)
