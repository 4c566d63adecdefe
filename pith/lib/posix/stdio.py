"""Files as Python sees them: `open`, `input` and sys.stdin/stdout/stderr over Pith fds.

CPython's pure-Python io (`_pyio`) builds FileIO on os.open/read/write/lseek/
fstat/close, so with those replaced it reads and writes vfs's fds: `open` and
`io.open` become `_pyio.open`. CPython's own imports keep the C io on host
paths (the stdlib and Pith's code), untouched.

The standard streams are made as CPython makes them: UTF-8 text over fds 0, 1
and 2, named "<stdin>", "<stdout>", "<stderr>"; stdin and stdout with
errors="surrogateescape" (as under a C/POSIX locale... and in UTF-8 mode);
stdout line-buffered on a terminal and block-buffered otherwise; stderr
line-buffered, errors="backslashreplace"; text written waits in the text layer
as in CPython's C io (`TextWriter`). `input`
is Python code here: the builtin would use readline on the host's own fd 0.
"""

from __future__ import annotations

import builtins
import importlib
import io
import os
import sys
from typing import Any, TextIO

__all__ = ["input", "install_open", "make_stdio", "pith_open", "streams"]

_pyio: Any = importlib.import_module("_pyio")  # (no type stubs)
pith_open = _pyio.open  # `open` on Pith


PENDING = 8192  # bytes the text layer keeps (CPython's chunk size)


class TextWriter(_pyio.TextIOWrapper):  # type: ignore[misc]
    """stdout and stderr as CPython's C TextIOWrapper writes: text encoded by `write` waits in
    the text layer (up to a chunk, 8 KiB) until a flush, a newline of a line-buffered stream
    or a full chunk, so bytes written to `.buffer` meanwhile come out first (`print(x)` then
    `sys.stdout.buffer.write(b)`: b, then x). `_pyio` would pass each write on at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, s: str) -> int:
        if self.closed:
            raise ValueError("write to closed file")
        if not isinstance(s, str):
            raise TypeError(f"can't write {type(s).__name__} to text stream")
        length = len(s)
        haslf = (self._writetranslate or self._line_buffering) and "\n" in s
        if haslf and self._writetranslate and self._writenl != "\n":
            s = s.replace("\n", self._writenl)
        data = (self._encoder or self._get_encoder()).encode(s)
        if self._pending_size + len(data) > PENDING:
            self._write_pending()
        self._pending.append(data)
        self._pending_size += len(data)
        needflush = self._line_buffering and (haslf or "\r" in s)
        if self._pending_size >= PENDING or needflush or self._write_through:
            self._write_pending()
        if needflush:
            self.buffer.flush()
        self._set_decoded_chars("")
        self._snapshot = None
        return length

    def _write_pending(self) -> None:
        data, self._pending, self._pending_size = b"".join(self._pending), [], 0
        if data:
            self.buffer.write(data)

    def flush(self) -> None:
        self._write_pending()
        super().flush()


STD_NAMES = {0: "<stdin>", 1: "<stdout>", 2: "<stderr>"}


def _stream(fd: int, mode: str, line: bool, errors: str) -> TextIO:
    raw = _pyio.FileIO(fd, mode, closefd=False)
    raw.name = STD_NAMES[fd]  # (sys.stdout.name is "<stdout>")
    buffered: Any = (_pyio.BufferedReader(raw) if mode == "r" else _pyio.BufferedWriter(raw))
    kind = _pyio.TextIOWrapper if mode == "r" else TextWriter
    text = kind(buffered, encoding="utf-8", errors=errors, line_buffering=line)
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
    builtins.open = io.open = pith_open
    builtins.input = input
