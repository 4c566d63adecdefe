"""Files as Python sees them: `open`, `input` and sys.stdin/stdout/stderr over Pith fds.

CPython's pure-Python io (`_pyio`) builds FileIO on os.open/read/write/lseek/
fstat/close, so with those replaced it reads and writes vfs's fds: `open` and
`io.open` become `_pyio.open`. CPython's own imports keep the C io on host
paths (the stdlib and Pith's code), untouched.

The standard streams are made as CPython makes them: UTF-8 text over fds 0, 1
and 2; stdin and stdout with errors="surrogateescape" (as under a C/POSIX
locale... and in UTF-8 mode); stdout line-buffered on a terminal and block-
buffered otherwise; stderr line-buffered, errors="backslashreplace". `input`
is Python code here: the builtin would use readline on the host's own fd 0.
"""

from __future__ import annotations

import builtins
import importlib
import io
import os
import sys
from typing import Any, TextIO

__all__ = ["input", "install_open", "make_stdio", "streams"]

_pyio: Any = importlib.import_module("_pyio")  # (no type stubs)


def _stream(fd: int, mode: str, line: bool, errors: str) -> TextIO:
    raw = _pyio.FileIO(fd, mode, closefd=False)
    buffered: Any = (_pyio.BufferedReader(raw) if mode == "r" else _pyio.BufferedWriter(raw))
    text = _pyio.TextIOWrapper(buffered, encoding="utf-8", errors=errors,
                               line_buffering=line, write_through=line)
    text.mode = mode  # (as CPython's std streams have it)
    stream: TextIO = text
    return stream


def _maybe(fd: int, mode: str, line: bool, errors: str) -> TextIO | None:
    """The stream over `fd`, or None when `fd` is not open (as CPython does)."""
    try:
        return _stream(fd, mode, line, errors)
    except OSError:
        return None


def streams(tty_out: bool) -> tuple[TextIO | None, TextIO | None, TextIO | None]:
    """New stdin, stdout and stderr over Pith fds 0, 1, 2 (None for an fd not open)."""
    return (_maybe(0, "r", False, "surrogateescape"),
            _maybe(1, "w", tty_out, "surrogateescape"),
            _maybe(2, "w", True, "backslashreplace"))


def make_stdio() -> None:
    """Put Pith's streams in sys.stdin/stdout/stderr (and sys.__std*__: they are the originals
    a Pith program has). stdout is line-buffered when it is a terminal."""
    tty_out = os.isatty(1)
    for name, stream in zip(("stdin", "stdout", "stderr"), streams(tty_out), strict=True):
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def input(prompt: object = "") -> str:
    """The builtin input, on sys.stdin and sys.stdout (EOFError at end of input)."""
    sys.stderr.flush()
    if prompt != "":
        sys.stdout.write(str(prompt))
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError("EOF when reading a line")
    return line[:-1] if line.endswith("\n") else line


def install_open() -> None:
    """`open`, `io.open` and `input` on Pith's fds and paths."""
    builtins.open = io.open = _pyio.open
    builtins.input = input
