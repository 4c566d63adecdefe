"""Records and fields: reading records by RS from a byte stream, splitting them by FS.

RS: one character separates records; "" is paragraph mode (records end at blank lines,
leading newlines skipped, and newline separates fields whatever FS is); longer is an ERE.
FS: " " is runs of blanks and newlines (leading and trailing ignored); one other character is
itself; "" splits into characters; longer is an ERE. Entry points: `RecordReader`, `split_text`.
"""

from __future__ import annotations

import re
from typing import IO

from pith.awk.regex import compile_ere

__all__ = ["RecordReader", "split_text"]

BLANKS = re.compile(r"[ \t\n]+")
CHUNK = 65536


def split_regex(text: str, pattern: re.Pattern[str]) -> list[str]:
    """`text` cut at each non-empty match of `pattern`."""
    parts: list[str] = []
    start = 0
    for m in pattern.finditer(text):
        if m.end() > m.start():
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def split_text(text: str, fs: str | re.Pattern[str], paragraph: bool = False) -> list[str]:
    """The fields of `text` by the separator `fs` (FS's rules, or a compiled ERE)."""
    if not isinstance(fs, str):
        return split_regex(text, fs) if text else []
    if fs == " ":
        text = text.strip(" \t\n")
        return BLANKS.split(text) if text else []
    if not text:
        return []
    if fs == "":
        return list(text)
    if len(fs) == 1 and fs != " ":
        if paragraph:
            return re.split("[" + re.escape(fs) + "\n]", text)
        return text.split(fs)
    pattern = compile_ere(fs)
    if paragraph:
        pattern = re.compile("(?:" + pattern.pattern + ")|\n", re.DOTALL)
    return split_regex(text, pattern)


class RecordReader:
    """The records of one input stream, each read by the RS of the moment."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False

    def fill(self) -> bool:
        """More text into the buffer; False at the end of the stream."""
        if self.eof:
            return False
        read = getattr(self.stream, "read1", self.stream.read)
        data = read(CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + data.decode("latin-1")
        self.pos = 0
        return True

    def rest(self) -> str | None:
        if self.pos >= len(self.buf):
            return None
        record = self.buf[self.pos:]
        self.pos = len(self.buf)
        return record

    def read(self, rs: str) -> str | None:
        """The next record, or None at the end of the stream."""
        if rs == "":
            return self.paragraph()
        if len(rs) > 1:
            return self.by_regex(compile_ere(rs))
        while True:
            k = self.buf.find(rs, self.pos)
            if k >= 0:
                record = self.buf[self.pos:k]
                self.pos = k + 1
                return record
            if not self.fill():
                return self.rest()

    def paragraph(self) -> str | None:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] == "\n":
                self.pos += 1
            if self.pos < len(self.buf) or not self.fill():
                break
        while True:
            k = self.buf.find("\n\n", self.pos)
            if k >= 0:
                record = self.buf[self.pos:k]
                self.pos = k + 2
                return record
            if not self.fill():
                last = self.rest()
                return None if last is None else last.rstrip("\n")

    def by_regex(self, pattern: re.Pattern[str]) -> str | None:
        while True:
            m = next((m for m in pattern.finditer(self.buf, self.pos) if m.end() > m.start()),
                     None)
            if m is not None and (m.end() < len(self.buf) or self.eof):
                record = self.buf[self.pos:m.start()]
                self.pos = m.end()
                return record
            if not self.fill():
                if m is not None:
                    continue
                return self.rest()
