"""comm: compare two sorted files line by line, as GNU comm does (in the C locale).

Three columns: lines only in FILE1, only in FILE2, in both; -1 -2 -3 suppress them.
Options: --check-order (stop at the first unsorted line), --nocheck-order,
--output-delimiter=STR, --total, -z (lines end in NUL). By default an unsorted input is
reported once per file and, at the end, with exit status 1.
"""

import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "comm"
HELP = """Usage: comm [OPTION]... FILE1 FILE2
Compare sorted files FILE1 and FILE2 line by line.

When FILE1 or FILE2 (not both) is -, read standard input.

With no options, produce three-column output.  Column one contains
lines unique to FILE1, column two contains lines unique to FILE2,
and column three contains lines common to both files.

  -1                      suppress column 1 (lines unique to FILE1)
  -2                      suppress column 2 (lines unique to FILE2)
  -3                      suppress column 3 (lines that appear in both files)

      --check-order       check that the input is correctly sorted, even
                            if all input lines are pairable
      --nocheck-order     do not check that the input is correctly sorted
      --output-delimiter=STR  separate columns with STR
      --total             output a summary
  -z, --zero-terminated   line delimiter is NUL, not newline
      --help        display this help and exit
"""
LONG = ["check-order", "nocheck-order", "output-delimiter=", "total", "zero-terminated",
        "help"]


class Unsorted(Exception):
    """--check-order found a line out of order."""


class Side:
    """One input: its current line, the one before it, whether it was found unsorted."""

    def __init__(self, src: BinaryIO, number: int, end: bytes) -> None:
        self.src, self.number, self.end = src, number, end
        self.line: bytes | None = None
        self.previous: bytes | None = None
        self.reported = False

    def advance(self, check: str | None) -> None:
        self.previous = self.line
        raw = self.src.readline() if self.end == b"\n" else read_until(self.src, self.end)
        self.line = (raw[:-1] if raw.endswith(self.end) else raw) if raw else None
        if (check is not None and self.line is not None and self.previous is not None
                and self.line < self.previous and not self.reported):
            sys.stdout.flush()
            sys.stderr.write(f"{PROG}: file {self.number} is not in sorted order\n")
            self.reported = True
            if check == "strict":
                raise Unsorted


def read_until(src: BinaryIO, end: bytes) -> bytes:
    chunks = []
    while (c := src.read(1)):
        chunks.append(c)
        if c == end:
            break
    return b"".join(chunks)


def merge(a: Side, b: Side, show: list[bool], delim: bytes, check: str | None) -> list[int]:
    out, counts = sys.stdout.buffer, [0, 0, 0]
    a.advance(check)
    b.advance(check)
    while a.line is not None or b.line is not None:
        if b.line is None or (a.line is not None and a.line < b.line):
            column, line, movers = 0, a.line, [a]
        elif a.line is None or b.line < a.line:
            column, line, movers = 1, b.line, [b]
        else:
            column, line, movers = 2, a.line, [a, b]
        counts[column] += 1
        if show[column]:
            indent = sum(show[:column])
            out.write(delim * indent + (line or b"") + a.end)
        for side in movers:
            side.advance(check)
    return counts


def command(argv: list[str]) -> int:
    opts, args = options(argv, "123z", LONG)
    show, delim, total, end = [True, True, True], b"\t", False, b"\n"
    check: str | None = "default"
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-1", "-2", "-3"):
            show[int(o[1]) - 1] = False
        elif o == "--check-order":
            check = "strict"
        elif o == "--nocheck-order":
            check = None
        elif o == "--output-delimiter":
            delim = v.encode("utf-8", "surrogateescape") or b"\0"
        elif o == "--total":
            total = True
        else:
            end = b"\0"
    if len(args) < 2:
        raise UsageError(f"missing operand after '{args[0]}'" if args else "missing operand")
    if len(args) > 2:
        raise UsageError(f"extra operand '{args[2]}'")
    sides: list[Side] = []
    for i, name in enumerate(args):
        try:
            src = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            return 1
        sides.append(Side(src, i + 1, end))
    try:
        counts = merge(sides[0], sides[1], show, delim, check)
    except Unsorted:
        return 1
    if total:
        sys.stdout.buffer.write(b"%d%s%d%s%d%stotal%s" % (
            counts[0], delim, counts[1], delim, counts[2], delim, end))
    sys.stdout.flush()
    if any(s.reported for s in sides):
        sys.stderr.write(f"{PROG}: input is not in sorted order\n")
        return 1
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return _usage_error(PROG, str(e))
    except IsADirectoryError as e:
        sys.stderr.write(f"{PROG}: read error: {strerror(e)}\n")
        return 1
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
