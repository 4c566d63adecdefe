"""The tty protocol: the console driver's endpoint ("tty") and what it asks of vfs.

The console is the host terminal, handed to the tty driver as Devices
(`console_in`, `console_out`, `console_err`: the host's fds 0, 1, 2). Processes
read and write it through vfs (`/dev/tty`, whose writes go to host fd 1, and
`/dev/console`, whose writes go to host fd 2; both read the same input): vfs
keeps the typed-ahead input and the waiting readers, so a tty that crashes and
comes back loses at most the line being edited, and no reader.

- vfs → tty: `Output(data, err)` answered with `Written`.
- processes → tty: `SetForeground(pgid)`, `GetForeground()` (tcsetpgrp/tcgetpgrp),
  `WindowSize()` (os.get_terminal_size).
- vfs → tty: `Kinds()`: which of the host's stdin, stdout and stderr are terminals.
  vfs shows a console descriptor as a character device (so `isatty` is true) only
  when its side of the host console is a terminal, and as a FIFO otherwise, so a
  program behaves inside Pith as it would on the host (`ls` in columns or not).
- tty → vfs (a system badge): `ConsoleInput(data)` — cooked input, a whole line (or
  what ^D ended); `data == b""` is an end of file: the next read returns 0 bytes.
  `ConsoleFlush()` — ^C or ^\\: the typed-ahead input is dropped and readers
  waiting at that moment are answered `Failure("EINTR", …)`.
- tty → pm: `Kill(-pgid, SIGINT or SIGQUIT)` to the foreground group.
- rs → tty: `Lend(True)` — the host terminal goes back to cooked mode and tty leaves
  its input alone (a debugger in a server reads it: `service debug`); `Lend(False)`
  takes it back. System servers only (a user process's badge gets EPERM).
"""

from __future__ import annotations

import msgspec

__all__ = [
    "ConsoleFlush",
    "ConsoleInput",
    "ConsoleKinds",
    "Done",
    "Foreground",
    "GetForeground",
    "Kinds",
    "Lend",
    "Output",
    "SetForeground",
    "Size",
    "TtyReply",
    "TtyRequest",
    "WindowSize",
    "Written",
]


class Output(msgspec.Struct, frozen=True, tag=True):
    data: bytes
    err: bool = False  # True: host stderr (/dev/console); False: host stdout (/dev/tty)


class SetForeground(msgspec.Struct, frozen=True, tag=True):
    pgid: int


class GetForeground(msgspec.Struct, frozen=True, tag=True):
    pass


class WindowSize(msgspec.Struct, frozen=True, tag=True):
    pass


class Kinds(msgspec.Struct, frozen=True, tag=True):
    pass


class Lend(msgspec.Struct, frozen=True, tag=True):
    lent: bool


class ConsoleKinds(msgspec.Struct, frozen=True, tag=True):
    stdin: bool  # True: a terminal
    stdout: bool
    stderr: bool


class Written(msgspec.Struct, frozen=True, tag=True):
    count: int


class Done(msgspec.Struct, frozen=True, tag=True):
    pass


class Foreground(msgspec.Struct, frozen=True, tag=True):
    pgid: int


class Size(msgspec.Struct, frozen=True, tag=True):
    columns: int
    lines: int


# -- what tty sends vfs (part of vfs's protocol; badge 1..999 only) ------------------


class ConsoleInput(msgspec.Struct, frozen=True, tag=True):
    data: bytes


class ConsoleFlush(msgspec.Struct, frozen=True, tag=True):
    pass


TtyRequest = Output | SetForeground | GetForeground | WindowSize | Kinds | Lend
TtyReply = Written | Done | Foreground | Size | ConsoleKinds
