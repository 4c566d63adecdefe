"""tty's line discipline: bytes in, (echo, events) out; no I/O. Used by tty's input thread.

A canonical terminal's editing (POSIX ICANON with ECHO, ECHOE, ECHOK, ISIG): echo,
backspace, ^U, ^W, ^D, ^C, ^\\. Entry point: `Discipline.feed`.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

__all__ = ["MAX_LINE", "Cooked", "Discipline"]

MAX_LINE = 4095  # bytes in the line being edited (more are dropped, as Linux's n_tty does)
ERASE, WERASE, KILL, EOF, INTR, QUIT = b"\x7f", b"\x17", b"\x15", b"\x04", b"\x03", b"\x1c"
BACKSPACE = b"\x08"


@dataclass
class Cooked:
    """What some input did: bytes to echo, and events in order: a line (bytes) for vfs,
    or a signal number (the typed-ahead input is flushed and the group signalled)."""

    echo: bytes = b""
    events: list[bytes | int] = field(default_factory=list)


class Discipline:
    """A canonical terminal's line editing (POSIX ICANON with ECHO, ECHOE, ECHOK, ISIG)."""

    def __init__(self) -> None:
        self.line = bytearray()

    def feed(self, data: bytes) -> Cooked:
        out = Cooked()
        for byte in data:
            self._key(bytes([byte]), out)
        return out

    def _key(self, key: bytes, out: Cooked) -> None:
        if key in (b"\r", b"\n"):
            out.echo += b"\n"
            out.events.append(bytes(self.line) + b"\n")
            self.line.clear()
        elif key in (ERASE, BACKSPACE):
            out.echo += self._erase(1)
        elif key == KILL:
            out.echo += self._erase(len(self.line))
        elif key == WERASE:
            out.echo += self._erase(_last_word(self.line.decode(errors="replace")))
        elif key == EOF:
            out.events.append(bytes(self.line))  # b"" on an empty line: end of file
            self.line.clear()
        elif key in (INTR, QUIT):
            out.echo += b"^C" if key == INTR else b"^\\"  # (the shell ends the line, as on Linux)
            out.events.append(signal.SIGINT if key == INTR else signal.SIGQUIT)
            self.line.clear()
        elif (key >= b" " or key == b"\t") and len(self.line) < MAX_LINE:
            out.echo += key
            self.line += key
        # other control bytes (escape sequences of arrow keys, say) are dropped

    def _erase(self, chars: int) -> bytes:
        """Erase the last `chars` characters (UTF-8 aware); the echo that rubs them out."""
        erased = 0
        while erased < chars and self.line:
            while len(self.line) > 1 and self.line[-1] & 0xC0 == 0x80:  # continuation bytes
                self.line.pop()
            self.line.pop()
            erased += 1
        return b"\b \b" * erased


def _last_word(text: str) -> int:
    """How many characters ^W erases: trailing blanks, then the word before them."""
    i = len(text)
    while i and text[i - 1] in " \t":
        i -= 1
    while i and text[i - 1] not in " \t":
        i -= 1
    return len(text) - i


