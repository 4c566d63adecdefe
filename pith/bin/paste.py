"""paste: merge lines of files side by side, as GNU paste does.

Options: -d LIST (the delimiters, used in turn; \\n \\t \\\\ and \\0, the empty one, as in
POSIX), -s (one file at a time: all its lines on one line), -z (lines end in NUL). '-' may
be given more than once: each takes the next line of standard input.
"""

import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "paste"
HELP = """Usage: paste [OPTION]... [FILE]...
Write lines consisting of the sequentially corresponding lines from
each FILE, separated by TABs, to standard output.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -d, --delimiters=LIST   reuse characters from LIST instead of TABs
  -s, --serial            paste one file at a time instead of in parallel
  -z, --zero-terminated    line delimiter is NUL, not newline
      --help        display this help and exit
"""
LONG = ["delimiters=", "serial", "zero-terminated", "help"]
ESCAPES = {"n": b"\n", "t": b"\t", "\\": b"\\", "0": b"", "b": b"\b", "f": b"\f",
           "r": b"\r", "v": b"\v"}


class Failure(Exception):
    """A bad delimiter list: said as `paste: message`, without the pointer to --help."""


def delimiters(text: str) -> list[bytes]:
    out: list[bytes] = []
    raw = text.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        c = raw[i:i + 1]
        if c == b"\\" and i + 1 == len(raw):
            raise Failure(f"delimiter list ends with an unescaped backslash: {text}")
        if c == b"\\":
            d = chr(raw[i + 1])
            out.append(ESCAPES.get(d, raw[i + 1:i + 2]))
            i += 2
        else:
            out.append(c)
            i += 1
    return out or [b""]


def next_line(src: BinaryIO, end: bytes) -> bytes | None:
    """The next line without its end, or None at the end of the input."""
    if end == b"\n":
        line = src.readline()
    else:
        chunks = []
        while (c := src.read(1)) and c != end:
            chunks.append(c)
        line = b"".join(chunks) + (c or b"")
        if not line:
            return None
    if not line:
        return None
    return line[:-1] if line.endswith(end) else line


def parallel(files: list[BinaryIO], delims: list[bytes], end: bytes) -> None:
    out = sys.stdout.buffer
    live = [True] * len(files)
    while True:
        cells = []
        for i, f in enumerate(files):
            line = next_line(f, end) if live[i] else None
            if line is None:
                live[i] = False
            cells.append(line)
        if not any(c is not None for c in cells):
            return
        row = b""
        for i, cell in enumerate(cells):
            row += cell or b""
            if i < len(cells) - 1:
                row += delims[i % len(delims)]
        out.write(row + end)


def serial(files: list[BinaryIO], delims: list[bytes], end: bytes) -> None:
    out = sys.stdout.buffer
    for f in files:
        first = next_line(f, end)
        if first is None:
            out.write(end)
            continue
        row, i = first, 0
        while (line := next_line(f, end)) is not None:
            row += delims[i % len(delims)] + line
            i += 1
        out.write(row + end)


def command(argv: list[str]) -> int:
    opts, args = options(argv, "d:sz", LONG)
    delims, is_serial, end = [b"\t"], False, b"\n"
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-d", "--delimiters"):
            delims = delimiters(v)
        elif o in ("-s", "--serial"):
            is_serial = True
        else:
            end = b"\0"
    files: list[BinaryIO] = []
    for name in args or ["-"]:
        try:
            files.append(sys.stdin.buffer if name == "-" else open(name, "rb"))  # noqa: SIM115
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            return 1
    (serial if is_serial else parallel)(files, delims, end)
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except Failure as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    except IsADirectoryError as e:
        sys.stderr.write(f"{PROG}: read error: {strerror(e)}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
